"""Check-in endpoints of the API: check in by QR payload or 受付番号, and undo.

Bearer tokens of admins and organizers (every event) or of door staff (role
``checkin``, the events assigned to them); viewers and other events: 403.

- ``POST /api/v1/events/{id}/checkins`` ``{"code", "session_id"?, "client_ref"?}``:
  201 first check-in; 200 ``already: true`` with the earlier time and staff member;
  409 ``cancelled`` / ``waitlisted`` / ``wrong_event``; 404 unknown or forged code (and a
  session that is not the event's: reason ``unknown_session``).
- ``DELETE /api/v1/events/{id}/checkins/{registration_id}[?session_id=]``: 204; 404 nothing to undo.
"""
from __future__ import annotations

import re

from flask import current_app, request
from flask_babel import gettext as _

from app.api import bp
from app.api.auth import current_organizer, token_required
from app.api.responses import error_response, json_body, validation_error
from app.api.serializers import checkin_json
from app.api.validation import check_body
from app.db_types import utcnow
from app.domain.registration_input import N_
from app.domain.text_input import parse_id
from app.extensions import db
from app.models import Event
from app.services import checkin as service

CODE_MAX = 200
CLIENT_REF_MAX = 64
CLIENT_REF_PATTERN = "^[A-Za-z0-9_.:-]*$"
CLIENT_REF_RE = re.compile(CLIENT_REF_PATTERN)

#: For people, per refusal (the machine-readable code is `error` and `reason`).
REFUSALS = {
    service.CANCELLED: N_("This registration is cancelled."),
    service.WAITLISTED: N_("This registration is not confirmed (waiting list, lottery or approval)."),
    service.WRONG_EVENT: N_("This 受付票 is for another event."),
    service.NOT_THIS_DAY: N_("This registrant has no seat for this session (other days chosen, or waiting for this one)."),
    service.NOT_FOUND: N_("No registration has this code (unknown or forged)."),
}


def answer(result):
    """The HTTP answer to a services.checkin.Result (shared with the 受付 page's JSON)."""
    body = checkin_json(result)
    if result.status in (service.CHECKED_IN, service.ALREADY):
        response = current_app.json.response(body)
        response.status_code = 201 if result.status == service.CHECKED_IN else 200
        return response
    status = 404 if result.status == service.NOT_FOUND else 409
    body.pop("registration", None)  # never show another event's registrant, nor one not admitted
    body.pop("result", None)
    return error_response(status, result.status, message=_(REFUSALS[result.status]), reason=result.status, **body)


def clean_checkin_body(data: dict) -> tuple[dict, dict[str, list[str]]]:
    """code, session_id, client_ref from a JSON body or a form; errors per field."""
    session_id = data.get("session_id")
    if isinstance(session_id, float) and session_id.is_integer():  # JSON 12.0 is the integer 12
        data = {**data, "session_id": int(session_id)}
    errors = check_body(data, "CheckinInput")
    code = data.get("code")
    if "code" not in errors:
        if not isinstance(code, str) or not code.strip():
            errors["code"] = [N_("Scan the 受付票 or type the 受付番号.")]
        elif len(code) > CODE_MAX:
            errors["code"] = [N_("This is not a 受付番号.")]
        # Any other text is read as a code; one that names no registration is answered 404.
    session_id = data.get("session_id")
    if session_id is not None and "session_id" not in errors:
        session_id = parse_id(session_id)
        if session_id is None:
            errors["session_id"] = [N_("Choose a session of this event.")]
    client_ref = data.get("client_ref")
    if client_ref in ("", None):
        client_ref = None
    elif "client_ref" not in errors and (not isinstance(client_ref, str) or len(client_ref) > CLIENT_REF_MAX
                                         or not CLIENT_REF_RE.match(client_ref)):
        errors["client_ref"] = [N_("Send at most 64 letters, digits, hyphens, dots, colons or underscores.")]
    return {"code": code, "session_id": session_id, "client_ref": client_ref}, errors


def session_arg() -> tuple[int | None, object | None]:
    raw = request.args.get("session_id")
    if raw in (None, ""):
        return None, None
    value = parse_id(raw)
    if value is None:
        return None, error_response(400, "bad_request", "bad_parameter",
                                    errors={"session_id": [_("Enter a whole number of at least 1.")]})
    return value, None


@bp.post("/events/<int:event_id>/checkins")
@token_required(checkin=True)
def create_checkin(event_id: int):
    data = json_body()
    if data is None:
        return error_response(400, "bad_request", "bad_json")
    clean, errors = clean_checkin_body(data)
    if errors:
        return _unknown_event(event_id) or validation_error(errors)
    try:
        result = service.check_in(event_id, clean["code"], now=utcnow(), actor=current_organizer(),
                                  secret=current_app.config["SECRET_KEY"], session_id=clean["session_id"],
                                  client_ref=clean["client_ref"])
    except service.UnknownSession:  # not a session of this event (or no such event)
        db.session.rollback()
        return _unknown_event(event_id) or error_response(404, "not_found", "unknown_session",
                                                          reason="unknown_session")
    response = answer(result)  # built before the commit expires the objects
    db.session.commit()
    return response


def _unknown_event(event_id: int):
    """404 when the event does not exist (asked only on the way to a refusal: a check-in needs no extra query)."""
    return error_response(404, "not_found") if db.session.get(Event, event_id) is None else None


@bp.delete("/events/<int:event_id>/checkins/<int:registration_id>")
@token_required(checkin=True)
def delete_checkin(event_id: int, registration_id: int):
    session_id, refused = session_arg()
    if refused:
        return refused
    if db.session.get(Event, event_id) is None:
        return error_response(404, "not_found")
    try:
        undone = service.undo(event_id, registration_id, now=utcnow(), actor=current_organizer(),
                              session_id=session_id)
    except service.UnknownSession:
        db.session.rollback()
        return error_response(404, "not_found", "unknown_session", reason="unknown_session")
    if not undone:
        db.session.rollback()
        return error_response(404, "not_found", "nothing_to_undo")
    db.session.commit()
    return "", 204
