"""Editions of a series (the same seminar in several places or years): reads only.

The public page of a series lists its upcoming editions (place, date, seats
left, state) so a registrant picks the nearest, and its past ones below; the
organizer's page shows each edition's registrations, confirmed and attended,
and their total.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import selectinload

from app.domain.codes import RegistrationStatus
from app.extensions import db
from app.models import Attendance, Event, EventSeries, Registration
from app.public import listing
from app.public.badges import event_badge


@dataclass
class Edition:
    event: Event
    badge: str  # a key of app.labels.BADGE_LABELS
    seats_left: int | None  # None: no limit

    @property
    def prefecture(self) -> str | None:
        return self.event.prefecture


@dataclass
class SeriesPage:
    series: EventSeries
    upcoming: list[Edition]
    past: list[Edition]


def _seats_left(event: Event) -> int | None:
    if any(tt.capacity is None for tt in event.ticket_types):
        return None
    return sum(tt.remaining or 0 for tt in event.ticket_types)


def _editions(series_id: int, now: datetime, *, upcoming: bool) -> list[Edition]:
    condition = listing.upcoming_condition(now)
    stmt = (select(Event)
            .where(Event.series_id == series_id, Event.status.in_(listing.PUBLIC_STATUSES),
                   condition if upcoming else ~condition)
            .options(selectinload(Event.sessions), selectinload(Event.ticket_types)))
    stmt = stmt.order_by(Event.starts_at.asc().nulls_last(), Event.id) if upcoming else \
        stmt.order_by(Event.starts_at.desc().nulls_last(), Event.id.desc())
    return [Edition(e, event_badge(e, now), _seats_left(e)) for e in db.session.scalars(stmt)]


def public_series(slug: str, now: datetime | None = None) -> SeriesPage | None:
    """The series with its public editions; None when unknown or when none is public (drafts never show)."""
    from app.db_types import utcnow

    now = now or utcnow()
    series = db.session.scalar(select(EventSeries).where(EventSeries.slug == slug))
    if series is None:
        return None
    page = SeriesPage(series, _editions(series.id, now, upcoming=True), _editions(series.id, now, upcoming=False))
    if not page.upcoming and not page.past:
        return None
    return page


def has_other_public_editions(event: Event) -> bool:
    """Whether the event's series has another public edition (the link to the series is then useful)."""
    if event.series_id is None:
        return False
    return db.session.scalar(select(Event.id).where(
        Event.series_id == event.series_id, Event.id != event.id,
        Event.status.in_(listing.PUBLIC_STATUSES)).limit(1)) is not None


@dataclass
class EditionFigures:
    event: Event
    registrations: int = 0  # every registration made (any status)
    active: int = 0  # confirmed, waiting, applied or pending
    confirmed: int = 0
    attended: int = 0  # confirmed with at least one attendance


@dataclass
class SeriesFigures:
    series: EventSeries
    editions: list[EditionFigures] = field(default_factory=list)
    total: EditionFigures | None = None
    distinct_people: int = 0  # confirmed, counted once across the editions (by email)


def figures(series: EventSeries) -> SeriesFigures:
    """Each edition of the series (drafts included, oldest first) with its counts, and the total."""
    events = db.session.scalars(
        select(Event).where(Event.series_id == series.id)
        .order_by(Event.starts_at.asc().nulls_last(), Event.id)).all()
    confirmed = Registration.status == RegistrationStatus.CONFIRMED.value
    active = Registration.status.in_([s.value for s in
                                      (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
                                       RegistrationStatus.APPLIED, RegistrationStatus.PENDING)])
    attended = and_(confirmed, exists().where(Attendance.registration_id == Registration.id))
    rows = {r[0]: r[1:] for r in db.session.execute(
        select(Registration.event_id, func.count(Registration.id),
               func.sum(case((active, 1), else_=0)), func.sum(case((confirmed, 1), else_=0)),
               func.sum(case((attended, 1), else_=0)))
        .join(Event, Event.id == Registration.event_id)
        .where(Event.series_id == series.id).group_by(Registration.event_id))}
    out = SeriesFigures(series)
    total = EditionFigures(event=None)  # type: ignore[arg-type]
    for event in events:
        n, a, c, att = rows.get(event.id, (0, 0, 0, 0))
        row = EditionFigures(event, int(n or 0), int(a or 0), int(c or 0), int(att or 0))
        out.editions.append(row)
        total.registrations += row.registrations
        total.active += row.active
        total.confirmed += row.confirmed
        total.attended += row.attended
    out.total = total
    out.distinct_people = db.session.scalar(
        select(func.count(func.distinct(Registration.person_key)))
        .join(Event, Event.id == Registration.event_id)
        .where(Event.series_id == series.id, confirmed)) or 0
    return out
