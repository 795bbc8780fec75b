"""The outbox's state changes: claim due mails, record each outcome, retry.

Each function works in the caller's transaction and flushes; app.jobs (the
delivery loop) and the organizer views commit.

Life of a message::

    pending --claim--> sending --sent--> sent
       ^                  |
       +--- error, retry -+--- error, attempts >= MAIL_MAX_ATTEMPTS --> failed --organizer retry--> pending

``attempts`` counts delivery tries and is raised when a message is claimed, so
a mail that crashes every worker that takes it still ends up ``failed``.
A ``sending`` row whose lease (``locked_until``) has run out belongs to a
worker that died; it is due again.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_mail import Message
from sqlalchemy import and_, func, or_, select, update

from app import urls
from app.extensions import db
from app.models import OutboxMessage, Registration
from app.services import audit
from app.services.errors import ServiceError
from app.services.tickets import calendar_ics

#: How long a claim holds a message; a worker stops sending from a batch before its lease runs out.
LEASE = timedelta(minutes=5)
#: Backoff after the 1st, 2nd, 3rd... failed try: 1, 5, 25, 125 minutes, then at most 6 hours.
BACKOFF_BASE_MINUTES = 1
BACKOFF_FACTOR = 5
BACKOFF_CAP = timedelta(hours=6)
ERROR_MAX_LENGTH = 1000

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
STATUSES = (PENDING, SENDING, SENT, FAILED)


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failed tries (1 → 1 min, 2 → 5 min, 3 → 25 min...)."""
    n = max(attempts, 1) - 1
    if n > 10:  # 5**10 minutes is far beyond the cap already
        return BACKOFF_CAP
    return min(timedelta(minutes=BACKOFF_BASE_MINUTES * BACKOFF_FACTOR**n), BACKOFF_CAP)


def due_condition(now: datetime):
    """Pending and due, or stuck in `sending` by a worker whose lease has run out."""
    return or_(
        and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == SENDING, OutboxMessage.locked_until <= now),
    )


def claim_batch(now: datetime, limit: int) -> list[OutboxMessage]:
    """Lock up to `limit` due messages and mark them `sending` until now + LEASE.

    PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED``, so workers claiming at the
    same moment take disjoint rows. SQLite: the transaction began IMMEDIATE (see
    app.database) and already holds the database's write lock. The caller
    commits at once, so the claim is visible to every other worker before a
    single mail goes out.
    """
    stmt = (
        select(OutboxMessage)
        .where(due_condition(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    messages = list(db.session.scalars(stmt))
    lease = now + LEASE
    for message in messages:
        message.status = SENDING
        message.locked_until = lease
        message.attempts = (message.attempts or 0) + 1
    db.session.flush()
    return messages


def mark_sent(message_id: int, lease: datetime, now: datetime) -> bool:
    """Record a delivered message, only if this worker still holds its claim."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == SENDING,
               OutboxMessage.locked_until == lease)
        .values(status=SENT, sent_at=now, locked_until=None, last_error="")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def mark_failed(message_id: int, lease: datetime, error: str, now: datetime, max_attempts: int) -> str | None:
    """A try failed: retry later with backoff, or give up after `max_attempts` tries. Returns the new status."""
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None or message.status != SENDING or message.locked_until != lease:
        return None
    message.last_error = (error or "error")[:ERROR_MAX_LENGTH]
    message.locked_until = None
    if message.attempts >= max_attempts:
        message.status = FAILED
    else:
        message.status = PENDING
        message.next_attempt_at = now + retry_delay(message.attempts)
    db.session.flush()
    return message.status


def release(message_id: int, lease: datetime) -> bool:
    """Give a claimed message back untried (its lease was about to run out): due again at once, not counted."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == SENDING,
               OutboxMessage.locked_until == lease)
        .values(status=PENDING, locked_until=None, attempts=OutboxMessage.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def attachment_data(message, now: datetime) -> list[dict]:
    """The message's attachments with their data: those queued as {"generate": "calendar"}
    are built now from the registration (app.services.tickets.calendar_ics)."""
    items = []
    for item in message.attachments or []:
        if item.get("generate") == "calendar" and message.registration_id:
            registration = db.session.get(Registration, message.registration_id)
            if registration is None:
                continue
            data = calendar_ics(registration, now=now, manage_url=urls.manage_url(registration))
            item = {**item, "data_b64": base64.b64encode(data).decode("ascii")}
            item.pop("generate")
        items.append(item)
    return items


def build_message(message, sender: str) -> Message:
    """The Flask-Mail message (from an OutboxMessage or a copy of its fields): one recipient, From the configured sender, text + HTML alternative, attachments."""
    mail = Message(
        subject=message.subject,
        recipients=[message.to_email],
        body=message.body_text,
        html=message.body_html or None,
        sender=sender,
        extra_headers={"Auto-Submitted": "auto-generated", "X-Tsudoi-Outbox-Id": str(message.id)},
    )
    for item in message.attachments or []:
        mail.attach(
            filename=item.get("filename") or "attachment",
            content_type=item.get("content_type") or "application/octet-stream",
            data=base64.b64decode(item.get("data_b64") or ""),
        )
    return mail


class NotRetryable(ServiceError):
    code = "not_retryable"


def retry(message: OutboxMessage, *, actor, now: datetime) -> OutboxMessage:
    """Organizer: send a failed mail again (attempts start over). Audited."""
    db.session.refresh(message, with_for_update=True)
    if message.status != FAILED:
        raise NotRetryable("only failed mails can be retried")
    previous = {"message_id": message.id, "attempts": message.attempts, "last_error": message.last_error,
                "kind": message.kind}
    message.status = PENDING
    message.attempts = 0
    message.next_attempt_at = now
    message.locked_until = None
    audit.record("mail.retried", actor=actor, now=now, event_id=message.event_id,
                 registration_id=message.registration_id, data=previous)
    db.session.flush()
    return message


@dataclass
class Counts:
    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0


def counts(event_id: int | None = None) -> Counts:
    """How many messages are in each status (of one event, or all)."""
    stmt = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    if event_id is not None:
        stmt = stmt.where(OutboxMessage.event_id == event_id)
    result = Counts()
    for status, n in db.session.execute(stmt):
        if status in STATUSES:
            setattr(result, status, n)
    return result


def retry_all_failed(*, event_id: int | None, actor, now: datetime) -> int:
    """Organizer: retry every failed mail (of one event, or all), each audited. Returns how many."""
    stmt = select(OutboxMessage).where(OutboxMessage.status == FAILED).order_by(OutboxMessage.id)
    if event_id is not None:
        stmt = stmt.where(OutboxMessage.event_id == event_id)
    count = 0
    for message in db.session.scalars(stmt.with_for_update()).all():
        retry(message, actor=actor, now=now)
        count += 1
    return count
