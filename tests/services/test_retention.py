"""The erasure of registrants' personal data after the retention period (the privacy page's promise):
exactly the due events, once, in committed batches, every figure unchanged, every private link dead.

Dates are Japan-time calendar days counted from today's date in Japan (never "now minus an
hour"): an event ended N months and a day ago is due whatever the hour, one ended N months
minus a day ago is not.
"""
from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app import jobs, urls
from app.db_types import utcnow
from app.domain import kpi as kpi_rules
from app.domain import retention as rules
from app.domain.dates import jst_datetime, to_jst
from app.extensions import db
from app.models import (
    ApplicationFile,
    Attendance,
    AuditLog,
    ExportLog,
    ImportFile,
    OutboxMessage,
    ParticipationFact,
    Question,
    Registration,
    TicketType,
)
from app.services import applications, invariants, kpis, participation, registrations, retention, stats
from tests import factories


def _months_back(day: date, months: int) -> date:
    return to_jst(rules.add_months(jst_datetime(day.year, day.month, day.day, 12), -months)).date()


def _today() -> date:
    return to_jst(utcnow()).date()


def _event_on(day: date, **fields):
    """A one-session event held on `day` (10:00-12:00 in Japan), registration closed the day before."""
    start = jst_datetime(day.year, day.month, day.day, 10)
    event = factories.create_event(starts_at=start, registration_opens_at=start - timedelta(days=30),
                                   registration_closes_at=start - timedelta(days=1), completion_min_sessions=1,
                                   **fields)
    text_q = Question(event_id=event.id, kind="textarea", label="ご質問", position=0)
    choice_q = Question(event_id=event.id, kind="single", label="きっかけ", choices=["チラシ", "Web"], position=1)
    db.session.add_all([text_q, choice_q])
    db.session.commit()
    return event, text_q, choice_q


def _register(event, text_q, choice_q, n: int, *, attended: bool = True, org: str | None = None):
    start = event.starts_at
    reg = factories.register(event, n, now=start - timedelta(days=2),
                             organization=org or f"株式会社テスト{n}",
                             answers={str(text_q.id): f"山田{n}です。090-1234-5678", str(choice_q.id): "Web"}
                             ).registration
    reg.note = f"{n}番: 車椅子で来場"
    if attended:
        db.session.add(Attendance(event_id=event.id, session_id=event.sessions[0].id, registration_id=reg.id,
                                  method="door", attended_at=start))
    db.session.commit()
    return reg


@pytest.fixture()
def world(app):
    """Event `due` (ended N months and a day ago), `kept` (N months minus a day ago) and `newer`
    (a month ago), where person 1 took part in all three (returning at the later two)."""
    months = retention.retention_months()
    today = _today()
    due, dq, dc = _event_on(_months_back(today, months) - timedelta(days=1), category="seminar")
    kept, kq, kc = _event_on(_months_back(today, months) + timedelta(days=1), category="seminar")
    newer, nq, nc = _event_on(_months_back(today, 1), category="workshop")
    regs = [_register(due, dq, dc, n, attended=n != 3) for n in (1, 2, 3)]
    cancelled = _register(due, dq, dc, 4, attended=False)
    registrations.cancel(cancelled, now=due.starts_at - timedelta(days=1), actor=factories.create_organizer(),
                         reason="本人から電話: 入院のため")
    db.session.commit()
    _register(kept, kq, kc, 1, org="合同会社転職先")  # returning by the email alone (not by the organisation)
    _register(kept, kq, kc, 5)
    _register(newer, nq, nc, 1)
    _register(newer, nq, nc, 6, org="株式会社テスト2")
    participation.count_started_events(utcnow())
    db.session.commit()
    years = sorted({r.fiscal_year for r in db.session.scalars(select(ParticipationFact))})
    measures = [kpi_rules.PEOPLE, kpi_rules.ATTENDEES, kpi_rules.ORGANIZATIONS, kpi_rules.COMPLETERS]
    for measure in measures:
        kpis.save(None, {"name": measure, "fiscal_year_from": years[0], "fiscal_year_to": years[-1],
                         "measure": measure, "target": 10}, actor=None, now=utcnow())
    db.session.commit()
    return {"due": due, "kept": kept, "newer": newer, "regs": [*regs, cancelled], "months": months,
            "choice": dc}


