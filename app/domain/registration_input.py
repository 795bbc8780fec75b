"""Validation of a registration (the form and the API share it).

`clean_registration(raw, questions, ticket_type_ids)` returns the normalised
values and a dict of field errors (English msgids, translated by the caller
with gettext). It never touches the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email

from app.domain.codes import PREFECTURES, OrganizationType, QuestionKind
from app.domain.people import (
    is_katakana,
    is_valid_corporate_number,
    is_valid_phone,
    normalize_corporate_number,
    normalize_email,
    normalize_phone,
    organization_key,
    to_katakana,
)

# Messages are English msgids; callers translate them (they are also marked in
# app/translations for extraction through the N_ marker below).


def N_(text: str) -> str:  # noqa: N802 - gettext's "mark only" convention
    return text


REQUIRED = N_("This field is required.")
TOO_LONG = N_("This is too long.")
MESSAGES = {
    "required": REQUIRED,
    "too_long": TOO_LONG,
    "kana": N_("Enter the reading in katakana or hiragana."),
    "email": N_("Enter a valid email address."),
    "email_mismatch": N_("The two email addresses do not match."),
    "phone": N_("Enter a phone number of 10 or 11 digits, such as 022-221-4876."),
    "organization_type": N_("Choose an organisation type."),
    "prefecture": N_("Choose a prefecture."),
    "corporate_number": N_("A corporate number has 13 digits and a valid check digit."),
    "ticket_type": N_("Choose a ticket type."),
    "choice": N_("Choose one of the options."),
    "consent": N_("Please agree to the purpose of use to register."),
}

LIMITS = {
    "family_name": 100, "given_name": 100, "family_name_kana": 100, "given_name_kana": 100,
    "organization": 200, "department": 200, "job_title": 100, "email": 254,
}


@dataclass
class QuestionSpec:
    id: int
    kind: str
    required: bool
    choices: list[str] = field(default_factory=list)


@dataclass
class CleanRegistration:
    family_name: str = ""
    given_name: str = ""
    family_name_kana: str = ""
    given_name_kana: str = ""
    email: str = ""
    email_normalized: str = ""
    phone: str = ""
    organization: str = ""
    organization_key: str = ""
    department: str = ""
    job_title: str = ""
    organization_type: str = ""
    prefecture: str | None = None
    corporate_number: str = ""
    ticket_type_id: int | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    consent: bool = False
    opt_in_announcements: bool = False


def _text(raw: dict, name: str) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    return str(value).strip()


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on", "y"}
    return bool(value)


def clean_registration(
    raw: dict,
    *,
    questions: list[QuestionSpec],
    ticket_type_ids: list[int],
    require_email_confirmation: bool = False,
    partial: bool = False,
) -> tuple[CleanRegistration, dict[str, list[str]]]:
    """Normalise and check a registration. `partial` checks only the keys present (edits)."""
    errors: dict[str, list[str]] = {}
    out = CleanRegistration()

    def err(name: str, key: str) -> None:
        errors.setdefault(name, []).append(MESSAGES[key])

    def present(name: str) -> bool:
        return not partial or name in raw

    for name in ("family_name", "given_name", "organization", "department", "job_title"):
        if not present(name):
            continue
        value = _text(raw, name)
        if not value and name in ("family_name", "given_name", "organization"):
            err(name, "required")
        elif len(value) > LIMITS[name]:
            err(name, "too_long")
        setattr(out, name, value)

    for name in ("family_name_kana", "given_name_kana"):
        if not present(name):
            continue
        value = to_katakana(_text(raw, name))
        if not value:
            err(name, "required")
        elif not is_katakana(value):
            err(name, "kana")
        elif len(value) > LIMITS[name]:
            err(name, "too_long")
        setattr(out, name, value)

    if present("email"):
        email = _text(raw, "email")
        if not email:
            err("email", "required")
        else:
            try:
                email = validate_email(email, check_deliverability=False).normalized
            except EmailNotValidError:
                err("email", "email")
            if "email" not in errors and len(email) > LIMITS["email"]:
                err("email", "too_long")
        out.email = email
        out.email_normalized = normalize_email(email)
        if require_email_confirmation and "email" not in errors:
            confirm = _text(raw, "email_confirm")
            if not confirm:
                err("email_confirm", "required")
            elif normalize_email(confirm) != out.email_normalized:
                err("email_confirm", "email_mismatch")

    if present("phone"):
        phone = normalize_phone(_text(raw, "phone"))
        if phone and not is_valid_phone(phone):
            err("phone", "phone")
        out.phone = phone

    if present("organization_type"):
        org_type = _text(raw, "organization_type")
        if org_type not in {t.value for t in OrganizationType}:
            err("organization_type", "organization_type" if org_type else "required")
        out.organization_type = org_type

    if present("prefecture"):
        pref = _text(raw, "prefecture")
        if pref.isdigit() and len(pref) == 1:
            pref = "0" + pref
        if pref not in PREFECTURES:
            err("prefecture", "prefecture" if pref else "required")
        out.prefecture = pref or None

    if present("corporate_number"):
        number = normalize_corporate_number(_text(raw, "corporate_number"))
        if number and not is_valid_corporate_number(number):
            err("corporate_number", "corporate_number")
        out.corporate_number = number

    if present("organization") or present("corporate_number"):
        out.organization_key = organization_key(out.organization, out.corporate_number)

    if not partial:
        tt = raw.get("ticket_type_id")
        if tt in (None, "") and len(ticket_type_ids) == 1:
            out.ticket_type_id = ticket_type_ids[0]
        else:
            try:
                out.ticket_type_id = int(tt)
            except (TypeError, ValueError):
                out.ticket_type_id = None
            if out.ticket_type_id not in ticket_type_ids:
                err("ticket_type_id", "ticket_type")

    if present("answers") or not partial:
        answers_raw = raw.get("answers") or {}
        if not isinstance(answers_raw, dict):
            answers_raw = {}
        for q in questions:
            key = str(q.id)
            name = f"q_{q.id}"
            value = answers_raw.get(key, answers_raw.get(q.id))
            if q.kind == QuestionKind.MULTIPLE:
                values = value if isinstance(value, list) else ([value] if value not in (None, "") else [])
                values = [str(v) for v in values]
                if any(v not in q.choices for v in values):
                    err(name, "choice")
                elif q.required and not values:
                    err(name, "required")
                out.answers[key] = values
            elif q.kind == QuestionKind.SINGLE:
                value = "" if value is None else str(value).strip()
                if value and value not in q.choices:
                    err(name, "choice")
                elif q.required and not value:
                    err(name, "required")
                out.answers[key] = value
            elif q.kind == QuestionKind.YESNO:
                if value in (None, ""):
                    if q.required:
                        err(name, "required")
                    out.answers[key] = None
                else:
                    out.answers[key] = _bool(value)
            else:
                value = "" if value is None else str(value).strip()
                if q.required and not value:
                    err(name, "required")
                elif len(value) > (4000 if q.kind == QuestionKind.TEXTAREA else 500):
                    err(name, "too_long")
                out.answers[key] = value

    if not partial:
        out.consent = _bool(raw.get("consent", False))
        if not out.consent:
            err("consent", "consent")
        out.opt_in_announcements = _bool(raw.get("opt_in_announcements", False))

    return out, errors
