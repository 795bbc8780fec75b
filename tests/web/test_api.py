"""JSON API v1: auth, events, registrations, cancel, pagination, errors."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.models import ApiToken, AuditLog, Event, OutboxMessage, Question, Registration
from tests import factories


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def organizer_token(create_organizer):
    return factories.create_api_token(create_organizer(role="organizer"))


@pytest.fixture
def viewer_token(create_organizer):
    return factories.create_api_token(create_organizer(role="viewer"))


def post_registration(client, event, n=None, **overrides):
    return client.post(f"/api/v1/events/{event.id}/registrations",
                       json=factories.registration_data(event, n, **overrides))


# ---------------------------------------------------------------------------
# auth


def test_organizer_endpoint_without_token_is_401_json(client, create_event):
    event = create_event()
    r = client.get(f"/api/v1/events/{event.id}/registrations")
    assert r.status_code == 401
    assert r.json["error"] == "unauthorized"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nope", "Basic abc", "Bearer "])
def test_bad_token_is_401(client, create_event, header):
    event = create_event()
    r = client.get(f"/api/v1/events/{event.id}/registrations", headers={"Authorization": header})
    assert r.status_code == 401
    assert r.is_json


def test_revoked_token_and_disabled_account_are_401(client, create_event, create_organizer):
    event = create_event()
    revoked = factories.create_api_token(create_organizer(), revoked=True)
    assert client.get(f"/api/v1/events/{event.id}/registrations", headers=bearer(revoked)).status_code == 401
    user = create_organizer()
    token = factories.create_api_token(user)
    user.active = False
    db.session.commit()
    assert client.get(f"/api/v1/events/{event.id}/registrations", headers=bearer(token)).status_code == 401


def test_valid_token_records_last_use(client, create_event, organizer_token):
    event = create_event()
    r = client.get(f"/api/v1/events/{event.id}/registrations", headers=bearer(organizer_token))
    assert r.status_code == 200
    db.session.expire_all()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash_token(organizer_token)))
    assert row.last_used_at is not None


def test_viewer_may_read_but_not_create_events(client, create_event, viewer_token):
    event = create_event()
    assert client.get(f"/api/v1/events/{event.id}/registrations", headers=bearer(viewer_token)).status_code == 200
    r = client.post("/api/v1/events", json={"title": "x"}, headers=bearer(viewer_token))
    assert r.status_code == 403
    assert r.json["error"] == "forbidden"


def test_create_event_without_token_is_401(client):
    r = client.post("/api/v1/events", json={"title": "x"})
    assert r.status_code == 401


# ---------------------------------------------------------------------------
# events


def test_list_events_shows_published_with_sessions_and_ticket_types(client, create_event):
    published = create_event(title="TOHOKU DXセミナー", ticket_types=[("一般", 2), ("学生", None)],
                             waitlist_enabled=True)
    create_event(title="下書き", status="draft")
    factories.register(published)
    factories.register(published)
    factories.register(published)  # waitlisted
    r = client.get("/api/v1/events")
    assert r.status_code == 200
    body = r.json
    assert body["total"] == 1 and body["page"] == 1
    [event] = body["items"]
    assert event["title"] == "TOHOKU DXセミナー"
    assert event["status"] == "published"
    assert event["admission_mode"] == "first_come"
    assert event["waitlist_enabled"] is True
    assert event["sessions"][0]["starts_at"].endswith("+09:00")
    general, student = event["ticket_types"]
    assert general == {"id": published.ticket_types[0].id, "name": "一般", "description": "", "capacity": 2,
                       "confirmed": 2, "waitlisted": 1, "remaining": 0}
    assert student["capacity"] is None and student["remaining"] is None and student["waitlisted"] == 0


def test_list_events_paginates_with_link_header(client, create_event):
    start = utcnow() + timedelta(days=10)
    for i in range(5):
        create_event(title=f"E{i}", starts_at=start + timedelta(days=i))
    r = client.get("/api/v1/events?per_page=2&page=2")
    assert [e["title"] for e in r.json["items"]] == ["E2", "E3"]
    assert r.json["total"] == 5 and r.json["per_page"] == 2
    assert 'rel="next"' in r.headers["Link"] and 'rel="prev"' in r.headers["Link"]
    assert client.get("/api/v1/events?per_page=1000").json["per_page"] == 200
    bad = client.get("/api/v1/events?page=zero")
    assert bad.status_code == 400 and bad.json["error"] == "bad_request"


def test_draft_events_only_with_a_token(client, create_event, organizer_token):
    draft = create_event(status="draft")
    assert client.get(f"/api/v1/events/{draft.id}").status_code == 404
    assert client.get(f"/api/v1/events/{draft.id}", headers=bearer(organizer_token)).json["status"] == "draft"
    assert client.get("/api/v1/events?status=draft").status_code == 400
    listed = client.get("/api/v1/events?status=draft", headers=bearer(organizer_token)).json
    assert [e["id"] for e in listed["items"]] == [draft.id]


def test_get_event_and_unknown_event(client, create_event):
    event = create_event(title="MaaS シンポジウム", status="cancelled")
    r = client.get(f"/api/v1/events/{event.id}")
    assert r.status_code == 200
    assert r.json["status"] == "cancelled" and r.json["registration_state"] == "cancelled"
    assert client.get("/api/v1/events/999999").json["error"] == "not_found"
    assert client.get("/api/v1/events/999999").status_code == 404


def event_payload(**overrides):
    data = {
        "title": "三陸水産イノベーションサミット",
        "format": "online",
        "prefecture": "03",
        "admission_mode": "first_come",
        "waitlist_enabled": False,
        "sessions": [
            {"title": "1日目", "starts_at": "2030-02-10T13:00:00+09:00", "ends_at": "2030-02-10T17:00:00+09:00"},
            {"title": "2日目", "starts_at": "2030-02-11T13:00", "ends_at": "2030-02-11T17:00"},
        ],
        "ticket_types": [{"name": "一般", "capacity": 100}, {"name": "学生", "capacity": None}],
    }
    data.update(overrides)
    return data


def test_create_and_publish_event(client, organizer_token):
    r = client.post("/api/v1/events", json=event_payload(status="published"), headers=bearer(organizer_token))
    assert r.status_code == 201, r.json
    body = r.json
    assert body["status"] == "published"
    assert [s["title"] for s in body["sessions"]] == ["1日目", "2日目"]
    assert body["sessions"][1]["starts_at"] == "2030-02-11T13:00:00+09:00"  # naive = Japan time
    assert [(t["name"], t["capacity"]) for t in body["ticket_types"]] == [("一般", 100), ("学生", None)]
    assert r.headers["Location"].endswith(f"/api/v1/events/{body['id']}")
    event = db.session.get(Event, body["id"])
    assert event.status == "published"
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.event_id == event.id)))
    assert {"event.created", "event.published"} <= actions
    # public now
    assert client.get(f"/api/v1/events/{body['id']}").status_code == 200


def test_create_draft_by_default(client, organizer_token):
    r = client.post("/api/v1/events", json=event_payload(), headers=bearer(organizer_token))
    assert r.status_code == 201
    assert r.json["status"] == "draft"


def test_create_event_validation_errors_per_field(client, organizer_token):
    payload = event_payload(title="", admission_mode="fastest",
                            sessions=[{"starts_at": "tomorrow"}], ticket_types=[{"name": "", "capacity": -1}])
    r = client.post("/api/v1/events", json=payload, headers=bearer(organizer_token))
    assert r.status_code == 422
    assert r.json["error"] == "validation_error"
    errors = r.json["errors"]
    assert {"title", "admission_mode", "sessions.0.starts_at", "ticket_types.0.name",
            "ticket_types.0.capacity"} <= set(errors)
    assert db.session.scalar(select(Event.id)) is None


def test_an_empty_string_is_not_a_date(client, organizer_token):
    """"" is not a date and time (the document says so; the fuzz test found it accepted as no date)."""
    payload = event_payload(registration_opens_at="", lottery_draw_at=" ")
    r = client.post("/api/v1/events", json=payload, headers=bearer(organizer_token))
    assert r.status_code == 422
    assert {"registration_opens_at", "lottery_draw_at"} <= set(r.json["errors"])
    assert db.session.scalar(select(Event.id)) is None


def test_publishing_an_incomplete_event_is_422_and_creates_nothing(client, organizer_token):
    r = client.post("/api/v1/events", json=event_payload(status="published", ticket_types=[]),
                    headers=bearer(organizer_token))
    assert r.status_code == 422
    assert "status" in r.json["errors"]
    assert db.session.scalar(select(Event.id)) is None
    r = client.post("/api/v1/events", json=event_payload(status="closed"), headers=bearer(organizer_token))
    assert r.status_code == 422 and "status" in r.json["errors"]


@pytest.mark.parametrize("kwargs", [
    {"data": "not json", "content_type": "text/plain"},
    {"data": "{broken", "content_type": "application/json"},
    {"data": "[1, 2]", "content_type": "application/json"},
])
def test_bad_json_is_400_json(client, create_event, organizer_token, kwargs):
    event = create_event()
    for url, headers in ((f"/api/v1/events/{event.id}/registrations", {}),
                         ("/api/v1/registrations/cancel", {}),
                         ("/api/v1/events", bearer(organizer_token))):
        r = client.post(url, headers=headers, **kwargs)
        assert r.status_code == 400, (url, r.data)
        assert r.json["error"] == "bad_request"


def test_unknown_api_path_and_method_are_json(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.is_json
    r = client.delete("/api/v1/events")
    assert r.status_code == 405 and r.is_json


# ---------------------------------------------------------------------------
# registering


def test_register_201_with_token_and_manage_url(client, create_event):
    event = create_event(capacity=10)
    r = post_registration(client, event, 1, ticket_type_id=None)  # one 参加枠: may be left out
    assert r.status_code == 201, r.json
    body = r.json
    assert body["status"] == "confirmed"
    assert body["waitlist_position"] is None
    assert body["manage_url"].endswith("/r/" + body["manage_token"])
    registration = db.session.get(Registration, body["id"])
    assert registration.manage_token == body["manage_token"]
    assert registration.family_name_kana == "ヤマダ"  # normalised like the form
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.registration_id == body["id"]))


def test_register_waitlisted_reports_position(client, create_event):
    event = create_event(capacity=1, waitlist_enabled=True)
    assert post_registration(client, event).json["status"] == "confirmed"
    first = post_registration(client, event).json
    second = post_registration(client, event).json
    assert (first["status"], first["waitlist_position"]) == ("waitlisted", 1)
    assert (second["status"], second["waitlist_position"]) == ("waitlisted", 2)


def test_full_without_waiting_list_is_409_full(client, create_event):
    event = create_event(capacity=1, waitlist_enabled=False)
    assert post_registration(client, event).status_code == 201
    r = post_registration(client, event)
    assert r.status_code == 409
    assert r.json["error"] == "full"
    # when nothing can be given, 満席 is said before any field error
    r = post_registration(client, event, family_name="", email="not-an-email")
    assert (r.status_code, r.json["error"]) == (409, "full")


def test_same_email_again_is_409_without_token(client, create_event):
    event = create_event()
    first = post_registration(client, event, 7)
    assert first.status_code == 201
    r = post_registration(client, event, 7, email="TARO7@example.jp")
    assert r.status_code == 409
    assert r.json["error"] == "already_registered"
    assert "manage_token" not in r.json and first.json["manage_token"] not in r.get_data(as_text=True)
    # the link was mailed again instead
    kinds = list(db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.registration_id == first.json["id"])))
    assert len(kinds) == 2


def test_one_per_organisation_is_409(client, create_event):
    event = create_event(one_per_organization=True)
    assert post_registration(client, event, organization="株式会社東北テック").status_code == 201
    r = post_registration(client, event, organization="（株）東北テック")
    assert r.status_code == 409
    assert r.json["error"] == "organization_already_registered"


def test_validation_422_names_the_fields(client, create_event):
    event = create_event(ticket_types=[("SIer", 10), ("ユーザー企業", 10)])
    question = Question(event_id=event.id, kind="single", label="参加方法", choices=["会場", "オンライン"],
                        required=True)
    db.session.add(question)
    db.session.commit()
    r = post_registration(client, event, email="not-an-email", prefecture="48", organization_type="company_x",
                          given_name_kana="Taro", consent=False, ticket_type_id=None,
                          answers={str(question.id): "郵送"})
    assert r.status_code == 422
    assert r.json["error"] == "validation_error"
    errors = r.json["errors"]
    assert set(errors) == {"email", "prefecture", "organization_type", "given_name_kana", "consent",
                           "ticket_type_id", f"answers.{question.id}"}
    assert all(isinstance(m, str) and m for messages in errors.values() for m in messages)
    assert db.session.scalar(select(Registration.id)) is None


def test_validation_messages_follow_the_language(client, create_event):
    event = create_event()
    ja = post_registration(client, event, family_name="")
    en = client.post(f"/api/v1/events/{event.id}/registrations",
                     json=factories.registration_data(event, family_name=""),
                     headers={"Accept-Language": "en-US,en;q=0.9"})
    assert en.json["errors"]["family_name"] == ["This field is required."]
    assert ja.json["errors"]["family_name"] != ["This field is required."]


def test_answers_are_stored_by_question_id(client, create_event):
    event = create_event()
    q = Question(event_id=event.id, kind="multiple", label="関心分野", choices=["AI", "IoT", "DX"])
    db.session.add(q)
    db.session.commit()
    r = post_registration(client, event, answers={str(q.id): ["AI", "DX"]})
    assert r.status_code == 201
    assert db.session.get(Registration, r.json["id"]).answers == {str(q.id): ["AI", "DX"]}


def test_closed_windows_are_409_with_the_code(client, create_event):
    opens = utcnow() + timedelta(days=3)
    later = create_event(registration_opens_at=opens)
    r = post_registration(client, later)
    assert r.status_code == 409
    assert r.json["error"] == "not_yet_open"
    assert r.json["opens_at"].endswith("+09:00")

    ended = create_event(registration_opens_at=utcnow() - timedelta(days=5),
                         registration_closes_at=utcnow() - timedelta(days=1))
    assert post_registration(client, ended).json["error"] == "ended"
    cancelled = create_event(status="cancelled")
    assert post_registration(client, cancelled).json["error"] == "cancelled"
    postponed = create_event(status="postponed")
    assert post_registration(client, postponed).status_code == 409
    draft = create_event(status="draft")
    assert post_registration(client, draft).status_code == 404
    assert client.post("/api/v1/events/999999/registrations", json={}).status_code == 404


# ---------------------------------------------------------------------------
# cancelling, and the organizers' list


def test_cancel_promotes_the_next_and_twice_is_409(client, create_event, organizer_token):
    event = create_event(capacity=1, waitlist_enabled=True)
    first = post_registration(client, event).json
    second = post_registration(client, event).json
    assert second["status"] == "waitlisted"

    r = client.post("/api/v1/registrations/cancel", json={"manage_token": first["manage_token"]})
    assert r.status_code == 200
    assert r.json["id"] == first["id"] and r.json["status"] == "cancelled"
    assert r.json["cancelled_at"]

    listed = client.get(f"/api/v1/events/{event.id}/registrations", headers=bearer(organizer_token)).json
    statuses = {item["id"]: item["status"] for item in listed["items"]}
    assert statuses == {first["id"]: "cancelled", second["id"]: "confirmed"}

    again = client.post("/api/v1/registrations/cancel", json={"manage_token": first["manage_token"]})
    assert again.status_code == 409
    assert again.json["error"] == "already_cancelled"


def test_cancel_unknown_or_missing_token(client):
    r = client.post("/api/v1/registrations/cancel", json={"manage_token": "no-such-token"})
    assert r.status_code == 404 and r.json["error"] == "not_found"
    r = client.post("/api/v1/registrations/cancel", json={})
    assert r.status_code == 422 and "manage_token" in r.json["errors"]


def test_registrations_list_paginates_and_filters(client, create_event, organizer_token):
    event = create_event(capacity=3, waitlist_enabled=True)
    for n in range(5):
        factories.register(event, 100 + n)
    headers = bearer(organizer_token)
    page1 = client.get(f"/api/v1/events/{event.id}/registrations?per_page=2", headers=headers)
    assert page1.status_code == 200
    assert page1.json["total"] == 5 and len(page1.json["items"]) == 2
    assert 'rel="next"' in page1.headers["Link"]
    page3 = client.get(f"/api/v1/events/{event.id}/registrations?per_page=2&page=3", headers=headers).json
    assert len(page3["items"]) == 1

    waiting = client.get(f"/api/v1/events/{event.id}/registrations?status=waitlisted", headers=headers).json
    assert waiting["total"] == 2
    assert [i["waitlist_position"] for i in waiting["items"]] == [1, 2]
    assert {i["status"] for i in waiting["items"]} == {"waitlisted"}
    item = waiting["items"][0]
    for key in ("id", "status", "ticket_type_id", "email", "family_name", "given_name", "family_name_kana",
                "given_name_kana", "phone", "organization", "organization_type", "prefecture", "created_at",
                "waitlist_position"):
        assert key in item
    assert item["prefecture"] == "04" and item["phone"] == "0222214876"
    assert item["created_at"].endswith("+09:00")

    both = client.get(f"/api/v1/events/{event.id}/registrations?status=confirmed,waitlisted", headers=headers)
    assert both.json["total"] == 5
    bad = client.get(f"/api/v1/events/{event.id}/registrations?status=nonsense", headers=headers)
    assert bad.status_code == 400
    assert client.get("/api/v1/events/999999/registrations", headers=headers).status_code == 404


def _count_queries(client, url, **kwargs) -> int:
    from sqlalchemy import event as sa_event

    statements = []

    def _count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", _count)
    try:
        assert client.get(url, **kwargs).status_code == 200
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", _count)
    return len(statements)


def test_listing_does_not_query_per_event_or_per_ticket_type(client, create_event, organizer_token):
    """Waiting-list counts come from one grouped query: no N+1."""
    first = create_event(ticket_types=[("一般", 1), ("学生", 1)], waitlist_enabled=True)
    factories.register(first)
    factories.register(first)
    few = _count_queries(client, "/api/v1/events")
    for _ in range(4):
        event = create_event(ticket_types=[("一般", 1), ("学生", 1), ("自治体", 1)], waitlist_enabled=True)
        factories.register(event)
        factories.register(event)
    many = _count_queries(client, "/api/v1/events")
    assert many == few
    assert client.get("/api/v1/events").json["items"][0]["ticket_types"][0]["waitlisted"] == 1

    client.get(f"/api/v1/events/{first.id}/registrations", headers=bearer(organizer_token))  # token's first use
    reg_few = _count_queries(client, f"/api/v1/events/{first.id}/registrations", headers=bearer(organizer_token))
    for n in range(5):
        factories.register(first, 300 + n)
    reg_many = _count_queries(client, f"/api/v1/events/{first.id}/registrations", headers=bearer(organizer_token))
    assert reg_many == reg_few


ODD_VALUES = [None, 1, 1.5, True, "x", [], [1], {}, {"a": 1}, "あ" * 3000]


def test_odd_json_values_never_cause_a_500(client, create_event, organizer_token):
    event = create_event()
    base = factories.registration_data(event)
    for n, (key, value) in enumerate((k, v) for k in [*base, "extra"] for v in ODD_VALUES):
        r = client.post(f"/api/v1/events/{event.id}/registrations",
                        json={**base, "email": f"odd{n}@example.jp", key: value})
        assert r.status_code in (201, 409, 422) and r.is_json, (key, value, r.status_code)
    minimal = {"title": "t", "sessions": [{"starts_at": "2030-01-01T10:00"}], "ticket_types": [{"name": "a"}]}
    for key in ("title", "sessions", "ticket_types", "questions", "status", "prefecture", "registration_opens_at"):
        for value in ODD_VALUES:
            r = client.post("/api/v1/events", json={**minimal, key: value}, headers=bearer(organizer_token))
            assert r.status_code in (201, 422) and r.is_json, (key, value, r.status_code)
    for value in ODD_VALUES:
        r = client.post("/api/v1/registrations/cancel", json={"manage_token": value})
        assert r.status_code in (404, 422), value
    for query in ("page=-1", "per_page=0", "page=99999999999999999999", "per_page=1e3", "status=,"):
        assert client.get(f"/api/v1/events?{query}").status_code in (200, 400), query
