"""Stats pages (any staff role). Thin: read the filters, ask services.stats, render tables and charts."""
from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import urlencode

from flask import Response, abort, render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.permissions import staff_required
from app.db_types import utcnow
from app.domain import dates
from app.domain.codes import PREFECTURES, EventCategory, EventFormat
from app.domain.dates import format_date, format_datetime
from app.extensions import db
from app.i18n import current_language, prefecture_name
from app.labels import CATEGORY_LABELS, FORMAT_LABELS, ORGANIZATION_TYPE_LABELS, label
from app.models import Event, EventSeries
from app.services import attendance_counts, stats
from app.services.xlsx import XlsxSheet
from app.stats import bp, charts

PROBLEMS = {
    "year": _l("Enter a year such as 2021."),
    "order": _l("The first year must not come after the last."),
    "range": _l("Choose a shorter range of years."),
    "unknown": _l("Not one of the allowed values."),
}
GROUP_LABELS = {"category": _l("By category"), "series": _l("By series"), "prefecture": _l("By prefecture")}


def _series_names() -> dict[int, str]:
    return dict(db.session.execute(select(EventSeries.id, EventSeries.name).order_by(EventSeries.name)).all())


def _group_label(grouping: str, key, series_names: dict[int, str]) -> str:
    if grouping == "category":
        return label(CATEGORY_LABELS, key)
    if grouping == "series":
        return series_names.get(key) or _("No series")
    if grouping == "prefecture":
        return prefecture_name(key) or _("Not given")
    return dates.fiscal_year_label(key, current_language())


def _filters_or_defaults():
    filters, problems = stats.parse_filters(request.args, now=utcnow())
    if filters is None:
        first, last = stats.default_range(utcnow())
        return stats.EventFilter(first, last, until=utcnow()), problems
    return filters, {}


@bp.get("/")
@staff_required
def fiscal_years():
    filters, problems = _filters_or_defaults()
    grouping = request.args.get("by") if request.args.get("by") in GROUP_LABELS else "category"
    series_names = _series_names()
    lang = current_language()
    rows = stats.summary(filters)
    for row in rows:
        row["label"] = dates.fiscal_year_label(row["fiscal_year"], lang)
    groups = stats.summary(filters, grouping=grouping)
    for row in groups:
        row["label"] = _group_label(grouping, row["key"], series_names)
    chart = charts.bars([r["label"] for r in rows],
                        [charts.Series(_("Applicants"), [r["applicants"] for r in rows]),
                         charts.Series(_("Attendees"), [r["attendees"] for r in rows])],
                        label=_("Applicants and attendees by fiscal year"), table_id="fy-table")
    current = dates.fiscal_year(utcnow())
    total = stats.totals(filters)
    pages = max(1, -(-total["events"] // stats.HELD_PER_PAGE))
    page = request.args.get("page", "1")
    page = min(int(page), pages) if page.isascii() and page.isdigit() and 0 < len(page) < 7 and int(page) else 1
    return render_template(
        "stats/fiscal_years.html", filters=filters, problems=problems, rows=rows, total=total,
        held_page=page, held_pages=pages, uncounted=stats.uncounted_events(utcnow()),
        groups=groups, grouping=grouping, group_labels=GROUP_LABELS, chart=chart,
        held=stats.held_events(filters, page=page), series_names=series_names,
        year_choices=[(y, dates.fiscal_year_label(y, lang)) for y in range(current - 15, current + 2)],
        categories=[(c.value, label(CATEGORY_LABELS, c.value)) for c in EventCategory],
        formats=[(f.value, label(FORMAT_LABELS, f.value)) for f in EventFormat],
        prefectures=[(code, prefecture_name(code)) for code in PREFECTURES],
        query=urlencode(_kept_args()), query_with=lambda **kw: urlencode({**_kept_args(), **kw}),
        problem_labels=PROBLEMS,
    )


def _kept_args() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k in (*stats.FILTER_KEYS, "by") and v}


def _held_rows(filters) -> tuple[list[str], list[list]]:
    lang = current_language()
    header = [_("Fiscal year"), _("Date"), _("Event"), _("Category"), _("Place"), _("Applicants"),
              _("Participants"), _("Attendees")]
    body = []
    online = _("Online")
    categories = {c.value: label(CATEGORY_LABELS, c.value) for c in EventCategory}  # translated once, not per row
    years: dict[int, str] = {}
    prefectures: dict[str, str] = {}
    for item in stats.held_events(filters):
        event = item["event"]
        if event.format == EventFormat.ONLINE:
            place = online
        elif event.venue:
            place = event.venue
        else:
            if event.prefecture not in prefectures:
                prefectures[event.prefecture] = prefecture_name(event.prefecture)
            place = prefectures[event.prefecture]
        year = item["fiscal_year"]
        if year not in years:
            years[year] = dates.fiscal_year_label(year, lang)
        body.append([years[year], dates.to_jst(event.starts_at).date(), event.title,
                     categories.get(event.category) or label(CATEGORY_LABELS, event.category), place,
                     item["applicants"], item["participants"], item["attendees"]])
    return header, body


@bp.get("/held-events.xlsx")
@staff_required
def held_events_xlsx():
    """開催実績一覧 as XLSX: aggregates only (no personal data), so any staff role may download it."""
    filters, problems = stats.parse_filters(request.args, now=utcnow())
    if filters is None:
        abort(400)
    header, body = _held_rows(filters)
    out = io.BytesIO()
    sheet = XlsxSheet(out, _("Events held"), header, [14, 12, 48, 16, 24, 10, 10, 10])
    for row in body:
        sheet.append(row)
    sheet.close()
    out.seek(0)
    return send_file(out, as_attachment=True, download_name=f"held-events-{date.today():%Y%m%d}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/fiscal-years.csv")
@staff_required
def fiscal_years_csv():
    """The 年度 table as CSV in UTF-8 with a BOM (opens cleanly in Japanese Excel)."""
    filters, problems = stats.parse_filters(request.args, now=utcnow())
    if filters is None:
        abort(400)
    lang = current_language()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Fiscal year"), _("Western year"), _("Events held (count)"), _("Applicants"), _("Participants"),
                     _("Attendees"), _("Attendance rate"), _("Distinct people"), _("Distinct organisations"),
                     _("Repeat participants")])
    for r in stats.summary(filters):
        writer.writerow([dates.fiscal_year_label(r["fiscal_year"], lang), r["fiscal_year"], r["events"],
                         r["applicants"], r["participants"], r["attendees"],
                         "" if r["attendance_rate"] is None else f"{r['attendance_rate']:.4f}",
                         r["distinct_people"], r["distinct_organizations"], r["repeat_participants"]])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=fiscal-years-{date.today():%Y%m%d}.csv"})


