"""Personal join links of online sessions: /j/<token> (no login; see app.domain.join_links)."""
from flask import Blueprint

bp = Blueprint("join", __name__)

from app.join import views  # noqa: E402,F401
