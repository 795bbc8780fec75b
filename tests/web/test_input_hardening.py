"""Bad input never answers 5xx: NUL, lone surrogates, huge ids, deep JSON, big bodies, line breaks.

Each case was a 500 (or a silent loss) before; on PostgreSQL several were database errors
(NUL in text, integer overflow), so run these with TEST_DATABASE_URL too.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.domain import text_input
from app.extensions import db
from app.models import AuditLog, Event, OutboxMessage, Question, Registration
from tests import factories
from tests.web.test_api import bearer


@pytest.fixture
def organizer_token(create_organizer):
    return factories.create_api_token(create_organizer(role="organizer"))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _nothing_written():
    assert _count(Registration) == 0
    assert _count(OutboxMessage) == 0


def _post_raw(client, event, body: str, **headers):
    return client.post(f"/api/v1/events/{event.id}/registrations", data=body.encode("utf-8", "surrogatepass"),
                       content_type="application/json", headers=headers)


# --- the API -----------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["family_name", "organization", "department", "email", "given_name_kana"])
def test_nul_in_a_field_is_a_422_next_to_the_field(client, create_event, field):
    event = create_event()
    r = client.post(f"/api/v1/events/{event.id}/registrations",
                    json=factories.registration_data(event, **{field: "山\x00田"}))
    assert r.status_code == 422, r.data
    assert field in r.json["errors"]
    _nothing_written()


def test_lone_surrogate_in_json_is_a_422(client, create_event):
    event = create_event()
    body = json.dumps(factories.registration_data(event), ensure_ascii=False).replace('"山田"', '"\\ud800"')
    r = _post_raw(client, event, body)
    assert r.status_code == 422
    assert "family_name" in r.json["errors"]
    _nothing_written()


def test_line_break_in_a_name_is_refused_in_japanese_and_english(client, create_event):
    event = create_event()
    data = factories.registration_data(event, organization="株式会社\nテスト")
    r = client.post(f"/api/v1/events/{event.id}/registrations", json=data)
    assert r.status_code == 422
    assert r.json["errors"]["organization"] == ["改行を入れずに1行で入力してください。"]
    r = client.post(f"/api/v1/events/{event.id}/registrations?lang=en", json=data)
    assert r.json["errors"]["organization"] == ["Write this on one line (no line breaks)."]


@pytest.mark.parametrize("path", ["/api/v1/events/99999999999", "/api/v1/events/2147483648",
                                  "/api/v1/events/99999999999/registrations"])
def test_ids_beyond_a_database_integer_are_404(client, organizer_token, path):
    r = client.get(path, headers=bearer(organizer_token))
    assert r.status_code == 404
    assert r.json["error"] == "not_found"


@pytest.mark.parametrize("value", ["1e400", "1e10", "99999999999", "-1", "1.5", "true", '"x"', "[1]", "{}"])
def test_bad_ticket_type_ids_are_422(client, create_event, value):
    event = create_event(ticket_types=[("一般", 10), ("学生", 10)])
    body = json.dumps(factories.registration_data(event))[:-1] + f', "ticket_type_id": {value}}}'
    r = _post_raw(client, event, body)
    assert r.status_code == 422, r.data
    assert "ticket_type_id" in r.json["errors"]
    _nothing_written()


def test_json_nested_ten_thousand_deep_is_a_400(client, create_event):
    event = create_event()
    r = _post_raw(client, event, "[" * 10_000 + "]" * 10_000)
    assert r.status_code == 400
    assert r.json["error"] == "bad_request"
    r = _post_raw(client, event, '{"a":' * 10_000 + "1" + "}" * 10_000)
    assert r.status_code == 400


def test_body_over_the_limit_is_413_json(client, create_event):
    event = create_event()
    r = _post_raw(client, event, '{"family_name": "' + "x" * (2 * 1024 * 1024) + '"}')
    assert r.status_code == 413
    assert r.json["error"] == "too_large"
    assert "大きすぎます" in r.json["message"]
    _nothing_written()


def test_the_limit_is_configurable(app, client, create_event):
    event = create_event()
    app.config["MAX_CONTENT_LENGTH"] = 1000
    r = client.post(f"/api/v1/events/{event.id}/registrations", json=factories.registration_data(event,
                    department="x" * 2000))
    assert r.status_code == 413


def test_over_long_phone_is_refused_not_stored_empty(client, create_event):
    event = create_event()
    for phone in ("1" * 10_000, "電話番号は未定です", "abc"):
        r = client.post(f"/api/v1/events/{event.id}/registrations",
                        json=factories.registration_data(event, phone=phone))
        assert r.status_code == 422, phone
        assert "phone" in r.json["errors"]
    ok = client.post(f"/api/v1/events/{event.id}/registrations",
                     json=factories.registration_data(event, phone="０２２（２２１）４８７６"))
    assert ok.status_code == 201
    assert db.session.scalar(select(Registration.phone)) == "0222214876"


def _event_with_questions(create_event):
    event = create_event(commit=False)
    event.questions.append(Question(kind="single", label="参加方法", choices=["会場", "オンライン"], position=0))
    event.questions.append(Question(kind="multiple", label="関心", choices=["DX", "GX"], position=1))
    event.questions.append(Question(kind="yesno", label="懇親会", position=2))
    event.questions.append(Question(kind="text", label="ご質問", position=3))
    db.session.commit()
    return event, {q.kind: str(q.id) for q in event.questions}


@pytest.mark.parametrize("kind,value", [
    ("single", "x" * 100_000), ("single", ["会場"]), ("single", 1.5),
    ("multiple", ["x" * 100_000]), ("multiple", ["DX", "DX"]), ("multiple", [{"a": 1}]),
    ("yesno", "x" * 100_000), ("yesno", [True]),
    ("text", "x" * (text_input.ANSWER_TEXT_MAX + 1)), ("text", "a\x00b"), ("text", "一行目\n二行目"),
])
def test_answers_must_be_among_the_choices_and_bounded(client, create_event, kind, value):
    event, ids = _event_with_questions(create_event)
    r = client.post(f"/api/v1/events/{event.id}/registrations",
                    json=factories.registration_data(event, answers={ids[kind]: value}))
    assert r.status_code == 422, r.data
    assert f"answers.{ids[kind]}" in r.json["errors"]
    _nothing_written()


def test_valid_answers_are_kept(client, create_event):
    event, ids = _event_with_questions(create_event)
    r = client.post(f"/api/v1/events/{event.id}/registrations", json=factories.registration_data(
        event, answers={ids["single"]: "会場", ids["multiple"]: ["GX"], ids["yesno"]: "yes", ids["text"]: "特に"}))
    assert r.status_code == 201, r.data
    answers = db.session.scalar(select(Registration.answers))
    assert answers == {ids["single"]: "会場", ids["multiple"]: ["GX"], ids["yesno"]: True, ids["text"]: "特に"}


def test_cancel_with_a_nul_token_is_404(client):
    r = client.post("/api/v1/registrations/cancel", json={"manage_token": "abc\x00"})
    assert r.status_code == 404


def test_nul_in_a_query_parameter_is_400(client):
    assert client.get("/api/v1/events?status=published%00").status_code == 400
    assert client.get("/?q=%00").status_code == 400


@pytest.mark.parametrize("value", ["1e400", "99999999999999999999999", "٣", "-5", "1.5"])
def test_odd_page_numbers_are_400_or_clamped(client, value):
    r = client.get(f"/api/v1/events?page={value}")
    assert r.status_code in (200, 400)
    r = client.get(f"/api/v1/events?per_page={value}")
    assert r.status_code in (200, 400)


# --- creating an event over the API ------------------------------------------------------


def _event_input(**overrides):
    data = {"title": "DXセミナー", "sessions": [{"starts_at": "2030-07-12T13:30"}],
            "ticket_types": [{"name": "一般", "capacity": 10}]}
    data.update(overrides)
    return data


@pytest.mark.parametrize("field,value", [
    ("title", "一行目\n二行目"), ("title", "a\rb"), ("title", "a\x00b"), ("venue", "a\tb"),
    ("organizer_name", "x\u2028y"), ("description", "NUL\x00"), ("summary", "\x07"),
    ("title", "x" * 201), ("description", "x" * (text_input.EVENT_LENGTHS["description"] + 1)),
])
def test_event_text_is_refused_with_control_characters_or_too_long(client, organizer_token, field, value):
    r = client.post("/api/v1/events", json=_event_input(**{field: value}), headers=bearer(organizer_token))
    assert r.status_code == 422, r.data
    assert field in r.json["errors"]
    assert _count(Event) == 0


def test_multiline_fields_keep_their_newlines(client, organizer_token):
    r = client.post("/api/v1/events", json=_event_input(description="一行目\r\n二行目\n\n- 三"),
                    headers=bearer(organizer_token))
    assert r.status_code == 201, r.data
    assert db.session.scalar(select(Event.description)) == "一行目\n二行目\n\n- 三"


@pytest.mark.parametrize("sessions,ticket_types", [
    ([{"starts_at": "0001-01-01T00:00:00+14:00"}], [{"name": "一般"}]),
    ([{"starts_at": "9999-12-31T23:59:59-12:00"}], [{"name": "一般"}]),
    ([{"starts_at": "2030-07-12T13:30"}], [{"name": "一般", "capacity": 1e400}]),
    ([{"starts_at": "2030-07-12T13:30"}], [{"name": "一般", "capacity": 10**40}]),
    ([{"starts_at": "2030-07-12T13:30"}], [{"name": "一\n般"}]),
])
def test_odd_dates_and_numbers_in_an_event_are_422(client, organizer_token, sessions, ticket_types):
    body = json.dumps(_event_input(sessions=sessions, ticket_types=[{}])).replace(
        "[{}]", json.dumps(ticket_types).replace("Infinity", "1e400"))
    r = client.post("/api/v1/events", data=body, content_type="application/json", headers=bearer(organizer_token))
    assert r.status_code == 422, r.data
    assert _count(Event) == 0


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/events/%00", "/r/%00", "/events/%00/register", "/r/%00/edit",
                                  "/organizer/events/99999999999"])
def test_odd_paths_are_404(client, path):
    assert client.get(path).status_code == 404


def _form_data(event, **overrides):
    data = factories.registration_data(event, **overrides)
    data["email_confirm"] = data["email"]
    data["consent"] = "y"
    data.pop("answers")
    return data


def test_nul_in_the_form_is_shown_next_to_the_field_and_kept(client, create_event):
    event = create_event()
    r = client.post(f"/events/{event.slug}/register", data=_form_data(event, organization="株式会社\x00テスト"))
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "制御文字" in page
    assert 'id="organization"' in page and "aria-invalid" in page or "error" in page
    assert "テスト" in page  # what was typed is still there
    _nothing_written()


def test_form_body_over_the_limit_is_a_friendly_413(client, create_event):
    event = create_event()
    r = client.post(f"/events/{event.slug}/register",
                    data=_form_data(event, department="x" * (2 * 1024 * 1024)))
    assert r.status_code == 413
    assert "大きすぎます" in r.get_data(as_text=True)


def test_confirm_page_does_not_echo_unknown_fields(client, create_event):
    event = create_event()
    r = client.post(f"/events/{event.slug}/register", data={**_form_data(event), "junk": "x" * 400_000})
    assert r.status_code == 200
    assert len(r.data) < 100_000
    assert "junk" not in r.get_data(as_text=True)
    # A check box's raw value is not echoed either.
    r = client.post(f"/events/{event.slug}/register", data={**_form_data(event), "consent": "y" * 400_000})
    assert r.status_code == 200
    assert "お申し込み内容の確認" in r.get_data(as_text=True)
    assert len(r.data) < 100_000


def test_over_long_form_field_is_refused_not_truncated(client, create_event):
    event = create_event()
    r = client.post(f"/events/{event.slug}/register", data=_form_data(event, department="部" * 201))
    assert r.status_code == 200
    assert "長すぎます" in r.get_data(as_text=True)
    _nothing_written()
    assert _count(AuditLog) == 0


@pytest.mark.parametrize("email", ["a\x00@example.jp", "staff\x00"])
def test_login_with_a_nul_in_the_email_is_a_wrong_login(client, email):
    r = client.post("/login", data={"email": email, "password": "x" * 12})
    assert r.status_code == 200  # the form again, with its message; no 500 on PostgreSQL
