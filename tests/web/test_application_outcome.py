"""Applicants hear the outcome (DX大賞, issue 11): an organizer's one press, confirmed on a page first,
queues one mail per decided application in the applicant's language; a second press queues nothing
new but tells a changed decision; a mail whose decision changed before it goes is not sent."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import jobs
from app.db_types import utcnow
from app.domain import mail_relevance
from app.domain.codes import Role
from app.extensions import db
from app.models import AuditLog, OutboxMessage, Registration
from app.services import applications as service
from app.services import registrations
from app.services import results as results_service
from tests import factories
from tests.races import while_holding
from tests.services.test_outbox import FakeSMTP


@pytest.fixture
def award(app):
    return factories.create_event(
        title="TOHOKU DX大賞", ticket_types=[("製品・サービス部門", None), ("業務プロセス部門", None)],
        accepts_applications=True, publishes_results=True)


def _apply(event, n, status=None, *, language="ja", tt=0):
    registration = factories.register(event, n, ticket_type_id=event.ticket_types[tt].id).registration
    registration.language = language
    if status:
        service.set_status(registration, status, now=utcnow(), actor=None)
    db.session.commit()
    return registration


def _outcome_mails(registration_id=None, status=None):
    stmt = select(OutboxMessage).where(OutboxMessage.kind == "application_outcome").order_by(OutboxMessage.id)
    if registration_id is not None:
        stmt = stmt.where(OutboxMessage.registration_id == registration_id)
    if status is not None:
        stmt = stmt.where(OutboxMessage.status == status)
    return db.session.scalars(stmt.execution_options(populate_existing=True)).all()


@pytest.fixture
def applicants(award):
    """Two shortlisted (one English), two awarded (one with an award in the results), one not selected,
    one undecided, one awarded who withdrew."""
    regs = {
        "short_ja": _apply(award, 1, "shortlisted"),
        "short_en": _apply(award, 2, "shortlisted", language="en", tt=1),
        "winner": _apply(award, 3, "awarded"),
        "winner2": _apply(award, 4, "awarded", tt=1),
        "not_selected": _apply(award, 5, "not_selected"),
        "undecided": _apply(award, 6),
        "withdrawn": _apply(award, 7, "awarded"),
    }
    registrations.cancel(regs["withdrawn"], now=utcnow())
    now = utcnow()
    results_service.add(award, award="最優秀賞", ticket_type_id=None, registration_id=regs["winner"].id,
                        title="", now=now, actor=None)
    results_service.add(award, award="優秀賞", ticket_type_id=None, registration_id=regs["winner2"].id,
                        title="", now=now, actor=None)
    db.session.commit()
    return regs


def test_the_organizer_confirms_who_gets_which_mail_then_one_press_queues_them(client, login, award, applicants):
    organizer = factories.create_organizer()
    login(organizer)
    listing = client.get(f"/organizer/events/{award.id}/applications").get_data(as_text=True)
    url = f"/organizer/events/{award.id}/applications/notify"
    assert f'href="{url}"' in listing

    confirm = client.get(url)
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and f'action="{url}"' in page
    assert "一次選考通過：2人" in page and "受賞：2人" in page and "選外：1人" in page
    assert "5件のメールを送信する" in page
    assert _outcome_mails() == []  # the confirmation queues nothing

    response = client.post(url)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/events/{award.id}/applications")
    mails = {m.registration_id: m for m in _outcome_mails()}
    assert set(mails) == {applicants[k].id for k in ("short_ja", "short_en", "winner", "winner2", "not_selected")}
    for key, outcome in (("short_ja", "shortlisted"), ("winner", "awarded"), ("not_selected", "not_selected")):
        assert mails[applicants[key].id].context == {"outcome": outcome}
        assert mails[applicants[key].id].dedupe_key == f"reg:{applicants[key].id}:application_outcome:{outcome}:1"

    # in the applicant's language
    ja = mails[applicants["short_ja"].id]
    assert ja.language == "ja" and "一次選考通過のお知らせ" in ja.subject and "一次選考を通過しました" in ja.body_text
    en = mails[applicants["short_en"].id]
    assert en.language == "en" and en.subject.startswith("Your application has been shortlisted")
    assert "has been shortlisted" in en.body_text and '<html lang="en">' in en.body_html
    not_selected = mails[applicants["not_selected"].id]
    assert "選外" in not_selected.body_text and "受賞" not in not_selected.body_text

    # an award mail names its own award, and nothing about the other applicants
    winner = mails[applicants["winner"].id]
    assert "受賞： 最優秀賞" in winner.body_text and "最優秀賞" in winner.body_html
    assert "優秀賞" not in winner.body_text.replace("最優秀賞", "")
    others = [r for k, r in applicants.items() if k != "winner"]
    for text in (winner.body_text, winner.body_html, winner.subject):
        assert not any(r.organization in text or r.full_name in text or r.reference in text for r in others)
    assert "受賞： 優秀賞" in mails[applicants["winner2"].id].body_text

    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "application.outcomes_notified"))
    assert entry.actor_id == organizer.id and entry.event_id == award.id
    assert entry.data == {"shortlisted": 2, "awarded": 2, "not_selected": 1, "already_told": 0, "no_address": 0}


def test_a_second_press_sends_nothing_twice_but_tells_a_changed_decision(client, login, award, applicants):
    login(factories.create_organizer())
    url = f"/organizer/events/{award.id}/applications/notify"
    client.post(url)
    assert len(_outcome_mails()) == 5

    again = client.get(url).get_data(as_text=True)
    assert "5人の応募者には現在の選考結果を通知済み" in again and "0件のメールを送信する" in again
    client.post(url)
    assert len(_outcome_mails()) == 5

    changed = applicants["short_ja"]
    service.set_status(changed, "awarded", now=utcnow(), actor=None)
    db.session.commit()
    assert "受賞：1人" in client.get(url).get_data(as_text=True)
    client.post(url)
    mails = _outcome_mails(changed.id)
    assert [m.context["outcome"] for m in mails] == ["shortlisted", "awarded"]
    assert mails[1].dedupe_key == f"reg:{changed.id}:application_outcome:awarded:2"
    assert len(_outcome_mails()) == 6

    # at send time the older mail (its decision changed, a newer one replaces it) is not sent
    report = jobs.deliver_due(clock=lambda: utcnow() + timedelta(seconds=1), connect=FakeSMTP())
    assert report.superseded >= 1
    old, new = _outcome_mails(changed.id)
    assert old.status == "superseded" and old.context["superseded"] == mail_relevance.NEWER_MAIL
    assert new.status == "sent"
    assert len(_outcome_mails(status="sent")) == 5


def test_a_mail_whose_decision_changed_before_it_went_is_not_sent_and_is_told_again(client, login, award,
                                                                                      applicants):
    login(factories.create_organizer())
    url = f"/organizer/events/{award.id}/applications/notify"
    client.post(url)
    moved = applicants["not_selected"]
    service.set_status(moved, "shortlisted", now=utcnow(), actor=None)
    service.set_status(applicants["winner2"], None, now=utcnow(), actor=None)  # undecided again
    registrations.cancel(applicants["short_en"], now=utcnow())
    db.session.commit()

    jobs.deliver_due(clock=lambda: utcnow() + timedelta(seconds=1), connect=FakeSMTP())
    reasons = {m.registration_id: m.context.get("superseded") for m in _outcome_mails(status="superseded")}
    assert reasons == {moved.id: mail_relevance.OUTCOME_CHANGED, applicants["winner2"].id: mail_relevance.OUTCOME_CHANGED,
                       applicants["short_en"].id: mail_relevance.REGISTRATION_CHANGED}
    listing = client.get(f"/organizer/outbox?event_id={award.id}&status=superseded").get_data(as_text=True)
    assert listing.count("選考結果の通知") == 3
    message_id = _outcome_mails(moved.id)[0].id
    detail = client.get(f"/organizer/outbox/{message_id}").get_data(as_text=True)
    assert "送信前に応募の選考結果が変更されました。" in detail

    # the decision now is told; the one that went back to undecided and the cancelled one are not
    client.post(url)
    fresh = _outcome_mails(status="pending")
    assert [(m.registration_id, m.context["outcome"]) for m in fresh] == [(moved.id, "shortlisted")]


def test_only_those_who_may_decide_applications_notify(client, login, award, applicants):
    url = f"/organizer/events/{award.id}/applications/notify"
    for role in (Role.VIEWER, Role.REVIEWER):
        login(factories.create_organizer(role=role))
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
        client.post("/logout")
    viewer = login(factories.create_organizer(role=Role.VIEWER))
    assert url not in viewer.get(f"/organizer/events/{award.id}/applications").get_data(as_text=True)
    assert _outcome_mails() == []
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "application.outcomes_notified")) is None


def test_two_presses_at_once_queue_each_mail_once(app, award, applicants):
    organizer = factories.create_organizer()
    first = lambda: service.notify_outcomes(award, now=utcnow(), actor=organizer)  # noqa: E731

    def second():
        event = db.session.get(type(award), award.id)
        return service.notify_outcomes(event, now=utcnow(), actor=None)

    held, other = while_holding(app, first, second)
    assert held.error is None and other.error is None, other.error
    assert held.value.total == 5 and other.value.total == 0 and other.value.already_told == 5
    mails = _outcome_mails()
    assert len(mails) == 5 and len({m.registration_id for m in mails}) == 5


def test_a_decision_changed_while_notifying_is_told_by_the_one_who_ran_last(app, award, applicants):
    """A decision changed while a press runs: the mail the press queued is not sent once the decision
    stands otherwise, and the next press tells the decision that stands."""
    target = applicants["not_selected"]

    def press():
        return service.notify_outcomes(award, now=utcnow(), actor=None)

    def decide():
        registration = db.session.get(Registration, target.id)
        return service.set_status(registration, "awarded", now=utcnow(), actor=None)

    held, other = while_holding(app, press, decide)
    assert held.error is None and other.error is None, other.error
    assert [m.context["outcome"] for m in _outcome_mails(target.id)] == ["not_selected"]
    assert db.session.get(Registration, target.id).application_status == "awarded"
    jobs.deliver_due(clock=lambda: utcnow() + timedelta(seconds=1), connect=FakeSMTP())
    assert _outcome_mails(target.id)[0].status == "superseded"
    # the next press tells the award
    service.notify_outcomes(award, now=utcnow(), actor=None)
    db.session.commit()
    assert [m.context["outcome"] for m in _outcome_mails(target.id)] == ["not_selected", "awarded"]