def _figures(world) -> dict:
    """What the statistics pages show: each event's page and answers, the 年度 table and totals."""
    db.session.expire_all()
    years = sorted({r.fiscal_year for r in db.session.scalars(select(ParticipationFact))})
    whole = stats.EventFilter(years[0], years[-1])
    seminars = stats.EventFilter(years[0], years[-1], category="seminar")
    return {
        "events": {name: stats.event_stats(world[name]) for name in ("due", "kept", "newer")},
        "answers": stats.choice_answers(world["due"]),
        "summary": stats.summary(whole), "by_category": stats.summary(whole, grouping="category"),
        "totals": stats.totals(whole), "filtered": stats.summary(seminars), "filtered_totals": stats.totals(seminars),
        "breaches": [str(b) for b in invariants.breaches()],
        "kpis": {k.name: (m.value, m.events, m.matches) for k in kpis.all_kpis() if (m := kpis.measure(k))},
    }


def _erased(reg_id: int) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, reg_id)


def test_add_months_counts_calendar_months_in_japan():
    end = jst_datetime(2025, 8, 31, 23, 30)  # 14:30 UTC
    assert rules.add_months(end, 6) == jst_datetime(2026, 2, 28, 23, 30)
    assert rules.add_months(jst_datetime(2027, 2, 28, 12), 12) == jst_datetime(2028, 2, 28, 12)
    assert rules.erase_due_at(None, 12) is None
    assert rules.kept_answers({"1": "text", "2": "Web", "x": 1}, {2}) == {"2": "Web"}


def test_the_job_erases_exactly_the_due_event_once_and_every_figure_stays(world):
    before = _figures(world)
    assert before["events"]["newer"]["returning"] == 2 and before["events"]["kept"]["returning"] == 1
    assert before["breaches"] == []
    assert before["kpis"]["completers"][0] == 4  # people 1, 2, 5, 6 (1 at all three events, counted once)
    kept_before = {r.id: (r.email, r.family_name, r.note, dict(r.answers)) for r in db.session.scalars(
        select(Registration).where(Registration.event_id != world["due"].id))}

    assert jobs.erase_registrants(utcnow()) == {world["due"].id: 4}

    choice = str(world["choice"].id)
    for reg in world["regs"]:
        reg = _erased(reg.id)
        assert reg.erased_at is not None
        assert (reg.email, reg.family_name, reg.given_name, reg.family_name_kana, reg.given_name_kana, reg.phone,
                reg.department, reg.job_title, reg.note) == ("",) * 9
        assert reg.email_normalized == f"erased:{reg.id}"
        assert reg.answers == {choice: "Web"}  # the free text is gone, the choice kept
        assert reg.organization.startswith("株式会社テスト") and reg.organization_key and reg.prefecture == "04"
        assert "山田" not in reg.search_text and "taro" not in reg.search_text
    assert _erased(world["regs"][3].id).status == "cancelled"
    db.session.expire_all()
    kept_after = {r.id: (r.email, r.family_name, r.note, dict(r.answers)) for r in db.session.scalars(
        select(Registration).where(Registration.event_id != world["due"].id))}
    assert kept_after == kept_before and all(v[0] for v in kept_after.values())

    assert _figures(world) == before
    participation.rebuild(utcnow())  # counted again from the erased rows: the same
    assert _figures(world) == before
    assert jobs.erase_registrants(utcnow()) == {}  # once
    assert db.session.scalar(select(func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "registration.erased")) == 4


def test_the_pass_report_counts_the_erased(world):
    report = jobs.run_once(connect=lambda: None)
    assert report.registrants_erased == 4
    assert "registrations whose personal data was erased: 4" in report.summary()


def test_private_links_of_an_erased_registration_find_nothing(world, client):
    reg = world["regs"][0]
    token = urls.manage_token(reg)
    db.session.commit()
    join = urls.join_url(reg).removeprefix("http://localhost")
    db.session.commit()
    paths = [f"/r/{token}", f"/r/{token}/ticket", f"/r/{token}/calendar.ics"]
    assert [client.get(p).status_code for p in paths] == [200, 200, 200]
    assert client.get(join).status_code != 404  # the join link is known (the event is over: it says so)
    jobs.erase_registrants(utcnow())
    for path in [*paths, join]:
        response = client.get(path)
        assert response.status_code == 404
        assert "山田" not in response.get_data(as_text=True)
    with pytest.raises(LookupError):  # never given a new link either
        urls.manage_url(_erased(reg.id))


