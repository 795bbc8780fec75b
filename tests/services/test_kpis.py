"""services.kpis: each measure against a plain count, over the KPI's events and 年度."""
from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from app.db_types import utcnow
from app.domain import dates
from app.domain import kpi as rules
from app.domain.codes import RegistrationStatus as S
from app.domain.people import organization_key
from app.extensions import db
from app.models import Attendance, EventSeries, Kpi, Registration
from app.services import kpis
from tests import factories


def _reg(event, email, org, *, status=S.CONFIRMED, came=False, number=""):
    r = Registration(event_id=event.id, ticket_type_id=event.ticket_types[0].id, status=status,
                     manage_token_hash=secrets.token_hex(32), email=email, email_normalized=email,
                     family_name="東北", given_name="一郎", organization=org, corporate_number=number,
                     organization_key=organization_key(org, number), created_at=event.starts_at - timedelta(days=3))
    db.session.add(r)
    db.session.flush()
    if came:
        db.session.add(Attendance(event_id=event.id, session_id=event.sessions[0].id, registration_id=r.id,
                                  method="door", attended_at=event.starts_at))
    return r


@pytest.fixture
def world(app):
    series = EventSeries(slug="gaibu", name="外部人材活用セミナー")
    db.session.add(series)
    db.session.flush()
    a = factories.create_event(title="青森", starts_at=dates.jst_datetime(2021, 9, 14, 13), status="finished",
                               series_id=series.id)
    b = factories.create_event(title="秋田", starts_at=dates.jst_datetime(2021, 10, 5, 13), status="finished",
                               series_id=series.id)
    other = factories.create_event(title="DX塾", starts_at=dates.jst_datetime(2021, 11, 10, 13), status="finished")
    later = factories.create_event(title="翌年度", starts_at=dates.jst_datetime(2022, 5, 10, 13), status="finished",
                                   series_id=series.id)
    _reg(a, "p1@x.jp", "株式会社東北テック", came=True)
    _reg(a, "p2@x.jp", "みちのく精密", came=False)
    _reg(a, "p3@x.jp", "", came=True)
    _reg(b, "p1@x.jp", "東北テック(株)", came=True)  # the same person and organisation again
    _reg(b, "p4@x.jp", "あおば商事", came=True, status=S.CANCELLED)  # cancelled: never counts
    _reg(other, "p5@x.jp", "いろは工業", came=True)
    _reg(later, "p6@x.jp", "未来電機", came=True)
    db.session.commit()
    return series, (a, b, other, later)


def _kpi(measure, target, **kw):
    k = kpis.save(None, {"name": "KPI", "fiscal_year_from": 2021, "fiscal_year_to": 2021, "measure": measure,
                         "target": target, **kw}, actor=None, now=utcnow())
    db.session.commit()
    return k


def test_attendees_and_people_of_a_series(world):
    series, (a, b, other, later) = world
    m = kpis.measure(_kpi(rules.ATTENDEES, 10, series_ids=[series.id]))
    assert m.value == 3  # p1 at 青森 and 秋田, p3 at 青森; 翌年度 is outside 2021; the cancelled one never
    assert [(e["title"], e["value"]) for e in m.events] == [("青森", 2), ("秋田", 1)]
    assert m.progress == 0.3
    assert kpis.measure(_kpi(rules.PEOPLE, 2, series_ids=[series.id])).value == 2
    assert kpis.measure(_kpi(rules.PEOPLE, 2)).value == 3  # every event of 2021: p1, p3, p5


def test_distinct_organizations_fold_legal_forms(world):
    series, events = world
    m = kpis.measure(_kpi(rules.ORGANIZATIONS, 100, event_ids=[events[0].id, events[1].id]))
    assert m.value == 2  # 東北テック (two spellings) and みちのく精密 (took part, did not attend)
    names = {x["name"]: x["registrations"] for x in m.matches}
    assert names.pop("みちのく精密") == 1
    assert list(names.items())[0][0] in ("株式会社東北テック", "東北テック(株)")  # one of its spellings, 2 registrations
    assert list(names.values()) == [2]


def test_share_of_a_target_list(world):
    series, events = world
    targets = [rules.TargetRow(2, "㈱東北テック", ""), rules.TargetRow(3, "みちのく精密", ""),
               rules.TargetRow(4, "あおば商事", ""), rules.TargetRow(5, "いろは工業", "")]
    k = kpis.save(None, {"name": "地域未来牽引企業のDX", "fiscal_year_from": 2021, "fiscal_year_to": 2021,
                         "measure": rules.TARGET_SHARE, "target": 10}, actor=None, now=utcnow(),
                  targets=targets, target_list_name="牽引企業.csv")
    db.session.commit()
    m = kpis.measure(k)
    # 東北テック and いろは工業 attended; みちのく精密 did not attend; あおば商事 cancelled
    assert m.value == 50.0 and m.list_size == 4
    assert [x["target"] for x in m.matches] == ["㈱東北テック", "いろは工業"]
    assert [t.name for t in m.unmatched] == ["みちのく精密", "あおば商事"]
    assert m.progress == 5.0


