"""The private link (/r/<token>): only its hash is stored; staff acting through it are audited as themselves."""
from __future__ import annotations

import hashlib

from flask import current_app
from sqlalchemy import select, text

from app import urls
from app.extensions import db
from app.models import AuditLog, Registration
from app.services import registrations
from tests import factories
from tests.factories import register


def _row_text(registration_id: int) -> str:
    row = db.session.execute(text("SELECT * FROM registrations WHERE id = :id"), {"id": registration_id}).one()
    return " ".join(str(v) for v in row)


def test_the_database_holds_no_usable_link(client, create_event):
    event = create_event()
    body = client.post(f"/api/v1/events/{event.id}/registrations", json=factories.registration_data(event)).json
    token = body["manage_token"]  # given once, to the registrant who has just registered
    assert body["manage_url"] == f"http://localhost/r/{token}"
    stored = _row_text(body["id"])
    assert token not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert client.get(f"/r/{token}").status_code == 200
    assert client.get(f"/r/{hashlib.sha256(token.encode()).hexdigest()}").status_code == 404  # the hash opens nothing


def test_links_are_derived_the_same_every_time(app, create_event):
    registration = register(create_event()).registration
    first = urls.manage_url(registration)
    db.session.expire_all()
    again = db.session.get(Registration, registration.id)
    assert urls.manage_url(again) == first
    assert urls.ticket_url(again) == first + "/ticket" and urls.calendar_url(again) == first + "/calendar.ics"
    assert not db.session.dirty  # deriving writes nothing


def test_a_legacy_link_keeps_working_after_a_new_one_is_rendered(client, create_event):
    registration = register(create_event()).registration
    factories.legacy_registration(registration, "plain-token-mailed-before-the-upgrade")
    assert registration.manage_token is None  # cannot be derived: known only by its hash
    assert client.get("/r/plain-token-mailed-before-the-upgrade").status_code == 200
    new_url = urls.manage_url(registration)  # a reminder needs the link: the row gets a new one
    db.session.commit()
    assert client.get(new_url.removeprefix("http://localhost")).status_code == 200
    assert client.get("/r/plain-token-mailed-before-the-upgrade").status_code == 200


def test_two_processes_giving_a_legacy_row_a_new_link_give_the_same_one(app, create_event):
    registration = register(create_event()).registration
    factories.legacy_registration(registration, "plain-token-mailed-before-the-upgrade")
    first = urls.manage_url(registration)  # one mail worker ...
    db.session.rollback()  # ... whose transaction has not committed when another one renders it
    assert urls.manage_url(db.session.get(Registration, registration.id)) == first


def test_a_changed_secret_key_keeps_mailed_links_working(client, create_event):
    registration = register(create_event()).registration
    old_token = registration.manage_token
    current_app.config["SECRET_KEY"] = "another-secret-key-" + "x" * 20
    try:
        new_token = urls.manage_token(registration)
        db.session.commit()
        assert new_token != old_token
        assert registrations.get_by_token(old_token).id == registration.id
        assert registrations.get_by_token(new_token).id == registration.id
    finally:
        current_app.config["SECRET_KEY"] = "test-secret-key"


def _audit(action: str) -> AuditLog:
    return db.session.scalars(select(AuditLog).where(AuditLog.action == action)).one()


def test_staff_acting_through_the_link_are_audited_as_themselves(client, create_event, create_organizer, login):
    event = create_event()
    registration = register(event).registration
    token, registration_id = registration.manage_token, registration.id
    staff = create_organizer()
    login(staff)
    form = {**factories.registration_data(event), "phone": "03-1234-5678"}
    form.pop("answers")
    assert client.post(f"/r/{token}/edit", data=form).status_code == 303
    assert client.post(f"/r/{token}/cancel").status_code == 303
    for action in ("registration.updated", "registration.cancelled"):
        entry = _audit(action)
        assert (entry.actor_id, entry.actor_label) == (staff.id, staff.email), action
        assert entry.registration_id == registration_id


def test_the_registrant_is_audited_as_the_registrant(client, create_event):
    registration = register(create_event()).registration
    assert client.post(f"/r/{registration.manage_token}/cancel").status_code == 303
    entry = _audit("registration.cancelled")
    assert (entry.actor_id, entry.actor_label) == (None, "registrant")
