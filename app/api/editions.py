"""API: 承認制 decisions (organizers) and a series with its editions (public).

``POST /registrations/{id}/approve`` and ``/reject`` take an optional JSON body
``{"message": "..."}`` (put in the mail to the registrant) and answer the
registration; 409 ``not_pending`` when it awaits no decision, 409 ``full``
when approving past capacity is refused, 409 ``event_not_live`` when the event
is not published. ``GET /series/{slug}`` lists a series' public editions.
"""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from app.api import bp
from app.api.auth import token_required
from app.api.responses import error_response, json_body, validation_error
from app.api.serializers import registration_json, series_json
from app.api.views import _optional_token
from app.db_types import utcnow
from app.domain.registration_input import N_
from app.extensions import db
from app.models import Registration
from app.services import registrations as registration_service
from app.services import series as series_service
from app.services.errors import ServiceError


def _decide(registration_id: int, decide):
    if request.get_data(cache=True):
        data = json_body()
        if data is None:
            return error_response(400, "bad_request", "bad_json")
    else:
        data = {}
    message = data.get("message", "")
    if message is None:
        message = ""
    if not isinstance(message, str):
        return validation_error({"message": [N_("Enter the message as text.")]})
    if len(message.strip()) > registration_service.APPROVAL_MESSAGE_MAX:
        return validation_error({"message": [N_("The message is too long (1000 characters at most).")]})
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        return error_response(404, "not_found")
    try:
        registration = decide(registration, now=utcnow(), actor=_actor(), message=message)
    except ServiceError as exc:
        db.session.rollback()
        return error_response(409, exc.code or "conflict", message=_(exc.message))
    position = registration_service.waitlist_position(registration)
    body = registration_json(registration, position)
    db.session.commit()
    return body


def _actor():
    from app.api.auth import current_organizer

    return current_organizer()


@bp.post("/registrations/<int:registration_id>/approve")
@token_required(write=True)
def approve_registration(registration_id: int):
    return _decide(registration_id, registration_service.approve)


@bp.post("/registrations/<int:registration_id>/reject")
@token_required(write=True)
def reject_registration(registration_id: int):
    return _decide(registration_id, registration_service.reject)


@bp.get("/series/<slug>")
def get_series(slug: str):
    refused = _optional_token()
    if refused:
        return refused
    found = series_service.public_series(slug)
    if found is None:
        return error_response(404, "not_found")
    return series_json(found, now=utcnow())