def test_mails_files_audit_and_leftovers_are_erased(world, app, tmp_path):
    app.config["APPLICATION_FILES_DIR"] = str(tmp_path)
    reg = world["regs"][0]
    item = ApplicationFile(registration_id=reg.id, kind="pdf", original_name="山田太郎_企画書.pdf",
                           stored_name="f" * 32, size=5, sha256="0" * 64)
    db.session.add(item)
    db.session.commit()
    path = applications.file_path(item)
    with open(path, "wb") as f:
        f.write(b"%PDF-")
    sent = db.session.scalar(select(OutboxMessage).where(OutboxMessage.registration_id == reg.id))
    sent.status, sent.sent_at, sent.attachments = "sent", world["due"].starts_at, [{"filename": "受付票.pdf"}]
    subject = sent.subject
    assert reg.email in sent.to_email and sent.body_text
    db.session.add(ImportFile(sha256="1" * 64, filename="名簿.csv", content="山田,太郎".encode(),
                              event_id=world["due"].id, status="uploaded"))
    db.session.add(ExportLog(event_id=world["due"].id, format="csv", filter={"q": "山田", "status": "confirmed"},
                             report=[[2, "氏名", "髙橋 太郎", "?橋 太郎"]], replaced_cells=1))
    db.session.commit()
    sent_id = sent.id

    jobs.erase_registrants(utcnow())

    db.session.expire_all()
    assert not os.path.exists(path)
    assert db.session.scalar(select(func.count()).select_from(ApplicationFile)) == 0
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.registration_id.in_(
        [r.id for r in world["regs"]]))).all()
    assert mails and all(m.to_email == "" and m.body_text == "" and m.body_html == "" and m.attachments == []
                         and (m.context or {}).get("erased") for m in mails)
    kept_mail = db.session.get(OutboxMessage, sent_id)
    assert kept_mail.status == "sent" and kept_mail.sent_at is not None and kept_mail.subject == subject
    assert all(m.status in ("sent", "superseded") for m in mails)
    words = [e.data for e in db.session.scalars(select(AuditLog).where(AuditLog.registration_id.in_(
        [r.id for r in world["regs"]])))]
    assert not any("入院" in str(d) for d in words)
    assert any(d.get("from") == "confirmed" for d in words)  # the cancellation is still recorded
    assert db.session.scalar(select(ImportFile.content)) == b""
    log = db.session.scalar(select(ExportLog))
    assert log.filter == {"status": "confirmed"} and log.report == [] and log.replaced_cells == 1


def test_batches_commit_and_a_failure_loses_nothing(world, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 1)
    real = retention.erase_batch
    calls = []

    def failing_second(event_id, ids, **kw):
        calls.append(list(ids))
        if len(calls) == 2:
            raise RuntimeError("crash")
        return real(event_id, ids, **kw)

    monkeypatch.setattr(retention, "erase_batch", failing_second)
    assert jobs.erase_registrants(utcnow()) == {world["due"].id: 1}  # the first batch committed, then the crash
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Registration)
                             .where(Registration.erased_at.is_not(None))) == 1
    assert jobs.erase_registrants(utcnow()) == {world["due"].id: 3}  # the next pass goes on, one at a time
    assert [len(c) for c in calls] == [1] * 5


def test_a_rescheduled_event_is_not_erased(world):
    """Decided under the event's lock: an event found due and then moved later is left alone."""
    due = world["due"]
    ids = retention.pending(due.id)
    session = due.sessions[0]
    session.starts_at = session.starts_at + timedelta(days=40)
    session.ends_at = session.ends_at + timedelta(days=40)
    db.session.commit()
    assert retention.erase_batch(due.id, ids, now=utcnow()).erased == 0
    db.session.rollback()
    assert _erased(ids[0]).erased_at is None


