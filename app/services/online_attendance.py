"""Online attendance: personal join links (/j/<token>) and video platforms' attendee reports.

Both record through app.services.attendance (`record`: the locking discipline,
idempotence and the audit log live there); this module decides *whether* and
*for which session*.

Join link: `check` reads without a lock and may refuse (a fast read never
grants); `join` records the attendance (method ``online``) for the session
whose window holds `now`, then decides again from the rows `record` re-read
under its locks (event key-shared, registration), so a cancellation that wins
the race is never answered with the online URL. The caller commits, or rolls
back when the second decision refuses.

Report import: `preview` matches the report's people to the event's
registrations by normalised e-mail; `import_report` records each matched
confirmed registrant (method ``report``, with the minutes), registrations in id
order, in the caller's one transaction. Importing the same report again
records nothing new.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.domain import attendee_reports, join_links
from app.domain.codes import AttendanceMethod, RegistrationStatus
from app.extensions import db
from app.models import Attendance, Event, EventSession, Registration
from app.services import attendance

# --- join links -------------------------------------------------------------------------------


def joinable_sessions(event: Event) -> list[EventSession]:
    """The sessions a join link is for: every session of an online event; the sessions marked online
    of an in-person or hybrid one (a hybrid event without any marked: all of its sessions)."""
    sessions = list(event.sessions)
    if event.format == "online":
        return sessions
    marked = [s for s in sessions if s.is_online]
    if event.format == "hybrid" and not marked:
        return sessions
    return marked


def offers_join_link(event: Event) -> bool:
    """Whether the event's confirmed registrants get a personal join link in their mails."""
    return bool(event.online_url) and bool(joinable_sessions(event))


def _spans(event: Event) -> list[join_links.SessionSpan]:
    return [join_links.SessionSpan(s.id, s.starts_at, s.ends_at) for s in joinable_sessions(event)]


def registration_for_token(token: str, secret_key: str) -> Registration | None:
    """The registration whose join link carries `token` (None: unknown or forged)."""
    reg_id = join_links.registration_id(token)
    if reg_id is None:
        return None
    reg = db.session.get(Registration, reg_id)
    if reg is None or not join_links.verify(secret_key, token, reg.id, reg.manage_salt):
        return None
    return reg


def decide(registration: Registration, now: datetime) -> join_links.Decision:
    event = registration.event
    return join_links.decide(registration_status=registration.status, event_status=event.status,
                             online_url=event.online_url, sessions=_spans(event),
                             opens_minutes=event.join_opens_minutes, now=now)


def windows(event: Event) -> list[join_links.Window]:
    return join_links.windows(_spans(event), event.join_opens_minutes)


@dataclass
class JoinResult:
    decision: join_links.Decision
    registration: Registration
    recorded: bool = False  # this use recorded the attendance (False: it was already recorded)

    @property
    def online_url(self) -> str | None:
        return self.registration.event.online_url if self.decision.is_open else None


def join(registration_id: int, *, now: datetime) -> JoinResult:
    """Record the online attendance for the open session; re-decide under the locks (caller commits,
    or rolls back when the answer is not open)."""
    reg = db.session.get(Registration, registration_id)
    first = decide(reg, now)
    if not first.is_open:
        return JoinResult(first, reg)
    outcome = attendance.record(reg.id, first.window.session_id, method=AttendanceMethod.ONLINE, now=now,
                                actor_label="join link")
    reg = outcome.registration or reg  # re-read under its lock; its event re-read by the event lock
    if outcome.status == attendance.CANCELLED:
        return JoinResult(join_links.Decision(join_links.CANCELLED), reg)
    if outcome.status not in (attendance.RECORDED, attendance.ALREADY):
        return JoinResult(join_links.Decision(join_links.NOT_CONFIRMED), reg)
    second = decide(reg, now)
    return JoinResult(second, reg, recorded=outcome.created and second.is_open)


# --- attendee reports -------------------------------------------------------------------------


@dataclass
class Match:
    attendee: attendee_reports.Attendee
    registration: Registration | None = None
    attendance: Attendance | None = None  # already recorded for the session


@dataclass
class Preview:
    report: attendee_reports.Report
    session: EventSession
    min_minutes: int | None
    to_record: list[Match] = field(default_factory=list)  # confirmed, not yet recorded, long enough
    already: list[Match] = field(default_factory=list)  # recorded before (by any method)
    too_short: list[Match] = field(default_factory=list)  # below the minimum minutes
    not_confirmed: list[Match] = field(default_factory=list)  # a registration that holds no seat
    unmatched: list[Match] = field(default_factory=list)  # no registration with this address
    without_email: list[attendee_reports.Row] = field(default_factory=list)

    @property
    def plan(self) -> list[tuple[int, int | None]]:
        """(registration id, minutes) to record, in registration id order."""
        return sorted((m.registration.id, m.attendee.minutes) for m in self.to_record)


_STATUS_RANK = {RegistrationStatus.CONFIRMED: 0, RegistrationStatus.WAITLISTED: 1, RegistrationStatus.PENDING: 1,
                RegistrationStatus.APPLIED: 1}


def _registrations_by_email(event_id: int, emails: list[str]) -> dict[str, Registration]:
    """One registration per address: the confirmed one, else an active one, else the latest."""
    found: dict[str, Registration] = {}
    if not emails:
        return found
    for i in range(0, len(emails), 500):
        chunk = emails[i:i + 500]
        for reg in db.session.scalars(select(Registration).where(
                Registration.event_id == event_id, Registration.email_normalized.in_(chunk))):
            held = found.get(reg.email_normalized)
            rank = (_STATUS_RANK.get(reg.status, 2), -reg.id)
            if held is None or rank < (_STATUS_RANK.get(held.status, 2), -held.id):
                found[reg.email_normalized] = reg
    return found


def preview(event: Event, session: EventSession, report: attendee_reports.Report, *,
            min_minutes: int | None = None) -> Preview:
    """What importing `report` for `session` would do (reads only)."""
    result = Preview(report=report, session=session, min_minutes=min_minutes,
                     without_email=list(report.without_email))
    regs = _registrations_by_email(event.id, [a.email_normalized for a in report.attendees])
    recorded = {a.registration_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.session_id == session.id))}
    for person in report.attendees:
        reg = regs.get(person.email_normalized)
        match = Match(person, reg)
        if reg is None:
            result.unmatched.append(match)
        elif reg.id in recorded:
            match.attendance = recorded[reg.id]
            result.already.append(match)
        elif reg.status != RegistrationStatus.CONFIRMED:
            result.not_confirmed.append(match)
        elif min_minutes and (person.minutes is None or person.minutes < min_minutes):
            result.too_short.append(match)
        else:
            result.to_record.append(match)
    return result


@dataclass
class ImportResult:
    recorded: int = 0
    already: int = 0
    refused: int = 0  # cancelled or no longer confirmed since the preview


def import_report(event_id: int, session_id: int, plan: list[tuple[int, int | None]], *, actor,
                  now: datetime) -> ImportResult:
    """Record the attendances of a previewed report (one transaction: the caller commits)."""
    result = ImportResult()
    for registration_id, minutes in sorted(plan, key=lambda item: item[0]):
        outcome = attendance.record(registration_id, session_id, method=AttendanceMethod.REPORT, now=now,
                                    actor=actor, minutes=minutes, event_id=event_id)
        if outcome.status == attendance.RECORDED:
            result.recorded += 1
        elif outcome.status == attendance.ALREADY:
            result.already += 1
        else:
            result.refused += 1
    return result
