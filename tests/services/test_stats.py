"""services.stats against a plain Python count over the same rows, on SQLite and PostgreSQL."""
from __future__ import annotations

import random
import secrets
from datetime import timedelta

import pytest

from app.domain import dates
from app.domain.codes import RegistrationStatus as S
from app.extensions import db
from app.models import Attendance, Event, EventSeries, Registration
from app.services import stats
from tests import factories

STATUSES = [S.CONFIRMED] * 6 + [S.CANCELLED, S.WAITLISTED, S.LOST]


def _row(event, n, *, status, email, org, org_type="company", pref="04", created=None):
    reg = Registration(event_id=event.id, ticket_type_id=event.ticket_types[0].id, status=status,
                       manage_token_hash=secrets.token_hex(32), email=email, email_normalized=email.lower(),
                       family_name="東北", given_name=f"花子{n}", organization=org, organization_key=org,
                       organization_type=org_type, prefecture=pref,
                       created_at=created or event.starts_at - timedelta(days=n % 20, hours=1))
    db.session.add(reg)
    return reg


@pytest.fixture
def world(app):
    """Events over three 年度 (one at a 年度's edge), random registrations and attendances."""
    rnd = random.Random(20261130)
    series = EventSeries(slug="dx", name="DXセミナー")
    db.session.add(series)
    starts = [dates.jst_datetime(2021, 4, 1, 0, 0),  # first minute of 令和3年度
              dates.jst_datetime(2022, 3, 31, 23, 30),  # last half hour of 令和3年度
              dates.jst_datetime(2022, 7, 12, 13, 30),
              dates.jst_datetime(2023, 1, 20, 14, 0),
              dates.jst_datetime(2023, 11, 10, 10, 0)]
    events = []
    for i, start in enumerate(starts):
        e = factories.create_event(starts_at=start, status="finished", capacity=None,
                                   category="seminar" if i % 2 == 0 else "workshop",
                                   series=series if i != 2 else None, prefecture="04" if i < 3 else "03",
                                   registration_opens_at=start - timedelta(days=60),
                                   registration_closes_at=start - timedelta(days=1))
        events.append(e)
    factories.create_event(starts_at=dates.jst_datetime(2022, 5, 1), status="cancelled")  # not held
    factories.create_event(starts_at=dates.jst_datetime(2022, 5, 2), status="draft")  # not held
    people = [f"p{i}@example.jp" for i in range(25)]
    orgs = ["", "株式会社あ", "い工業", "う大学", "えNPO"]
    n = 0
    for e in events:
        for email in rnd.sample(people, rnd.randint(8, 18)):
            n += 1
            reg = _row(e, n, status=rnd.choice(STATUSES), email=email, org=rnd.choice(orgs),
                       org_type=rnd.choice(["company", "municipality", "academia"]), pref=rnd.choice(["04", "03", None]))
            db.session.flush()
            if rnd.random() < 0.7:
                for s in e.sessions:
                    db.session.add(Attendance(event_id=e.id, session_id=s.id, registration_id=reg.id, method="door",
                                              attended_at=e.starts_at))
    db.session.commit()
    return events


def _expected(events, regs, attended_ids):
    """Figures by plain Python over the rows (the definitions of services.stats)."""
    start_of = {e.id: e.starts_at for e in events}
    part = [r for r in regs if r.status == S.CONFIRMED]
    came = [r for r in part if r.id in attended_ids]
    returning = set()
    all_part = [r for r in Registration.query.all() if r.status == S.CONFIRMED]
    ev_start = {e.id: e.starts_at for e in Event.query.all()}
    for r in part:
        for o in all_part:
            if ev_start[o.event_id] < start_of[r.event_id] and (
                    o.email_normalized == r.email_normalized
                    or (r.organization_key and o.organization_key == r.organization_key)):
                returning.add(r.id)
                break
    return {
        "applicants": len(regs), "participants": len(part), "attendees": len(came),
        "distinct_people": len({r.email_normalized for r in part}),
        "distinct_organizations": len({r.organization_key for r in part if r.organization_key}),
        "returning_rows": returning,
    }


