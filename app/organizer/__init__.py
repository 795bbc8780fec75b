"""Organizer area. Each page module registers its routes on this blueprint."""
from flask import Blueprint

bp = Blueprint("organizer", __name__, url_prefix="/organizer")

from app.organizer import attendance, dashboard, events, exports, imports, lottery, outbox, registrants, series, teams  # noqa: E402,F401,I001
from app.organizer import applications  # noqa: E402,F401
