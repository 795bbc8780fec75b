"""The shape of a page's POST that calls one service: commit and say so, or roll back and say why."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash
from flask_babel import gettext as _

from app.extensions import db
from app.services.errors import ServiceError


def attempt(action: Callable[[], object], success: Callable[[], str]) -> bool:
    """Run `action`; on a ServiceError roll back and flash its message, otherwise commit and flash
    `success()` (called after the commit, so it may read the new state). True if it committed."""
    try:
        action()
    except ServiceError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        return False
    db.session.commit()
    flash(success(), "success")
    return True
