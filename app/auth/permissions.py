"""Role checks for organizer pages and actions."""
from __future__ import annotations

from functools import wraps

from flask import abort, g
from flask_login import current_user, login_required

from app.auth import bp
from app.db_types import utcnow
from app.extensions import login_manager
from app.services import accounts


@login_manager.user_loader
def _load_user(user_id: str):
    """From the session or the remember-me cookie: only a live sign-in of an active account."""
    return accounts.load_session(user_id, now=utcnow())


def staff_required(view):
    """Any signed-in staff member who reads the organizer pages (admin, organizer, viewer) may see this.

    Door staff (role ``checkin``) get 403: they may do the check-in of their
    events (app.checkin, `checkin_required`) and nothing else.
    """

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.can_read:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def checkin_required(view):
    """The check-in (受付) of one event (`event_id`): editors for every event, door staff for theirs.

    Viewers read only and get 403; so does door staff on an event not assigned to them.
    """

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        from app.services import checkin

        if not checkin.may_check_in(current_user, kwargs.get("event_id")):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def editor_required(view):
    """Only admins and organizers may do this; viewers get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.can_edit:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.before_app_request
def _load_the_user_afresh():
    """Flask-Login caches the user on `g`; a request that shares an app context (tests) loads its own."""
    g.pop("_login_user", None)
