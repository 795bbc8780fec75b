"""GET /api/v1/events/{id}/attendance: attendance counts of an event and of each of its sessions (any staff token).

The definitions are app.services.attendance_counts' (one query per figure group, the same on the
organizer's event page).
"""
from __future__ import annotations

from app.api import bp
from app.api.auth import token_required
from app.api.responses import error_response
from app.extensions import db
from app.models import Event
from app.services import attendance_counts


@bp.get("/events/<int:event_id>/attendance")
@token_required()
def event_attendance(event_id: int):
    event = db.session.get(Event, event_id)
    if event is None:
        return error_response(404, "not_found")
    return attendance_counts.event_counts(event).as_json()
