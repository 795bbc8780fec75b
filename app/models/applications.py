"""Applications (応募): their files, reviewers' scores, and the results (受賞結果) of an event.

An application is a registration at an event that accepts applications
(``Event.accepts_applications``); its 部門 is its 参加枠 (TicketType).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class ApplicationFile(db.Model):
    """A file attached to an application, stored under APPLICATION_FILES_DIR as `stored_name`."""

    __tablename__ = "application_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # what its content is (domain.application_files.KINDS)
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)  # random; never the name sent
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by: Mapped[str] = mapped_column(String(254), default="registrant")

    registration: Mapped[Registration] = relationship()  # noqa: F821


class ReviewCriterion(db.Model):
    """A criterion reviewers score an event's applications on (0 to `max_score`)."""

    __tablename__ = "review_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))
    max_score: Mapped[int] = mapped_column(Integer, default=10)


class ReviewAssignment(db.Model):
    """A reviewer (role ``reviewer``) given one application to score; the scores live here too."""

    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("registration_id", "reviewer_id", name="uq_review_assignments_reviewer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("organizers.id", ondelete="CASCADE"), index=True)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)  # {criterion_id (str): score}
    comment: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship()  # noqa: F821
    reviewer: Mapped[Organizer] = relationship()  # noqa: F821


class EventResult(db.Model):
    """One placement or award of an event, in a division or 部門 (a 参加枠, or none: the whole event)."""

    __tablename__ = "event_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    ticket_type_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_types.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    award: Mapped[str] = mapped_column(String(100))  # 優勝, 最優秀賞, … or the organizer's own words
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200), default="")  # the entry's own title (a project, a theme)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration | None] = relationship()  # noqa: F821
    ticket_type: Mapped[TicketType | None] = relationship()  # noqa: F821
