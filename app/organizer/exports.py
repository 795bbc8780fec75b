"""Organizer: exports of the registrant list, their log, and the aggregate counts for viewers.

An export is a POST (CSRF) from the list page: the file is written (app.services.exports),
logged, kept for EXPORT_FILE_MINUTES, and its page shows what it holds (and, for CP932,
every cell it changed) with the download links. Personal data: organizers and admins
only (403 for viewers); the aggregate counts are for every staff member.
"""
from __future__ import annotations

import os

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.auth.permissions import editor_required, staff_required
from app.column_labels import column_label
from app.db_types import utcnow
from app.domain.dates import to_jst
from app.domain.registrant_list import default_export_columns
from app.extensions import db
from app.models import Event, ExportLog
from app.organizer import bp
from app.organizer.list_forms import ExportForm
from app.organizer.registrants import _filter_args, list_filter
from app.services import exports

LOG_PAGE = 100



def _log_or_404(event: Event, log_id: int) -> ExportLog:
    log = db.session.get(ExportLog, log_id)
    if log is None or log.event_id != event.id:
        abort(404)
    return log


@bp.route("/events/<int:event_id>/registrants/export", methods=["POST"])
@editor_required
def registrants_export(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = ExportForm()
    form.format.choices = [(f.key, f.label) for f in exports.FORMATS.values()]
    args = _filter_args(request.form)
    back = url_for("organizer.registrants", event_id=event.id, **args)
    if not form.validate_on_submit():
        flash(_("Choose a format."), "error")
        return redirect(back, code=303)
    f, errors = list_filter(event, MultiDict(args), default_columns=default_export_columns(event.choose_sessions, event.team_mode))
    if errors:
        flash(_("Correct the filter before exporting."), "error")
        return redirect(back, code=303)
    now = utcnow()
    exports.remove_expired(now)
    db.session.commit()
    log, _path = exports.run(event, f, form.format.data, actor=current_user, now=now, via="web",
                             wareki=bool(form.wareki.data), keep=True)
    db.session.commit()
    return redirect(url_for("organizer.export_detail", event_id=event_id, log_id=log.id), code=303)


@bp.route("/events/<int:event_id>/exports")
@editor_required
def export_log(event_id: int):
    event = db.get_or_404(Event, event_id)
    logs = db.session.scalars(select(ExportLog).where(ExportLog.event_id == event.id)
                              .order_by(ExportLog.created_at.desc(), ExportLog.id.desc()).limit(LOG_PAGE)).all()
    return render_template("organizer/exports/log.html", event=event, logs=logs, formats=exports.FORMATS)


@bp.route("/events/<int:event_id>/exports/<int:log_id>")
@editor_required
def export_detail(event_id: int, log_id: int):
    event = db.get_or_404(Event, event_id)
    log = _log_or_404(event, log_id)
    questions = {q.id: q for q in event.questions}
    mine = log.organizer_id == current_user.id or current_user.is_admin
    return render_template(
        "organizer/exports/detail.html", event=event, log=log, fmt=exports.FORMATS.get(log.format),
        columns=[column_label(c, questions) for c in log.columns],
        report=[(row, column_label(key, questions), original, written) for row, key, original, written in log.report],
        file_available=mine and exports.kept_file(log, utcnow()) is not None,
        filter_items=sorted(log.filter.items()),
    )


@bp.route("/events/<int:event_id>/exports/<int:log_id>/file")
@editor_required
def export_file(event_id: int, log_id: int):
    """The kept file, for the organizer who made it (or an admin), until it expires."""
    event = db.get_or_404(Event, event_id)
    log = _log_or_404(event, log_id)
    if log.organizer_id != current_user.id and not current_user.is_admin:
        abort(403)
    path = exports.kept_file(log, utcnow())
    fmt = exports.FORMATS.get(log.format)
    if path is None or fmt is None:
        flash(_("This file is no longer kept: export the list again."), "error")
        return redirect(url_for("organizer.export_detail", event_id=event_id, log_id=log_id), code=303)
    name = exports.download_name(event, fmt, log.created_at)
    return send_file(os.path.abspath(path), mimetype=fmt.mimetype, as_attachment=True, download_name=name,
                     max_age=0)


@bp.route("/events/<int:event_id>/exports/<int:log_id>/report.csv")
@editor_required
def export_report(event_id: int, log_id: int):
    """The cells a CP932 export changed, as a file (UTF-8 with BOM: it holds the originals)."""
    event = db.get_or_404(Event, event_id)
    log = _log_or_404(event, log_id)
    name = f"registrants-{event.id}-{to_jst(log.created_at):%Y%m%d-%H%M}-cp932-report.csv"
    return Response(exports.report_csv(log), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/events/<int:event_id>/registrants/summary.csv")
@staff_required
def registrants_summary(event_id: int):
    """Counts of the filtered list by status, 参加枠, 組織区分 and 都道府県: no personal data (any staff)."""
    event = db.get_or_404(Event, event_id)
    f, errors = list_filter(event, request.args)
    if errors:
        abort(400)
    name = f"registrants-{event.id}-summary-{to_jst(utcnow()):%Y%m%d-%H%M}.csv"
    return Response(exports.aggregates_csv(event, f), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.app_template_global("recent_exports")
def recent_exports(event_id: int, limit: int = 5) -> list[ExportLog]:
    """The latest exports of an event (the event's page shows them to organizers)."""
    if not getattr(current_user, "can_edit", False):
        return []
    return list(db.session.scalars(select(ExportLog).where(ExportLog.event_id == event_id)
                                   .order_by(ExportLog.created_at.desc(), ExportLog.id.desc()).limit(limit)))
