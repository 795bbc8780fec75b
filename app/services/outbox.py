"""The outbox's state changes: claim due mails, check and build them, record each outcome, retry.

Each function works in the caller's transaction and flushes; app.jobs (the
delivery loop) and the organizer views commit.

Life of a message::

    pending --claim--> sending --prepare--> (no longer true) --> superseded
       ^  ^               |
       |  |               +--sent--> sent
       |  +-- outage: given back, try not counted, batch-wide backoff
       +----- error (4xx, cannot build), retry --+
                          |
                          +-- 5xx answer, or error with attempts >= MAIL_MAX_ATTEMPTS --> failed
                                                                   failed --organizer retry--> pending

``attempts`` counts delivery tries and is raised when a message is claimed, so
a mail that crashes every worker that takes it still ends up ``failed``; a
mail given back untried (the lease ran short, the SMTP server is unreachable)
or found superseded gets that try back. A ``sending`` row whose lease
(``locked_until``) has run out belongs to a worker that died; it is due again.

`prepare` runs after the claim has committed, one message at a time: it asks
app.domain.mail_relevance whether the mail is still true (registration, event
and session as they are now), fills the registrant's private links into the
body (app.urls at send time; stored bodies hold placeholders) and builds the
Flask-Mail message with its .ics. A message that cannot be built fails on its
own (its try counted), never the batch.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_mail import Message
from sqlalchemy import and_, func, or_, select, update

from app import urls
from app.domain import mail_relevance, mail_text
from app.extensions import db
from app.i18n import rendering_in
from app.models import Event, OutboxMessage, Registration
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

PENDING, SENDING, SENT, FAILED, SUPERSEDED = "pending", "sending", "sent", "failed", "superseded"
STATUSES = (PENDING, SENDING, SENT, FAILED, SUPERSEDED)


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


def mark_failed(message_id: int, lease: datetime, error: str, now: datetime, max_attempts: int,
                permanent: bool = False) -> str | None:
    """A try failed: retry later with backoff, or give up after `max_attempts` tries (at once when
    `permanent`, e.g. a 5xx answer). Returns the new status."""
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None or message.status != SENDING or message.locked_until != lease:
        return None
    message.last_error = (error or "error")[:ERROR_MAX_LENGTH]
    message.locked_until = None
    if permanent or message.attempts >= max_attempts:
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


def defer(message_id: int, lease: datetime, until: datetime, error: str) -> bool:
    """Give a claimed message back because the SMTP server cannot be reached: the try is not
    counted (an outage must not use up attempts), due again at `until`."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == SENDING,
               OutboxMessage.locked_until == lease)
        .values(status=PENDING, locked_until=None, attempts=OutboxMessage.attempts - 1, next_attempt_at=until,
                last_error=(error or "error")[:ERROR_MAX_LENGTH])
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def mark_superseded(message: OutboxMessage, reason: str) -> None:
    """The mail is no longer true: never sent (its claim is not counted as a try)."""
    message.status = SUPERSEDED
    message.locked_until = None
    message.attempts = max((message.attempts or 0) - 1, 0)
    message.context = {**(message.context or {}), "superseded": reason}
    db.session.flush()


def _newer_same_kind(message: OutboxMessage) -> bool:
    return db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.registration_id == message.registration_id,
                                       OutboxMessage.kind == message.kind, OutboxMessage.id > message.id)
        .limit(1)
    ) is not None


def why_not_relevant(message: OutboxMessage, registration: Registration | None, now: datetime) -> str | None:
    """None while the message is still true; else why it must not be sent (app.domain.mail_relevance)."""
    if message.registration_id is None:
        # Its registration was deleted: a mail that needs the registrant's links cannot go.
        if mail_text.has_placeholders(message.body_text) or mail_text.has_placeholders(message.body_html):
            return mail_relevance.REGISTRATION_GONE
        return None
    event = registration.event if registration is not None else (
        db.session.get(Event, message.event_id) if message.event_id else None)
    sessions = [mail_relevance.SessionDate(s.id, s.starts_at, s.ends_at) for s in (event.sessions if event else [])]
    return mail_relevance.why_not_relevant(
        message.kind, message.context,
        registration_status=registration.status if registration is not None else None,
        event_status=event.status if event is not None else None,
        sessions=sessions, now=now,
        newer_same_kind=message.kind in mail_relevance.REPLACED_BY_NEWER_KINDS and _newer_same_kind(message),
        day_status=_day_status(message, registration),
        application_status=registration.application_status if registration is not None else None,
    )


