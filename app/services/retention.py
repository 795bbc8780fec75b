"""The erasure of registrants' personal data once the retention period is over (the privacy
page's promise: ORG_RETENTION_MONTHS months after the event; rules in app.domain.retention).

Like the erasure of team members' names (app.services.teams), it runs from the jobs worker
(app.jobs.erase_registrants) and from `flask registrants erase`. An event's registrations are
erased in batches of ``BATCH``, each its own transaction under app.services.locks: the event
(shared), the batch's 参加枠 in id order, the event's sessions (an event whose registrants choose
days), the registrations in id order, their teams in id order; re-read; decide on what was
re-read (the event is still due, the registration not yet erased); write. The caller commits
each batch, so a large event never holds its locks for long, and a crash loses nothing: the
next pass takes the registrations not yet erased (``erased_at`` is NULL).

What one registration's erasure touches, besides the registration row (see app.domain.retention):
- its application files: the rows are deleted and the files on disk removed after the commit;
- its outbox mails: the address, the bodies and the attachments (a 受付票 PDF holds the name)
  are blanked, the subject, kind and times kept, the context marked ``erased`` (the outbox page
  still shows that a mail was sent and when); a mail not yet sent is superseded;
- its audit rows: the free words they carry (an organizer's message or cancellation reason, an
  unknown scanned code) are dropped, the action, time and actor kept;
- its review comments (the reviewers' words about the applicant); the scores are kept;
- its team: the members' names (as their own erasure does, app.services.teams.erase_locked), and
  the names on hackathon member rows that are the registration's own;
- for its event: the bytes of a participant list uploaded for import and never imported, and
  in the exports' log the search words of their filters and the replaced cells' original text.

The organisation (name, key, 法人番号, type, prefecture), status, dates, 参加枠, attendance, the
answers to choice questions and ``person_key`` are kept: every statistics page gives the same
figures before and after (tests/services/test_retention.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, func, select, update

from app.domain import retention as rules
from app.extensions import db
from app.models import (
    ApplicationFile,
    AuditLog,
    Event,
    ExportLog,
    ImportFile,
    OutboxMessage,
    Question,
    Registration,
    ReviewAssignment,
    Team,
    TeamMember,
)
from app.services import applications, audit, locks, teams

#: Registrations erased per transaction (locks held for one batch only).
BATCH = 50
#: Outbox statuses whose mail may still go out: superseded, so that nothing is sent to a blank address.
_UNSENT = ("pending", "failed")


def retention_months() -> int:
    return current_app.config["IDENTITY"].retention_months


@dataclass
class Due:
    """An event due for erasure, and how many of its registrations are not yet erased."""

    event: Event
    erase_at: datetime
    remaining: int


@dataclass
class Batch:
    erased: int = 0
    #: Application files to remove from disk once the transaction has committed.
    paths: list[str] = field(default_factory=list)


def due_events(now: datetime, months: int | None = None) -> list[Due]:
    """Events whose end lies more than `months` calendar months back and that still have
    registrations not erased (oldest end first)."""
    months = retention_months() if months is None else months
    # An event starts (its first session) no later than it ends: those that started after the
    # bound (a few days' slack for the months' lengths) cannot be due, and are never read.
    bound = rules.add_months(now, -months) + timedelta(days=4)
    not_erased = exists().where(Registration.event_id == Event.id, Registration.erased_at.is_(None))
    out = []
    for event in db.session.scalars(select(Event).where(Event.starts_at <= bound, not_erased)):
        at = rules.erase_due_at(event.ends_at, months)
        if at is not None and at <= now:
            n = db.session.scalar(select(func.count()).select_from(Registration).where(
                Registration.event_id == event.id, Registration.erased_at.is_(None)))
            out.append(Due(event, at, n))
    return sorted(out, key=lambda d: (d.erase_at, d.event.id))


def pending(event_id: int, limit: int | None = None) -> list[int]:
    """The next registrations of an event not yet erased (a batch), in id order."""
    return list(db.session.scalars(
        select(Registration.id).where(Registration.event_id == event_id, Registration.erased_at.is_(None))
        .order_by(Registration.id).limit(limit or BATCH)))


def erase_batch(event_id: int, registration_ids: list[int], *, now: datetime, months: int | None = None,
                actor=None) -> Batch:
    """Erase these registrations of one event (the caller commits, then calls `remove_files`)."""
    months = retention_months() if months is None else months
    out = Batch()
    ids = sorted(set(registration_ids))
    if not ids:
        return out
    event = locks.event(event_id, exclusive=False)
    if not rules.is_due(event.ends_at, months, now):  # rescheduled since it was found due
        return out
    locks.ticket_types(db.session.scalars(
        select(Registration.ticket_type_id).where(Registration.id.in_(ids), Registration.event_id == event_id)))
    locks.event_sessions(event)
    registrations = [r for r in (locks.registration(rid) for rid in ids)
                     if r.event_id == event_id and r.erased_at is None]
    if not registrations:
        return out
    ids = [r.id for r in registrations]
    # Step 3b: their team registrations' teams, and the hackathon teams they are members of.
    locked_teams = locks.teams([*db.session.scalars(select(Team.id).where(Team.registration_id.in_(ids))),
                                *db.session.scalars(select(TeamMember.team_id).where(TeamMember.registration_id.in_(ids)))])

    choice_ids = set(db.session.scalars(select(Question.id).where(
        Question.event_id == event_id, Question.kind.in_([k.value for k in rules.CHOICE_KINDS]))))
    for registration in registrations:
        _erase_registration(registration, choice_ids, now=now)
        audit.record("registration.erased", actor=actor, actor_label="" if actor else "system", now=now,
                     event_id=event_id, registration_id=registration.id, data={"months": months})
    for team in locked_teams.values():
        if team.registration_id in ids:
            teams.erase_locked(team, now=now, actor=actor)
    for member in db.session.scalars(select(TeamMember).where(TeamMember.registration_id.in_(ids))):
        member.family_name = member.given_name = member.family_name_kana = member.given_name_kana = ""
    for item in db.session.scalars(select(ApplicationFile).where(ApplicationFile.registration_id.in_(ids))):
        out.paths.append(applications.file_path(item))
        db.session.delete(item)
    _erase_mails(ids, now)
    _erase_audit_words(ids)
    db.session.execute(update(ReviewAssignment).where(ReviewAssignment.registration_id.in_(ids),
                                                      ReviewAssignment.comment != "").values(comment=""))
    _erase_event_leftovers(event_id)
    db.session.flush()
    out.erased = len(registrations)
    return out


def _erase_registration(registration: Registration, choice_ids: set[int], *, now: datetime) -> None:
    for name in rules.BLANKED_FIELDS:
        setattr(registration, name, "")
    registration.email_normalized = rules.erased_email_key(registration.id)
    registration.answers = rules.kept_answers(registration.answers, choice_ids)
    registration.manage_salt = None
    registration.manage_token_hash = rules.dead_link_hash()
    registration.previous_manage_token_hash = None
    registration.erased_at = now  # before the flush: the listener keeps person_key as it is
    registration.updated_at = now


def _erase_mails(ids: list[int], now: datetime) -> None:
    for mail in db.session.scalars(select(OutboxMessage).where(OutboxMessage.registration_id.in_(ids))):
        context = dict(mail.context or {})
        context["erased"] = now.isoformat()
        if mail.status in _UNSENT:
            mail.status = "superseded"
            context.setdefault("superseded", rules.MAIL_ERASED)
        mail.to_email, mail.body_text, mail.body_html, mail.attachments = "", "", "", []
        mail.last_error = ""
        mail.context = context


def _erase_audit_words(ids: list[int]) -> None:
    for entry in db.session.scalars(select(AuditLog).where(AuditLog.registration_id.in_(ids))):
        data = entry.data or {}
        if any(key in data for key in rules.AUDIT_WORDS):
            entry.data = {k: v for k, v in data.items() if k not in rules.AUDIT_WORDS}


def _erase_event_leftovers(event_id: int) -> None:
    """An import never finished keeps its file's bytes; an export's log its search words and the
    cells a CP932 export replaced (their original text: names among them)."""
    db.session.execute(update(ImportFile).where(ImportFile.event_id == event_id, ImportFile.status != "imported",
                                                func.length(ImportFile.content) > 0).values(content=b""))
    for log in db.session.scalars(select(ExportLog).where(ExportLog.event_id == event_id)):
        if (log.filter or {}).get("q"):
            log.filter = {k: v for k, v in log.filter.items() if k != "q"}
        if log.report:
            log.report = []  # replaced_cells, the count, stays


def remove_files(paths: list[str]) -> None:
    """After the commit: the erased registrations' application files leave the disk."""
    for path in paths:
        applications.unlink_quietly(path)


def not_erased(registration_ids: list[int]) -> list[int]:
    """These registrations less those whose personal data was erased (in the order given)."""
    if not registration_ids:
        return []
    erased = set(db.session.scalars(select(Registration.id).where(
        Registration.id.in_(registration_ids), Registration.erased_at.is_not(None))))
    return [i for i in registration_ids if i not in erased]


def event_erased_at(event_id: int) -> datetime | None:
    """When an event's registrations were erased (the first erasure), None while none is."""
    return db.session.scalar(select(func.min(Registration.erased_at)).where(Registration.event_id == event_id))

