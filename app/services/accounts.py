"""Organizer accounts: sign-in sessions, sign out (here or everywhere), passwords, API tokens.

A sign-in is a `LoginSession` row; the cookie (session and remember-me alike)
carries `Organizer.get_id()` = "<id>:<session_version>:<secret>". A request's
user is found by `load_session`, which refuses an ended or expired sign-in, a
deactivated account, and a session_version that has been raised since. So:

- signing out ends that sign-in: a copied cookie stops working;
- signing out everywhere, a new password and deactivation raise session_version
  and end every sign-in, remember-me cookies included.

Each function works in the caller's transaction (flush only); the caller commits.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import joinedload

from app.domain.people import normalize_email
from app.extensions import db
from app.models import ApiToken, LoginSession, Organizer
from app.services import audit
from app.services.errors import ServiceError

MIN_PASSWORD_LENGTH = 8


def find(email: str) -> Organizer | None:
    return db.session.scalar(select(Organizer).where(func.lower(Organizer.email) == normalize_email(email)))


def check_password_rule(password: str) -> str | None:
    """Why the password is refused, or None."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return f"use at least {MIN_PASSWORD_LENGTH} characters"
    return None


# --- sign-in sessions -------------------------------------------------------------------


def start_session(user: Organizer, *, now: datetime, lifetime: timedelta) -> str:
    """Record a sign-in; sets `user.session_secret` (used by get_id) and returns it."""
    # The account's finished sign-ins are of no more use.
    db.session.execute(delete(LoginSession).where(
        LoginSession.organizer_id == user.id,
        or_(LoginSession.ended_at.is_not(None), LoginSession.expires_at <= now)))
    secret = secrets.token_urlsafe(32)
    db.session.add(LoginSession(organizer_id=user.id, secret_hash=LoginSession.hash_secret(secret),
                                created_at=now, expires_at=now + lifetime))
    user.last_login_at = now
    user.session_secret = secret
    db.session.flush()
    return secret


def parse_session_id(session_id: str) -> tuple[int, int, str] | None:
    try:
        user_id, version, secret = session_id.split(":", 2)
        return int(user_id), int(version), secret
    except (AttributeError, ValueError):
        return None


def load_session(session_id: str, *, now: datetime) -> Organizer | None:
    """The organizer of a live sign-in, from the id in the cookie; None when it has ended."""
    parsed = parse_session_id(session_id)
    if parsed is None or not parsed[2]:
        return None
    user_id, version, secret = parsed
    login = db.session.scalar(
        select(LoginSession).options(joinedload(LoginSession.organizer))
        .where(LoginSession.secret_hash == LoginSession.hash_secret(secret), LoginSession.organizer_id == user_id)
    )
    if login is None or login.ended_at is not None or login.expires_at <= now:
        return None
    user = login.organizer
    if not user.active or user.session_version != version:
        return None
    user.session_secret = secret
    return user


def end_session(user: Organizer, *, now: datetime) -> None:
    """Sign out this sign-in (the one `user` was loaded for)."""
    if user.session_secret:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.secret_hash == LoginSession.hash_secret(user.session_secret),
                   LoginSession.ended_at.is_(None))
            .values(ended_at=now)
        )
    user.session_secret = None


def end_all_sessions(user: Organizer, *, now: datetime) -> None:
    """Sign the account out everywhere: every sign-in and remember-me cookie stops working."""
    user.session_version = (user.session_version or 1) + 1
    db.session.execute(
        update(LoginSession).where(LoginSession.organizer_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    user.session_secret = None
    db.session.flush()


def sign_out_everywhere(user: Organizer, *, now: datetime) -> None:
    end_all_sessions(user, now=now)
    audit.record("account.signed_out_everywhere", actor=user, now=now)


# --- account changes (CLI) --------------------------------------------------------------


def set_password(user: Organizer, password: str, *, now: datetime) -> None:
    """A new password; every session of the account ends (sign in again with it)."""
    problem = check_password_rule(password)
    if problem:
        raise ServiceError(problem, code="weak_password")
    user.set_password(password)
    end_all_sessions(user, now=now)
    audit.record("account.password_changed", actor_label="cli", now=now, data={"organizer_id": user.id})


def deactivate(user: Organizer, *, now: datetime) -> int:
    """The account can no longer sign in: its sessions end and its API tokens are revoked.

    Returns the number of tokens revoked.
    """
    user.active = False
    end_all_sessions(user, now=now)
    revoked = db.session.execute(
        update(ApiToken).where(ApiToken.organizer_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount
    audit.record("account.deactivated", actor_label="cli", now=now,
                 data={"organizer_id": user.id, "tokens_revoked": revoked})
    return revoked


def activate(user: Organizer, *, now: datetime) -> None:
    user.active = True
    audit.record("account.activated", actor_label="cli", now=now, data={"organizer_id": user.id})
    db.session.flush()


# --- API tokens ------------------------------------------------------------------------


def create_token(user: Organizer, *, name: str, now: datetime, expires_in: timedelta | None = None) -> str:
    """A new API token (returned once; only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(organizer=user, token_hash=ApiToken.hash_token(token), name=name, created_at=now,
                            expires_at=now + expires_in if expires_in is not None else None))
    db.session.flush()
    return token


def tokens_of(user: Organizer) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.organizer_id == user.id).order_by(ApiToken.id)))


def revoke_token(token_id: int, *, now: datetime) -> ApiToken | None:
    """Revoke one token (None: no such token). Revoking twice keeps the first time."""
    token = db.session.get(ApiToken, token_id)
    if token is not None and token.revoked_at is None:
        token.revoked_at = now
        audit.record("api_token.revoked", actor_label="cli", now=now,
                     data={"token_id": token.id, "organizer_id": token.organizer_id})
        db.session.flush()
    return token

