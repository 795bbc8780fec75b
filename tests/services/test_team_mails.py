"""A team registration's mails tell the teacher the team's name, its 参加枠 (division) and how many
members it has, and point to the team page to change them (a private link: a placeholder in the
stored body, filled in at send time). The members' names are never written into a mail (minors;
the stored outbox body outlives the erasure). Japanese and English alike: the registrant's language."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import jobs, notifications
from app.db_types import utcnow
from app.domain import teams as team_rules
from app.domain.registration_input import clean_registration
from app.extensions import db
from app.models import OutboxMessage, ReminderRule
from app.services import outbox, registrations, teams
from tests import factories
from tests.services.test_outbox import FakeSMTP

MEMBER_NAMES = ("花子", "次郎", "三郎", "四郎", "ハナコ", "はなこ")


def _debate(**fields):
    fields.setdefault("team_mode", "team")
    fields.setdefault("team_min_members", 3)
    fields.setdefault("team_max_members", 6)
    fields.setdefault("title_en", "Tohoku Debate Contest")
    return factories.create_event(title="東北ディベート大会", ticket_types=[("高校の部", 1), ("中学の部", 2)],
                                  **fields)


def _register(event, language="ja", *, name="仙台第一高校A", members=4, n=None, ticket_type=0, **overrides):
    raw = factories.registration_data(event, n, **overrides)
    raw["ticket_type_id"] = event.ticket_types[ticket_type].id
    clean, errors = clean_registration(raw, questions=[], ticket_type_ids=[t.id for t in event.ticket_types])
    assert not errors, errors
    clean.team, team_errors = team_rules.clean_team(factories.team_data(name=name, members=members),
                                                    team_rules.rules_of(event))
    assert not team_errors, team_errors
    result = registrations.register(event, clean, now=utcnow(), language=language)
    db.session.commit()
    return result.registration


def _smith(event, **overrides):
    return _register(event, "en", family_name="Smith", given_name="John", family_name_kana="", given_name_kana="",
                     email="john.smith@example.com", organization="Sendai International School", **overrides)


def _mails(registration, kind):
    return db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.registration_id == registration.id, OutboxMessage.kind == kind)
        .order_by(OutboxMessage.id).execution_options(populate_existing=True)).all()


def _no_member_names(*bodies):
    for body in bodies:
        for name in MEMBER_NAMES:
            assert name not in body


def test_the_confirmation_tells_the_team_division_and_count_with_the_team_page_as_a_placeholder(app):
    event = _debate()
    reg = _register(event)
    [mail] = _mails(reg, "confirmed")
    for body in (mail.body_text, mail.body_html):
        assert "仙台第一高校A" in body and "高校の部" in body
        assert "メンバー数：4名" in body
        assert "[[tsudoi-private:team_url]]" in body and "/r/" not in body  # never stored in full
    assert "チーム名： 仙台第一高校A" in mail.body_text
    _no_member_names(mail.body_text, mail.body_html)
    # At send time the placeholder becomes the registrant's own team page.
    sent = outbox.text_as_sent(mail)
    assert f"/r/{reg.manage_token}/team" in sent and "[[tsudoi-private" not in sent


def test_an_english_teacher_gets_it_in_english_and_the_team_page_opens_in_english(app):
    event = _debate()
    smith = _smith(event)
    [mail] = _mails(smith, "confirmed")
    assert "Team name: 仙台第一高校A" in mail.body_text and "Number of members: 4" in mail.body_text
    assert "Change the team's members:" in mail.body_text and "チーム名" not in mail.body_text
    assert "メンバー数" not in mail.body_html and "Number of members: 4" in mail.body_html
    smtp = FakeSMTP()
    jobs.deliver_due(clock=lambda: utcnow() + timedelta(seconds=1), connect=smtp)
    [message] = [m for m in smtp.sent if m.recipients == ["john.smith@example.com"]]
    assert f"/r/{smith.manage_token}/team?lang=en" in message.body
    assert f"/r/{smith.manage_token}/team?lang=en" in message.html
    _no_member_names(message.body, message.html)


def test_waitlisted_promoted_and_cancelled_mails_carry_the_team_too(app):
    event = _debate()
    first = _register(event, name="仙台第一高校A")
    second = _register(event, name="石巻高校B", members=5)
    assert second.status == "waitlisted"
    [waiting] = _mails(second, "waitlisted")
    assert "石巻高校B" in waiting.body_text and "メンバー数：5名" in waiting.body_text
    assert "[[tsudoi-private:team_url]]" in waiting.body_text  # a waiting team may still change its members
    registrations.cancel(first, now=utcnow())
    db.session.commit()
    [promoted] = _mails(second, "promoted")
    assert "石巻高校B" in promoted.body_text and "メンバー数：5名" in promoted.body_html
    [cancelled] = _mails(first, "cancelled")
    for body in (cancelled.body_text, cancelled.body_html):
        assert "仙台第一高校A" in body and "高校の部" in body and "メンバー数：4名" in body
        assert "team_url" not in body  # nothing left to change
    _no_member_names(waiting.body_text, promoted.body_text, promoted.body_html, cancelled.body_text)


def test_reminder_and_manage_link_mails_carry_the_team(app):
    from app.domain.reminders import due_at
    from app.services import reminders

    event = _debate()
    event.reminder_rules.append(ReminderRule(days_before=7, send_time="10:00"))
    db.session.commit()
    reg = _register(event)
    assert reminders.queue_due_reminders(due_at(event.starts_at, 7, "10:00")) == 1
    notifications.manage_link(reg, now=utcnow())
    db.session.commit()
    for kind in ("reminder", "manage_link"):
        [mail] = _mails(reg, kind)
        assert "チーム名： 仙台第一高校A" in mail.body_text and "メンバー数：4名" in mail.body_text
        assert "[[tsudoi-private:team_url]]" in mail.body_text
        _no_member_names(mail.body_text, mail.body_html)


def test_past_the_deadline_the_mail_no_longer_points_to_the_team_page(app):
    event = _debate()
    reg = _register(event)
    event.team_edit_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    _subject, text = notifications.preview("confirmed", reg, now=utcnow(), link_mask="(link)")
    assert "チーム名： 仙台第一高校A" in text and "メンバー数：4名" in text
    assert "メンバーの変更" not in text


def test_the_count_is_kept_after_the_erasure_and_names_never_appear(app):
    event = _debate()
    reg = _register(event, members=3)
    team = teams.team_of(reg.id)
    teams.erase_members(team.id, now=utcnow())
    db.session.commit()
    _subject, text = notifications.preview("cancelled", reg, now=utcnow(), link_mask="(link)")
    assert "メンバー数：3名" in text


@pytest.mark.parametrize("mode", ["", "hackathon"])
def test_other_events_mails_have_no_team_lines(app, create_event, mode):
    event = create_event(team_mode=mode)
    reg = factories.register(event).registration
    [mail] = _mails(reg, "confirmed")
    assert "チーム名" not in mail.body_text and "team_url" not in mail.body_text
