from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from app.auth.permissions import staff_required
from app.extensions import db
from app.models import Event
from app.organizer import bp


@bp.route("/")
@staff_required
def dashboard():
    events = db.session.scalars(select(Event).order_by(Event.starts_at.desc())).all()
    return render_template("organizer/dashboard.html", events=events)
