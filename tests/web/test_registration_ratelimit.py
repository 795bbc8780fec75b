"""The registration form's POSTs are rate limited (RATELIMIT_REGISTRATION); reading the form is not."""
from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db, limiter
from config import TestingConfig
from tests.web.test_registration import form_data


@pytest.fixture
def limited_app(database_url):
    class Cfg(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        RATELIMIT_ENABLED = True
        RATELIMIT_REGISTRATION = "3 per minute"

    app = create_app(Cfg)
    with app.app_context():
        limiter.reset()  # the limiter's counters are shared by every app of the process
    yield app
    with app.app_context():
        limiter.reset()
        db.engine.dispose()


def test_too_many_posts_get_429_with_a_page(app, create_event, limited_app):
    event = create_event(capacity=None)
    slug = event.slug
    data = form_data(event)
    people = [form_data(event, n) for n in range(4)]
    db.session.rollback()  # SQLite: one writer at a time, leave it to the other app
    client = limited_app.test_client()
    codes = [client.post(f"/events/{slug}/register", data=data).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    page = client.post(f"/events/{slug}/register", data=data)
    assert page.status_code == 429
    assert "しばらく待ってからもう一度お試しください" in page.text
    confirms = [client.post(f"/events/{slug}/register/confirm", data=person).status_code for person in people]
    assert confirms == [303, 303, 303, 429]
    assert {client.get(f"/events/{slug}/register").status_code for _ in range(5)} == {200}
