"""Validation of a registration (the form and the API share it).

`clean_registration(raw, questions, ticket_type_ids)` returns the normalised
values and a dict of field errors (English msgids, translated by the caller
with gettext). It never touches the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email

from app.domain import session_choice, text_input
from app.domain.codes import PREFECTURES, OrganizationType, QuestionKind
from app.domain.people import (
    is_katakana,
    is_valid_corporate_number,
    is_valid_phone,
    needs_kana,
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
    "kana_required": N_("Enter the reading of a name written in Japanese (in katakana or hiragana)."),
    "email": N_("Enter a valid email address."),
    "email_mismatch": N_("The two email addresses do not match."),
    "phone": N_("Enter a phone number of 10 or 11 digits, such as 022-221-4876."),
    "organization_type": N_("Choose an organisation type."),
    "prefecture": N_("Choose a prefecture."),
    "corporate_number": N_("A corporate number has 13 digits and a valid check digit."),
    "ticket_type": N_("Choose a ticket type."),
    "choice": N_("Choose one of the options."),
    "consent": N_("Please agree to the purpose of use to register."),
    "control": text_input.CONTROL_CHARACTERS,
    "line_break": text_input.LINE_BREAK,
    "yesno": N_("Choose yes or no."),
}

#: Maximum lengths (characters), shared with the columns, the form and the OpenAPI document.
LIMITS = text_input.REGISTRATION_LENGTHS
#: Values a yes/no answer may take (the form sends yes/no, the API a boolean).
YES_VALUES = {"yes", "true", "1", "on", "y"}
NO_VALUES = {"no", "false", "0", "off", "n"}
#: Characters a phone number or corporate number may be typed with, besides digits.
_NUMBER_PUNCTUATION = set(" -‐‑‒–—―−ー－()（）+＋.．　")


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
    # The chosen sessions (days) of an event whose registrants choose them (app.domain.session_choice).
    session_ids: tuple[int, ...] = ()
    answers: dict[str, Any] = field(default_factory=dict)
    consent: bool = False
    opt_in_announcements: bool = False
    # A team registration's team (app.domain.teams.clean_team); None for one person.
    team: Any = None
    # Events that publish results: the registrant agrees that their name is shown with a result.
    public_name_consent: bool = False


def _text(raw: dict, name: str) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    return str(value).strip()


def _number_typed(value: str) -> bool:
    """Digits (half- or full-width) and the usual separators only: never letters dropped silently."""
    return all(ch.isdigit() or ch in _NUMBER_PUNCTUATION for ch in value)


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
    session_ids: list[int] | None = None,
) -> tuple[CleanRegistration, dict[str, list[str]]]:
    """Normalise and check a registration. `partial` checks only the keys present (edits).

    `session_ids`: the event's sessions when its registrants choose days (``raw["sessions"]``).
    """
    errors: dict[str, list[str]] = {}
    out = CleanRegistration()

    def err(name: str, key: str) -> None:
        errors.setdefault(name, []).append(MESSAGES[key])

    def present(name: str) -> bool:
        return not partial or name in raw

    def characters_ok(name: str, value: str, *, multiline: bool = False) -> bool:
        """Report control characters and line breaks; a refused value is never stored."""
        problem = text_input.character_error(value, multiline=multiline)
        if problem is not None:
            errors.setdefault(name, []).append(problem)
            return False
        return True

    for name in ("family_name", "given_name", "organization", "department", "job_title"):
        if not present(name):
            continue
        value = _text(raw, name)
        if not characters_ok(name, value):
            pass
        elif not value and name in ("family_name", "given_name", "organization"):
            err(name, "required")
        elif len(value) > LIMITS[name]:
            err(name, "too_long")
        setattr(out, name, value)

    # The reading is required only of a name written in Japanese script (app.domain.people.needs_kana).
    kana_required = needs_kana(out.family_name, out.given_name)
    for name in ("family_name_kana", "given_name_kana"):
        if not present(name):
            continue
        value = _text(raw, name)
        if not characters_ok(name, value):
            setattr(out, name, value)
            continue
        if len(value) > LIMITS[name]:
            err(name, "too_long")
            setattr(out, name, value)
            continue
        value = to_katakana(value)
        if not value:
            if kana_required:
                err(name, "kana_required")
        elif not is_katakana(value):
            err(name, "kana")
        elif len(value) > LIMITS[name]:
            err(name, "too_long")
        setattr(out, name, value)

    if present("email"):
        email = _text(raw, "email")
        if not characters_ok("email", email):
            pass
        elif not email:
            err("email", "required")
        elif len(email) > LIMITS["email"]:
            err("email", "too_long")
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
            if not characters_ok("email_confirm", confirm):
                pass
            elif len(confirm) > LIMITS["email"]:
                err("email_confirm", "too_long")
            elif not confirm:
                err("email_confirm", "required")
            elif normalize_email(confirm) != out.email_normalized:
                err("email_confirm", "email_mismatch")

    if present("phone"):
        typed = _text(raw, "phone")
        phone = ""
        if not characters_ok("phone", typed):
            pass
        elif len(typed) > text_input.PHONE_INPUT_MAX:
            err("phone", "too_long")
        elif typed and not _number_typed(typed):
            err("phone", "phone")  # letters are refused, never dropped (the number would be stored empty)
        else:
            phone = normalize_phone(typed)
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
            pref = ""
        out.prefecture = pref or None

    if present("corporate_number"):
        typed = _text(raw, "corporate_number")
        number = ""
        if not characters_ok("corporate_number", typed):
            pass
        elif len(typed) > text_input.CORPORATE_NUMBER_INPUT_MAX or not _number_typed(typed):
            err("corporate_number", "corporate_number")
        else:
            number = normalize_corporate_number(typed)
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
            out.ticket_type_id = text_input.parse_id(tt)  # 1e400, 2**40, "x": no crash, no overflow
            if out.ticket_type_id not in ticket_type_ids:
                err("ticket_type_id", "ticket_type")

    if session_ids is not None and present("sessions"):
        out.session_ids, problem = session_choice.clean_session_ids(raw.get("sessions"), session_ids)
        if problem:
            errors.setdefault("sessions", []).append(problem)

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
                if any(not isinstance(v, str | int) or isinstance(v, bool) for v in values):
                    values = [None]
                values = [str(v) if v is not None else None for v in values]
                if any(v not in q.choices for v in values) or len(values) > len(set(values)):
                    err(name, "choice")
                    values = []  # only the question's own choices are ever kept
                elif q.required and not values:
                    err(name, "required")
                out.answers[key] = values
            elif q.kind == QuestionKind.SINGLE:
                value = "" if value is None else (str(value).strip() if isinstance(value, str | int) else None)
                if value is None or (value and value not in q.choices):
                    err(name, "choice")
                    value = ""
                elif q.required and not value:
                    err(name, "required")
                out.answers[key] = value
            elif q.kind == QuestionKind.YESNO:
                if value in (None, ""):
                    if q.required:
                        err(name, "required")
                    out.answers[key] = None
                elif isinstance(value, bool):
                    out.answers[key] = value
                elif isinstance(value, str) and value.strip().lower() in YES_VALUES | NO_VALUES:
                    out.answers[key] = value.strip().lower() in YES_VALUES
                else:
                    err(name, "yesno")
                    out.answers[key] = None
            else:
                multiline = q.kind == QuestionKind.TEXTAREA
                if value is not None and not isinstance(value, str | int | float) or isinstance(value, bool):
                    value = str(value)
                value = text_input.as_text(value)
                limit = text_input.ANSWER_TEXTAREA_MAX if multiline else text_input.ANSWER_TEXT_MAX
                if not characters_ok(name, value, multiline=multiline):
                    value = ""
                elif q.required and not value:
                    err(name, "required")
                elif len(value) > limit:
                    err(name, "too_long")
                    value = ""
                out.answers[key] = value

    if not partial:
        out.consent = _bool(raw.get("consent", False))
        if not out.consent:
            err("consent", "consent")
        out.opt_in_announcements = _bool(raw.get("opt_in_announcements", False))
    if not partial or "public_name_consent" in raw:
        out.public_name_consent = _bool(raw.get("public_name_consent", False))

    return out, errors
