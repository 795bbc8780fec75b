from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.permissions import staff_required
from app.extensions import db
from app.models import Event
from app.organizer import bp


def capacity_summary(event: Event) -> tuple[int, int | None]:
    """(confirmed, capacity) over the event's 参加枠; capacity None when any 参加枠 has no limit."""
    confirmed = sum(t.confirmed_count for t in event.ticket_types)
    if not event.ticket_types or any(t.capacity is None for t in event.ticket_types):
        return confirmed, None
    return confirmed, sum(t.capacity for t in event.ticket_types)


@bp.route("/")
@login_required
def dashboard():
    if current_user.is_checkin_only:  # door staff land on the check-in of their events
        return redirect(url_for("door.index"))
    if current_user.is_reviewer:  # reviewers land on the applications assigned to them
        return redirect(url_for("organizer.reviews"))
    return _dashboard()


@staff_required
def _dashboard():
    events = db.session.scalars(
        select(Event)
        .options(selectinload(Event.ticket_types))
        .order_by(Event.starts_at.desc().nulls_first(), Event.created_at.desc(), Event.id.desc())
    ).all()
    rows = [(event, *capacity_summary(event)) for event in events]
    return render_template("organizer/dashboard.html", rows=rows, can_edit=current_user.can_edit)
