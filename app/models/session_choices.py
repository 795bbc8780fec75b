from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class SessionChoice(db.Model):
    """A session (day) a registrant chose, in an event whose registrants choose sessions.

    ``status`` (app.domain.session_choice.ChoiceStatus): ``confirmed`` holds a seat of
    the session (counted by EventSession.confirmed_count), ``waitlisted`` waits in
    the session's line (``waitlist_seq``, handed out under the session's lock),
    ``pending`` holds nothing while the registration itself is not confirmed (on
    its 参加枠's waiting list), ``cancelled`` once the registration is cancelled
    (kept: what they had chosen). A day removed from the choice is deleted.
    Changed only by app.services.session_choices with the session rows locked.
    """

    __tablename__ = "registration_sessions"
    __table_args__ = (
        UniqueConstraint("registration_id", "session_id"),
        Index("ix_registration_sessions_line", "session_id", "status", "waitlist_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    waitlist_seq: Mapped[int | None] = mapped_column(Integer)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity_override: Mapped[bool] = mapped_column(default=False)  # placed past the day's capacity by an organizer
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship(  # noqa: F821
        backref=backref("session_choices", cascade="all, delete-orphan", passive_deletes=True,
                        order_by="SessionChoice.session_id"))
    session: Mapped[EventSession] = relationship()  # noqa: F821
