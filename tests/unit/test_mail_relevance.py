"""The send-time rules (app.domain.mail_relevance) and mail text helpers (app.domain.mail_text)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain import mail_relevance as r
from app.domain import mail_text

NOW = datetime(2026, 7, 1, 1, 0, tzinfo=UTC)
START = datetime(2026, 7, 12, 0, 0, tzinfo=UTC)
SESSIONS = [r.SessionDate(10, START, START + timedelta(hours=2))]


def check(kind, reg="confirmed", event="published", sessions=SESSIONS, context=None, now=NOW, newer=False):
    return r.why_not_relevant(kind, context, registration_status=reg, event_status=event, sessions=sessions,
                              now=now, newer_same_kind=newer)


REMINDER = {"session_id": 10, "starts_at": int(START.timestamp())}


@pytest.mark.parametrize("kwargs,reason", [
    ({}, None),
    ({"event": "closed"}, None),
    ({"reg": "cancelled"}, r.REGISTRATION_CHANGED),
    ({"reg": "waitlisted"}, r.REGISTRATION_CHANGED),
    ({"reg": None}, r.REGISTRATION_GONE),
    ({"event": "cancelled"}, r.EVENT_CHANGED),
    ({"event": "postponed"}, r.EVENT_CHANGED),
    ({"sessions": []}, r.SESSION_GONE),
    ({"now": START}, r.SESSION_STARTED),
    ({"sessions": [r.SessionDate(10, START + timedelta(days=7))]}, r.SESSION_MOVED),
])
def test_reminder(kwargs, reason):
    assert check("reminder", context=REMINDER, **kwargs) == reason


def test_reminder_without_context_checks_the_first_session():
    assert check("reminder") is None
    assert check("reminder", now=START + timedelta(minutes=1)) == r.SESSION_STARTED


@pytest.mark.parametrize("kind,still,changed", [
    ("confirmed", "confirmed", "cancelled"),
    ("promoted", "confirmed", "cancelled"),
    ("waitlisted", "waitlisted", "confirmed"),
    ("applied", "applied", "lost"),
    ("pending", "pending", "rejected"),
    ("cancelled", "cancelled", "confirmed"),
    ("manage_link", "waitlisted", "cancelled"),
])
def test_registration_state_kinds(kind, still, changed):
    assert check(kind, reg=still) is None
    assert check(kind, reg=changed) == r.REGISTRATION_CHANGED
    assert check(kind, reg=None) == r.REGISTRATION_GONE


def test_event_status_kinds():
    assert check("event_cancelled", event="cancelled") is None
    assert check("event_postponed", event="postponed") is None
    assert check("event_postponed", event="published") == r.EVENT_CHANGED
    assert check("event_cancelled", event="postponed") == r.EVENT_CHANGED
    # a postponement is no news to someone who cancelled meanwhile; a cancellation stays true for them
    assert check("event_postponed", event="postponed", reg="cancelled") == r.REGISTRATION_CHANGED
    assert check("event_cancelled", event="cancelled", reg="cancelled") is None


def test_schedule_changed():
    told = {"dates": r.dates_signature(SESSIONS)}
    assert check("schedule_changed", context=told, reg="waitlisted") is None
    assert check("schedule_changed", context=told, newer=True) == r.NEWER_MAIL
    assert check("schedule_changed", context=told, event="postponed") == r.EVENT_CHANGED
    assert check("schedule_changed", context=told, reg="cancelled") == r.REGISTRATION_CHANGED
    moved = [r.SessionDate(10, START + timedelta(hours=1))]
    assert check("schedule_changed", context=told, sessions=moved) == r.DATES_CHANGED


def test_unknown_kinds_are_always_sent():
    assert check("something_else", reg=None, event=None) is None


def test_one_line_strips_line_breaks_and_control_characters():
    assert mail_text.one_line("悪い\r\nBcc: x@example.jp\tタイトル\x00") == "悪い Bcc: x@example.jp タイトル"
    assert mail_text.one_line("a\u2028b") == "a b"
    assert mail_text.one_line("x" * 10, 5) == "xxxx…"


def test_private_links_placeholders_fill_and_mask():
    body = f"見る {mail_text.PLACEHOLDERS['manage_url']} / {mail_text.PLACEHOLDERS['ticket_url']}"
    links = {"manage_url": "https://t.example.jp/r/abc&d", "ticket_url": "https://t.example.jp/r/abc/ticket"}
    assert mail_text.fill_links(body, links) == "見る https://t.example.jp/r/abc&d / https://t.example.jp/r/abc/ticket"
    assert "abc&amp;d" in mail_text.fill_links(body, links, html=True)
    assert mail_text.mask_links(body, "（隠）") == "見る （隠） / （隠）"
    legacy = "https://t.example.jp/r/abcdefghijklmnopqrstuvwxyz0123456789/calendar.ics"
    assert mail_text.redact_stored_links(legacy) == mail_text.PLACEHOLDERS["calendar_url"]
    assert mail_text.mask_links(legacy, "（隠）") == "（隠）"


def test_decision_mails_hold_while_the_decision_holds():
    from app.domain.mail_relevance import REGISTRATION_CHANGED, why_not_relevant

    def check(kind, status):
        return why_not_relevant(kind, {}, registration_status=status, event_status="published", sessions=[],
                                now=datetime(2026, 1, 1, tzinfo=UTC))

    assert check("approved", "confirmed") is None
    assert check("approved", "cancelled") == REGISTRATION_CHANGED
    assert check("rejected", "rejected") is None
    assert check("rejected", "pending") == REGISTRATION_CHANGED