def _edition_label(event: Event) -> str:
    """An edition as its date and place (the title is the series' own)."""
    place = prefecture_name(event.prefecture) if event.prefecture else ""
    when = format_date(event.starts_at, current_language()) if event.starts_at else ""
    return " ".join(p for p in (when, place) if p)


@bp.get("/events/<int:event_id>")
@staff_required
def event(event_id: int):
    event = db.get_or_404(Event, event_id)
    figures = stats.event_stats(event)
    counts = attendance_counts.event_counts(event)
    over_time = stats.registrations_over_time(event)
    editions = stats.editions_over_time(event)
    names = {code: prefecture_name(code) for code in PREFECTURES}
    org_rows = [(label(ORGANIZATION_TYPE_LABELS, k), v, figures["attended_by_organization_type"].get(k, 0))
                for k, v in figures["by_organization_type"].items()]
    pref_rows = [(prefecture_name(k) or _("Not given"), v, figures["attended_by_prefecture"].get(k, 0))
                 for k, v in figures["by_prefecture"].items()]
    ticket_rows = [(figures["ticket_type_names"].get(k, k), v, figures["attended_by_ticket_type"].get(k, 0))
                   for k, v in figures["by_ticket_type"].items()]
    funnel = [(_("Applied"), figures["applied"]), (_("Confirmed"), figures["confirmed"]),
              (_("Waiting list"), figures["waitlisted"]), (_("Lottery or approval pending"), figures["pending"]),
              (_("Not drawn"), figures["lost"]), (_("Declined"), figures["rejected"]),
              (_("Cancelled registrations"), figures["cancelled"]), (_("Attended"), figures["attended"])]

    def bar(rows, title, table_id):
        return charts.bars([r[0] for r in rows], [charts.Series(_("Participants"), [r[1] for r in rows]),
                                                  charts.Series(_("Attendees"), [r[2] for r in rows])],
                           label=title, table_id=table_id)

    return render_template(
        "stats/event.html", event=event, figures=figures, funnel=funnel,
        funnel_chart=charts.bars([f[0] for f in funnel], [charts.Series(_("Registrations"), [f[1] for f in funnel])],
                                 label=_("Registrations by status"), table_id="funnel-table"),
        org_rows=org_rows, org_chart=bar(org_rows, _("By organisation type"), "org-table"),
        pref_rows=pref_rows,
        pref_map=charts.tohoku_tiles(figures["by_prefecture"], names, label=_("Participants by prefecture (Tohoku)"),
                                     table_id="pref-table", other_label=_("Elsewhere")),
        ticket_rows=ticket_rows, ticket_chart=bar(ticket_rows, _("By 参加枠"), "ticket-table"),
        over_time=over_time,
        over_time_chart=charts.cumulative_line([(p["days_before"], p["cumulative"]) for p in over_time],
                                               label=_("Cumulative registrations by days before the event"),
                                               table_id="time-table", x_caption=_("Days before the event")),
        editions=editions, editions_rows=stats.editions_table(editions),
        editions_chart=charts.cumulative_lines(
            [(_edition_label(e["event"]), [(p["days_before"], p["cumulative"]) for p in e["points"]])
             for e in editions],
            label=_("Cumulative registrations of this event and earlier editions of its series"),
            table_id="editions-table", x_caption=_("Days before the event")),
        questions=stats.choice_answers(event),
        counts=counts,
        session_chart=charts.bars(
            [s.title or format_datetime(s.starts_at, current_language()) for s in counts.sessions],
            [charts.Series(_("Attendees"), [s.attended for s in counts.sessions])],
            label=_("Attendees by session"), table_id="session-table") if len(counts.sessions) > 1 else "",
    )
