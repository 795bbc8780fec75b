"""Online attendance: join links (services.online_attendance.join) and attendee report imports."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import urls
from app.db_types import utcnow
from app.domain import attendee_reports, join_links
from app.extensions import db
from app.models import Attendance, AuditLog, Registration
from app.services import events as event_service
from app.services import online_attendance, registrations
from tests import factories

DATA = Path(__file__).resolve().parents[1] / "data" / "attendee_reports"
URL = "https://meet.example.jp/maas"


def _token(reg) -> str:
    return urls.join_url(reg).rsplit("/j/", 1)[1]


def _online_event(sessions=1, **kw):
    kw.setdefault("format", "online")
    kw.setdefault("online_url", URL)
    return factories.create_event(sessions=sessions, **kw)


def test_join_records_once_for_the_open_session(app):
    event = _online_event(sessions=2)
    reg = factories.register(event, 1).registration
    s1, s2 = event.sessions
    token = _token(reg)
    assert online_attendance.registration_for_token(token, app.config["SECRET_KEY"]).id == reg.id

    first = online_attendance.join(reg.id, now=s1.starts_at - timedelta(minutes=5))
    db.session.commit()
    assert first.decision.is_open and first.recorded and first.online_url == URL
    again = online_attendance.join(reg.id, now=s1.starts_at + timedelta(minutes=30))
    db.session.commit()
    assert again.decision.is_open and not again.recorded and again.online_url == URL
    second_day = online_attendance.join(reg.id, now=s2.starts_at)
    db.session.commit()
    assert second_day.recorded
    rows = db.session.scalars(select(Attendance).order_by(Attendance.session_id)).all()
    assert [(a.session_id, a.method) for a in rows] == [(s1.id, "online"), (s2.id, "online")]
    assert rows[0].attended_at == s1.starts_at - timedelta(minutes=5)
    db.session.refresh(reg)
    assert reg.checked_in_at == s1.starts_at - timedelta(minutes=5)
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "attendance.recorded", AuditLog.actor_label == "join link")) == 2


def test_join_refusals_record_nothing(app):
    event = _online_event()
    s = event.sessions[0]
    reg = factories.register(event, 1).registration
    assert online_attendance.join(reg.id, now=s.starts_at - timedelta(minutes=16)).decision.state == join_links.NOT_YET
    assert online_attendance.join(reg.id, now=s.ends_at).decision.state == join_links.ENDED
    registrations.cancel(reg, now=utcnow())
    db.session.commit()
    result = online_attendance.join(reg.id, now=s.starts_at)
    assert result.decision.state == join_links.CANCELLED and result.online_url is None
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_join_refused_after_the_event_is_cancelled(app):
    event = _online_event()
    reg = factories.register(event, 1).registration
    staff = factories.create_organizer()
    event_service.cancel(event, "台風のため", staff, utcnow())
    db.session.commit()
    result = online_attendance.join(reg.id, now=event.sessions[0].starts_at)
    assert result.decision.state == join_links.EVENT_CANCELLED and result.online_url is None


def test_waitlisted_registrant_gets_no_url(app):
    event = _online_event(capacity=1)
    factories.register(event, 1)
    waiting = factories.register(event, 2).registration
    assert waiting.status == "waitlisted"
    result = online_attendance.join(waiting.id, now=event.sessions[0].starts_at)
    assert result.decision.state == join_links.NOT_CONFIRMED and result.online_url is None


def test_new_manage_link_ends_the_old_join_link(app):
    event = _online_event()
    reg = factories.register(event, 1).registration
    old = _token(reg)
    reg.new_manage_link(app.config["SECRET_KEY"])
    db.session.commit()
    assert online_attendance.registration_for_token(old, app.config["SECRET_KEY"]) is None
    assert online_attendance.registration_for_token(_token(reg), app.config["SECRET_KEY"]).id == reg.id


def test_migrated_registration_gets_a_join_link_through_its_new_salt(app):
    event = _online_event()
    reg = factories.register(event, 1).registration
    factories.legacy_registration(reg, "legacy-token-" + "x" * 30)
    token = _token(reg)  # gives the row a derivable salt (the caller commits)
    db.session.commit()
    assert online_attendance.registration_for_token(token, app.config["SECRET_KEY"]).id == reg.id


@pytest.mark.parametrize("fmt,flags,expected", [
    ("online", (False, False), [0, 1]), ("hybrid", (False, False), [0, 1]), ("hybrid", (False, True), [1]),
    ("in_person", (False, True), [1]), ("in_person", (False, False), []),
])
def test_which_sessions_a_join_link_is_for(app, fmt, flags, expected):
    event = factories.create_event(sessions=2, format=fmt, online_url=URL)
    for s, flag in zip(event.sessions, flags, strict=True):
        s.is_online = flag
    db.session.commit()
    assert [event.sessions.index(s) for s in online_attendance.joinable_sessions(event)] == expected
    assert online_attendance.offers_join_link(event) == bool(expected)
    event.online_url = ""
    assert not online_attendance.offers_join_link(event)


# --- report import ----------------------------------------------------------------------------


def _report_event():
    event = _online_event(capacity=3, title="東北MaaSシンポジウム")
    regs = {
        "sato": factories.register(event, 1, email="sato@example.jp", family_name="佐藤").registration,
        "suzuki": factories.register(event, 2, email="suzuki@example.jp", family_name="鈴木").registration,
        "takahashi": factories.register(event, 3, email="takahashi@example.jp", family_name="高橋").registration,
    }
    return event, regs


@pytest.mark.parametrize("name", ["zoom_participants_ja_cp932.csv", "zoom_participants_en_utf8bom.csv",
                                  "teams_attendance_utf16.csv", "webex_attendees_utf8.csv"])
def test_import_preview_then_record_is_idempotent(app, name):
    event, regs = _report_event()
    session = event.sessions[0]
    staff = factories.create_organizer()
    report = attendee_reports.parse((DATA / name).read_bytes())

    preview = online_attendance.preview(event, session, report)
    assert {m.registration.id for m in preview.to_record} == {r.id for r in regs.values()}
    assert [m.attendee.email_normalized for m in preview.unmatched] == ["someone@unknown.example.com"]
    result = online_attendance.import_report(event.id, session.id, preview.plan, actor=staff, now=utcnow())
    db.session.commit()
    assert (result.recorded, result.already, result.refused) == (3, 0, 0)
    rows = {a.registration_id: a for a in db.session.scalars(select(Attendance))}
    assert rows[regs["suzuki"].id].minutes == 211 and rows[regs["suzuki"].id].method == "report"
    assert rows[regs["takahashi"].id].minutes == 10
    assert rows[regs["sato"].id].recorded_by_id == staff.id

    again = online_attendance.preview(event, session, report)
    assert again.to_record == [] and len(again.already) == 3
    repeat = online_attendance.import_report(event.id, session.id, preview.plan, actor=staff, now=utcnow())
    db.session.commit()
    assert (repeat.recorded, repeat.already) == (0, 3)
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 3


def test_import_threshold_and_not_confirmed_and_join_link_first(app):
    event, regs = _report_event()
    session = event.sessions[0]
    late = factories.register(event, 4, email="someone@unknown.example.com").registration
    assert late.status == "waitlisted"
    online_attendance.join(regs["suzuki"].id, now=session.starts_at)  # joined by the link first
    db.session.commit()
    report = attendee_reports.parse((DATA / "webex_attendees_utf8.csv").read_bytes())
    preview = online_attendance.preview(event, session, report, min_minutes=30)
    assert [m.registration.id for m in preview.to_record] == [regs["sato"].id]
    assert [m.registration.id for m in preview.too_short] == [regs["takahashi"].id]
    assert [m.registration.id for m in preview.already] == [regs["suzuki"].id]
    assert preview.already[0].attendance.method == "online"
    assert [m.registration.id for m in preview.not_confirmed] == [late.id]
    assert preview.unmatched == []


def test_import_refuses_what_was_cancelled_since_the_preview(app):
    event, regs = _report_event()
    session = event.sessions[0]
    report = attendee_reports.parse((DATA / "webex_attendees_utf8.csv").read_bytes())
    plan = online_attendance.preview(event, session, report).plan
    registrations.cancel(db.session.get(Registration, regs["sato"].id), now=utcnow())
    db.session.commit()
    result = online_attendance.import_report(event.id, session.id, plan, actor=None, now=utcnow())
    db.session.commit()
    assert (result.recorded, result.refused) == (2, 1)


def test_import_for_another_events_session_records_nothing(app):
    event, regs = _report_event()
    other = factories.create_event()
    result = online_attendance.import_report(other.id, other.sessions[0].id, [(regs["sato"].id, 5)], actor=None,
                                             now=utcnow())
    assert result.refused == 1
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0
