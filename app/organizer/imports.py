"""Organizer: import a past participant list (upload → columns → preview → import).

Editors only (admins and organizers): the list holds personal data and the
import changes an event. The rules are in app.domain.imports, the transaction
in app.services.imports; these views validate, call, commit and redirect.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth.permissions import editor_required
from app.db_types import utcnow
from app.domain import dates
from app.domain import events as event_rules
from app.domain import imports as rules
from app.extensions import db
from app.models import Event, EventSeries, ImportFile
from app.organizer import bp
from app.organizer.import_forms import NEW, ImportUploadForm
from app.services import imports as service
from app.services.errors import ServiceError, ValidationError

PREVIEW_LIMIT = 200  # rows shown per outcome on the preview page (all are counted and imported)


def _upload_or_404(upload_id: int) -> ImportFile:
    upload = db.session.get(ImportFile, upload_id)
    if upload is None or (upload.created_by_id != current_user.id and not current_user.is_admin):
        abort(404)
    return upload


def _past_events(now):
    events = db.session.scalars(select(Event).where(Event.starts_at.is_not(None), Event.starts_at <= now)
                                .order_by(Event.starts_at.desc())).all()
    return [e for e in events if service.is_past(e, now)]


def _field_labels() -> dict[str, str]:
    return {"": _("(not imported)"), **{k: _(v) for k, v in rules.FIELD_LABELS.items()}}


@bp.route("/imports/new", methods=["GET", "POST"])
@editor_required
def import_new():
    now = utcnow()
    form = ImportUploadForm()
    form.target.choices = [(NEW, _("A new past event"))] + [
        (str(e.id), f"{dates.format_date(e.starts_at)} {e.title}") for e in _past_events(now)]
    if request.method == "GET" and request.args.get("event_id"):
        form.target.data = request.args["event_id"]
    form.series.choices = [("", _("(none)"))] + [
        (str(s.id), s.name) for s in db.session.scalars(select(EventSeries).order_by(EventSeries.name))]
    if form.validate_on_submit():
        event, target = None, {}
        if form.target.data == NEW:
            starts_at, ends_at = event_rules.session_span(form.date.data, form.start_time.data, form.end_time.data)
            if starts_at > now:
                form.date.errors.append(_("A past list needs a date in the past."))
            target = {"title": form.title.data.strip(), "starts_at": starts_at.isoformat(),
                      "ends_at": ends_at.isoformat() if ends_at else None, "category": form.category.data,
                      "format": form.format.data, "venue": (form.venue.data or "").strip(),
                      "prefecture": form.prefecture.data or "", "series_id": form.series.data or None,
                      "ticket_type_name": (form.ticket_type_name.data or "").strip() or "一般"}
        else:
            event = db.session.get(Event, int(form.target.data))
        data = form.file.data.read()
        if not form.errors.get("date") and not form.date.errors:
            try:
                upload = service.upload(form.file.data.filename or "", data, event=event, target=target,
                                        actor=current_user, now=now)
            except rules.ImportFileError as exc:
                form.file.errors.append(_(exc.message))
            except ServiceError as exc:
                form.target.errors.append(_(exc.message))
            else:
                db.session.commit()
                return redirect(url_for("organizer.import_mapping", upload_id=upload.id))
    status = 422 if form.errors or any(f.errors for f in form) else 200
    return render_template("organizer/imports/new.html", form=form), status


@bp.route("/imports/<int:upload_id>/columns", methods=["GET", "POST"])
@editor_required
def import_mapping(upload_id: int):
    upload = _upload_or_404(upload_id)
    if upload.status == service.IMPORTED:
        return redirect(url_for("organizer.import_preview", upload_id=upload.id))
    table = service.table_of(upload)
    mapping = list(upload.mapping or rules.guess_mapping(table.headers))
    error = None
    if request.method == "POST":
        mapping = [request.form.get(f"col_{i}", "") for i in range(len(table.headers))]
        try:
            service.set_mapping(upload, mapping)
        except ServiceError as exc:
            error = _(exc.message)
            db.session.rollback()
        else:
            db.session.commit()
            return redirect(url_for("organizer.import_preview", upload_id=upload.id))
    samples = [[row[i] for row in table.rows if any(row)][:3] for i in range(len(table.headers))]
    return render_template("organizer/imports/mapping.html", upload=upload, headers=table.headers, samples=samples,
                           mapping=mapping, fields=_field_labels(), error=error,
                           encoding=table.encoding, n_rows=len(table.rows)), (422 if error else 200)


def _target_label(upload: ImportFile) -> str:
    if upload.event_id:
        event = db.session.get(Event, upload.event_id)
        return event.title if event else ""
    return _("New past event: %(title)s", title=(upload.target or {}).get("title", ""))


@bp.route("/imports/<int:upload_id>/preview")
@editor_required
def import_preview(upload_id: int):
    upload = _upload_or_404(upload_id)
    if upload.status == service.IMPORTED:
        return render_template("organizer/imports/done.html", upload=upload, target=_target_label(upload))
    preview = service.preview(upload)
    return render_template("organizer/imports/preview.html", upload=upload, preview=preview,
                           fields=_field_labels(), target=_target_label(upload), limit=PREVIEW_LIMIT,
                           ROW_IMPORT=service.ROW_IMPORT, ROW_DUPLICATE=service.ROW_DUPLICATE,
                           ROW_ERROR=service.ROW_ERROR)


@bp.route("/imports/<int:upload_id>/run", methods=["POST"])
@editor_required
def import_run(upload_id: int):
    upload = _upload_or_404(upload_id)
    try:
        result = service.run(upload, actor=current_user, now=utcnow())
    except ValidationError as exc:
        db.session.rollback()
        flash(_("The new event could not be created: %(errors)s", errors=exc.message), "error")
        return redirect(url_for("organizer.import_preview", upload_id=upload_id))
    except ServiceError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        return redirect(url_for("organizer.import_preview", upload_id=upload_id))
    db.session.commit()
    flash(_("Imported %(imported)d registrants (%(attended)d attended); %(duplicates)d duplicates and "
            "%(errors)d rows with errors were skipped.", imported=result.imported, attended=result.attended,
            duplicates=result.duplicates, errors=result.errors), "success")
    return redirect(url_for("organizer.registrants", event_id=result.event.id))
