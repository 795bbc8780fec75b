"""Importing past lists: upload, preview, import in one transaction, re-import without duplicates."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db_types import utcnow
from app.domain.codes import EventStatus
from app.extensions import db
from app.models import Attendance, AuditLog, Event, EventSeries, ImportFile, ImportMapping, OutboxMessage, Registration
from app.services import imports, invariants
from app.services.errors import ServiceError
from tests import factories

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"


def _file(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def organizer(app):
    return factories.create_organizer()


@pytest.fixture
def past_event(app):
    start = utcnow() - timedelta(days=400)
    return factories.create_event(title="MaaSシンポジウム2025", starts_at=start, status=EventStatus.FINISHED,
                                  capacity=2, registration_opens_at=start - timedelta(days=30),
                                  registration_closes_at=start - timedelta(hours=1))


def _import(name, organizer, *, event=None, target=None, now=None):
    now = now or utcnow()
    upload = imports.upload(name, _file(name), event=event, target=target, actor=organizer, now=now)
    db.session.commit()
    result = imports.run(upload, actor=organizer, now=now)
    db.session.commit()
    return upload, result


def _regs(event_id):
    return db.session.scalars(select(Registration).where(Registration.event_id == event_id)
                              .order_by(Registration.id)).all()


def test_preview_of_a_cp932_list(past_event, organizer):
    upload = imports.upload("past-cp932.csv", _file("past-cp932.csv"), event=past_event, target=None,
                            actor=organizer, now=utcnow())
    assert upload.encoding == "cp932"
    assert upload.mapping == ["full_name", "full_name_kana", "organization", "email", "phone", "prefecture",
                              "organization_type", "corporate_number", "attended"]
    preview = imports.preview(upload)
    assert [r.outcome for r in preview.rows] == ["import", "import", "import", "duplicate"]
    first = preview.rows[0].clean
    assert (first.family_name, first.given_name, first.family_name_kana) == ("髙橋", "一郎", "タカハシ")
    assert first.organization == "㈱髙橋製作所" and first.prefecture == "04" and first.attended
    assert preview.rows[1].clean.given_name == "①子" and preview.rows[1].clean.family_name_kana == "サトウ"
    assert preview.rows[1].clean.organization_type == "municipality"
    assert preview.rows[3].duplicate_of == "file"  # the same email in other case
    assert preview.errors == []


def test_import_creates_confirmed_imported_registrations_with_attendance(past_event, organizer):
    upload, result = _import("past-cp932.csv", organizer, event=past_event)
    assert (result.imported, result.duplicates, result.errors, result.attended) == (3, 1, 0, 2)
    regs = _regs(past_event.id)
    assert [r.full_name for r in regs] == ["髙橋 一郎", "佐藤 ①子", "鈴木 次郎"]
    assert {r.status for r in regs} == {"confirmed"} and {r.origin for r in regs} == {"import"}
    # capacity 2: the third is placed past it, recorded on the row and in the audit log
    assert [r.capacity_override for r in regs] == [False, False, True]
    assert result.over_capacity == 1
    assert db.session.scalar(select(func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "registration.capacity_override")) == 1
    tt = past_event.ticket_types[0]
    db.session.refresh(tt)
    assert tt.confirmed_count == 3
    attended = db.session.scalars(select(Attendance).order_by(Attendance.registration_id)).all()
    assert [(a.registration_id, a.method) for a in attended] == [(regs[0].id, "import"), (regs[2].id, "import")]
    assert regs[0].checked_in_at is not None and regs[1].checked_in_at is None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # no mail
    upload = db.session.get(ImportFile, upload.id)
    assert upload.status == "imported" and upload.content == b"" and upload.counts["imported"] == 3
    assert invariants.breaches() == []


def test_importing_the_same_file_twice_adds_nobody(past_event, organizer):
    _import("past-utf8-bom.csv", organizer, event=past_event)
    before = len(_regs(past_event.id))
    assert before == 3
    upload = imports.upload("past-utf8-bom.csv", _file("past-utf8-bom.csv"), event=past_event, target=None,
                            actor=organizer, now=utcnow())
    preview = imports.preview(upload)
    assert len(preview.imported_before) == 1  # the page says it was imported before
    assert [r.outcome for r in preview.rows] == ["duplicate"] * 3
    assert {r.duplicate_of for r in preview.rows} == {"event"}
    result = imports.run(upload, actor=organizer, now=utcnow())
    db.session.commit()
    assert (result.imported, result.duplicates) == (0, 3)
    assert len(_regs(past_event.id)) == before
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 2
    assert invariants.breaches() == []


def test_rows_without_email_are_stored_without_an_address(past_event, organizer):
    _import("past-utf8-bom.csv", organizer, event=past_event)
    regs = {r.family_name: r for r in _regs(past_event.id)}
    assert regs["𠮷田"].email == "hanako@yoshida.example.jp" and regs["𠮷田"].organization == "カフェ☕️よしだ"
    yamazaki = regs["山﨑"]
    assert yamazaki.email == "" and yamazaki.email_normalized.startswith("noemail:")
    assert "@" not in yamazaki.email_normalized
    assert regs["笑顔"].given_name == "😀" and regs["笑顔"].organization_type == "student"
    assert regs["笑顔"].email_normalized != yamazaki.email_normalized
    assert yamazaki.organization_type == "municipality" and yamazaki.prefecture == "04"
    # a registrant without an address gets no mail, whatever happens later
    from app import notifications

    assert notifications.enqueue("registration_received", yamazaki, dedupe_key="x", now=utcnow()) is None


def test_a_web_registrant_is_not_imported_again(app, organizer):
    start = utcnow() + timedelta(days=5)
    event = factories.create_event(starts_at=start)
    factories.register(event, 1, family_name="𠮷田", given_name="花子", email="HANAKO@yoshida.example.jp")
    event.status = EventStatus.FINISHED
    db.session.commit()
    upload = imports.upload("past-utf8-bom.csv", _file("past-utf8-bom.csv"), event=event, target=None,
                            actor=organizer, now=start + timedelta(days=1))
    outcomes = [r.outcome for r in imports.preview(upload).rows]
    assert outcomes == ["duplicate", "import", "import"]


def test_full_width_digits_formula_text_and_errors(past_event, organizer):
    upload = imports.upload("past-fullwidth.csv", _file("past-fullwidth.csv"), event=past_event, target=None,
                            actor=organizer, now=utcnow())
    preview = imports.preview(upload)
    assert [r.outcome for r in preview.rows] == ["import", "import", "error"]
    ito = preview.rows[0].clean
    assert (ito.phone, ito.prefecture, ito.corporate_number) == ("0222214876", "04", "1180301018771")
    formula = preview.rows[1].clean
    assert formula.organization == "=1+1" and formula.family_name.startswith("=HYPERLINK(")
    errors = {(e.row, e.field) for e in preview.errors}
    assert errors == {(4, "full_name_kana"), (4, "email"), (4, "phone"), (4, "prefecture"),
                      (4, "corporate_number"), (4, "attended")}
    assert next(e.value for e in preview.errors if e.field == "prefecture") == "火星"
    result = imports.run(upload, actor=organizer, now=utcnow())
    db.session.commit()
    assert (result.imported, result.errors) == (2, 1)
    stored = {r.organization for r in _regs(past_event.id)}
    assert "=1+1" in stored  # kept as the text it is, never evaluated


def test_import_into_a_new_event_remembers_the_mapping_per_series(app, organizer):
    series = EventSeries(slug="maas", name="MaaSシンポジウム")
    db.session.add(series)
    db.session.commit()
    start = (utcnow() - timedelta(days=800)).replace(microsecond=0)
    target = {"title": "MaaSシンポジウム2024", "starts_at": start.isoformat(), "ends_at": None,
              "category": "symposium", "format": "online", "venue": "", "prefecture": "04",
              "series_id": str(series.id), "ticket_type_name": "一般"}
    upload = imports.upload("past.xlsx", _file("past.xlsx"), event=None, target=target, actor=organizer,
                            now=utcnow())
    assert upload.encoding == "xlsx"
    imports.set_mapping(upload, ["full_name", "full_name_kana", "organization", "email", "phone", "prefecture",
                                 "organization_type", ""])  # the organizer leaves "Attended" out
    db.session.commit()
    result = imports.run(upload, actor=organizer, now=utcnow())
    db.session.commit()
    event = db.session.get(Event, result.event.id)
    assert event.status == "finished" and event.series_id == series.id and event.format == "online"
    assert len(event.sessions) == 1 and [tt.name for tt in event.ticket_types] == ["一般"]
    assert event.ticket_types[0].capacity is None
    regs = _regs(event.id)
    assert [r.full_name for r in regs] == ["小林 六郎", "中村 七子"]
    assert regs[1].organization == '=CONCAT("中村","商店")' and regs[1].prefecture == "13"
    assert regs[0].phone == "0222214876"  # the leading zero Excel dropped from a number cell, put back
    assert result.attended == 0
    remembered = db.session.scalar(select(ImportMapping).where(ImportMapping.series_id == series.id))
    assert remembered.mapping["attended"] == ""
    # the next edition's upload starts from the remembered choices
    target2 = {**target, "title": "MaaSシンポジウム2025"}
    again = imports.upload("past.xlsx", _file("past.xlsx"), event=None, target=target2, actor=organizer,
                           now=utcnow())
    assert again.mapping[-1] == "" and again.mapping[0] == "full_name"
    assert invariants.breaches() == []


def test_only_past_events_take_a_list(app, organizer):
    event = factories.create_event()
    with pytest.raises(ServiceError):
        imports.upload("past-cp932.csv", _file("past-cp932.csv"), event=event, target=None, actor=organizer,
                       now=utcnow())


def test_an_upload_is_imported_once(past_event, organizer):
    upload, _result = _import("past-cp932.csv", organizer, event=past_event)
    with pytest.raises(ServiceError):
        imports.run(upload, actor=organizer, now=utcnow())
