"""Rate limits on the public API POSTs (RATELIMIT_REGISTRATION), on memory and Redis storage."""
from __future__ import annotations

import importlib

import pytest

from app import create_app
from app.extensions import db, limiter
from config import TestingConfig
from tests import factories

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def make_app(database_url):
    """An app on the test database with rate-limit settings of the test's choosing."""
    made = []

    def _make(reset=True, **overrides):
        class Cfg(TestingConfig):
            SQLALCHEMY_DATABASE_URI = database_url

        for key, value in overrides.items():
            setattr(Cfg, key, value)
        app = create_app(Cfg)
        made.append(app)
        if reset:
            with app.app_context():
                limiter.reset()  # the limiter (and its counters) is shared by every app of the process
        return app

    yield _make
    for app in made:
        with app.app_context():
            if limiter.enabled:
                limiter.reset()
            db.engine.dispose()


def _post_registrations(app, event, count, start=0):
    url = f"/api/v1/events/{event.id}/registrations"
    payloads = [factories.registration_data(event, 5000 + start + i) for i in range(count)]
    db.session.rollback()  # end the test's own transaction: SQLite allows one writer at a time
    client = app.test_client()
    return [client.post(url, json=payload) for payload in payloads]


def test_over_the_limit_is_429_json(app, create_event, make_app):
    event = create_event(capacity=None)
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_REGISTRATION="3 per minute")
    answers = _post_registrations(limited, event, 4)
    assert [r.status_code for r in answers] == [201, 201, 201, 429]
    too_many = answers[-1]
    assert too_many.is_json
    assert too_many.json["error"] == "too_many_requests"
    assert too_many.json["message"]
    assert answers[0].headers["X-RateLimit-Limit"] == "3"
    # the cancel endpoint is limited too
    client = limited.test_client()
    cancels = [client.post("/api/v1/registrations/cancel", json={"manage_token": f"unknown-{i}"}) for i in range(4)]
    assert [r.status_code for r in cancels] == [404, 404, 404, 429]


def test_reading_is_not_limited(app, create_event, make_app):
    event = create_event()
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_REGISTRATION="1 per minute")
    client = limited.test_client()
    assert {client.get(f"/api/v1/events/{event.id}").status_code for _ in range(5)} == {200}


def test_disabled_means_no_limit_at_all(app, create_event, make_app):
    event = create_event(capacity=None)
    unlimited = make_app(RATELIMIT_ENABLED=False, RATELIMIT_REGISTRATION="2 per minute")
    answers = _post_registrations(unlimited, event, 6)
    assert [r.status_code for r in answers] == [201] * 6
    assert "X-RateLimit-Limit" not in answers[0].headers


def test_ratelimit_enabled_false_in_the_environment_switches_it_off(monkeypatch):
    import config

    monkeypatch.setenv("RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("RATELIMIT_REGISTRATION", "5 per second")
    try:
        reloaded = importlib.reload(config)
        assert reloaded.Config.RATELIMIT_ENABLED is False
        assert reloaded.Config.RATELIMIT_REGISTRATION == "5 per second"
    finally:
        monkeypatch.undo()
        importlib.reload(config)


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def test_limit_on_redis_storage(app, create_event, make_app):
    if not _redis_reachable():
        pytest.skip(f"Redis is not reachable at {REDIS_URL} (start redis-server to run this test)")
    event = create_event(capacity=None)
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_REGISTRATION="2 per minute",
                       RATELIMIT_STORAGE_URI=REDIS_URL)
    answers = _post_registrations(limited, event, 3)
    assert [r.status_code for r in answers] == [201, 201, 429]
    # the counter lives in Redis, shared by every worker process: a second app sees it
    other = make_app(reset=False, RATELIMIT_ENABLED=True, RATELIMIT_REGISTRATION="2 per minute",
                     RATELIMIT_STORAGE_URI=REDIS_URL)
    assert _post_registrations(other, event, 1, start=10)[0].status_code == 429
