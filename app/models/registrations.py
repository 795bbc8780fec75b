from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.domain.codes import RegistrationStatus
from app.domain.text_input import PHONE_MAX
from app.domain.text_input import REGISTRATION_LENGTHS as LEN
from app.extensions import db

_ACTIVE = "status IN ('confirmed', 'waitlisted', 'applied', 'pending')"


class Registration(db.Model):
    """One person's registration for one event.

    The partial unique indexes are the last guard of two rules that services
    check first: one active registration per email per event, and (for events
    that ask for it) one per organisation.
    """

    __tablename__ = "registrations"
    __table_args__ = (
        Index(
            "uq_registrations_active_email",
            "event_id",
            "email_normalized",
            unique=True,
            sqlite_where=text(_ACTIVE),
            postgresql_where=text(_ACTIVE),
        ),
        Index(
            "uq_registrations_active_org",
            "event_id",
            "organization_lock_key",
            unique=True,
            sqlite_where=text(_ACTIVE + " AND organization_lock_key IS NOT NULL"),
            postgresql_where=text(_ACTIVE + " AND organization_lock_key IS NOT NULL"),
        ),
        Index("ix_registrations_waitlist", "ticket_type_id", "status", "waitlisted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_types.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=RegistrationStatus.CONFIRMED, index=True)
    manage_token: Mapped[str] = mapped_column(String(64), unique=True)  # secrets.token_urlsafe(32)
    email: Mapped[str] = mapped_column(String(LEN["email"]))
    email_normalized: Mapped[str] = mapped_column(String(254))
    family_name: Mapped[str] = mapped_column(String(LEN["family_name"]))
    given_name: Mapped[str] = mapped_column(String(LEN["given_name"]))
    family_name_kana: Mapped[str] = mapped_column(String(LEN["family_name_kana"]), default="")
    given_name_kana: Mapped[str] = mapped_column(String(LEN["given_name_kana"]), default="")
    phone: Mapped[str] = mapped_column(String(PHONE_MAX), default="")  # digits only
    organization: Mapped[str] = mapped_column(String(LEN["organization"]), default="")
    organization_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    # Set only when the event allows one registration per organisation.
    organization_lock_key: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(LEN["department"]), default="")
    job_title: Mapped[str] = mapped_column(String(LEN["job_title"]), default="")
    organization_type: Mapped[str] = mapped_column(String(20), default="company", index=True)
    prefecture: Mapped[str | None] = mapped_column(String(2))
    corporate_number: Mapped[str] = mapped_column(String(13), default="")
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # {question_id (str): value}
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opt_in_announcements: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(5), default="ja")
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity_override: Mapped[bool] = mapped_column(default=False)  # placed past capacity by an organizer
    note: Mapped[str] = mapped_column(Text, default="")  # organizer's note
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()  # noqa: F821
    ticket_type: Mapped[TicketType] = relationship()  # noqa: F821

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}"

    @property
    def full_name_kana(self) -> str:
        return f"{self.family_name_kana} {self.given_name_kana}".strip()

    @property
    def reference(self) -> str:
        """The 受付番号 shown to people: event id and registration id."""
        return f"T{self.event_id:04d}-{self.id:06d}"
