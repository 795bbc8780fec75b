"""Participation statistics in the API: one event's funnel, figures by 年度, KPIs (viewer tokens and up)."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from app.api import bp
from app.api.auth import token_required
from app.api.responses import error_response
from app.db_types import utcnow
from app.domain import dates
from app.domain import kpi as kpi_rules
from app.extensions import db
from app.i18n import current_language
from app.models import Event, Kpi
from app.services import attendance_counts, kpis, stats

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
    counts = attendance_counts.event_counts(event)
    body["cumulative"] = counts.cumulative
    body["by_session"] = {str(s.id): s.attended for s in counts.sessions}
    body["over_time"] = stats.registrations_over_time(event)
    body["editions"] = [{"event_id": e["event"].id, "title": e["event"].title, "prefecture": e["event"].prefecture,
                         "starts_at": e["event"].starts_at.isoformat(), "over_time": e["points"]}
                        for e in stats.editions_over_time(event)]
    body["questions"] = stats.choice_answers(event)
    return body


def _row_json(row: dict) -> dict:
    out = {k: v for k, v in row.items() if k != "key"}
    out["label"] = dates.fiscal_year_label(row["fiscal_year"], current_language())
    return out


@bp.get("/stats/fiscal-years")
@token_required()
def fiscal_years():
    unknown = sorted(set(request.args) - set(stats.FILTER_KEYS))
    if unknown:
        return error_response(400, "bad_request", "bad_parameter",
                              errors={k: [_("Unknown parameter.")] for k in unknown})
    filters, problems = stats.parse_filters(request.args, now=utcnow())
    if filters is None:
        return error_response(400, "bad_request", "bad_parameter",
                              errors={k: [PROBLEMS[code]()] for k, code in problems.items()})
    return {
        "fiscal_years": [_row_json(r) for r in stats.summary(filters)],
        "total": stats.totals(filters),
        "uncounted_events": stats.uncounted_events(utcnow()),
        "filters": {"from": filters.fiscal_year_from, "to": filters.fiscal_year_to, "category": filters.category,
                    "series": filters.series_id, "prefecture": filters.prefecture, "format": filters.format},
    }


def _kpi_json(measured, *, detail: bool = False) -> dict:
    k = measured.kpi
    body = {
        "id": k.id, "name": k.name, "measure": k.measure,
        "fiscal_year_from": k.fiscal_year_from, "fiscal_year_to": k.fiscal_year_to,
        "label": dates.fiscal_year_label(k.fiscal_year_from, current_language()) + (
            "" if k.fiscal_year_to == k.fiscal_year_from
            else "–" + dates.fiscal_year_label(k.fiscal_year_to, current_language())),
        "unit": "percent" if k.measure in kpi_rules.PERCENT_MEASURES else "count",
        "target": k.target, "value": measured.value, "progress": measured.progress,
        "event_ids": [int(i) for i in k.event_ids or []], "series_ids": [int(i) for i in k.series_ids or []],
    }
    if detail:
        body["events"] = [{"event_id": e["event_id"], "title": e["title"], "value": e["value"]}
                          for e in measured.events]
        body["matches"] = measured.matches
        if k.measure == kpi_rules.TARGET_SHARE:
            body["list_size"] = measured.list_size
            body["unmatched"] = [{"line": t.position, "name": t.name, "corporate_number": t.corporate_number}
                                 for t in measured.unmatched]
    return body


@bp.get("/kpis")
@token_required()
def list_kpis():
    return {"kpis": [_kpi_json(kpis.measure(k, detail=False)) for k in kpis.all_kpis()]}


@bp.get("/kpis/<int:kpi_id>")
@token_required()
def get_kpi(kpi_id: int):
    k = db.session.get(Kpi, kpi_id)
    if k is None:
        return error_response(404, "not_found")
    return _kpi_json(kpis.measure(k), detail=True)
