"""JSON API v1 (`/api/v1`): events, registrations, and its OpenAPI document.

Organizers authenticate with ``Authorization: Bearer <token>`` (``flask organizers
token EMAIL``); registering and cancelling are public, like the form. The API
has no cookies and no session, so it is exempt from CSRF.
"""
from __future__ import annotations

from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

from app.api import applications, attendance, checkins, editions, lottery, openapi, stats, teams, views  # noqa: E402,F401,I001
