"""JSON answers and errors of the API, in the request's language.

Every error is ``{"error": <stable code>, "message": <for people>}`` plus, for
some, more fields (``errors`` for validation, ``opens_at`` for a window not yet open).
"""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _

from app.domain.registration_input import N_

MESSAGES = {
    "auth_missing": N_("Send an API token: Authorization: Bearer <token>."),
    "auth_invalid": N_("The API token is not valid, has been revoked, or its account is disabled."),
    "forbidden": N_("Your account may read but not change data."),
    "forbidden_checkin": N_("Your account may only check people in, for the events it is given."),
    "forbidden_reviewer": N_("Your account may only review the applications assigned to it, on the web pages."),
    "export_forbidden": N_("Exports of personal data need the organizer role."),
    "not_found": N_("Not found."),
    "bad_json": N_("Send a JSON object with Content-Type: application/json."),
    "bad_parameter": N_("A query parameter is not valid."),
    "validation_error": N_("Some fields are not valid."),
    "already_registered": N_(
        "This email address is already registered for this event. We have sent the link to your "
        "registration to that address."
    ),
    "unknown_token": N_("No registration has this manage token."),
    "already_cancelled": N_("This registration is already cancelled."),
    "not_active": N_("This registration is no longer active."),
    "nothing_to_undo": N_("This registration is not checked in for this session."),
    "unknown_session": N_("Choose a session of this event."),
}


def error_response(status: int, error: str, message_key: str | None = None, *, message: str | None = None,
                   www_authenticate: bool = False, **extra: Any):
    body: dict[str, Any] = {"error": error, "message": message if message is not None
                            else _(MESSAGES[message_key or error])}
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    if www_authenticate:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tsudoi"'
    return response


def validation_error(errors: dict[str, list[str]], status: int = 422):
    translated = {field: [_(m) for m in messages] for field, messages in errors.items()}
    return error_response(status, "validation_error", errors=translated)


def json_body() -> dict | None:
    """The request's JSON object, or None when it is not JSON or not an object."""
    if not request.is_json:
        return None
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested thousands deep: not a registration
        return None
    return data if isinstance(data, dict) else None


def int_arg(name: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int | None:
    """A positive integer query parameter (None when it is not one); clamped to `maximum`."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    digits = raw.strip()
    if not digits.isascii() or not digits.isdigit():
        return None  # "1e400", "٣", "-1", "1.5"
    if len(digits) > 18:  # past any maximum (and int() of a long digit string is slow)
        return maximum if maximum is not None else None
    value = int(digits)
    if value < minimum:
        return None
    if maximum is not None:
        value = min(value, maximum)
    return value
