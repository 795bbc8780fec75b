"""`flask demo load`: the report's events with their figures, and upcoming open editions."""
from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.demo.generator import DEMO_ACCOUNTS, DemoAlreadyLoaded, load_demo, reset_demo
from app.domain.admission import WindowState, event_window
from app.domain.codes import PREFECTURES, EventStatus
from app.domain.dates import jst_datetime
from app.extensions import db
from app.models import (
    AuditLog,
    CheckinAssignment,
    Event,
    EventResult,
    EventSeries,
    Organizer,
    Registration,
    TicketType,
)
from app.services import series as series_service

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)  # 2026-06-01 12:00 in Japan
KATAKANA = re.compile(r"^[ァ-ヶー]+$")


@pytest.fixture
def loaded(app):
    result = load_demo(now=NOW, seed=7)
    db.session.commit()
    return result


def _event(slug: str) -> Event:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def _registrations(slug: str, **filters) -> list[Registration]:
    query = select(Registration).join(Event).where(Event.slug == slug)
    for name, value in filters.items():
        query = query.where(getattr(Registration, name) == value)
    return list(db.session.scalars(query))


def test_load_fills_an_empty_database(loaded):
    assert loaded.past >= 12 and loaded.upcoming >= 10
    assert db.session.scalar(select(func.count()).select_from(Event)) == loaded.events
    assert db.session.scalar(select(func.count()).select_from(Registration)) == loaded.registrations
    assert loaded.registrations > 2000
    # Editions of one programme are linked by their series.
    dx = db.session.scalar(select(EventSeries).where(EventSeries.slug == "tohoku-dx-seminar"))
    assert {e.slug for e in dx.events} >= {"dx-seminar-r2", "dx-seminar-r3", "dx-seminar-next"}
    assert _event("dx-seminar-next").copied_from_id == _event("dx-seminar-r3").id


def test_past_editions_carry_the_reports_figures(loaded):
    maas = _registrations("maas-symposium-r2", status="confirmed")
    assert len(maas) == 248
    assert Counter(r.organization_type for r in maas) == {
        "company": 159, "municipality": 50, "public_agency": 24, "association": 15}
    assert sum(r.checked_in_at is not None for r in maas) == 210
    assert _event("maas-symposium-r2").starts_at == jst_datetime(2021, 3, 16, 13)

    award = _registrations("dx-award-r3", status="confirmed")
    assert Counter(r.ticket_type.name for r in award) == {"製品・サービス部門": 13, "業務プロセス部門": 11, "支援部門": 10}
    assert all(t.capacity is None for t in _event("dx-award-r3").ticket_types)

    # 参加者 in the report are the people who attended.
    for slug, attended in (("dx-seminar-r2", 110), ("dx-seminar-r3", 97), ("dx-juku-r2", 70), ("dx-juku-r3", 19)):
        regs = _registrations(slug, status="confirmed")
        assert sum(r.checked_in_at is not None for r in regs) == attended, slug
    pitch = [r for r in _registrations("government-pitch-r3") if r.checked_in_at is not None]
    assert len(pitch) == 450
    assert sum(r.ticket_type.name == "ベンチャー・スタートアップ" for r in pitch) == 180

    seminar = _event("dx-seminar-r3")
    assert seminar.starts_at == jst_datetime(2021, 7, 12, 13, 30) and seminar.format == "online"
    assert "aiforce solutions" in seminar.description
    assert [len(_event(s).sessions) for s in ("dx-juku-r2", "dx-juku-r3", "migiude-r2")] == [2, 2, 7]
    assert _event("migiude-r2").sessions[0].starts_at == jst_datetime(2021, 1, 16, 10, 30)
    assert _event("migiude-r2").sessions[-1].starts_at == jst_datetime(2021, 2, 14, 10, 30)
    assert "東北総合通信局" in _event("cyber-seminar-r2").co_organizer_list
    assert {t.name for t in _event("cyber-seminar-r2").ticket_types} == {"一般", "学生"}
    assert _event("iot-hackathon-r3").prefecture == "02"
    debate2 = _event("energy-debate-2")
    assert debate2.starts_at == jst_datetime(2021, 1, 10, 9, 30)
    winners = db.session.scalars(select(Registration.organization).join(
        EventResult, EventResult.registration_id == Registration.id).where(EventResult.event_id == debate2.id)).all()
    assert "八戸聖ウルスラ学院高等学校" in winners  # the report's winner, published as a result

    siers = _event("siers-day-r2")
    assert siers.status == EventStatus.CANCELLED and "新型コロナウイルス" in siers.status_reason
    assert {t.name for t in siers.ticket_types} == {"SIer企業", "ユーザー企業"}
    assert {r.status for r in _registrations("siers-day-r2")} == {"cancelled"}

    for event in db.session.scalars(select(Event).where(Event.starts_at < NOW)):
        assert event.status in (EventStatus.FINISHED, EventStatus.CANCELLED)
        assert event.organizer_name == "東北経済産業局"
        assert event.prefecture is None or event.prefecture in PREFECTURES
        for r in _registrations(event.slug):
            assert r.created_at < event.starts_at
            if r.checked_in_at is not None:
                assert abs(r.checked_in_at - event.starts_at) < timedelta(hours=1)