def test_event_stats_match_a_plain_count(world):
    attended_ids = {a.registration_id for a in Attendance.query.all()}
    for e in world:
        regs = Registration.query.filter_by(event_id=e.id).all()
        exp = _expected(world, regs, attended_ids)
        got = stats.event_stats(e)
        assert got["applied"] == exp["applicants"]
        assert got["confirmed"] == exp["participants"]
        assert got["attended"] == exp["attendees"]
        assert got["cancelled"] == sum(r.status == S.CANCELLED for r in regs)
        assert got["waitlisted"] == sum(r.status == S.WAITLISTED for r in regs)
        assert got["lost"] == sum(r.status == S.LOST for r in regs)
        assert got["distinct_people"] == exp["distinct_people"]
        assert got["distinct_organizations"] == exp["distinct_organizations"]
        assert got["returning"] == len(exp["returning_rows"])
        part = [r for r in regs if r.status == S.CONFIRMED]
        assert got["by_organization_type"] == {k: v for k, v in
                                               __import__("collections").Counter(r.organization_type for r in part).items()}
        assert sum(got["by_prefecture"].values()) == len(part)
        assert got["by_prefecture"].get("", 0) == sum(r.prefecture is None for r in part)
        assert got["attended_by_organization_type"].get("company", 0) == sum(
            r.organization_type == "company" and r.id in attended_ids for r in part)
        # cancelled registrations never count as attendees, even with an attendance row
        assert got["attended"] <= got["confirmed"]


def test_cancelled_with_attendance_is_not_an_attendee(app):
    e = factories.create_event(status="finished")
    reg = _row(e, 1, status=S.CANCELLED, email="x@example.jp", org="")
    db.session.flush()
    db.session.add(Attendance(event_id=e.id, session_id=e.sessions[0].id, registration_id=reg.id, method="door",
                              attended_at=e.starts_at))
    db.session.commit()
    got = stats.event_stats(e)
    assert (got["applied"], got["cancelled"], got["attended"]) == (1, 1, 0)


def test_fiscal_years_match_a_plain_count(world):
    attended_ids = {a.registration_id for a in Attendance.query.all()}
    rows = stats.summary(stats.EventFilter(2020, 2024))
    assert [r["fiscal_year"] for r in rows] == [2020, 2021, 2022, 2023, 2024]
    by_fy = {r["fiscal_year"]: r for r in rows}
    for fy in range(2020, 2025):
        evs = [e for e in world if dates.fiscal_year(e.starts_at) == fy]
        regs = [r for r in Registration.query.all() if r.event_id in {e.id for e in evs}]
        exp = _expected(world, regs, attended_ids)
        got = by_fy[fy]
        assert got["events"] == len(evs)
        for key in ("applicants", "participants", "attendees", "distinct_people", "distinct_organizations"):
            assert got[key] == exp[key], (fy, key)
        # repeat participants are people (emails) with an earlier event of their own, in any 年度
        all_part = [r for r in Registration.query.all() if r.status == S.CONFIRMED]
        start = {e.id: e.starts_at for e in Event.query.all()}
        repeaters = {r.email_normalized for r in regs if r.status == S.CONFIRMED and any(
            o.email_normalized == r.email_normalized and start[o.event_id] < start[r.event_id] for o in all_part)}
        assert got["repeat_participants"] == len(repeaters)
    # the events at the edges of 令和3年度 both belong to it; cancelled and draft events are not held
    assert by_fy[2021]["events"] == 2 and by_fy[2022]["events"] == 2 and by_fy[2020]["events"] == 0


def test_filters_and_groupings(world):
    f = stats.EventFilter(2021, 2023, category="workshop")
    assert sum(r["events"] for r in stats.summary(f)) == sum(e.category == "workshop" for e in world)
    f = stats.EventFilter(2021, 2023, prefecture="03")
    assert sum(r["events"] for r in stats.summary(f)) == 2
    by_cat = {r["key"]: r for r in stats.summary(stats.EventFilter(2021, 2023), grouping="category")}
    assert set(by_cat) == {"seminar", "workshop"}
    total = stats.totals(stats.EventFilter(2021, 2023))
    assert total["applicants"] == sum(r["applicants"] for r in by_cat.values())
    # distinct over the whole range is at most the sum of the years' distinct counts
    assert total["distinct_people"] <= sum(r["distinct_people"] for r in stats.summary(stats.EventFilter(2021, 2023)))
    listed = stats.held_events(stats.EventFilter(2021, 2023))
    assert [x["event"].id for x in listed] == [e.id for e in world]
    assert sum(x["applicants"] for x in listed) == total["applicants"]