def test_cli_dry_run_changes_nothing_then_erases(world, runner):
    before = _figures(world)
    out = runner.invoke(args=["registrants", "erase", "--dry-run"])
    assert out.exit_code == 0, out.output
    assert f"event {world['due'].id} " in out.output and "4 registrations would be erased" in out.output
    assert f"event {world['kept'].id} " not in out.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Registration)
                             .where(Registration.erased_at.is_not(None))) == 0
    assert db.session.get(Registration, world["regs"][0].id).email.startswith("taro")
    out = runner.invoke(args=["registrants", "erase"])
    assert out.exit_code == 0, out.output
    assert "4 registrations erased" in out.output and "registrations whose personal data erased: 4" in out.output
    assert _figures(world) == before
    check = runner.invoke(args=["check"])
    assert check.exit_code == 0 and "ok: no breach" in check.output, check.output


# --- races (tests/races.py: the second operation loads its objects, then waits for the first's locks) ---


def _race_figures(world) -> dict:
    figures = _figures(world)
    figures.pop("breaches")
    return figures


@pytest.mark.parametrize("erase_first", [True, False], ids=["erase-then-cancel", "cancel-then-erase"])
def test_a_cancellation_racing_the_erasure_ends_consistent(world, app, erase_first):
    from tests.races import assert_no_breach, while_holding

    due_id, target = world["due"].id, world["regs"][0].id
    tt_id = _erased(target).ticket_type_id

    def erase():
        return retention.erase_batch(due_id, [target], now=utcnow()).erased

    def cancel():
        return registrations.cancel(db.session.get(Registration, target), now=utcnow())

    first, second = while_holding(app, *((erase, cancel) if erase_first else (cancel, erase)))
    assert first.error is None, first.error
    reg = _erased(target)
    assert reg.erased_at is not None and reg.email == "" and reg.family_name == ""
    assert (first.value if erase_first else second.value) == 1
    if erase_first:  # the cancellation re-reads the row under its lock and finds it erased: refused
        assert getattr(second.error, "code", None) == "erased", second.error
        assert reg.status == "confirmed"
    else:
        assert second.error is None, second.error
        assert reg.status == "cancelled"
    confirmed = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.ticket_type_id == tt_id, Registration.status == "confirmed"))
    assert db.session.get(TicketType, tt_id).confirmed_count == confirmed == (3 if erase_first else 2)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.registration_id == target, OutboxMessage.to_email != "")) == 0  # nothing to a blank address
    assert_no_breach()
    figures = _race_figures(world)
    participation.rebuild(utcnow())  # the summary tables agree with the rows
    assert _race_figures(world) == figures
    assert figures["events"]["due"]["cancelled"] == (1 if erase_first else 2)


def test_no_file_is_added_to_an_erased_registration(world):
    from io import BytesIO

    reg_id = world["regs"][0].id
    jobs.erase_registrants(utcnow())
    with pytest.raises(applications.FileRefused) as refused:
        applications.add_file(_erased(reg_id), BytesIO(b"%PDF-1.4 x"), "a.pdf", now=utcnow(),
                              actor=factories.create_organizer())
    assert refused.value.code == "erased"
    db.session.rollback()


def test_a_team_registrations_members_and_review_comments_go_too(app):
    """Without a team retention setting of its own, a team's members' names go with its registration."""
    from app.models import ReviewAssignment, Team, TeamMember

    day = _months_back(_today(), retention.retention_months()) - timedelta(days=3)
    start = jst_datetime(day.year, day.month, day.day, 10)
    event = factories.create_event(ticket_types=[("高校の部", 4)], team_mode="team", team_min_members=3,
                                   team_max_members=6, team_consent_text="同意を得てください。", starts_at=start,
                                   registration_opens_at=start - timedelta(days=30),
                                   registration_closes_at=start - timedelta(days=1))
    reg = factories.register(event, 1, now=start - timedelta(days=2), team=factories.team_data(members=4)
                             ).registration
    reviewer = factories.create_organizer(role="reviewer")
    db.session.add(ReviewAssignment(registration_id=reg.id, reviewer_id=reviewer.id, scores={"1": 8},
                                    comment="山田さんの発表は明快"))
    db.session.commit()
    assert jobs.erase_registrants(utcnow()) == {event.id: 1}
    db.session.expire_all()
    names = db.session.execute(select(TeamMember.family_name, TeamMember.given_name, TeamMember.grade)
                               .join(Team).where(Team.event_id == event.id)).all()
    assert len(names) == 4 and {(f, g) for f, g, _grade in names} == {("", "")}
    assert {grade for *_n, grade in names} == {"高校2年"}
    assert db.session.scalar(select(Team.members_erased_at)) is not None
    review = db.session.scalar(select(ReviewAssignment))
    assert review.comment == "" and review.scores == {"1": 8}