def test_past_events_have_attendance_rows_matching_the_report(loaded):
    from app.models import Attendance
    from app.services import attendance_counts

    maas = attendance_counts.event_counts(_event("maas-symposium-r2")).as_json()
    assert (maas["total"]["confirmed"], maas["total"]["attended"]) == (248, 210)  # 申込248名、当日参加約210名
    assert maas["sessions"][0]["attended"] == 210 and maas["total"]["no_shows"] == 38
    maas_rows = db.session.scalars(select(Attendance).join(Event).where(Event.slug == "maas-symposium-r2")).all()
    assert {a.method for a in maas_rows} == {"online"}

    # 右腕人材育成プログラム: 7 sessions, a 皆勤 subset, completion at 6 of 7
    migiude_event = _event("migiude-r2")
    assert migiude_event.completion_min_sessions == 6 and _event("migiude-next").completion_min_sessions == 6
    migiude = attendance_counts.event_counts(migiude_event).as_json()["total"]
    assert (migiude["unique_attendees"], migiude["full_attendance"], migiude["completed"]) == (20, 14, 18)
    assert migiude["cumulative"] == 14 * 7 + 4 * 6 + 2 * 5
    methods = {(a.session.is_online, a.method) for a in db.session.scalars(
        select(Attendance).where(Attendance.event_id == migiude_event.id))}
    assert methods == {(True, "online"), (False, "door")}

    # 三陸水産イノベーションサミット: 延べ2,000 and 延べ800
    for slug, cumulative, days in (("sanriku-summit-r2", 2000, 4), ("sanriku-summit-r3", 800, 3)):
        counts = attendance_counts.event_counts(_event(slug)).as_json()
        assert counts["total"]["cumulative"] == cumulative and len(counts["sessions"]) == days

    # checked_in_at is the time of the first attendance, and only attendees have one
    first = dict(db.session.execute(select(Attendance.registration_id, func.min(Attendance.attended_at))
                                    .group_by(Attendance.registration_id)).all())
    checked = dict(db.session.execute(select(Registration.id, Registration.checked_in_at)
                                      .where(Registration.checked_in_at.is_not(None))).all())
    assert first == checked


def test_confirmed_count_matches_the_registrations(loaded):
    for ticket in db.session.scalars(select(TicketType)):
        confirmed = db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.ticket_type_id == ticket.id, Registration.status == "confirmed"))
        assert ticket.confirmed_count == confirmed, (ticket.event.slug, ticket.name)
        if ticket.capacity is not None:
            assert ticket.confirmed_count <= ticket.capacity


