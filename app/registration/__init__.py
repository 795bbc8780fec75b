"""Registration pages: the form, its confirmation step, and the registrant's private pages (/r/<token>)."""
from flask import Blueprint

bp = Blueprint("registration", __name__)

from app.registration import applications, team_views, views  # noqa: E402,F401  (applications: the applicant's files)
