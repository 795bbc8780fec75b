"""API: applications' files and the published results.

- ``POST /api/v1/registrations/{id}/files`` (multipart, field ``file``): the applicant, with the
  registration's manage token in the field ``manage_token`` (until the deadline), or an organizer's
  token (admin, organizer). The file is checked by its content (PDF, PNG/JPEG, Office) against the
  event's settings.
- ``GET /api/v1/registrations/{id}/files`` and ``GET /api/v1/registrations/{id}/files/{file_id}``:
  organizers only (admin, organizer): viewers, door staff and applicants get 403 or 401.
- ``GET /api/v1/events/{id}/applications``: counts per 部門 and each application's decision (any staff token).
- ``GET /api/v1/events/{id}/results``: the published results; 404 before they are published.
"""
from __future__ import annotations

import hmac

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy import select

from app.api import bp
from app.api.auth import current_organizer, token_required
from app.api.responses import error_response
from app.api.serializers import iso
from app.db_types import utcnow
from app.domain import manage_links
from app.domain.codes import ACTIVE_REGISTRATION_STATUSES, EventStatus
from app.domain.registration_input import N_
from app.domain.text_input import parse_id
from app.extensions import db, limiter
from app.models import ApplicationFile, Event, Registration, TicketType
from app.services import applications as service
from app.services import results as results_service
from app.services.errors import ServiceError

CATEGORY_UNKNOWN = N_("Choose one of this event's divisions.")

#: HTTP status of each refusal of a file.
_FILE_STATUS = {"file_too_large": 413, "file_type_refused": 415, "empty_file": 422, "too_many_files": 409,
                "closed": 409, "files_not_allowed": 409, "files_unavailable": 503, "erased": 409}


def category_ticket_type_id(event_id: int, category) -> int | None:
    """The 参加枠 of the event that `category` names (its name, or its id); None when none does."""
    if isinstance(category, bool) or not isinstance(category, str | int):
        return None
    rows = db.session.execute(select(TicketType.id, TicketType.name).where(TicketType.event_id == event_id)).all()
    wanted = str(category).strip()
    for tt_id, name in rows:
        if name == wanted:
            return tt_id
    as_id = parse_id(category)
    return as_id if as_id in {tt_id for tt_id, _name in rows} else None


def file_json(item: ApplicationFile) -> dict:
    return {"id": item.id, "registration_id": item.registration_id, "name": item.original_name, "kind": item.kind,
            "size": item.size, "sha256": item.sha256, "uploaded_at": iso(item.uploaded_at),
            "download_url": f"{current_app.config['BASE_URL']}/api/v1/registrations/{item.registration_id}"
                            f"/files/{item.id}"}


def _registration(registration_id: int) -> Registration | None:
    return db.session.get(Registration, registration_id)


def _applicant_token_matches(registration: Registration, token) -> bool:
    if not isinstance(token, str) or not manage_links.plausible(token):
        return False
    digest = manage_links.hash_token(token)
    return any(h and hmac.compare_digest(h, digest)
               for h in (registration.manage_token_hash, registration.previous_manage_token_hash))


def _upload_limit() -> str:
    return current_app.config.get("RATELIMIT_REGISTRATION") or "120 per minute"


@bp.post("/registrations/<int:registration_id>/files")
@limiter.limit(_upload_limit)
def upload_file(registration_id: int):
    registration = _registration(registration_id)
    organizer = current_organizer() if request.headers.get("Authorization") else None
    if request.headers.get("Authorization") and organizer is None:
        return error_response(401, "unauthorized", "auth_invalid", www_authenticate=True)
    if registration is None:
        return error_response(404, "not_found")
    event = registration.event
    if not event.accepts_applications or not event.application_files_allowed:
        return error_response(409, "files_not_allowed", message=_(service.NO_FILES))
    from app.registration.applications import allow_upload_size

    allow_upload_size(event)
    if organizer is not None:
        if not organizer.can_edit:
            return error_response(403, "forbidden")
        actor = organizer
    else:
        if not _applicant_token_matches(registration, request.form.get("manage_token")):
            return error_response(401, "unauthorized", "unknown_token")
        actor = None
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return error_response(422, "validation_error", errors={"file": [_("Choose a file to upload.")]})
    try:
        item = service.add_file(registration, upload.stream, upload.filename, now=utcnow(), actor=actor)
    except service.FileRefused as exc:
        db.session.rollback()
        return error_response(_FILE_STATUS.get(exc.code, 409), exc.code, message=_(exc.message, **exc.params))
    except ServiceError as exc:
        db.session.rollback()
        return error_response(_FILE_STATUS.get(exc.code, 409), exc.code, message=_(exc.message))
    service.commit_added(item)
    response = current_app.json.response(file_json(item))
    response.status_code = 201
    return response


def _organizer_registration(registration_id: int):
    registration = _registration(registration_id)
    if registration is None:
        return None, error_response(404, "not_found")
    return registration, None


@bp.get("/registrations/<int:registration_id>/files")
@token_required(write=True)
def list_files(registration_id: int):
    registration, refused = _organizer_registration(registration_id)
    if refused:
        return refused
    return {"registration_id": registration.id, "files": [file_json(f) for f in service.files_of(registration.id)]}


@bp.get("/registrations/<int:registration_id>/files/<int:file_id>")
@token_required(write=True)
def download_file(registration_id: int, file_id: int):
    item = db.session.get(ApplicationFile, file_id)
    if item is None or item.registration_id != registration_id:
        return error_response(404, "not_found")
    try:
        path = service.file_path(item)
    except service.FilesUnavailable as exc:
        return error_response(503, exc.code, message=_(exc.message))
    service.logged_download(item, now=utcnow(), actor=current_organizer())
    db.session.commit()
    from app.organizer.applications import file_response

    return file_response(item, path)


@bp.get("/events/<int:event_id>/applications")
@token_required()
def event_applications(event_id: int):
    event = db.session.get(Event, event_id)
    if event is None:
        return error_response(404, "not_found")
    counts = service.counts_per_category(event)
    files = service.file_counts(event.id)
    rows = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status.in_(ACTIVE_REGISTRATION_STATUSES))
        .order_by(Registration.ticket_type_id, Registration.id))
    return {
        "event_id": event.id,
        "accepts_applications": event.accepts_applications,
        "categories": [{"ticket_type_id": c.ticket_type.id, "category": c.ticket_type.name, "applications": c.total,
                        "shortlisted": c.shortlisted, "awarded": c.awarded, "not_selected": c.not_selected}
                       for c in counts],
        "applications": [{"id": r.id, "reference": r.reference, "ticket_type_id": r.ticket_type_id,
                          "category": r.ticket_type.name, "status": r.status, "decision": r.application_status,
                          "files": files.get(r.id, 0)} for r in rows],
    }


@bp.get("/events/<int:event_id>/results")
def event_results(event_id: int):
    if request.headers.get("Authorization") and current_organizer() is None:
        return error_response(401, "unauthorized", "auth_invalid", www_authenticate=True)
    event = db.session.get(Event, event_id)
    if event is None or event.status == EventStatus.DRAFT:
        return error_response(404, "not_found")
    body = results_service.public_results_json(event)
    if body is None:
        return error_response(404, "not_found", message=_("The results have not been published."))
    return body
