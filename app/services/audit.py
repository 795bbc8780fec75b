"""Audit records: who did what, when."""
from __future__ import annotations

from datetime import datetime

from app.extensions import db
from app.models import AuditLog


def record(action: str, *, actor=None, now: datetime, event_id: int | None = None,
           registration_id: int | None = None, data: dict | None = None, actor_label: str = "") -> AuditLog:
    """Add an audit row to the current transaction. `actor` is an Organizer or None (a registrant, the system)."""
    entry = AuditLog(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label or (getattr(actor, "email", "") if actor is not None else "registrant"),
        created_at=now,
        event_id=event_id,
        registration_id=registration_id,
        data=data or {},
    )
    db.session.add(entry)
    return entry
