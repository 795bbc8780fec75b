"""The bureau's own pages: 個人情報の取扱い, ウェブアクセシビリティ方針, お問い合わせ; its colours and favicon.

What they say comes from the ORG_* settings (app.identity); the per-event purposes of use are
each public upcoming event's own 利用目的 (Event.consent_text), linked to its page.
"""
from __future__ import annotations

from flask import Response, current_app, render_template, send_from_directory
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.identity import STATIC_DIR
from app.models import Event
from app.public import bp, listing


def _identity():
    return current_app.config["IDENTITY"]


@bp.route("/privacy")
def privacy():
    conditions = listing.base_conditions(listing.Filters(), utcnow(), with_month=False)
    events = db.session.scalars(
        select(Event).where(*conditions, Event.consent_text != "").order_by(Event.starts_at, Event.id).limit(200)
    ).all()
    return render_template("public/privacy.html", events=events)


@bp.route("/accessibility")
def accessibility():
    return render_template("public/accessibility.html")


@bp.route("/contact")
def contact():
    return render_template("public/contact.html")


@bp.route("/theme.css")
def theme_css():
    """The configured colours (ORG_COLOR, ORG_COLOR_DARK) over static/style.css's defaults."""
    response = Response(_identity().theme_css(), mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: answer with the configured icon."""
    identity = _identity()
    response = send_from_directory(STATIC_DIR, identity.favicon, mimetype=identity.favicon_type, max_age=86400)
    return response
