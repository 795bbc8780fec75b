from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, make_response, redirect, render_template, request, url_for
from sqlalchemy import select

from app.extensions import db
from app.i18n import LANG_COOKIE
from app.models import Event
from app.public import bp


@bp.route("/")
def index():
    events = db.session.scalars(
        select(Event).where(Event.status == "published").order_by(Event.starts_at)
    ).all()
    return render_template("public/index.html", events=events)


@bp.route("/lang/<code>")
def set_language(code: str):
    target = request.args.get("next") or url_for("public.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        target = url_for("public.index")
    response = make_response(redirect(target))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=60 * 60 * 24 * 365, samesite="Lax", httponly=True)
    return response
