"""Bearer-token authentication for the API.

Tokens are stored as their SHA-256 only (`ApiToken.hash_token`). A token works
while it is not revoked (`flask organizers revoke-token`), has not expired
(`--expires-in-days`) and its organizer account is active. `last_used_at`
is written at most once a minute, in its own short transaction, so reading
endpoints stay read-only and a busy database never fails a request over it.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from functools import wraps

from flask import request
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload

from app.api.responses import error_response
from app.db_types import utcnow
from app.extensions import db
from app.models import ApiToken, Organizer

log = logging.getLogger(__name__)

LAST_USED_RESOLUTION = timedelta(minutes=1)
_MISSING = object()


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _lookup(token: str) -> Organizer | None:
    if len(token) > 200:
        return None
    now = utcnow()
    api_token = db.session.scalar(
        select(ApiToken).options(joinedload(ApiToken.organizer))
        .where(ApiToken.token_hash == ApiToken.hash_token(token))
    )
    if api_token is None or not api_token.usable(now) or not api_token.organizer.active:
        return None
    if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_RESOLUTION:
        try:
            db.session.execute(update(ApiToken).where(ApiToken.id == api_token.id).values(last_used_at=now))
            db.session.commit()
        except SQLAlchemyError:  # best effort: never fail a request over a usage timestamp
            log.warning("could not record the use of API token %s", api_token.id, exc_info=True)
            db.session.rollback()
        api_token = db.session.get(ApiToken, api_token.id)
        if api_token is None:
            return None
    return api_token.organizer


def current_organizer() -> Organizer | None:
    """The organizer whose valid token came with this request (None: no or no valid token)."""
    # Cached on the request (not on `g`: an app context may outlive one request).
    cached = getattr(request, "_api_organizer", _MISSING)
    if cached is _MISSING:
        token = _bearer()
        cached = _lookup(token) if token else None
        request._api_organizer = cached
    return cached


def staff_reader() -> Organizer | None:
    """The token's organizer when it may read beyond the public (not door staff, who only check in)."""
    organizer = current_organizer()
    return organizer if organizer is not None and organizer.can_read else None


def token_required(*, write: bool = False, checkin: bool = False):
    """401 without a valid token; with `write`, 403 for viewers.

    Door staff (role ``checkin``) get 403 everywhere except on the check-in
    endpoints (`checkin`), and there only for the events assigned to them.
    With `checkin`, viewers get 403 too (a check-in is a change).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if _bearer() is None:
                return error_response(401, "unauthorized", "auth_missing", www_authenticate=True)
            organizer = current_organizer()
            if organizer is None:
                return error_response(401, "unauthorized", "auth_invalid", www_authenticate=True)
            if checkin:
                from app.services import checkin as checkin_service

                if not checkin_service.may_check_in(organizer, kwargs.get("event_id")):
                    return error_response(403, "forbidden", "forbidden_checkin")
            elif not organizer.can_read or (write and not organizer.can_edit):
                return error_response(403, "forbidden", "forbidden" if organizer.can_read else
                                      "forbidden_reviewer" if organizer.is_reviewer else "forbidden_checkin")
            return view(*args, **kwargs)

        return wrapped

    return decorator
