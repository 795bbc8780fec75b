"""Absolute links that go into mails and API answers (BASE_URL + path).

Built without a request, so jobs and the CLI can use them too. The private
link's token is derived when the link is built (app.domain.manage_links), never
stored: see `manage_token`.
"""
from __future__ import annotations

from flask import current_app


def _base() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def manage_token(registration) -> str:
    """The token of the registration's private link.

    A row whose link cannot be derived (migrated from plain-text tokens, or
    SECRET_KEY changed) is given a new one here, in the caller's transaction,
    which must be committed for the new link to work; the old link keeps working.
    """
    return registration.link_token(current_app.config["SECRET_KEY"])


def manage_url(registration, *, token: str | None = None) -> str:
    """`token`: the one the registrant came with, when there is one (no need to derive)."""
    return f"{_base()}/r/{token or manage_token(registration)}"


def ticket_url(registration, *, token: str | None = None) -> str:
    return f"{_base()}/r/{token or manage_token(registration)}/ticket"


def calendar_url(registration, *, token: str | None = None) -> str:
    return f"{_base()}/r/{token or manage_token(registration)}/calendar.ics"


def team_url(registration, *, token: str | None = None) -> str:
    """A team registration's members page (app.registration.team_views)."""
    return f"{_base()}/r/{token or manage_token(registration)}/team"


def join_url(registration) -> str:
    """The registrant's personal join link of the event's online sessions (app.domain.join_links).

    Derived from the same salt as the private link (given one here when it has none derivable).
    """
    from app.domain import join_links

    secret_key = current_app.config["SECRET_KEY"]
    registration.link_token(secret_key)  # makes sure the salt is one this key derives from
    return f"{_base()}/j/{join_links.derive_token(secret_key, registration.id, registration.manage_salt)}"


def event_url(event) -> str:
    return f"{_base()}/events/{event.slug}"
