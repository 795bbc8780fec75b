"""Per-day registration over HTTP: the form, the review, the manage and days pages, the 受付票, the
organizer's event page, the API, exports, the door and the mails."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.models import EventSession, OutboxMessage, Registration, SessionChoice
from app.services import invariants, tickets
from tests import factories
from tests.web.test_registration import error_of, form_data


def _summit(capacities=(None, 1, None), waitlist=True, **fields):
    event = factories.create_event(sessions=len(capacities), capacity=None, choose_sessions=True,
                                   waitlist_enabled=waitlist, **fields)
    for s, cap in zip(event.sessions, capacities, strict=True):
        s.capacity = cap
    db.session.commit()
    return event


def _days(event):
    return [s.id for s in sorted(event.sessions, key=lambda s: s.starts_at)]


def _choices(reg_id):
    return {c.session_id: c.status for c in db.session.scalars(
        select(SessionChoice).where(SessionChoice.registration_id == reg_id))}


def _register_on_the_form(client, event, days, n=1):
    data = {**form_data(event, n), "sessions": [str(d) for d in days]}
    review = client.post(f"/events/{event.slug}/register", data=data)
    assert review.status_code == 200
    response = client.post(f"/events/{event.slug}/register/confirm", data={**data, "action": "register"})
    return review, response


def test_the_form_offers_each_day_with_its_seats(client):
    event = _summit(capacities=(None, 1, 5), waitlist=False)
    d1, d2, d3 = _days(event)
    factories.register(event, 1, sessions=[d2])
    html = client.get(f"/events/{event.slug}/register").text
    assert "参加日" in html and "参加する日を選んでください（1日以上）。" in html
    assert f'id="day-{d1}" name="sessions" value="{d1}">' in html
    assert f'value="{d2}" disabled' in html and "満席" in html  # full, no waiting list: not offered
    assert "残り5席" in html


def test_register_for_two_of_three_days_through_review(client):
    event = _summit(capacities=(None, None, None))
    d1, _d2, d3 = _days(event)
    review, response = _register_on_the_form(client, event, [d1, d3])
    assert "1日目" in review.text and "3日目" in review.text and "2日目" not in review.text
    assert response.status_code == 303
    done = client.get(response.headers["Location"]).text
    assert "参加日" in done and "1日目" in done and "3日目" in done
    [reg] = db.session.scalars(select(Registration)).all()
    assert _choices(reg.id) == {d1: "confirmed", d3: "confirmed"}
    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert "参加日:" in mail.body_text and "1日目" in mail.body_text.split("参加日:")[1]
    assert "2日目" not in mail.body_text.split("参加日:")[1]
    assert "参加日" in mail.body_html


def test_no_day_chosen_is_an_error_next_to_the_field_and_keeps_the_rest(client):
    event = _summit()
    data = form_data(event, 1)
    response = client.post(f"/events/{event.slug}/register", data=data)
    assert error_of(response.text, "sessions") == "参加する日を1日以上選んでください。"
    assert f'value="{data["organization"]}"' in response.text


def test_a_day_that_filled_up_meanwhile_is_reported_on_the_days_field(client):
    event = _summit(capacities=(1, None, None), waitlist=False)
    d1, d2, _ = _days(event)
    data = {**form_data(event, 1), "sessions": [str(d1), str(d2)]}
    assert client.post(f"/events/{event.slug}/register", data=data).status_code == 200
    factories.register(event, 2, sessions=[d1])  # someone else takes the last seat of day 1
    response = client.post(f"/events/{event.slug}/register/confirm", data={**data, "action": "register"})
    assert "選択した日が満席になりました" in response.text
    assert error_of(response.text, "sessions") == "この日は満席です。"
    assert db.session.scalar(select(Registration).where(Registration.email == data["email"])) is None


def test_manage_page_ticket_and_changing_days(client):
    event = _summit(capacities=(None, 1, None))
    d1, d2, d3 = _days(event)
    holder = factories.register(event, 1, sessions=[d2]).registration
    me = factories.register(event, 2, sessions=[d1, d3]).registration
    token = me.manage_token
    manage = client.get(f"/r/{token}").text
    assert "参加日を変更する" in manage and "1日目" in manage and "参加確定" in manage
    ticket = client.get(f"/r/{token}/ticket").text
    assert "参加日" in ticket and "1日目" in ticket and "3日目" in ticket and "2日目" not in ticket
    page = client.get(f"/r/{token}/days").text
    assert f'value="{d1}" checked' in page and f'value="{d3}" checked' in page
    # swap day 3 for the full day 2: waiting list for it
    response = client.post(f"/r/{token}/days", data={"sessions": [str(d1), str(d2)]})
    assert response.status_code == 303
    assert "キャンセル待ちになりました" in client.get(response.headers["Location"]).text
    assert _choices(me.id) == {d1: "confirmed", d2: "waitlisted"}
    assert "キャンセル待ち 1 番目" in client.get(f"/r/{token}").text
    # the holder gives up day 2: it goes to me
    holder_token = holder.manage_token
    response = client.post(f"/r/{holder_token}/days", data={"sessions": [str(d1)]})
    assert response.status_code == 303
    assert _choices(me.id) == {d1: "confirmed", d2: "confirmed"}
    promoted = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "promoted",
                                                              OutboxMessage.registration_id == me.id)).one()
    assert "に空きが出たため" in promoted.body_text
    # nothing chosen: refused next to the field
    response = client.post(f"/r/{token}/days", data={})
    assert response.status_code == 200, (response.status_code, response.headers.get("Location"))
    assert error_of(response.text, "sessions") == "参加する日を1日以上選んでください。"
    assert invariants.breaches() == []


def test_days_page_refuses_a_full_day_without_waiting_list(client):
    event = _summit(capacities=(None, 1, None), waitlist=False)
    d1, d2, _ = _days(event)
    factories.register(event, 1, sessions=[d2])
    me = factories.register(event, 2, sessions=[d1]).registration
    response = client.post(f"/r/{me.manage_token}/days", data={"sessions": [str(d1), str(d2)]})
    assert response.status_code == 200
    assert error_of(response.text, "sessions") == "この日は満席です。"
    assert _choices(me.id) == {d1: "confirmed"}


def test_english_mode(client):
    event = _summit()
    d1 = _days(event)[0]
    me = factories.register(event, 1, sessions=[d1]).registration
    assert "Days to attend" in client.get(f"/events/{event.slug}/register?lang=en").text
    assert "Change my days" in client.get(f"/r/{me.manage_token}?lang=en").text


def test_other_events_have_no_days(client):
    event = factories.create_event(sessions=2)
    reg = factories.register(event, 1).registration
    assert 'name="sessions"' not in client.get(f"/events/{event.slug}/register").text
    assert client.get(f"/r/{reg.manage_token}/days").status_code == 404


def test_organizer_sees_per_day_and_person_day_counts(client, login, create_organizer):
    login(create_organizer())
    event = _summit(capacities=(None, 2, None))
    d1, d2, d3 = _days(event)
    factories.register(event, 1, sessions=[d1, d2])
    factories.register(event, 2, sessions=[d1, d2, d3])
    factories.register(event, 3, sessions=[d2])  # waits for day 2
    html = client.get(f"/organizer/events/{event.id}").text
    assert "延べ人数" in html and "参加日選択あり" in html
    assert '<td class="num">2 / 2</td>' in html and '<td class="num">2 / 制限なし</td>' in html
    foot = html.split('class="person-days"')[1].split("</tr>")[0]
    assert '<td class="num">5</td>' in foot and '<td class="num">1</td>' in foot


def test_organizer_sets_a_days_capacity_and_the_line_moves_up(client, login, create_organizer):
    login(create_organizer())
    event = _summit(capacities=(None, 1, None))
    d2 = _days(event)[1]
    factories.register(event, 1, sessions=[d2])
    waiting = factories.register(event, 2, sessions=[d2]).registration
    session = db.session.get(EventSession, d2)
    page = client.get(f"/organizer/events/{event.id}/sessions/{d2}/edit").text
    assert "この日の定員" in page
    from app.domain.dates import to_jst
    start = to_jst(session.starts_at)
    response = client.post(f"/organizer/events/{event.id}/sessions/{d2}/edit", data={
        "title": session.title, "date": start.date().isoformat(), "start_time": start.strftime("%H:%M"),
        "end_time": "", "venue": "", "capacity": "2"})
    assert response.status_code == 302, response.text
    assert _choices(waiting.id) == {d2: "confirmed"}
    assert invariants.breaches() == []


def test_event_setting_needs_first_come(client, login, create_organizer):
    login(create_organizer())
    event = factories.create_event(sessions=2)
    from app.services import events as event_service
    from app.services.errors import ValidationError
    try:
        event_service.update_event(event, {"choose_sessions": True, "admission_mode": "lottery"}, None, utcnow())
    except ValidationError as exc:
        assert "choose_sessions" in exc.errors
    else:
        raise AssertionError("lottery with chosen days was accepted")
    db.session.rollback()
    event_service.update_event(event, {"choose_sessions": True}, None, utcnow())
    db.session.commit()
    assert event.choose_sessions is True


def test_api_register_with_sessions_and_counts(client):
    event = _summit(capacities=(None, 1, None))
    d1, d2, d3 = _days(event)
    factories.register(event, 1, sessions=[d2])
    body = {**factories.registration_data(event, 2), "sessions": [d1, d2]}
    response = client.post(f"/api/v1/events/{event.id}/registrations", json=body)
    assert response.status_code == 201, response.json
    assert response.json["sessions"] == [
        {"session_id": d1, "status": "confirmed", "waitlist_position": None},
        {"session_id": d2, "status": "waitlisted", "waitlist_position": 1}]
    missing = client.post(f"/api/v1/events/{event.id}/registrations",
                          json={**factories.registration_data(event, 3), "sessions": []})
    assert missing.status_code == 422 and "sessions" in missing.json["errors"]
    info = client.get(f"/api/v1/events/{event.id}").json
    assert info["choose_sessions"] is True
    assert info["person_days"] == {"confirmed": 2, "waitlisted": 1}
    day2 = next(s for s in info["sessions"] if s["id"] == d2)
    assert (day2["capacity"], day2["confirmed"], day2["waitlisted"], day2["remaining"]) == (1, 1, 1, 0)
    _ = d3


def test_api_list_and_export_carry_the_days(client):
    event = _summit(capacities=(None, 1, None))
    d1, d2, _ = _days(event)
    factories.register(event, 1, sessions=[d2])
    factories.register(event, 2, sessions=[d1, d2])
    token = factories.create_api_token(factories.create_organizer())
    auth = {"Authorization": f"Bearer {token}"}
    items = client.get(f"/api/v1/events/{event.id}/registrations", headers=auth).json["items"]
    assert [i["sessions"] for i in items][1] == [
        {"session_id": d1, "status": "confirmed", "waitlist_position": None},
        {"session_id": d2, "status": "waitlisted", "waitlist_position": 1}]
    export = client.get(f"/api/v1/events/{event.id}/registrations/export?format=csv", headers=auth)
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert "参加日" in rows[0]
    column = rows[0].index("参加日")
    assert rows[2][column] == "1日目、2日目 (キャンセル待ち)"


def test_door_tells_a_registrant_without_a_seat_today(app, client):
    event = _summit(capacities=(None, 1, None))
    d1, d2, _ = _days(event)
    factories.register(event, 1, sessions=[d2])
    reg = factories.register(event, 2, sessions=[d1, d2]).registration
    token = factories.create_api_token(factories.create_organizer())
    auth = {"Authorization": f"Bearer {token}"}
    code = tickets.ticket_code(reg, app.config["SECRET_KEY"])
    url = f"/api/v1/events/{event.id}/checkins"
    refused = client.post(url, json={"code": code, "session_id": d2}, headers=auth)
    assert refused.status_code == 409 and refused.json["reason"] == "not_this_day"
    assert client.post(url, json={"code": code, "session_id": d1}, headers=auth).status_code == 201


def test_after_registration_closes_days_can_be_removed_not_added(client):
    from datetime import timedelta

    event = _summit(capacities=(None, None, None))
    d1, d2, d3 = _days(event)
    me = factories.register(event, 1, sessions=[d1, d2]).registration
    event.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    token = me.manage_token
    page = client.get(f"/r/{token}/days").text
    assert "参加日を外すことはできますが、追加はできません。" in page
    assert f'value="{d3}"' not in page and f'value="{d1}" checked' in page
    refused = client.post(f"/r/{token}/days", data={"sessions": [str(d1), str(d3)]})
    assert error_of(refused.text, "sessions") == "申込受付は終了しました。参加日を追加することはできません。"
    assert client.post(f"/r/{token}/days", data={"sessions": [str(d1)]}).status_code == 303
    assert _choices(me.id) == {d1: "confirmed"}


def test_api_odd_sessions_values_are_refused_cleanly(client):
    event = _summit()
    d1 = _days(event)[0]
    for n, value in enumerate(([0], [2**40], ["x"], [1.5], [[d1]], [None], "1", {"a": 1}, [True], [d1, d1 + 999])):
        response = client.post(f"/api/v1/events/{event.id}/registrations",
                               json={**factories.registration_data(event, 100 + n), "sessions": value})
        assert response.status_code == 422, (value, response.status_code, response.json)
    assert db.session.scalar(select(Registration.id)) is None


def test_a_walk_in_gets_the_day_at_the_door_or_is_full_there(client, login, create_organizer):
    from app.services import checkin

    staff = create_organizer()
    event = _summit(capacities=(None, 1, None))
    d1, d2, _ = _days(event)
    factories.register(event, 1, sessions=[d2])
    from app.domain.registration_input import clean_registration
    clean, errors = clean_registration(factories.registration_data(event, 2), questions=[],
                                       ticket_type_ids=[event.ticket_types[0].id])
    assert not errors
    outcome = checkin.walk_in(event, clean, session=db.session.get(EventSession, d1), now=utcnow(), actor=staff)
    db.session.commit()
    assert outcome.result.status == "checked_in"
    assert _choices(outcome.registration.id) == {d1: "confirmed"}
    clean, _ = clean_registration(factories.registration_data(event, 3), questions=[],
                                  ticket_type_ids=[event.ticket_types[0].id])
    from app.services.errors import Full
    try:
        checkin.walk_in(event, clean, session=db.session.get(EventSession, d2), now=utcnow(), actor=staff)
    except Full as exc:
        assert exc.code == "session_full"
    else:
        raise AssertionError("a walk-in took a seat on a full day")
    db.session.rollback()
    outcome = checkin.walk_in(event, clean, session=db.session.get(EventSession, d2), now=utcnow(), actor=staff,
                              override=True)
    db.session.commit()
    assert outcome.result.status == "checked_in"
    assert invariants.breaches() == []


def test_api_registrant_list_refuses_unknown_parameters(client):
    event = _summit()
    factories.register(event, 1, sessions=[_days(event)[0]])
    token = factories.create_api_token(factories.create_organizer())
    auth = {"Authorization": f"Bearer {token}"}
    for url in (f"/api/v1/events/{event.id}/registrations?stauts=cancelled",
                f"/api/v1/events/{event.id}/registrations/export?format=csv&=null"):
        response = client.get(url, headers=auth)
        assert response.status_code == 400 and response.json["error"] == "bad_request", url
    assert client.get(f"/api/v1/events/{event.id}/registrations?status=active&lang=en",
                      headers=auth).status_code == 200


def test_a_days_list_and_reception_list_hold_those_with_a_seat_that_day(client, login, create_organizer, tmp_path):
    from tests.web.test_exports import _pdf_text

    login(create_organizer())
    event = _summit(capacities=(None, 1, None))
    d1, d2, d3 = _days(event)
    a = factories.register(event, 1, sessions=[d1, d2]).registration
    b = factories.register(event, 2, sessions=[d2, d3]).registration  # waits for day 2
    html = client.get(f"/organizer/events/{event.id}/registrants?day={d2}").text
    assert 'id="day"' in html and a.email in html and b.email not in html
    html = client.get(f"/organizer/events/{event.id}/registrants?day={d3}").text
    assert b.email in html and a.email not in html
    token = factories.create_api_token(factories.create_organizer())
    auth = {"Authorization": f"Bearer {token}"}
    items = client.get(f"/api/v1/events/{event.id}/registrations?day={d1}", headers=auth).json["items"]
    assert [i["id"] for i in items] == [a.id]
    assert client.get(f"/api/v1/events/{event.id}/registrations?day=999999", headers=auth).status_code == 400
    roster = client.get(f"/api/v1/events/{event.id}/registrations/export?format=roster-pdf&day={d2}", headers=auth)
    text = _pdf_text(roster.data, tmp_path)
    day2 = next(s for s in event.sessions if s.id == d2)
    from app.domain import dates
    assert dates.format_range(day2.starts_at, day2.ends_at).split(" ")[0] in text
    assert a.organization in text and b.organization not in text
