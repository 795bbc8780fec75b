"""Applications (応募): files, the organizers' decisions and the mails that tell them, reviewers and their scores.

An application is a registration at an event that accepts applications
(``Event.accepts_applications``); its 部門 is its 参加枠. Changes to one
application follow the one locking discipline (app.services.locks: the event
key-share, its 参加枠, the registration; re-read; decide; write) so that two
uploads never pass the event's file count together, and leave an audit row.
Services flush; the caller commits.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from flask import current_app
from sqlalchemy import func, select

from app import notifications
from app.domain import application_files as rules
from app.domain import results as result_rules
from app.domain.admission import event_window
from app.domain.codes import ACTIVE_REGISTRATION_STATUSES, ApplicationStatus, Role
from app.extensions import db
from app.models import (
    ApplicationFile,
    Event,
    EventResult,
    Organizer,
    OutboxMessage,
    Registration,
    ReviewAssignment,
    ReviewCriterion,
    TicketType,
)
from app.services import audit, locks
from app.services.errors import ServiceError

N_ = rules.N_

CLOSED = N_("The application deadline has passed: it can no longer be changed.")
NOT_ACTIVE = N_("A cancelled application cannot be changed.")
NO_FILES = N_("This event does not take files with its applications.")
UNAVAILABLE = N_("Files cannot be received at the moment. Please contact the organizers.")
ERASED = N_("This registrant's personal data was erased after the retention period: the registration "
            "can no longer be changed.")


class FileRefused(ServiceError):
    """A file was refused; `params` fill the message (e.g. the size limit)."""

    def __init__(self, message: str, code: str, **params):
        super().__init__(message, code)
        self.params = params


class FilesUnavailable(ServiceError):
    code = "files_unavailable"


# --- where files live ----------------------------------------------------------------


def files_dir() -> str:
    """APPLICATION_FILES_DIR, created (mode 0700) when missing; refused (fail closed) when not configured."""
    path = current_app.config.get("APPLICATION_FILES_DIR") or ""
    if not path:
        raise FilesUnavailable(UNAVAILABLE)
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def file_path(item: ApplicationFile) -> str:
    return os.path.join(files_dir(), item.stored_name)


def max_bytes(event: Event) -> int:
    """The event's size limit, never above APPLICATION_FILE_MAX_MB."""
    cap = int(current_app.config.get("APPLICATION_FILE_MAX_MB", 20))
    return min(max(int(event.application_file_max_mb or 1), 1), cap) * 1024 * 1024


def accepted_kinds_label(event: Event) -> str:
    return ", ".join(sorted({rules.KINDS[k][1].upper() for k in rules.allowed_kinds(event.application_file_types)}))


# --- reading -------------------------------------------------------------------------


def may_change(event: Event, registration: Registration, now: datetime) -> bool:
    """The applicant may still change the application (details, files): active and before the deadline."""
    return registration.status in ACTIVE_REGISTRATION_STATUSES and event_window(event, now).is_open


def files_of(registration_id: int) -> list[ApplicationFile]:
    return list(db.session.scalars(select(ApplicationFile).where(ApplicationFile.registration_id == registration_id)
                                   .order_by(ApplicationFile.id)))


def file_counts(event_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(ApplicationFile.registration_id, func.count()).join(Registration)
        .where(Registration.event_id == event_id).group_by(ApplicationFile.registration_id))
    return {rid: n for rid, n in rows}


@dataclass
class CategoryCount:
    ticket_type: object
    total: int = 0
    shortlisted: int = 0
    awarded: int = 0
    not_selected: int = 0


def counts_per_category(event: Event) -> list[CategoryCount]:
    """Active applications per 部門 (参加枠), with the organizers' decisions."""
    rows = db.session.execute(
        select(Registration.ticket_type_id, Registration.application_status, func.count())
        .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE_REGISTRATION_STATUSES))
        .group_by(Registration.ticket_type_id, Registration.application_status))
    counts = {tt.id: CategoryCount(tt) for tt in event.ticket_types}
    for tt_id, status, n in rows:
        c = counts.get(tt_id)
        if c is None:
            continue
        c.total += n
        if status in (ApplicationStatus.SHORTLISTED, ApplicationStatus.AWARDED, ApplicationStatus.NOT_SELECTED):
            setattr(c, status, getattr(c, status) + n)
    return list(counts.values())


# --- files ---------------------------------------------------------------------------


