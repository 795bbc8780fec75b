from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class Attendance(db.Model):
    """A registrant's presence at one session of an event.

    One row per registration and session, whatever recorded it: a scan or a
    search at the door (``door``), a registration made at the door
    (``walk_in``), the first use of a personal join link (``online``), a video
    platform's attendee report (``report``) or an imported past list
    (``import``). Undoing a check-in deletes the row; the audit log keeps both
    the check-in and the undo with the staff member and the time.

    ``Registration.checked_in_at`` stays the time of the registration's first
    attendance at the event (None when it has none), kept by the attendance
    service in the same transaction.
    """

    __tablename__ = "attendances"
    __table_args__ = (
        UniqueConstraint("registration_id", "session_id", name="uq_attendances_registration_session"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(20))  # codes.AttendanceMethod
    attended_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("organizers.id", ondelete="SET NULL"))
    minutes: Mapped[int | None] = mapped_column(Integer)  # time online, from a platform's report
    client_ref: Mapped[str | None] = mapped_column(String(64))  # a phone's id for a queued scan

    registration: Mapped[Registration] = relationship()  # noqa: F821
    session: Mapped[EventSession] = relationship()  # noqa: F821
