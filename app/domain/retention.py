"""The retention rule for registrants' personal data (pure; the service is app.services.retention).

The privacy page (templates/public/privacy.html) promises that registrants' personal
information is kept for ``ORG_RETENTION_MONTHS`` months after the event, then deleted, and
that statistics in which no one can be identified are kept. This module says when an event's
registrations are due, and what an erased registration holds instead of its personal data:

- due: the event's end (its last session's end, ``Event.ends_at``) plus that many calendar
  months, counted on Japan's calendar (a day missing from the month ends at its last day:
  31 August + 6 months is 28/29 February), at the same wall-clock time;
- erased: names, kana, email, phone, department, job title, the answers to free-text
  questions, the organizer's note; the private link's hashes are replaced by random ones
  that no token has (every link derived from the registration's salt stops working);
- kept: status, dates, 参加枠, attendance, the organisation (name, key, 法人番号, type,
  prefecture), the answers to choice questions, and ``person_key``: the statistics' 64-bit
  key of the email (the same key participation_facts holds), so that a person counted once
  stays counted once and a returning participant stays returning.
"""
from __future__ import annotations

import calendar
import hashlib
import secrets
from datetime import UTC, datetime

from app.domain.codes import QuestionKind
from app.domain.dates import JST

#: The answers kept: those the per-event statistics show (one of a list, several of a list, yes/no).
CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.YESNO})
#: The text fields of a registration blanked by the erasure.
BLANKED_FIELDS = ("email", "family_name", "given_name", "family_name_kana", "given_name_kana", "phone",
                  "department", "job_title", "note")
#: The words an audit row of a registration may carry (an organizer's message or cancellation
#: reason, a scanned code): dropped from the data of an erased registration's rows.
AUDIT_WORDS = frozenset({"message", "reason", "code", "comment"})
#: The outbox's reason (context "superseded") for a mail of an erased registration never sent.
MAIL_ERASED = "erased"
#: How an erased email is told from a real one (a real one has an "@", an imported one without
#: an address starts with "noemail:").
ERASED_EMAIL_PREFIX = "erased:"


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months on Japan's calendar, as an aware UTC datetime."""
    local = moment.astimezone(JST) if moment.tzinfo else moment.replace(tzinfo=UTC).astimezone(JST)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(UTC)


def erase_due_at(event_ends_at: datetime | None, months: int) -> datetime | None:
    """When an event's registrants' personal data is erased (None: the event has no session)."""
    if event_ends_at is None:
        return None
    return add_months(event_ends_at, months)


def is_due(event_ends_at: datetime | None, months: int, now: datetime) -> bool:
    at = erase_due_at(event_ends_at, months)
    return at is not None and at <= now


def erased_email_key(registration_id: int) -> str:
    """The `email_normalized` of an erased registration: its own, so never the same as another's
    (the unique index of active registrations per email and event stays satisfied)."""
    return f"{ERASED_EMAIL_PREFIX}{registration_id}"


def dead_link_hash() -> str:
    """A value for a link hash column that no token hashes to (a SHA-256 of 256 random bits,
    unique like every hash in the column)."""
    return hashlib.sha256(secrets.token_bytes(32)).hexdigest()


def kept_answers(answers: dict | None, choice_question_ids: set[int]) -> dict:
    """The answers to choice questions (the statistics show them); free text is dropped."""
    return {k: v for k, v in (answers or {}).items() if str(k).isdigit() and int(k) in choice_question_ids}