def test_a_hackathon_members_rows_lose_the_names_they_carry(app):
    from app.models import TeamMember
    from app.services import teams

    day = _months_back(_today(), retention.retention_months()) - timedelta(days=3)
    start = jst_datetime(day.year, day.month, day.day, 10)
    event = factories.create_event(team_mode="hackathon", team_max_members=3, sessions=2, starts_at=start,
                                   registration_opens_at=start - timedelta(days=30),
                                   registration_closes_at=start - timedelta(days=1))
    a, b = (factories.register(event, n, now=start - timedelta(days=2)).registration for n in (1, 2))
    team = teams.form_team(a, "チーム東北", now=start - timedelta(days=2))
    teams.join_team(b, team.invite_code, now=start - timedelta(days=2))
    db.session.commit()
    for member in db.session.scalars(select(TeamMember)):
        member.family_name = "山田"  # what a member row may carry
    db.session.commit()
    assert jobs.erase_registrants(utcnow()) == {event.id: 2}
    db.session.expire_all()
    rows = db.session.scalars(select(TeamMember)).all()
    assert len(rows) == 2 and {m.family_name for m in rows} == {""}


def test_an_erased_registration_refuses_every_change_in_the_services(world):
    """The services refuse (not only the organizer's pages): an API call or a bulk action cannot
    change an erased registration, nor store a message or reason about it."""
    from app.models import AuditLog, TicketType
    from app.services.errors import ServiceError

    retention.erase_batch(world["due"].id, [r.id for r in world["regs"]], now=utcnow())
    db.session.commit()
    reg = _erased(world["regs"][0].id)
    other = db.session.scalars(select(TicketType).where(TicketType.event_id == reg.event_id,
                                                        TicketType.id != reg.ticket_type_id)).first()
    before = db.session.scalar(select(func.count()).select_from(AuditLog))
    attempts = [
        lambda: registrations.cancel(reg, now=utcnow(), reason="理由"),
        lambda: registrations.reject(reg, now=utcnow(), actor=None, message="お知らせ"),
        lambda: registrations.approve(reg, now=utcnow(), actor=None, message="お知らせ"),
        lambda: registrations.set_mail_language(reg, "en", supported=["ja", "en"], now=utcnow()),
    ]
    if other is not None:
        attempts.append(lambda: registrations.move(reg, other, now=utcnow(), actor=None))
    for attempt in attempts:
        with pytest.raises(ServiceError) as refused:
            attempt()
        db.session.rollback()
        assert refused.value.code == "erased"
    outcomes = registrations.cancel_many(reg.event_id, [reg.id], now=utcnow(), actor=None, reason="理由")
    db.session.rollback()
    assert [o.done for o in outcomes] == [False]
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == before
    assert _erased(reg.id).status == "confirmed"


def test_a_worker_pass_erases_a_bounded_number_of_batches_and_still_delivers(world, monkeypatch):
    """A backlog (a first deploy after years of events) is worked off over the passes: each pass
    erases at most ERASE_BATCHES_PER_PASS batches, stops when asked, and the mails are still sent."""
    from app import jobs

    monkeypatch.setattr(retention, "BATCH", 1)
    monkeypatch.setattr(jobs, "ERASE_BATCHES_PER_PASS", 3)
    sent = []
    monkeypatch.setattr(jobs, "deliver_due", lambda **kw: sent.append(kw) or jobs.DeliveryReport())

    def erased_count():
        db.session.expire_all()
        return db.session.scalar(select(func.count()).select_from(Registration)
                                 .where(Registration.erased_at.is_not(None)))

    report = jobs.run_once()
    assert report.registrants_erased == 3 and erased_count() == 3 and len(sent) == 1
    assert jobs.run_once(should_stop=lambda: True).registrants_erased == 0 and len(sent) == 2
    assert jobs.run_once().registrants_erased == 1 and erased_count() == 4  # the rest of the event
    assert jobs.run_once().registrants_erased == 0


def test_the_cli_says_each_event_as_it_is_done(world, runner):
    out = runner.invoke(args=["registrants", "erase"])
    assert f"[1/1] event {world['due'].id} " in out.output
