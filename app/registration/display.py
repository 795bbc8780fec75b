"""How a registration's details and answers are shown (review page, private page, organizer page)."""
from __future__ import annotations

from flask_babel import gettext as _

from app.domain.codes import QuestionKind
from app.domain.people import format_phone
from app.i18n import prefecture_name
from app.labels import ORGANIZATION_TYPE_LABELS, label


def _answer_text(question, value) -> str:
    if question.kind == QuestionKind.YESNO:
        if value is None or value == "":
            return ""
        return _("Yes") if value else _("No")
    if question.kind == QuestionKind.MULTIPLE:
        return "、".join(str(v) for v in (value or []))
    return "" if value is None else str(value)


#: One answer in words (also used by the exports).
answer_text = _answer_text


def answer_rows(event, answers: dict) -> list[tuple[str, str]]:
    answers = answers or {}
    return [(q.label, _answer_text(q, answers.get(str(q.id)))) for q in event.questions]


def detail_rows(data, *, with_email: bool = True) -> list[tuple[str, str]]:
    """(label, text) pairs of a registration's details (a CleanRegistration or a Registration)."""
    rows = [
        (_("Full name"), f"{data.family_name} {data.given_name}"),
        # a name in Latin letters may have none (app.domain.people.needs_kana): shown as —
        (_("Name (kana)"), f"{data.family_name_kana} {data.given_name_kana}".strip()),
    ]
    if with_email:
        rows.append((_("Email address"), data.email))
    rows += [
        (_("Phone number"), format_phone(data.phone)),
        (_("Company or organisation"), data.organization),
        (_("Department"), data.department),
        (_("Job title"), data.job_title),
        (_("Organisation type"), label(ORGANIZATION_TYPE_LABELS, data.organization_type)),
        (_("Prefecture"), prefecture_name(data.prefecture)),
        (_("Corporate number (法人番号)"), data.corporate_number),
    ]
    return rows