def add_file(registration: Registration, stream: BinaryIO, filename: str | None, *, now: datetime,
             actor=None) -> ApplicationFile:
    """Check and keep one file of an application. `actor` None: the applicant (then only before the deadline)."""
    locked_event, _tt, reg = locks.for_registration(registration.id, registration.event_id)
    if reg.erased_at is not None:  # its files went with its personal data (app.services.retention)
        raise FileRefused(ERASED, "erased")
    if not locked_event.accepts_applications or not locked_event.application_files_allowed:
        raise FileRefused(NO_FILES, "files_not_allowed")
    if actor is None and not may_change(locked_event, reg, now):
        raise FileRefused(CLOSED if reg.status in ACTIVE_REGISTRATION_STATUSES else NOT_ACTIVE, "closed")
    limit = max_bytes(locked_event)
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise FileRefused(rules.EMPTY, "empty_file")
    if size > limit:
        raise FileRefused(rules.TOO_LARGE, "file_too_large", mb=limit // (1024 * 1024))
    kind = rules.sniff(stream)
    if kind is None or kind not in rules.allowed_kinds(locked_event.application_file_types):
        raise FileRefused(rules.WRONG_TYPE, "file_type_refused", kinds=accepted_kinds_label(locked_event))
    count = db.session.scalar(select(func.count()).select_from(ApplicationFile)
                              .where(ApplicationFile.registration_id == reg.id))
    if count >= locked_event.application_file_max_count:
        raise FileRefused(rules.TOO_MANY, "too_many_files", n=locked_event.application_file_max_count)
    directory = files_dir()
    digest = hashlib.sha256()
    while chunk := stream.read(64 * 1024):
        digest.update(chunk)
    stream.seek(0)
    item = ApplicationFile(registration_id=reg.id, kind=kind, original_name=rules.clean_file_name(filename, kind),
                           stored_name=secrets.token_hex(16), size=size, sha256=digest.hexdigest(), uploaded_at=now,
                           uploaded_by=getattr(actor, "email", "") or "registrant")
    db.session.add(item)
    db.session.flush()
    audit.record("application.file_added", actor=actor, now=now, event_id=reg.event_id, registration_id=reg.id,
                 data={"file_id": item.id, "kind": kind, "size": size, "sha256": item.sha256})
    # The file is written last, when its row and audit row are in: a refusal or a failure before
    # this point leaves nothing on disk, and `commit_added` removes it should the commit fail.
    target = os.path.join(directory, item.stored_name)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(64 * 1024):
                out.write(chunk)
    except BaseException:
        unlink_quietly(target)
        raise
    return item


def commit_added(item: ApplicationFile) -> None:
    """Commit the transaction that added `item` (the caller's commit); should it fail, the file written
    for it is removed too, so that no file is left on disk without its row."""
    path = os.path.join(files_dir(), item.stored_name)
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        unlink_quietly(path)
        raise


def remove_file(registration: Registration, file_id: int, *, now: datetime, actor=None) -> str:
    """Remove one file of an application; returns the stored path, to unlink after the commit."""
    locked_event, _tt, reg = locks.for_registration(registration.id, registration.event_id)
    if actor is None and not may_change(locked_event, reg, now):
        raise FileRefused(CLOSED, "closed")
    item = db.session.get(ApplicationFile, file_id)
    if item is None or item.registration_id != reg.id:
        raise ServiceError(N_("No such file."), "not_found")
    path = file_path(item)
    audit.record("application.file_removed", actor=actor, now=now, event_id=reg.event_id, registration_id=reg.id,
                 data={"file_id": item.id, "sha256": item.sha256})
    db.session.delete(item)
    db.session.flush()
    return path


def unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def logged_download(item: ApplicationFile, *, now: datetime, actor) -> None:
    """Record who downloaded an application's file (personal data)."""
    audit.record("application.file_downloaded", actor=actor, now=now, event_id=item.registration.event_id,
                 registration_id=item.registration_id, data={"file_id": item.id})


# --- the organizers' decision ------------------------------------------------------------


def set_status(registration: Registration, status: str | None, *, now: datetime, actor) -> Registration:
    """Mark an application shortlisted, awarded or not selected (None: undecided). Audited."""
    if status is not None and status not in {s.value for s in ApplicationStatus}:
        raise ServiceError(N_("Choose a decision from the list."), "invalid_status")
    locked_event, _tt, reg = locks.for_registration(registration.id, registration.event_id)
    if not locked_event.accepts_applications:
        raise ServiceError(N_("This event does not take applications."), "not_applications")
    if reg.application_status != status:
        audit.record("application.status_changed", actor=actor, now=now, event_id=reg.event_id,
                     registration_id=reg.id, data={"from": reg.application_status, "to": status})
        reg.application_status = status
        reg.updated_at = now
        db.session.flush()
    return reg


# --- telling applicants the outcome ----------------------------------------------------------


@dataclass
class OutcomePlan:
    """Who gets which outcome mail if the organizers tell the applicants now."""

    to_tell: dict[str, list[Registration]]  # per outcome (result_rules.OUTCOMES), in id order
    already_told: int = 0  # decided applications whose applicant was told that decision already
    no_address: int = 0  # decided applications without an email address (imported): nobody to mail

    @property
    def counts(self) -> dict[str, int]:
        return {outcome: len(self.to_tell[outcome]) for outcome in result_rules.OUTCOMES}

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _decided(event_id: int) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event_id,
                                   Registration.status.in_(ACTIVE_REGISTRATION_STATUSES),
                                   Registration.application_status.in_(result_rules.OUTCOMES))
        .order_by(Registration.id).execution_options(populate_existing=True)))


