from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, event, text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.domain import manage_links, registrant_list
from app.domain.codes import RegistrationStatus
from app.domain.people import key_of
from app.domain.text_input import PHONE_MAX
from app.domain.text_input import REGISTRATION_LENGTHS as LEN
from app.extensions import db


def reference(event_id: int, registration_id: int) -> str:
    """The 受付番号 of a registration (also for rows read without the model: exports)."""
    return f"T{event_id:04d}-{registration_id:06d}"


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
        Index("ix_registrations_waitlist_seq", "ticket_type_id", "status", "waitlist_seq"),
        Index("ix_registrations_email_normalized", "email_normalized"),
        Index("ix_registrations_person_key", "person_key"),  # statistics: a person across events
        # The registrations not yet erased, per event (app.services.retention: found each jobs pass).
        Index("ix_registrations_not_erased", "event_id", sqlite_where=text("erased_at IS NULL"),
              postgresql_where=text("erased_at IS NULL")),
        # The registrant list's default order (app.services.registrant_query).
        Index("ix_registrations_event_created", "event_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_types.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=RegistrationStatus.CONFIRMED, index=True)
    # The private link (/r/<token>) is derived, never stored (app.domain.manage_links): its
    # SHA-256, and the salt it is derived from. A NULL salt: a row migrated from plain-text
    # tokens, whose link is known only by its hash until it is given a new one.
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    manage_salt: Mapped[str | None] = mapped_column(String(32))
    # The link it had before it was given a new one (migrated row, changed SECRET_KEY): still works.
    previous_manage_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    email: Mapped[str] = mapped_column(String(LEN["email"]))
    email_normalized: Mapped[str] = mapped_column(String(254))
    # The statistics' key of the person (app.domain.people.key_of of email_normalized), kept by
    # every ORM write (the listener below) until the personal data is erased, and kept after it:
    # a person is counted once, and as returning, across events (app.services.stats).
    person_key: Mapped[int | None] = mapped_column(BigInteger)
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
    # Place in its 参加枠's waiting list, handed out under the 参加枠's lock (TicketType.waitlist_last_seq):
    # the waiting list is promoted in this order, and the position people are told counts by it.
    waitlist_seq: Mapped[int | None] = mapped_column(Integer)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A lottery winner (or one promoted after the draw) confirms by then or the seat passes on (app.services.lottery).
    confirm_by: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    origin: Mapped[str] = mapped_column(String(20), default="web", server_default="web")  # codes.RegistrationOrigin
    capacity_override: Mapped[bool] = mapped_column(default=False)  # placed past capacity by an organizer
    note: Mapped[str] = mapped_column(Text, default="")  # organizer's note
    # An application's decision (codes.ApplicationStatus; None: not decided), set by organizers, audited.
    application_status: Mapped[str | None] = mapped_column(String(20))
    # Agreed that the name (organisation) is shown with a published result (events that publish results).
    public_name_consent: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Name, kana, organisation and email in one spelling (app.domain.registrant_list.search_key),
    # kept by every ORM write (the listener below): the registrant list searches this column.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # When its personal data was erased, the retention period after the event being over
    # (app.services.retention); None: not erased.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()  # noqa: F821
    ticket_type: Mapped[TicketType] = relationship()  # noqa: F821

    def new_manage_link(self, secret_key: str) -> str:
        """Give the registration a new link and return its token (only its hash is kept)."""
        for name, value in manage_links.new_link_columns(secret_key).items():
            setattr(self, name, value)
        return manage_links.derive_token(secret_key, self.manage_salt)

    def derived_manage_token(self, secret_key: str) -> str | None:
        """The token of the current link, or None when it cannot be derived with this key."""
        if not self.manage_salt:
            return None
        token = manage_links.derive_token(secret_key, self.manage_salt)
        return token if manage_links.hash_token(token) == self.manage_token_hash else None

    def link_token(self, secret_key: str) -> str:
        """The token to render in a link, giving the row a new one when it has none derivable.

        That happens to rows migrated from plain-text tokens and after SECRET_KEY changed.
        The link it had keeps working (`previous_manage_token_hash`); the caller's
        transaction must be committed for the new one to work.
        """
        if self.erased_at is not None:  # its links ended with its personal data; never a new one
            raise LookupError(f"registration {self.id}: personal data erased, no private link")
        token = self.derived_manage_token(secret_key)
        if token is None:
            # The same new link whoever computes it (see manage_links.successor_salt).
            salt = manage_links.successor_salt(secret_key, self.id, self.manage_token_hash)
            token = manage_links.derive_token(secret_key, salt)
            self.previous_manage_token_hash = self.manage_token_hash
            self.manage_salt, self.manage_token_hash = salt, manage_links.hash_token(token)
        return token

    @property
    def manage_token(self) -> str | None:
        """The token of the link, derived with the app's SECRET_KEY (None if it cannot be)."""
        from flask import current_app

        return self.derived_manage_token(current_app.config["SECRET_KEY"])

    @manage_token.setter
    def manage_token(self, token: str) -> None:
        """Set a link whose token is known (imports, tests): only its hash is kept."""
        self.manage_salt = None
        self.manage_token_hash = manage_links.hash_token(token)

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}"

    @property
    def full_name_kana(self) -> str:
        return f"{self.family_name_kana} {self.given_name_kana}".strip()

    @property
    def team(self):
        """Its team (app.models.teams): the team it registered, or the hackathon team it is in; else None."""
        from sqlalchemy import select

        from app.models.teams import Team, TeamMember

        if self.id is None:
            return None
        return (db.session.scalar(select(Team).where(Team.registration_id == self.id))
                or db.session.scalar(select(Team).join(TeamMember).where(TeamMember.registration_id == self.id)))

    @property
    def reference(self) -> str:
        """The 受付番号 shown to people: event id and registration id."""
        return reference(self.event_id, self.id)


_SEARCHED = ("family_name", "given_name", "family_name_kana", "given_name_kana", "organization", "email")


@event.listens_for(Registration, "before_insert")
@event.listens_for(Registration, "before_update")
def _keep_search_text(_mapper, _connection, target: Registration) -> None:
    target.search_text = registrant_list.search_text(**{name: getattr(target, name) or "" for name in _SEARCHED})
    if target.erased_at is None:
        target.person_key = key_of(target.email_normalized or "")
