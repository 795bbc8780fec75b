"""Every mail to a registrant is in the registrant's language (issue 12, part 3).

The language is kept on the registration; each mail is rendered in it when it is queued
(whoever queues it: the registrant's request, an organizer's, or the jobs, which run
without a request) and what is built at send time (the calendar file, the private links)
is built in it too. The event's English title is used in English, the Japanese one otherwise.
"""
from __future__ import annotations

from datetime import timedelta

from flask import g
from icalendar import Calendar
from sqlalchemy import select

from app import jobs
from app.db_types import utcnow
from app.domain.registration_input import clean_registration
from app.domain.reminders import due_at
from app.extensions import db
from app.models import OutboxMessage, ReminderRule
from app.services import outbox, registrations, reminders
from tests.factories import registration_data
from tests.services.test_outbox import FakeSMTP

TITLE_JA = "TOHOKU DXセミナー2027"
TITLE_EN = "TOHOKU DX Seminar 2027"


def _register(event, language: str, **overrides):
    data = registration_data(event, **overrides)
    clean, errors = clean_registration(data, questions=[], ticket_type_ids=[t.id for t in event.ticket_types])
    assert not errors, errors
    result = registrations.register(event, clean, now=utcnow(), language=language)
    db.session.commit()
    return result.registration


def _smith(event, **overrides):
    return _register(event, "en", family_name="Smith", given_name="John", family_name_kana="",
                     given_name_kana="", email="john.smith@example.com", organization="Acme Ltd.", **overrides)


def _as_the_worker():
    """What the jobs run in: an application context with no request and nothing left on `g`."""
    for name in list(g):
        g.pop(name)


def _mails(registration, kind=None):
    stmt = select(OutboxMessage).where(OutboxMessage.registration_id == registration.id).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return db.session.scalars(stmt.execution_options(populate_existing=True)).all()


def test_an_english_registrant_gets_the_confirmation_in_english_with_the_english_title(app, create_event):
    event = create_event(title=TITLE_JA, title_en=TITLE_EN)
    smith = _smith(event)
    assert smith.language == "en" and smith.family_name_kana == ""
    [mail] = _mails(smith)
    assert mail.kind == "confirmed" and mail.language == "en"
    assert mail.subject == f"Registration confirmed: {TITLE_EN}"
    assert "Dear Smith John," in mail.body_text and TITLE_EN in mail.body_text
    assert TITLE_JA not in mail.body_text and "申し込み" not in mail.body_text
    assert '<html lang="en">' in mail.body_html and TITLE_EN in mail.body_html


def test_a_japanese_registrant_of_the_same_event_gets_japanese(app, create_event):
    event = create_event(title=TITLE_JA, title_en=TITLE_EN)
    yamada = _register(event, "ja")
    [mail] = _mails(yamada)
    assert mail.language == "ja" and TITLE_JA in mail.subject and TITLE_EN not in mail.body_text
    assert "様" in mail.body_text


def test_without_an_english_title_the_english_mail_names_the_event_in_japanese_marked_so(app, create_event):
    event = create_event(title=TITLE_JA)
    smith = _smith(event)
    [mail] = _mails(smith)
    assert mail.subject == f"Registration confirmed: {TITLE_JA}"
    assert f'<span lang="ja">{TITLE_JA}</span>' in mail.body_html


def test_mails_queued_by_the_jobs_are_in_the_registrants_language(app, create_event):
    """The jobs render without a request: each mail takes the registrant's language, not a default."""
    event = create_event(title=TITLE_JA, title_en=TITLE_EN)
    event.reminder_rules.append(ReminderRule(days_before=7, send_time="10:00"))
    db.session.commit()
    smith, yamada = _smith(event), _register(event, "ja")
    due = due_at(event.starts_at, 7, "10:00")
    _as_the_worker()
    assert reminders.queue_due_reminders(due) == 2
    db.session.commit()
    [english] = _mails(smith, "reminder")
    [japanese] = _mails(yamada, "reminder")
    assert english.subject == f"Reminder: {TITLE_EN}" and "This is a reminder" in english.body_text
    assert TITLE_JA in japanese.subject and "This is a reminder" not in japanese.body_text


def test_cancellation_and_waitlist_promotion_mails_follow_the_language(app, create_event):
    event = create_event(title=TITLE_JA, title_en=TITLE_EN, capacity=1)
    yamada = _register(event, "ja")
    smith = _smith(event)
    assert smith.status == "waitlisted"
    assert _mails(smith, "waitlisted")[0].subject == f"You are on the waiting list: {TITLE_EN}"
    _as_the_worker()  # cancelled outside Smith's request: the promotion mail is still Smith's, in English
    registrations.cancel(yamada, now=utcnow())
    db.session.commit()
    assert _mails(smith, "promoted")[0].subject == f"A seat is now yours: {TITLE_EN}"
    assert _mails(yamada, "cancelled")[0].language == "ja"
    registrations.cancel(smith, now=utcnow())
    db.session.commit()
    cancelled = _mails(smith, "cancelled")[0]
    assert cancelled.subject == f"Registration cancelled: {TITLE_EN}" and cancelled.language == "en"


def test_at_send_time_the_calendar_and_the_links_are_in_the_registrants_language(app, create_event):
    event = create_event(title=TITLE_JA, title_en=TITLE_EN)
    _smith(event)
    yamada = _register(event, "ja")
    smtp = FakeSMTP()
    _as_the_worker()
    jobs.deliver_due(clock=lambda: utcnow() + timedelta(seconds=1), connect=smtp)
    sent = {m.recipients[0]: m for m in smtp.sent}
    english, japanese = sent["john.smith@example.com"], sent[yamada.email]
    assert "?lang=en" in english.body and "?lang=en" not in japanese.body
    for message, title in ((english, TITLE_EN), (japanese, TITLE_JA)):
        [attachment] = message.attachments
        calendar = Calendar.from_ical(attachment.data)
        assert str(calendar.get("x-wr-calname")) == title


def test_the_message_keeps_its_language_when_the_registration_is_read_again(app, create_event):
    """A retried mail is sent as it was queued, in the language it was queued in."""
    event = create_event(title=TITLE_JA, title_en=TITLE_EN)
    smith = _smith(event)
    [mail] = _mails(smith)
    assert outbox.text_as_sent(mail).count("?lang=en") >= 1