def _day_status(message: OutboxMessage, registration: Registration | None) -> str | None:
    """The registration's choice of the day a per-day mail is about (its context's session_id)."""
    session_id = (message.context or {}).get("session_id")
    if message.kind != "promoted" or session_id is None or registration is None:
        return None
    from app.models import SessionChoice

    return db.session.scalar(select(SessionChoice.status).where(
        SessionChoice.registration_id == registration.id, SessionChoice.session_id == session_id))


def private_links(registration: Registration | None) -> dict[str, str]:
    """The registrant's private links as they are now (app.urls decides how the token is made).

    An English registrant's manage page, 受付票, calendar file and team page open in English (``?lang=en``,
    which the site then remembers), whatever the device's earlier choice.
    """
    if registration is None:
        return {}
    lang = "?lang=en" if registration.language == "en" else ""
    return {"manage_url": urls.manage_url(registration) + lang, "ticket_url": urls.ticket_url(registration) + lang,
            "calendar_url": urls.calendar_url(registration) + lang, "join_url": urls.join_url(registration),
            "team_url": urls.team_url(registration) + lang}


def text_as_sent(message: OutboxMessage) -> str:
    """The text body as delivery would send it now (private links filled in). For the registrant's
    side only (tests, support tools run by the registrant): never show it on a staff page."""
    registration = db.session.get(Registration, message.registration_id) if message.registration_id else None
    return mail_text.fill_links(message.body_text, private_links(registration))


@dataclass
class Outgoing:
    """A claimed message, checked and built: ready for the SMTP connection (no ORM access needed)."""

    id: int
    mail: Message


def prepare(message_id: int, lease: datetime, now: datetime, sender: str) -> Outgoing | None:
    """Check a claimed message and build it; None when it is superseded (marked here) or no longer ours.

    Raises whatever building it raises (the caller counts it as a failed try).
    """
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None or message.status != SENDING or message.locked_until != lease:
        return None
    registration = db.session.get(Registration, message.registration_id) if message.registration_id else None
    reason = why_not_relevant(message, registration, now)
    if reason is not None:
        mark_superseded(message, reason)
        return None
    links = private_links(registration)
    # What is built now (the calendar file) is built in the mail's language, the registrant's.
    with rendering_in(message.language or (registration.language if registration is not None else None)):
        attachments = attachment_data(message, now, registration=registration)
    return Outgoing(message.id, build_message(message, sender, links=links, attachments=attachments))


def attachment_data(message, now: datetime, registration: Registration | None = None) -> list[dict]:
    """The message's attachments with their data: those queued as {"generate": "calendar"}
    are built now from the registration (app.services.tickets.calendar_ics)."""
    items = []
    for item in message.attachments or []:
        if item.get("generate") == "calendar" and message.registration_id:
            if registration is None:
                registration = db.session.get(Registration, message.registration_id)
            if registration is None:
                continue
            data = calendar_ics(registration, now=now, manage_url=private_links(registration)["manage_url"],
                                join_url=urls.join_url(registration), lang=message.language or registration.language)
            item = {**item, "data_b64": base64.b64encode(data).decode("ascii")}
            item.pop("generate")
        items.append(item)
    return items


class BadMessage(ValueError):
    """The stored message cannot become a mail (say, a header with a line break)."""


def build_message(message, sender: str, *, links: dict[str, str] | None = None,
                  attachments: list[dict] | None = None) -> Message:
    """The Flask-Mail message (from an OutboxMessage or a copy of its fields): one recipient, From the
    configured sender, a one-line Subject, text + HTML alternative with the private `links` filled in,
    attachments (default: the message's own, already holding their data)."""
    links = links or {}
    mail = Message(
        subject=mail_text.one_line(message.subject),
        recipients=[message.to_email],
        body=mail_text.fill_links(message.body_text, links),
        html=mail_text.fill_links(message.body_html, links, html=True) if message.body_html else None,
        sender=sender,
        extra_headers={"Auto-Submitted": "auto-generated", "X-Tsudoi-Outbox-Id": str(message.id)},
    )
    if mail.has_bad_headers():
        raise BadMessage("a header holds a line break")
    for item in (message.attachments if attachments is None else attachments) or []:
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
    superseded: int = 0


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