def test_saving_replaces_the_list_and_deleting_keeps_nothing(world):
    k = kpis.save(None, {"name": "x", "fiscal_year_from": 2021, "fiscal_year_to": 2021,
                         "measure": rules.TARGET_SHARE, "target": 10}, actor=None, now=utcnow(),
                  targets=[rules.TargetRow(2, "a", "")])
    kpis.save(k, {"target": 20}, actor=None, now=utcnow(), targets=[rules.TargetRow(2, "b", ""),
                                                                    rules.TargetRow(3, "c", "")])
    db.session.commit()
    assert [t.name for t in db.session.get(Kpi, k.id).targets] == ["b", "c"]
    kpis.delete(k, actor=None, now=utcnow())
    db.session.commit()
    assert db.session.get(Kpi, k.id) is None


def test_completers_by_each_events_rule(app):
    series = EventSeries(slug="migiude", name="右腕人材育成プログラム")
    db.session.add(series)
    db.session.flush()
    event = factories.create_event(sessions=7, starts_at=dates.jst_datetime(2021, 10, 25, 13), status="finished",
                                   series_id=series.id, completion_min_sessions=6)
    counts = {"a@x.jp": 7, "b@x.jp": 6, "c@x.jp": 5, "d@x.jp": 6}
    for email, n in counts.items():
        reg = _reg(event, email, "", status=S.CANCELLED if email == "d@x.jp" else S.CONFIRMED)
        for s in event.sessions[:n]:
            db.session.add(Attendance(event_id=event.id, session_id=s.id, registration_id=reg.id, method="door",
                                      attended_at=s.starts_at))
    no_rule = factories.create_event(sessions=2, starts_at=dates.jst_datetime(2021, 11, 1, 13), status="finished",
                                     series_id=series.id)
    reg = _reg(no_rule, "e@x.jp", "")
    for s in no_rule.sessions:
        db.session.add(Attendance(event_id=no_rule.id, session_id=s.id, registration_id=reg.id, method="door",
                                  attended_at=s.starts_at))
    db.session.commit()
    m = kpis.measure(_kpi(rules.COMPLETERS, 50, series_ids=[series.id]))
    assert m.value == 2  # a (7) and b (6); c has 5, d cancelled, e's event has no rule
    assert [(e["event_id"], e["value"]) for e in m.events] == [(event.id, 2), (no_rule.id, 0)]


def _corporate_number(base12: str) -> str:
    from app.domain.people import corporate_number_check_digit

    return f"{corporate_number_check_digit(base12)}{base12}"


def test_share_matches_names_and_numbers_like_the_one_per_organisation_key(world):
    """Targets are matched against every name an attending organisation took part under: a name-only
    target finds a registrant who gave a 法人番号, a different 法人番号 does not; a renamed
    registration is matched under its new name. The summary tables stay equal to a recount."""
    from app.services import participation

    series, (a, b, other, later) = world
    number, other_number = _corporate_number("123456789012"), _corporate_number("210987654321")
    reg = _reg(other, "p7@x.jp", "株式会社ささかま製作所", came=True, number=number)
    db.session.commit()
    targets = [rules.TargetRow(2, "ささかま製作所", ""), rules.TargetRow(3, "ささかま製作所", other_number),
               rules.TargetRow(4, "", number), rules.TargetRow(5, "はらこ飯商店", "")]
    k = kpis.save(None, {"name": "list", "fiscal_year_from": 2021, "fiscal_year_to": 2021,
                         "measure": rules.TARGET_SHARE, "target": 50}, actor=None, now=utcnow(), targets=targets)
    db.session.commit()
    m = kpis.measure(k)
    assert [x["target"] for x in m.matches] == ["ささかま製作所", number]
    assert {x["event"] for x in m.matches} == {"DX塾"}
    assert m.value == 50.0 and [t.position for t in m.unmatched] == [3, 5]
    reg.organization = "はらこ飯商店"  # renamed after the event (its 法人番号 keeps the key)
    db.session.commit()
    m = kpis.measure(k, detail=False)
    assert m.value == 75.0  # はらこ飯商店 now matches too; the old name stays noted
    assert participation.differences() == []