def test_over_time_and_answers(app):
    e = factories.create_event(status="finished", starts_at=dates.jst_datetime(2022, 7, 12, 13, 30))
    for i, days in enumerate([10, 10, 3, 0]):
        _row(e, i, status=S.CONFIRMED, email=f"t{i}@example.jp", org="",
             created=e.starts_at - timedelta(days=days, hours=2))
    db.session.commit()
    series = stats.registrations_over_time(e)
    assert [(p["days_before"], p["cumulative"]) for p in series] == [(10, 2), (3, 3), (0, 4)]


def test_choice_answers_count_participants_only(app):
    from app.models import Question

    e = factories.create_event(status="finished")
    single = Question(event_id=e.id, kind="single", label="きっかけ", choices=["チラシ", "Web"], position=0)
    many = Question(event_id=e.id, kind="multiple", label="関心", choices=["AI", "IoT"], position=1)
    yesno = Question(event_id=e.id, kind="yesno", label="懇親会", position=2)
    db.session.add_all([single, many, yesno])
    db.session.flush()
    answers = [({str(single.id): "Web", str(many.id): ["AI", "IoT"], str(yesno.id): True}, S.CONFIRMED),
               ({str(single.id): "Web", str(many.id): ["AI"], str(yesno.id): False}, S.CONFIRMED),
               ({str(single.id): "チラシ", str(many.id): ["IoT"], str(yesno.id): True}, S.CANCELLED)]
    for i, (a, status) in enumerate(answers):
        _row(e, i, status=status, email=f"q{i}@example.jp", org="").answers = a
    db.session.commit()
    got = {q["label"]: {a["choice"]: a["count"] for a in q["answers"]} for q in stats.choice_answers(e)}
    assert got == {"きっかけ": {"チラシ": 0, "Web": 2}, "関心": {"AI": 2, "IoT": 1}, "懇親会": {"yes": 1, "no": 1}}


def test_editions_over_time_lays_earlier_editions_of_the_series_beside_this_one(app):
    series = EventSeries(slug="gaibu", name="外部人材活用セミナー")
    other = EventSeries(slug="other", name="別シリーズ")
    db.session.add_all([series, other])
    starts = [dates.jst_datetime(2024, 7, 1, 13, 0), dates.jst_datetime(2025, 7, 1, 13, 0),
              dates.jst_datetime(2026, 7, 1, 13, 0), dates.jst_datetime(2027, 7, 1, 13, 0)]
    editions = [factories.create_event(starts_at=s, status="finished", capacity=None, series=series) for s in starts]
    factories.create_event(starts_at=dates.jst_datetime(2025, 1, 1), status="cancelled", series=series)  # not held
    factories.create_event(starts_at=dates.jst_datetime(2025, 2, 1), status="finished", series=other)
    for i, days in enumerate([5, 5, 1]):
        _row(editions[0], i, status=S.CONFIRMED, email=f"a{i}@example.jp", org="",
             created=editions[0].starts_at - timedelta(days=days, hours=2))
    for i, days in enumerate([7, 2]):
        _row(editions[2], i, status=S.CANCELLED, email=f"c{i}@example.jp", org="",
             created=editions[2].starts_at - timedelta(days=days, hours=2))
    db.session.commit()

    shown = stats.editions_over_time(editions[2])
    # earlier editions only (not the later one, not the cancelled one, not another series), oldest first
    assert [e["event"].id for e in shown] == [editions[0].id, editions[1].id, editions[2].id]
    assert [(p["days_before"], p["cumulative"]) for p in shown[0]["points"]] == [(5, 2), (1, 3)]
    assert shown[1]["points"] == []
    rows = stats.editions_table(shown)
    assert [(r["days_before"], r["cumulative"]) for r in rows] == [
        (7, [0, 0, 1]), (5, [2, 0, 1]), (2, [2, 0, 2]), (1, [3, 0, 2])]
    assert len(stats.editions_over_time(editions[3], limit=2)) == 2
    assert stats.editions_over_time(editions[0]) == []  # the first edition has nothing to compare with
    alone = factories.create_event(starts_at=starts[0], status="finished")
    assert stats.editions_over_time(alone) == []
