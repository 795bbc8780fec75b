"""The one registrant-list query: every filter, sort, pagination without N+1; bulk cancel and move per row."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event as sa_event
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.db_types import utcnow
from app.domain import registrant_list
from app.extensions import db
from app.models import AuditLog, Question, Registration
from app.services import attendance, registrant_query, registrations
from tests.factories import register


def _filter(event, **params):
    f, errors = registrant_list.parse(
        MultiDict(params).getlist, ticket_type_ids=[tt.id for tt in event.ticket_types],
        session_ids=[s.id for s in event.sessions], question_ids=[q.id for q in event.questions])
    assert not errors, errors
    return f


def _names(event, **params):
    return [r.full_name for r in registrant_query.page(event, _filter(event, **params), per_page=500).registrations]


@contextmanager
def count_queries():
    counter = {"n": 0}

    def before(*_args, **_kwargs):
        counter["n"] += 1

    sa_event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", before)


def _people(create_event):
    event = create_event(ticket_types=[("一般", 10), ("学生", 10)], sessions=2)
    student = event.ticket_types[1].id
    a = register(event, 1, family_name="山田", given_name="太郎", family_name_kana="やまだ", given_name_kana="たろう",
                 organization="株式会社ＡＢＣ商事", prefecture="04").registration
    b = register(event, 2, family_name="佐藤", given_name="花子", family_name_kana="ｻﾄｳ", given_name_kana="ﾊﾅｺ",
                 organization="宮城大学", organization_type="academia", prefecture="13",
                 ticket_type_id=student).registration
    c = register(event, 3, family_name="髙橋", given_name="𠮷男", family_name_kana="タカハシ", given_name_kana="ヨシオ",
                 organization="仙台市", organization_type="municipality", prefecture="04",
                 email="Yoshio.T@City.example.jp").registration
    return event, a, b, c


def test_search_by_name_kana_company_or_email_in_any_script(create_event):
    event, a, b, c = _people(create_event)
    assert _names(event, q="山田 太郎") == [a.full_name]
    assert _names(event, q="ヤマダ") == [a.full_name]  # stored from hiragana
    assert _names(event, q="さとう") == [b.full_name]  # stored from half-width kana
    assert _names(event, q="ｻﾄｳﾊﾅｺ") == [b.full_name]
    assert _names(event, q="abc商事") == [a.full_name]  # full-width letters stored
    assert _names(event, q="yoshio.t@city") == [c.full_name]
    assert _names(event, q="髙橋") == [c.full_name]
    assert _names(event, q="%") == [] and _names(event, q="_") == []


def test_search_text_follows_every_write(create_event):
    event, a, _b, _c = _people(create_event)
    a.organization = "合同会社みらい"
    db.session.commit()
    assert _names(event, q="ミライ") == [a.full_name]
    assert _names(event, q="abc") == []


def test_filters(create_event):
    event, a, b, c = _people(create_event)
    registrations.cancel(c, now=utcnow(), reason="x")
    db.session.commit()
    first, second = event.sessions
    attendance.record(b.id, second.id, method="door", now=utcnow())
    db.session.commit()
    assert _names(event, status="cancelled") == [c.full_name]
    assert _names(event, status="active") == [a.full_name, b.full_name]
    assert _names(event, ticket_type=str(event.ticket_types[1].id)) == [b.full_name]
    assert _names(event, session=str(second.id)) == [b.full_name]
    assert _names(event, session=str(first.id)) == []
    assert _names(event, organization_type="academia,municipality") == [b.full_name, c.full_name]
    assert _names(event, prefecture="04") == [a.full_name, c.full_name]
    assert _names(event, checked_in="yes") == [b.full_name]
    assert _names(event, checked_in="no") == [a.full_name, c.full_name]
    today = utcnow() + timedelta(hours=9)
    assert len(_names(event, created_from=today.date().isoformat(), created_to=today.date().isoformat())) == 3
    assert _names(event, created_to=(today - timedelta(days=1)).date().isoformat()) == []


def test_sort_by_any_column_with_a_stable_tiebreak(create_event):
    event, a, b, c = _people(create_event)
    q = Question(event_id=event.id, kind="text", label="業種", position=0)
    db.session.add(q)
    db.session.commit()
    for reg, answer in ((a, "b"), (b, "a"), (c, "c")):
        reg.answers = {str(q.id): answer}
    db.session.commit()
    assert _names(event, sort="full_name_kana") == [b.full_name, c.full_name, a.full_name]  # サ < タ < ヤ
    assert _names(event, sort="-full_name_kana") == [a.full_name, c.full_name, b.full_name]
    assert _names(event, sort=f"answers.{q.id}") == [b.full_name, a.full_name, c.full_name]
    assert _names(event, sort="ticket_type") == [a.full_name, c.full_name, b.full_name]
    assert _names(event, sort="prefecture") == [a.full_name, c.full_name, b.full_name]  # ties by id
    assert _names(event, sort="-prefecture") == [b.full_name, c.full_name, a.full_name]
    assert _names(event, sort="checked_in_at") == [a.full_name, b.full_name, c.full_name]  # empty last, by id


def test_a_page_costs_the_same_queries_whatever_its_size(create_event):
    event = create_event(capacity=None, sessions=2)
    for n in range(5):
        register(event, n, commit=False)
    db.session.commit()
    columns = ",".join(registrant_list.BASE_COLUMN_KEYS)

    def queries():
        db.session.expire_all()
        with count_queries() as counter:
            page = registrant_query.page(event, _filter(event, columns=columns), per_page=100)
            rows = [registrant_query.values_of(r, page.registrations and _filter(event, columns=columns).columns,
                                               event, page.attended) for r in page.registrations]
        return counter["n"], len(rows)

    few = queries()
    for n in range(5, 40):
        register(event, n, commit=False)
    db.session.commit()
    many = queries()
    assert (few[1], many[1]) == (5, 40)
    # count, rows, attendance, and the event with its 参加枠, sessions and questions: none per row
    assert few[0] == many[0] <= 8


def test_export_rows_are_streamed_in_chunks(create_event):
    event = create_event(capacity=None)
    for n in range(25):
        register(event, n, commit=False)
    db.session.commit()
    f = _filter(event, columns="reference,full_name,attended_sessions")
    with count_queries() as counter:
        rows = list(registrant_query.iter_values(event, f, f.columns, chunk=10))
    assert len(rows) == 25 and rows[0]["reference"].startswith("T")
    assert counter["n"] <= 1 + 3  # the rows, and one attendance query per chunk of 10


def test_bulk_cancel_reports_each_row(create_event, create_organizer):
    staff = create_organizer()
    event, a, b, c = _people(create_event)
    other = register(create_event(), 9).registration
    registrations.cancel(c, now=utcnow())
    db.session.commit()
    outcomes = registrations.cancel_many(event.id, [a.id, c.id, other.id, b.id], now=utcnow(), actor=staff,
                                         reason="一括キャンセル")
    by_id = {o.registration_id: o for o in outcomes}
    assert by_id[a.id].done and by_id[b.id].done
    assert (by_id[c.id].done, by_id[c.id].code) == (False, "not_active")
    assert (by_id[other.id].done, by_id[other.id].code) == (False, "not_found")
    db.session.expire_all()
    assert (a.status, b.status, other.status) == ("cancelled", "cancelled", "confirmed")
    reasons = db.session.scalars(select(AuditLog.data).where(AuditLog.action == "registration.cancelled",
                                                             AuditLog.actor_id == staff.id)).all()
    assert [r["reason"] for r in reasons] == ["一括キャンセル", "一括キャンセル"]


def test_bulk_move_stops_at_capacity_per_row(create_event, create_organizer):
    staff = create_organizer()
    event = create_event(ticket_types=[("一般", 10), ("VIP", 1)])
    regs = [register(event, n).registration for n in range(3)]
    vip = event.ticket_types[1].id
    outcomes = registrations.move_many(event.id, [r.id for r in regs], vip, now=utcnow(), actor=staff)
    assert [(o.done, o.code) for o in outcomes] == [(True, "moved"), (False, "full"), (False, "full")]
    db.session.expire_all()
    assert [r.ticket_type_id for r in regs] == [vip, event.ticket_types[0].id, event.ticket_types[0].id]
    outcomes = registrations.move_many(event.id, [regs[1].id], vip, now=utcnow(), actor=staff, override=True)
    assert outcomes[0].done
    db.session.expire_all()
    assert db.session.get(Registration, regs[1].id).capacity_override


def test_registrations_as_objects_for_the_pdf_writers(create_event):
    event, a, b, c = _people(create_event)
    db.session.expire_all()
    f = _filter(event, sort="full_name_kana")
    with count_queries() as counter:
        names = [(r.full_name, r.ticket_type.name) for r in registrant_query.iter_registrations(event, f, chunk=2)]
    assert names == [(b.full_name, "学生"), (c.full_name, "一般"), (a.full_name, "一般")]
    assert counter["n"] <= 2  # the 参加枠 come with the rows