def test_upcoming_editions_are_published_and_open(loaded):
    upcoming = list(db.session.scalars(select(Event).where(Event.starts_at > NOW)))
    assert len(upcoming) == loaded.upcoming
    not_yet = []
    for event in upcoming:
        assert event.status == EventStatus.PUBLISHED
        assert event.sessions and event.ticket_types and event.consent_text
        assert [(r.days_before, r.send_time) for r in event.reminder_rules] == [(7, "10:00"), (1, "10:00")]
        assert len(event.questions) >= 2
        window = event_window(event, NOW)
        if window.state is WindowState.NOT_YET_OPEN:
            not_yet.append(event.slug)
        else:
            assert window.is_open, event.slug
    assert not_yet == ["siers-day-next"]

    dx = _event("dx-seminar-next")
    assert timedelta(days=18) < dx.starts_at - NOW < timedelta(days=30)
    assert {q.label for q in dx.questions} == {"参加の目的", "講師への質問"}
    assert len(_event("dx-juku-next").sessions) == 2
    migiude = _event("migiude-next")
    assert len(migiude.sessions) == 7 and migiude.admission_mode == "lottery" and migiude.one_per_organization
    assert {r.status for r in _registrations("migiude-next")} == {"applied"}
    maas = _event("maas-symposium-next")
    assert maas.format == "online" and maas.ticket_types[0].capacity == 300 and maas.ticket_types[0].confirmed_count > 0

    cyber = {t.name: t for t in _event("cyber-seminar-next").ticket_types}
    assert cyber["学生"].remaining == 0 and 0 < cyber["一般"].remaining <= 5
    assert len(_registrations("cyber-seminar-next", status="waitlisted")) > 0

    series = db.session.scalar(select(EventSeries).where(EventSeries.slug == "external-talent-seminar"))
    upcoming_prefs = sorted(e.prefecture for e in series.events if e.starts_at > NOW)
    assert upcoming_prefs == ["02", "03", "04", "05", "06", "07"]
    page = series_service.public_series("external-talent-seminar", NOW)
    assert sorted(e.prefecture for e in page.upcoming) == ["02", "03", "04", "05", "06", "07"]
    assert sorted(e.prefecture for e in page.past) == ["02", "05", "06"]

    award = _event("dx-award-next")  # applications screened by 承認制
    assert award.admission_mode == "approval"
    assert {r.status for r in _registrations("dx-award-next")} == {"confirmed", "pending"}


def test_registrants_look_real_and_use_example_domains(loaded):
    regs = list(db.session.scalars(select(Registration)))
    for r in regs:
        assert KATAKANA.match(r.family_name_kana) and KATAKANA.match(r.given_name_kana), r.full_name_kana
        assert r.email.endswith(("@example.jp", "@example.com")), r.email
        assert r.email_normalized == r.email.lower()
        assert r.phone.isdigit() and len(r.phone) in (10, 11)
        assert r.organization and r.organization_type in (
            "company", "municipality", "public_agency", "association", "academia", "student", "other")
        assert len(r.manage_token) >= 40
    assert len({r.manage_token for r in regs}) == len(regs)
    tohoku = sum(r.prefecture in ("02", "03", "04", "05", "06", "07") for r in regs)
    assert tohoku > 0.8 * len(regs)
    assert any(r.organization.startswith("株式会社") for r in regs)
    assert any(r.organization.endswith("市役所") for r in regs)
    # One per organisation where the event asks for it.
    won = _registrations("migiude-r2", status="confirmed")
    assert len(won) == 20 and len({r.organization_lock_key for r in won}) == 20
    # Every registration has its audit trail.
    audited = db.session.scalar(select(func.count(func.distinct(AuditLog.registration_id))).where(
        AuditLog.action == "registration.created"))
    assert audited == len(regs)


def test_same_seed_same_data_and_refuses_to_load_twice(app):
    load_demo(now=NOW, seed=3)
    first = [(r.email, r.family_name, r.organization) for r in _registrations("dx-seminar-r3")]
    with pytest.raises(DemoAlreadyLoaded):
        load_demo(now=NOW, seed=3)
    assert reset_demo(NOW) > 0
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    load_demo(now=NOW, seed=3)
    again = [(r.email, r.family_name, r.organization) for r in _registrations("dx-seminar-r3")]
    assert sorted(first) == sorted(again)


