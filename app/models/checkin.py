"""Door check-in (受付): which door staff may check in which event."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.models.attendance import Attendance


class CheckinAssignment(db.Model):
    """Door staff (role ``checkin``) given the check-in of one event by an admin or organizer."""

    __tablename__ = "checkin_assignments"
    __table_args__ = (UniqueConstraint("organizer_id", "event_id", name="uq_checkin_assignments_organizer_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organizer_id: Mapped[int] = mapped_column(ForeignKey("organizers.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("organizers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organizer: Mapped[Organizer] = relationship(foreign_keys=[organizer_id])  # noqa: F821


#: A phone's queued scan is looked up by its client_ref (services.attendance.by_client_ref).
Index("ix_attendances_client_ref", Attendance.client_ref)
