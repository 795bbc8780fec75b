"""Headings of the registrant list's columns (app.domain.registrant_list), on the page and in exports."""
from __future__ import annotations

from flask_babel import lazy_gettext as _

from app.domain.registrant_list import ANSWER_PREFIX

COLUMN_LABELS = {
    "reference": _("Registration number"),
    "status": _("Status"),
    "ticket_type": _("Ticket type"),
    "full_name": _("Full name"),
    "full_name_kana": _("Name (kana)"),
    "family_name": _("Family name"),
    "given_name": _("Given name"),
    "family_name_kana": _("Family name (kana)"),
    "given_name_kana": _("Given name (kana)"),
    "email": _("Email address"),
    "phone": _("Phone number"),
    "organization": _("Company or organisation"),
    "department": _("Department"),
    "job_title": _("Job title"),
    "organization_type": _("Organisation type"),
    "prefecture": _("Prefecture"),
    "corporate_number": _("Corporate number (法人番号)"),
    "created_at": _("Registered"),
    "confirmed_at": _("Confirmed at"),
    "cancelled_at": _("Cancelled at"),
    "checked_in_at": _("Checked in at"),
    "attended_sessions": _("Sessions attended"),
    "chosen_sessions": _("Days chosen"),
    "note": _("Organizer's note"),
    "team_name": _("Team name"),
    "team_size": _("Team size"),
    "team_members": _("Team members' names"),
}


def column_label(key: str, questions: dict) -> str:
    """The heading of a column; ``questions`` maps question ids to questions (answers' headings)."""
    if key.startswith(ANSWER_PREFIX):
        try:
            question = questions.get(int(key[len(ANSWER_PREFIX):]))
        except ValueError:
            question = None
        return question.label if question is not None else key
    return str(COLUMN_LABELS.get(key, key))
