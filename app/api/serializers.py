"""Turning events and registrations into JSON (times ISO 8601 in Japan time, +09:00)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app import urls
from app.domain import admission
from app.domain.codes import RegistrationStatus
from app.domain.session_choice import ChoiceStatus
from app.extensions import db
from app.models import Event, EventSession, Registration, SessionChoice, TicketType

JST = ZoneInfo("Asia/Tokyo")


def iso(value: datetime | None) -> str | None:
    return value.astimezone(JST).isoformat() if value is not None else None


def waitlisted_counts(ticket_type_ids: Iterable[int]) -> dict[int, int]:
    """Waiting-list length per 参加枠, in one grouped query."""
    ids = list(ticket_type_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Registration.ticket_type_id, func.count())
        .where(Registration.ticket_type_id.in_(ids), Registration.status == RegistrationStatus.WAITLISTED)
        .group_by(Registration.ticket_type_id)
    )
    return {tt_id: n for tt_id, n in rows}


def waitlist_positions(registrations: Sequence[Registration]) -> dict[int, int]:
    """Place in line of each waitlisted registration given, in one query."""
    tt_ids = {r.ticket_type_id for r in registrations if r.status == RegistrationStatus.WAITLISTED}
    if not tt_ids:
        return {}
    rows = db.session.execute(
        select(Registration.id, Registration.ticket_type_id)
        .where(Registration.ticket_type_id.in_(tt_ids), Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.ticket_type_id, Registration.waitlist_seq, Registration.id)
    )
    positions: dict[int, int] = {}
    counters: dict[int, int] = defaultdict(int)
    for reg_id, tt_id in rows:
        counters[tt_id] += 1
        positions[reg_id] = counters[tt_id]
    return positions


def ticket_type_json(tt: TicketType, waitlisted: int) -> dict:
    return {
        "id": tt.id,
        "name": tt.name,
        "description": tt.description,
        "capacity": tt.capacity,
        "confirmed": tt.confirmed_count,
        "waitlisted": waitlisted,
        "remaining": tt.remaining,
    }


def session_waitlisted_counts(session_ids: Iterable[int]) -> dict[int, int]:
    """{session id: registrants waiting for that day} (per-day registration), in one query."""
    ids = list(session_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(SessionChoice.session_id, func.count())
        .where(SessionChoice.session_id.in_(ids), SessionChoice.status == ChoiceStatus.WAITLISTED.value)
        .group_by(SessionChoice.session_id)).all())


def session_json(s, event: Event, day_waiting: dict[int, int]) -> dict:
    out = {"id": s.id, "title": s.title, "starts_at": iso(s.starts_at), "ends_at": iso(s.ends_at),
           "venue": s.venue, "is_online": s.is_online}
    if event.choose_sessions:
        out.update(capacity=s.capacity, confirmed=s.confirmed_count, waitlisted=day_waiting.get(s.id, 0),
                   remaining=s.remaining)
    return out


def chosen_sessions_by_registration(registrations: Sequence[Registration]) -> dict[int, list[dict]]:
    """{registration id: [ChosenSession]} for registrations of per-day events, in two queries."""
    ids = [r.id for r in registrations]
    if not ids:
        return {}
    choices = db.session.execute(
        select(SessionChoice.registration_id, SessionChoice.session_id, SessionChoice.status,
               SessionChoice.waitlist_seq, EventSession.starts_at)
        .join(EventSession, EventSession.id == SessionChoice.session_id)
        .where(SessionChoice.registration_id.in_(ids))
        .order_by(SessionChoice.registration_id, EventSession.starts_at, SessionChoice.session_id)).all()
    waiting_days = {c[1] for c in choices if c[2] == ChoiceStatus.WAITLISTED}
    lines: dict[int, list[int]] = {}
    if waiting_days:
        for session_id, seq in db.session.execute(
                select(SessionChoice.session_id, SessionChoice.waitlist_seq)
                .where(SessionChoice.session_id.in_(waiting_days),
                       SessionChoice.status == ChoiceStatus.WAITLISTED.value)
                .order_by(SessionChoice.session_id, SessionChoice.waitlist_seq)):
            lines.setdefault(session_id, []).append(seq)
    out: dict[int, list[dict]] = {i: [] for i in ids}
    for reg_id, session_id, status, seq, _starts in choices:
        position = lines[session_id].index(seq) + 1 if status == ChoiceStatus.WAITLISTED else None
        out[reg_id].append({"session_id": session_id, "status": status, "waitlist_position": position})
    return out


def chosen_sessions_json(registration: Registration) -> list[dict]:
    return chosen_sessions_by_registration([registration])[registration.id]


def event_json(event: Event, waitlisted: dict[int, int], *, now: datetime,
               day_waiting: dict[int, int] | None = None) -> dict:
    window = admission.event_window(event, now)
    day_waiting = day_waiting or {}
    return {
        "id": event.id,
        "slug": event.slug,
        "title": event.title,
        "summary": event.summary,
        # The optional English texts ("" when there are none: show the Japanese ones, lang="ja").
        "title_en": event.title_en or "",
        "summary_en": event.summary_en or "",
        "description": event.description,
        "description_en": event.description_en or "",
        "status": event.status,
        "category": event.category,
        "format": event.format,
        "venue": event.venue,
        "prefecture": event.prefecture,
        "admission_mode": event.admission_mode,
        "waitlist_enabled": event.waitlist_enabled,
        "one_per_organization": event.one_per_organization,
        "approval_overflow": event.approval_overflow,
        "choose_sessions": event.choose_sessions,
        "person_days": {
            "confirmed": sum(s.confirmed_count for s in event.sessions),
            "waitlisted": sum(day_waiting.get(s.id, 0) for s in event.sessions),
        } if event.choose_sessions else None,
        "join_opens_minutes": event.join_opens_minutes,
        "completion_min_sessions": event.completion_min_sessions,
        "lottery_seed_hash": event.lottery_seed_hash if event.admission_mode == "lottery" else None,
        "lottery_draw_at": iso(event.lottery_draw_at) if event.admission_mode == "lottery" else None,
        "starts_at": iso(event.starts_at),
        "ends_at": iso(event.ends_at),
        "registration_opens_at": iso(event.registration_opens_at),
        "registration_closes_at": iso(event.registration_closes_at),
        "registration_state": window.state.value,
        "url": urls.event_url(event),
        "sessions": [session_json(s, event, day_waiting) for s in event.sessions],
        "ticket_types": [ticket_type_json(tt, waitlisted.get(tt.id, 0)) for tt in event.ticket_types],
        "questions": [
            {"id": q.id, "kind": q.kind, "label": q.label, "help_text": q.help_text, "required": q.required,
             "choices": list(q.choices or [])}
            for q in event.questions
        ],
    }


def events_json(events: Sequence[Event], *, now: datetime) -> list[dict]:
    counts = waitlisted_counts(tt.id for e in events for tt in e.ticket_types)
    day_waiting = session_waitlisted_counts(s.id for e in events if e.choose_sessions for s in e.sessions)
    return [event_json(e, counts, now=now, day_waiting=day_waiting) for e in events]


def registration_json(r: Registration, waitlist_position: int | None, sessions: list[dict] | None = None) -> dict:
    return {
        "id": r.id,
        "reference": r.reference,
        "event_id": r.event_id,
        "status": r.status,
        "ticket_type_id": r.ticket_type_id,
        "email": r.email,
        "family_name": r.family_name,
        "given_name": r.given_name,
        "family_name_kana": r.family_name_kana,
        "given_name_kana": r.given_name_kana,
        "phone": r.phone,
        "organization": r.organization,
        "department": r.department,
        "job_title": r.job_title,
        "organization_type": r.organization_type,
        "prefecture": r.prefecture,
        "corporate_number": r.corporate_number,
        "answers": r.answers or {},
        "created_at": iso(r.created_at),
        "confirmed_at": iso(r.confirmed_at),
        "cancelled_at": iso(r.cancelled_at),
        "checked_in_at": iso(r.checked_in_at),
        "confirm_by": iso(r.confirm_by),
        "erased_at": iso(r.erased_at),
        "waitlist_position": waitlist_position,
        "sessions": sessions,
    }


def checkin_json(result) -> dict:
    """The answer to a check-in (services.checkin.Result), for the API and the 受付 page alike."""
    reg, att, session = result.registration, result.attendance, result.session
    body: dict = {
        "result": result.status,
        "already": result.status == "already",
        "session": {"id": session.id, "title": session.title, "starts_at": iso(session.starts_at)},
    }
    if reg is not None and result.status != "not_found":
        body["registration"] = {
            "id": reg.id,
            "reference": reg.reference,
            "event_id": reg.event_id,
            "status": reg.status,
            "family_name": reg.family_name,
            "given_name": reg.given_name,
            "family_name_kana": reg.family_name_kana,
            "given_name_kana": reg.given_name_kana,
            "organization": reg.organization,
            "ticket_type": {"id": reg.ticket_type_id, "name": reg.ticket_type.name},
            "origin": reg.origin,
        }
    if att is not None:
        by = result.recorded_by
        body["checked_in_at"] = iso(att.attended_at)
        body["method"] = att.method
        body["checked_in_by"] = {"id": by.id, "name": by.display_name} if by is not None else None
    if result.replayed:
        body["replayed"] = True
    return body


def edition_json(edition) -> dict:
    """One edition of a series (services.series.Edition): where, when, seats left, state."""
    event = edition.event
    return {
        "id": event.id,
        "slug": event.slug,
        "title": event.title,
        "status": event.status,
        "format": event.format,
        "prefecture": event.prefecture,
        "venue": event.venue,
        "address": event.address,
        "starts_at": iso(event.starts_at),
        "ends_at": iso(event.ends_at),
        "admission_mode": event.admission_mode,
        "seats_left": edition.seats_left,
        "state": edition.badge,
        "url": urls.event_url(event),
    }


def series_json(page, *, now: datetime) -> dict:
    """A series with its public editions (services.series.SeriesPage): upcoming first by date, past newest first."""
    return {
        "slug": page.series.slug,
        "name": page.series.name,
        "upcoming": [edition_json(e) for e in page.upcoming],
        "past": [edition_json(e) for e in page.past],
    }
