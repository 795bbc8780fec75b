"""Results (受賞結果) of an event: entered by organizers, public once they publish them.

A result is an award or placement in a division or 部門 (a 参加枠; None: the whole
event), for one registration (an application, a team) and/or an entry's title. The
public sees the results only after `publish` (``Event.results_published_at``), and
each registration's name only when the registrant agreed (app.domain.results).
Services flush; the caller commits. Every change is audited.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.domain import results as rules
from app.domain.codes import EventStatus
from app.extensions import db
from app.models import Event, EventResult, Registration
from app.services import audit
from app.services.errors import ServiceError, ValidationError

N_ = lambda text: text  # noqa: E731

ERRORS = {
    "required": N_("This field is required."),
    "too_long": N_("This is too long."),
}


def results_of(event_id: int) -> list[EventResult]:
    return list(db.session.scalars(
        select(EventResult).options(selectinload(EventResult.registration), selectinload(EventResult.ticket_type))
        .where(EventResult.event_id == event_id).order_by(EventResult.position, EventResult.id)))


def add(event: Event, *, award: str, ticket_type_id: int | None, registration_id: int | None, title: str,
        now: datetime, actor) -> EventResult:
    errors: dict[str, list[str]] = {}
    award, problem = rules.clean_award(award)
    if problem:
        errors["award"] = [ERRORS[problem]]
    title = " ".join((title or "").split())
    if len(title) > rules.TITLE_MAX:
        errors["title"] = [ERRORS["too_long"]]
    if ticket_type_id is not None and ticket_type_id not in {tt.id for tt in event.ticket_types}:
        errors["ticket_type_id"] = [N_("Choose a division from the list.")]
    registration = None
    if registration_id is not None:
        registration = db.session.get(Registration, registration_id)
        if registration is None or registration.event_id != event.id:
            errors["registration_id"] = [N_("Choose an entry of this event.")]
    if registration is None and not title and "registration_id" not in errors:
        errors["registration_id"] = [N_("Choose an entry, or give the entry's title.")]
    if errors:
        raise ValidationError(errors)
    if ticket_type_id is None and registration is not None:
        ticket_type_id = registration.ticket_type_id
    position = max([r.position for r in results_of(event.id)], default=0) + 1
    item = EventResult(event_id=event.id, ticket_type_id=ticket_type_id, award=award, title=title,
                       registration_id=registration.id if registration else None, position=position, created_at=now)
    db.session.add(item)
    db.session.flush()
    audit.record("results.added", actor=actor, now=now, event_id=event.id,
                 registration_id=item.registration_id,
                 data={"result_id": item.id, "award": award, "ticket_type_id": ticket_type_id})
    return item


def remove(event: Event, result_id: int, *, now: datetime, actor) -> None:
    item = db.session.get(EventResult, result_id)
    if item is None or item.event_id != event.id:
        raise ServiceError(N_("No such result."), "not_found")
    audit.record("results.removed", actor=actor, now=now, event_id=event.id, registration_id=item.registration_id,
                 data={"result_id": item.id, "award": item.award})
    db.session.delete(item)
    db.session.flush()


def publish(event: Event, *, now: datetime, actor) -> Event:
    if event.status == EventStatus.DRAFT:
        raise ServiceError(N_("Publish the event before its results."), "draft")
    if not results_of(event.id):
        raise ServiceError(N_("Enter at least one result before publishing."), "no_results")
    if event.results_published_at is None:
        event.results_published_at = now
        audit.record("results.published", actor=actor, now=now, event_id=event.id)
        db.session.flush()
    return event


def unpublish(event: Event, *, now: datetime, actor) -> Event:
    if event.results_published_at is not None:
        event.results_published_at = None
        audit.record("results.unpublished", actor=actor, now=now, event_id=event.id)
        db.session.flush()
    return event


def is_published(event: Event) -> bool:
    return event.results_published_at is not None and event.status != EventStatus.DRAFT


@dataclass
class PublicResult:
    award: str
    name: str | None  # None: the registrant did not agree to a public name (非公開)
    title: str


@dataclass
class PublicGroup:
    division: str | None  # the 部門 or division; None: the whole event
    ticket_type_id: int | None
    results: list[PublicResult] = field(default_factory=list)


def public_results(event: Event) -> list[PublicGroup] | None:
    """The published results by division (in the 参加枠's order), or None before they are published."""
    if not is_published(event):
        return None
    order = {tt.id: (tt.position, tt.id) for tt in event.ticket_types}
    groups: dict[int | None, PublicGroup] = {}
    for item in results_of(event.id):
        key = item.ticket_type_id
        if key not in groups:
            groups[key] = PublicGroup(item.ticket_type.name if item.ticket_type else None, key)
        groups[key].results.append(PublicResult(item.award, rules.shown_name(item.registration), item.title))
    return sorted(groups.values(), key=lambda g: order.get(g.ticket_type_id, (-1, -1)))


def public_results_json(event: Event) -> dict | None:
    groups = public_results(event)
    if groups is None:
        return None
    from app.api.serializers import iso

    return {
        "event_id": event.id,
        "published_at": iso(event.results_published_at),
        "divisions": [
            {"division": g.division, "ticket_type_id": g.ticket_type_id,
             "results": [{"award": r.award, "name": r.name, "name_public": r.name is not None, "title": r.title}
                         for r in g.results]}
            for g in groups
        ],
    }
