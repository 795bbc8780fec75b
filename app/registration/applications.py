"""The applicant's files, from the private page (/r/<token>): add until the deadline, remove (confirmed).

The applicant sees the names and sizes of their files, never downloads them:
files are served to organizers only (app.organizer.applications).
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.exceptions import RequestEntityTooLarge

from app.db_types import utcnow
from app.domain.application_files import TOO_LARGE
from app.extensions import csrf, db, limiter
from app.models import ApplicationFile
from app.registration import bp
from app.registration.views import _actor, _rate_limit, _registration_or_404
from app.services import applications
from app.services.errors import ServiceError

UPLOAD_SLACK = 64 * 1024  # the multipart envelope around the file


def allow_upload_size(event) -> None:
    """This request may carry one file of the event's size limit (the app's MAX_CONTENT_LENGTH is smaller)."""
    request.max_content_length = applications.max_bytes(event) + UPLOAD_SLACK
    request.max_form_memory_size = 64 * 1024


def _application(token: str):
    registration = _registration_or_404(token)
    event = registration.event
    if not event.accepts_applications or not event.application_files_allowed:
        abort(404)
    return registration, event


def render_files_page(registration, event, token, *, error=None, status=200):
    now = utcnow()
    return render_template("registration/files.html", registration=registration, event=event, token=token,
                           files=applications.files_of(registration.id), error=error,
                           may_change=applications.may_change(event, registration, now),
                           max_mb=applications.max_bytes(event) // (1024 * 1024),
                           kinds=applications.accepted_kinds_label(event)), status


@bp.route("/r/<token>/files", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
@csrf.exempt  # checked below, once this request may be as large as the event's file limit
def files(token: str):
    registration, event = _application(token)
    if request.method == "GET":
        return render_files_page(registration, event, token)
    allow_upload_size(event)
    try:
        form, uploaded = request.form, request.files
    except RequestEntityTooLarge:  # far past the limit: said next to the field, like a file just past it
        limit = applications.max_bytes(event) // (1024 * 1024)
        return render_files_page(registration, event, token, error=_(TOO_LARGE, mb=limit), status=413)
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(form.get("csrf_token"))
        except Exception as exc:  # WTForms' ValidationError: the same answer as CSRFProtect's
            raise CSRFError(str(exc)) from None
    upload = uploaded.get("file")
    if upload is None or not upload.filename:
        return render_files_page(registration, event, token, error=_("Choose a file to upload."), status=422)
    try:
        item = applications.add_file(registration, upload.stream, upload.filename, now=utcnow(), actor=_actor())
    except applications.FileRefused as exc:
        db.session.rollback()
        return render_files_page(registration, event, token, error=_(exc.message, **exc.params), status=422)
    except ServiceError as exc:
        db.session.rollback()
        return render_files_page(registration, event, token, error=_(exc.message), status=422)
    applications.commit_added(item)
    flash(_("Your file has been added."), "success")
    return redirect(url_for("registration.files", token=token), code=303)


@bp.route("/r/<token>/files/<int:file_id>/remove", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def remove_file(token: str, file_id: int):
    registration, event = _application(token)
    item = db.session.get(ApplicationFile, file_id)
    if item is None or item.registration_id != registration.id:
        abort(404)
    if request.method == "GET":
        return render_template("registration/file_remove.html", registration=registration, event=event,
                               token=token, item=item)
    try:
        path = applications.remove_file(registration, file_id, now=utcnow(), actor=_actor())
    except ServiceError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        return redirect(url_for("registration.files", token=token), code=303)
    db.session.commit()
    applications.unlink_quietly(path)  # after the commit: a rolled-back removal keeps its file
    flash(_("The file has been removed."), "success")
    return redirect(url_for("registration.files", token=token), code=303)
