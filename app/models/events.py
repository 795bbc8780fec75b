from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.domain import text_input as limits
from app.domain.codes import AdmissionMode, EventCategory, EventFormat, EventStatus
from app.extensions import db


class EventSeries(db.Model):
    """A programme that recurs: yearly editions, or the same seminar in several prefectures."""

    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    events: Mapped[list[Event]] = relationship(back_populates="series")


class Event(db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(limits.EVENT_LENGTHS["slug"]), unique=True)
    title: Mapped[str] = mapped_column(String(limits.EVENT_LENGTHS["title"]))
    summary: Mapped[str] = mapped_column(String(limits.EVENT_LENGTHS["summary"]), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when rendered
    # Optional English texts, shown in English mode (app.i18n.event_text falls back to the Japanese).
    title_en: Mapped[str] = mapped_column(String(limits.EVENT_LENGTHS["title_en"]), default="", server_default="")
    summary_en: Mapped[str] = mapped_column(String(limits.EVENT_LENGTHS["summary_en"]), default="", server_default="")
    description_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    category: Mapped[str] = mapped_column(String(30), default=EventCategory.SEMINAR, index=True)
    format: Mapped[str] = mapped_column(String(20), default=EventFormat.IN_PERSON)
    venue: Mapped[str] = mapped_column(String(limits.EVENT_LENGTHS["venue"]), default="")
    address: Mapped[str] = mapped_column(String(limits.EVENT_LENGTHS["address"]), default="")
    prefecture: Mapped[str | None] = mapped_column(String(2), index=True)  # JIS X 0401
    online_url: Mapped[str] = mapped_column(String(limits.EVENT_LENGTHS["online_url"]), default="")  # confirmed registrants only
    organizer_name: Mapped[str] = mapped_column(String(limits.EVENT_LENGTHS["organizer_name"]), default="")
    co_organizers: Mapped[str] = mapped_column(Text, default="")  # one per line
    contact: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=EventStatus.DRAFT, index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")  # why cancelled / postponed
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    admission_mode: Mapped[str] = mapped_column(String(20), default=AdmissionMode.FIRST_COME)
    waitlist_enabled: Mapped[bool] = mapped_column(default=True)
    # 承認制: approving past capacity is refused, or puts the registrant on the waiting list (codes.ApprovalOverflow).
    approval_overflow: Mapped[str] = mapped_column(String(10), default="refuse", server_default="refuse")
    one_per_organization: Mapped[bool] = mapped_column(default=False)
    consent_text: Mapped[str] = mapped_column(Text, default="")  # purpose of use, per event
    # Personal join links (/j/<token>) open this many minutes before a session starts.
    join_opens_minutes: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    # 修了 (completion): attended at least this many sessions (None: no rule).
    completion_min_sessions: Mapped[int | None] = mapped_column(Integer)
    # 抽選 (lottery; app.domain.lottery, app.services.lottery). The seed is secret until the draw;
    # its SHA-256 is published from the moment the event becomes a lottery (never changed after).
    lottery_seed: Mapped[str | None] = mapped_column(String(64))
    lottery_seed_hash: Mapped[str | None] = mapped_column(String(64))
    lottery_draw_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # the jobs draw then
    lottery_losers: Mapped[str] = mapped_column(String(20), default="lost", server_default="lost")  # or waitlist
    lottery_confirm_days: Mapped[int | None] = mapped_column(Integer)  # winners confirm within N days
    lottery_priority_prefectures: Mapped[list | None] = mapped_column(JSON, default=list)  # drawn first (e.g. 東北6県)
    # After the draw (every 参加枠), the organizer may open free seats first come: once nobody is left
    # waiting, newcomers are confirmed until the first session starts (domain.admission.effective_mode).
    lottery_first_come: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Registrants choose the sessions (days) they attend, each with its own capacity and
    # waiting list (app.models.session_choices, app.services.session_choices).
    choose_sessions: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Teams (app.domain.teams, app.services.teams): "" none, "team" (a responsible adult registers a
    # named team: one registration, one seat of its 参加枠 = division), "hackathon" (individuals, invite codes).
    team_mode: Mapped[str] = mapped_column(String(10), default="", server_default="")
    team_min_members: Mapped[int | None] = mapped_column(Integer)
    team_max_members: Mapped[int | None] = mapped_column(Integer)
    team_consent_text: Mapped[str] = mapped_column(Text, default="", server_default="")  # school/guardian consent
    team_edit_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: until the first session
    # Members' names are erased this many days after the event ends (the jobs; counts are kept).
    team_erase_days: Mapped[int | None] = mapped_column(Integer)
    # Applications (応募, e.g. DX大賞): each registration is an application to one 部門 (its 参加枠) with the
    # event's questions and, when allowed, files (app.models.applications, app.services.applications).
    accepts_applications: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    application_files_allowed: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    application_file_max_mb: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    application_file_max_count: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    # Kinds of file accepted (app.domain.application_files.FILE_GROUPS): "pdf", "image", "office".
    application_file_types: Mapped[list | None] = mapped_column(JSON, default=lambda: ["pdf"])
    # Results (受賞結果): the registration form asks whether the name may be published; the results are
    # public from results_published_at (None: not published).
    publishes_results: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The first session's start, kept in step by services.events; used to sort and filter lists.
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("event_series.id", ondelete="SET NULL"), index=True)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("organizers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    series: Mapped[EventSeries | None] = relationship(back_populates="events")
    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventSession.starts_at"
    )
    ticket_types: Mapped[list[TicketType]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="TicketType.position"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Question.position"
    )
    reminder_rules: Mapped[list[ReminderRule]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="ReminderRule.days_before.desc()"
    )

    @property
    def ends_at(self) -> datetime | None:
        ends = [s.ends_at or s.starts_at for s in self.sessions]
        return max(ends) if ends else None

    @property
    def co_organizer_list(self) -> list[str]:
        return [line.strip() for line in self.co_organizers.splitlines() if line.strip()]

    @property
    def effective_admission_mode(self) -> str:
        """The admission mode newcomers meet now (a drawn lottery opened first come is first come)."""
        from app.domain.admission import effective_mode

        return effective_mode(self.admission_mode, bool(self.lottery_first_come))

    @property
    def is_online(self) -> bool:
        return self.format == "online"

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class EventSession(db.Model):
    """One dated part of an event: a day of a workshop, a session of a series.

    When the event lets registrants choose sessions (``Event.choose_sessions``),
    the row is also that day's capacity lock: ``confirmed_count`` is the number
    of confirmed choices (app.models.session_choices), changed only while this
    row is locked (app.services.locks.sessions); ``waitlist_last_seq`` hands out
    places in the day's waiting list. ``capacity`` None: no limit of its own.
    """

    __tablename__ = "event_sessions"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="session_capacity_non_negative"),
        CheckConstraint("confirmed_count >= 0", name="session_confirmed_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(limits.SESSION_LENGTHS["title"]), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    venue: Mapped[str] = mapped_column(String(limits.SESSION_LENGTHS["venue"]), default="")  # empty: the event's venue
    is_online: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[int | None] = mapped_column(Integer)
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    waitlist_last_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    event: Mapped[Event] = relationship(back_populates="sessions")

    @property
    def remaining(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_count, 0)


class TicketType(db.Model):
    """参加枠: a kind of place with its own capacity. Its row is the capacity lock.

    ``confirmed_count`` is the number of confirmed registrations, changed only
    by services.registrations while this row is locked; capacity None means
    no limit (applications to an award, say). ``waitlist_last_seq`` hands out
    waiting-list places (Registration.waitlist_seq) in the order they are
    given, also under this row's lock.
    """

    __tablename__ = "ticket_types"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_non_negative"),
        CheckConstraint("confirmed_count >= 0", name="confirmed_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(limits.TICKET_TYPE_LENGTHS["name"]))
    description: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    waitlist_last_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Team events: at most this many members in the confirmed teams of this 参加枠 (None: no limit);
    # checked under this row's lock (app.services.teams.members_confirmed).
    member_capacity: Mapped[int | None] = mapped_column(Integer)

    event: Mapped[Event] = relationship(back_populates="ticket_types")

    @property
    def remaining(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_count, 0)


class Question(db.Model):
    """A question an event asks its registrants."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))  # domain.codes.QuestionKind
    label: Mapped[str] = mapped_column(String(limits.QUESTION_LENGTHS["label"]))
    help_text: Mapped[str] = mapped_column(String(limits.QUESTION_LENGTHS["help_text"]), default="")
    choices: Mapped[list] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(default=False)

    event: Mapped[Event] = relationship(back_populates="questions")


class ReminderRule(db.Model):
    """Send a reminder `days_before` the event (or one session) at `send_time` Japan time."""

    __tablename__ = "reminder_rules"
    __table_args__ = (UniqueConstraint("event_id", "session_id", "days_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"))
    days_before: Mapped[int] = mapped_column(Integer)
    send_time: Mapped[str] = mapped_column(String(5), default="10:00")  # HH:MM, Asia/Tokyo

    event: Mapped[Event] = relationship(back_populates="reminder_rules")
    session: Mapped[EventSession | None] = relationship()


class EventOldSlug(db.Model):
    """An address an event had before its organizer changed it: old links (mails, posters,
    bookmarks) redirect to the current one. A slug in use by an event always wins."""

    __tablename__ = "event_old_slugs"

    slug: Mapped[str] = mapped_column(String(limits.EVENT_LENGTHS["slug"]), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime)