def _outcome_mails(registration_ids: list[int]) -> dict[int, list[OutboxMessage]]:
    """The outcome mails queued so far for each registration, oldest first."""
    mails: dict[int, list[OutboxMessage]] = {}
    if registration_ids:
        for message in db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == result_rules.OUTCOME_MAIL_KIND,
                                            OutboxMessage.registration_id.in_(registration_ids))
                .order_by(OutboxMessage.id).execution_options(populate_existing=True)):
            mails.setdefault(message.registration_id, []).append(message)
    return mails


def _plan(registrations: list[Registration]) -> OutcomePlan:
    plan = OutcomePlan({outcome: [] for outcome in result_rules.OUTCOMES})
    mails = _outcome_mails([r.id for r in registrations])
    for registration in registrations:
        if registration.application_status not in result_rules.OUTCOMES:
            continue
        told = mails.get(registration.id)
        last = ((told[-1].context or {}).get("outcome"), told[-1].status) if told else None
        outcome = result_rules.outcome_to_tell(registration.application_status,
                                               registration.status in ACTIVE_REGISTRATION_STATUSES, last)
        if outcome is None:
            plan.already_told += 1
        elif not registration.email:
            plan.no_address += 1
        else:
            plan.to_tell[outcome].append(registration)
    return plan


def outcome_plan(event: Event) -> OutcomePlan:
    """What `notify_outcomes` would queue now (read only: for the organizer's confirmation)."""
    return _plan(_decided(event.id))


def notify_outcomes(event: Event, *, now: datetime, actor) -> OutcomePlan:
    """Queue one outcome mail per decided application whose applicant was not yet told that decision
    (shortlisted, awarded: naming its own awards, not selected), in the applicant's language. Audited.

    Locks (app.services.locks): the event (key share), all its 参加枠 in id order (a decision is
    changed only under its 参加枠's lock, so the decided applications read next stay decided as they
    are), its days when chosen per day, then the applications in id order; re-read; decide; write.
    Two presses at once queue each mail once: the second waits and then finds the first's mails.
    """
    locked_event = locks.event(event.id, exclusive=False)
    if not locked_event.accepts_applications:
        raise ServiceError(N_("This event does not take applications."), "not_applications")
    locks.ticket_types(db.session.scalars(select(TicketType.id).where(TicketType.event_id == locked_event.id)))
    locks.event_sessions(locked_event)
    for registration_id in [r.id for r in _decided(locked_event.id)]:
        locks.registration(registration_id)
    plan = _plan(_decided(locked_event.id))
    results = list(db.session.scalars(select(EventResult).where(EventResult.event_id == locked_event.id)
                                      .order_by(EventResult.position, EventResult.id)))
    sent_before = _outcome_mails([r.id for told in plan.to_tell.values() for r in told])
    for outcome in result_rules.OUTCOMES:
        for registration in plan.to_tell[outcome]:
            notifications.application_outcome(
                registration, now=now, awards=result_rules.awards_of(registration.id, results),
                sequence=len(sent_before.get(registration.id, [])) + 1)
    audit.record("application.outcomes_notified", actor=actor, now=now, event_id=locked_event.id,
                 data={**plan.counts, "already_told": plan.already_told, "no_address": plan.no_address})
    db.session.flush()
    return plan


# --- reviewers -----------------------------------------------------------------------


def criteria(event_id: int) -> list[ReviewCriterion]:
    return list(db.session.scalars(select(ReviewCriterion).where(ReviewCriterion.event_id == event_id)
                                   .order_by(ReviewCriterion.position, ReviewCriterion.id)))


def add_criterion(event: Event, name: str, max_score: int, *, now: datetime, actor) -> ReviewCriterion:
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise ServiceError(N_("Give the criterion a name (at most 100 characters)."), "invalid_name")
    if not 1 <= int(max_score) <= 100:
        raise ServiceError(N_("The highest score is a number from 1 to 100."), "invalid_max_score")
    position = (db.session.scalar(select(func.max(ReviewCriterion.position))
                                  .where(ReviewCriterion.event_id == event.id)) or 0) + 1
    item = ReviewCriterion(event_id=event.id, name=name, max_score=int(max_score), position=position)
    db.session.add(item)
    db.session.flush()
    audit.record("review.criterion_added", actor=actor, now=now, event_id=event.id,
                 data={"criterion_id": item.id, "name": name, "max_score": item.max_score})
    return item


