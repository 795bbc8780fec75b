"""Absolute links that go into mails and API answers (BASE_URL + path).

Built without a request, so jobs and the CLI can use them too.
"""
from __future__ import annotations

from flask import current_app


def _base() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def manage_url(registration) -> str:
    return f"{_base()}/r/{registration.manage_token}"


def ticket_url(registration) -> str:
    return f"{_base()}/r/{registration.manage_token}/ticket"


def calendar_url(registration) -> str:
    return f"{_base()}/r/{registration.manage_token}/calendar.ics"


def event_url(event) -> str:
    return f"{_base()}/events/{event.slug}"
