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
    """Any signed-in staff member (admin, organizer, viewer) may see this."""
    return login_required(view)


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