def remove_criterion(event: Event, criterion_id: int, *, now: datetime, actor) -> None:
    item = db.session.get(ReviewCriterion, criterion_id)
    if item is None or item.event_id != event.id:
        raise ServiceError(N_("No such criterion."), "not_found")
    audit.record("review.criterion_removed", actor=actor, now=now, event_id=event.id,
                 data={"criterion_id": item.id, "name": item.name})
    db.session.delete(item)
    db.session.flush()


def reviewers() -> list[Organizer]:
    return list(db.session.scalars(select(Organizer).where(Organizer.role == Role.REVIEWER, Organizer.active)
                                   .order_by(Organizer.display_name)))


def assignments_of(registration_id: int) -> list[ReviewAssignment]:
    return list(db.session.scalars(select(ReviewAssignment).where(ReviewAssignment.registration_id == registration_id)
                                   .order_by(ReviewAssignment.id)))


def assign(registration: Registration, reviewer: Organizer, *, now: datetime, actor) -> ReviewAssignment:
    if not reviewer.is_reviewer or not reviewer.active:
        raise ServiceError(N_("Only an active reviewer account can be assigned."), "not_reviewer")
    existing = db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.registration_id == registration.id,
                                                                ReviewAssignment.reviewer_id == reviewer.id))
    if existing is not None:
        return existing
    item = ReviewAssignment(registration_id=registration.id, reviewer_id=reviewer.id, scores={}, comment="",
                            assigned_at=now)
    db.session.add(item)
    db.session.flush()
    audit.record("review.assigned", actor=actor, now=now, event_id=registration.event_id,
                 registration_id=registration.id, data={"reviewer_id": reviewer.id})
    return item


def unassign(registration: Registration, assignment_id: int, *, now: datetime, actor) -> None:
    item = db.session.get(ReviewAssignment, assignment_id)
    if item is None or item.registration_id != registration.id:
        raise ServiceError(N_("No such assignment."), "not_found")
    audit.record("review.unassigned", actor=actor, now=now, event_id=registration.event_id,
                 registration_id=registration.id, data={"reviewer_id": item.reviewer_id})
    db.session.delete(item)
    db.session.flush()


def assigned_to(reviewer: Organizer) -> list[ReviewAssignment]:
    """The applications a reviewer may see: only those assigned to them, of active applications."""
    return list(db.session.scalars(
        select(ReviewAssignment).join(Registration)
        .where(ReviewAssignment.reviewer_id == reviewer.id,
               Registration.status.in_(ACTIVE_REGISTRATION_STATUSES))
        .order_by(Registration.event_id, Registration.ticket_type_id, Registration.id)))


def assignment_for(reviewer: Organizer, assignment_id: int) -> ReviewAssignment | None:
    """The reviewer's own assignment (None for anyone else's: they see only what is theirs)."""
    item = db.session.get(ReviewAssignment, assignment_id)
    if item is None or item.reviewer_id != reviewer.id or item.registration.status not in ACTIVE_REGISTRATION_STATUSES:
        return None
    return item


def score(assignment: ReviewAssignment, raw_scores: dict, comment: str, *, now: datetime, actor
          ) -> tuple[ReviewAssignment | None, dict[str, str]]:
    """Record a reviewer's scores; returns (the assignment, {} ) or (None, {criterion_id: error msgid})."""
    errors: dict[str, str] = {}
    scores: dict[str, int] = {}
    for criterion in criteria(assignment.registration.event_id):
        value = str(raw_scores.get(str(criterion.id), "") or "").strip()
        if value == "":
            continue
        if not value.isdigit() or not 0 <= int(value) <= criterion.max_score:
            errors[str(criterion.id)] = N_("Give a whole number from 0 to the highest score.")
            continue
        scores[str(criterion.id)] = int(value)
    comment = (comment or "").strip()
    if len(comment) > 2000:
        errors["comment"] = N_("At most 2,000 characters.")
    if errors:
        return None, errors
    assignment.scores = scores
    assignment.comment = comment
    assignment.scored_at = now
    audit.record("review.scored", actor=actor, now=now, event_id=assignment.registration.event_id,
                 registration_id=assignment.registration_id, data={"scores": scores})
    db.session.flush()
    return assignment, {}


def total_score(assignment: ReviewAssignment) -> int | None:
    return sum(assignment.scores.values()) if assignment.scores else None