def test_cli_load_if_empty_and_reset(app, runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "demo@tsudoi.example.jp / tsudoi-demo" in result.output
    assert "viewer@tsudoi.example.jp / tsudoi-viewer" in result.output
    count = db.session.scalar(select(func.count()).select_from(Registration))

    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0 and "not loaded" in result.output
    assert db.session.scalar(select(func.count()).select_from(Registration)) == count

    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "--reset" in result.output

    result = runner.invoke(args=["demo", "load", "--reset"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Registration)) == count
    assert db.session.scalar(select(func.count()).select_from(Organizer)) == len(DEMO_ACCOUNTS)


def test_if_empty_leaves_a_database_with_other_events_alone(app, runner, create_event):
    create_event(title="ほかのイベント")
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1


def test_demo_logins_work(loaded, client):
    response = client.post("/login", data={"email": "demo@tsudoi.example.jp", "password": "tsudoi-demo"})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    admin = db.session.scalar(select(Organizer).where(Organizer.email == "demo@tsudoi.example.jp"))
    assert admin.role == "admin"
    client.post("/logout")
    other = client.application.test_client()
    response = other.post("/login", data={"email": "viewer@tsudoi.example.jp", "password": "tsudoi-viewer"})
    assert response.status_code == 302
    viewer = db.session.scalar(select(Organizer).where(Organizer.email == "viewer@tsudoi.example.jp"))
    assert viewer.role == "viewer"


def test_demo_door_staff_has_the_upcoming_venues(loaded, client):
    """The door staff account signs in to 受付 and has the check-in of the upcoming events at a venue only."""
    from markupsafe import escape

    from app.services import checkin

    response = client.post("/login", data={"email": "door@tsudoi.example.jp", "password": "tsudoi-door"})
    assert response.status_code == 302
    staff = db.session.scalar(select(Organizer).where(Organizer.email == "door@tsudoi.example.jp"))
    assert staff.role == "checkin"
    assigned = db.session.scalars(select(Event).join(CheckinAssignment, CheckinAssignment.event_id == Event.id)
                                  .where(CheckinAssignment.organizer_id == staff.id)).all()
    assert assigned and all(e.format != "online" and e.starts_at > NOW for e in assigned)
    home = client.get("/checkin/").get_data(as_text=True)
    assert all(str(escape(e.title)) in home for e in assigned)
    assert client.get(f"/checkin/events/{assigned[0].id}").status_code == 200
    assert checkin.assigned_staff(assigned[0].id) == [staff]


def test_demo_defines_the_reports_kpis(app):
    from app.db_types import utcnow
    from app.demo.generator import load_demo, reset_demo
    from app.demo.kpis import NAMES
    from app.extensions import db
    from app.models import Kpi
    from app.services import kpis

    load_demo(now=utcnow())
    db.session.commit()
    defined = {k.name: k for k in kpis.all_kpis()}
    assert set(NAMES) <= set(defined)
    share = defined[NAMES[0]]
    assert share.target == 10 and len(share.targets) == 120
    supporters = kpis.measure(defined[NAMES[1]])
    assert supporters.kpi.target == 100 and supporters.value > 0
    completers = kpis.measure(defined[NAMES[2]])
    assert completers.kpi.target == 50 and completers.value == 18  # the 右腕 edition's 6-of-7 rule
    reset_demo(utcnow())
    db.session.commit()
    assert db.session.query(Kpi).count() == 0


def test_demo_registrants_are_found_by_the_list_search(loaded):
    """The demo inserts with Core (no model listener): the search text is written with the rows."""
    from werkzeug.datastructures import MultiDict

    from app.domain import registrant_list
    from app.services import registrant_query

    reg = db.session.scalars(select(Registration).where(Registration.family_name_kana != "")).first()
    assert reg.search_text == registrant_list.search_text(
        family_name=reg.family_name, given_name=reg.given_name, family_name_kana=reg.family_name_kana,
        given_name_kana=reg.given_name_kana, organization=reg.organization, email=reg.email)
    event = reg.event
    f, _errors = registrant_list.parse(MultiDict({"q": reg.email.upper()}).getlist, ticket_type_ids=[],
                                       session_ids=[], question_ids=[])
    assert reg.id in [r.id for r in registrant_query.page(event, f).registrations]


def test_past_lotteries_were_drawn_by_the_draw_service_and_verify(loaded, runner):
    """右腕人材育成プログラム: the past edition's draw is recorded and `flask lottery verify` accepts it;
    the upcoming one is open for applications with its seed hash published."""
    from app.domain import lottery as rules
    from app.models import LotteryDraw

    past = _event("migiude-r2")
    [record] = db.session.scalars(select(LotteryDraw).where(LotteryDraw.event_id == past.id))
    assert len(record.order) == 27 and len(record.winners) == 20
    assert {r.id for r in _registrations("migiude-r2", status="confirmed")} == set(record.winners)
    assert {r.id for r in _registrations("migiude-r2", status="lost")} == set(record.order) - set(record.winners)
    assert all(r.checked_in_at is not None for r in _registrations("migiude-r2", status="confirmed"))
    assert record.drawn_at < past.starts_at and record.drawn_at > past.registration_closes_at
    result = runner.invoke(args=["lottery", "verify", str(past.id)])
    assert result.exit_code == 0, result.output
    upcoming = _event("migiude-next")
    assert upcoming.lottery_seed_hash == rules.seed_hash(upcoming.lottery_seed)
    assert upcoming.lottery_draw_at > upcoming.registration_closes_at
    assert not db.session.scalars(select(LotteryDraw).where(LotteryDraw.event_id == upcoming.id)).all()
    assert runner.invoke(args=["check"]).exit_code == 0


def test_debate_contest_and_hackathon_have_teams(loaded):
    """Issue 11: the debate contest's teams in two divisions (past editions' names erased after 90 days,
    their counts kept) and the hackathon's teams by invite code."""
    from app.models import Team, TeamMember
    from app.services import teams

    nxt = _event("energy-debate-next")
    assert nxt.team_mode == "team" and nxt.team_consent_text
    counts = {tt.name: (n_teams, n_members) for tt, n_teams, n_members in teams.division_counts(nxt.id)}
    assert counts["高校の部"][0] == 5 and counts["中学の部"][0] == 3
    assert all(3 * n <= m <= 4 * n for n, m in counts.values())
    names = db.session.scalars(select(TeamMember.family_name).join(Team).where(Team.event_id == nxt.id)).all()
    assert all(names)
    past = _event("energy-debate-1")
    past_teams = teams.event_teams(past.id)
    assert len(past_teams) == 10 and all(t.members_erased_at is not None for t in past_teams)
    assert all(m.family_name == "" and m.grade for t in past_teams for m in t.members)
    for slug in ("iot-hackathon-next", "iot-hackathon-r3"):
        hack = _event(slug)
        hack_teams = teams.event_teams(hack.id)
        assert hack.team_mode == "hackathon" and len(hack_teams) >= 2
        assert all(t.invite_code and 4 <= len(t.members) <= 5 for t in hack_teams)


def test_upcoming_events_have_english_texts_and_one_shows_the_japanese_fallback(loaded):
    """English mode (issue 12): the open DX seminar reads in English; the 右腕 programme has no
    English texts, so its Japanese ones are shown marked lang="ja"."""
    seminar = _event("dx-seminar-next")
    assert seminar.title_en.startswith("TOHOKU DX Seminar FY") and seminar.summary_en and seminar.description_en
    assert _event("maas-symposium-next").title_en.startswith("Tohoku MaaS Symposium")
    assert _event("migiude-next").title_en == ""


def test_debate_contest_results_are_published_under_the_teams_names(loaded, client):
    """The report's debate winners, per division, on the event page and in the API."""
    first = _event("energy-debate-1")
    assert first.results_published_at is not None
    results = client.get(f"/api/v1/events/{first.id}/results").json
    text = str(results)
    assert "優勝" in text and "準優勝" in text and "宮城野高等学校" in text
    html = client.get(f"/events/{first.slug}").text
    assert "高校の部" in html and "中学の部" in html and "ディベート部" in html
    assert client.get(f"/api/v1/events/{_event('energy-debate-3').id}/results").status_code == 404
