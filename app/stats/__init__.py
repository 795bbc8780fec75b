"""Statistics for staff: one event's funnel and breakdowns, and figures by 年度 across events."""
from flask import Blueprint

bp = Blueprint("stats", __name__, url_prefix="/organizer/stats")

from app.stats import views  # noqa: E402,F401
