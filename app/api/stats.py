"""Participation statistics in the API: one event's funnel, and figures by 年度 (viewer tokens and up)."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from app.api import bp
from app.api.auth import token_required
from app.api.responses import error_response
from app.db_types import utcnow
from app.domain import dates
from app.extensions import db
from app.i18n import current_language
from app.models import Event
from app.services import stats

PROBLEMS = {
    "year": lambda: _("Enter a year such as 2021."),
    "order": lambda: _("The first year must not come after the last."),
    "range": lambda: _("Ask for at most %(n)s years at once.", n=stats.MAX_YEARS),
    "unknown": lambda: _("Not one of the allowed values."),
}


@bp.get("/events/<int:event_id>/stats")
@token_required()
def event_stats(event_id: int):
    event = db.session.get(Event, event_id)
    if event is None:
        return error_response(404, "not_found")
    body = stats.event_stats(event)
    body["over_time"] = stats.registrations_over_time(event)
    body["questions"] = stats.choice_answers(event)
    return body


def _row_json(row: dict) -> dict:
    out = {k: v for k, v in row.items() if k != "key"}
    out["label"] = dates.fiscal_year_label(row["fiscal_year"], current_language())
    return out


@bp.get("/stats/fiscal-years")
@token_required()
def fiscal_years():
    filters, problems = stats.parse_filters(request.args, now=utcnow())
    if filters is None:
        return error_response(400, "bad_request", "bad_parameter",
                              errors={k: [PROBLEMS[code]()] for k, code in problems.items()})
    return {
        "fiscal_years": [_row_json(r) for r in stats.summary(filters)],
        "total": stats.totals(filters),
        "filters": {"from": filters.fiscal_year_from, "to": filters.fiscal_year_to, "category": filters.category,
                    "series": filters.series_id, "prefecture": filters.prefecture, "format": filters.format},
    }
