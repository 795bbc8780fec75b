"""Security headers, `Allow` on 405, and a database out of reach (503 + Retry-After)."""
from __future__ import annotations

import socket

import pytest

from app.extensions import db
from config import ProductionConfig
from tests.conftest import _make_app


def test_security_headers_on_pages_and_api(client, create_event):
    event = create_event()
    for path in ("/", f"/events/{event.slug}", f"/events/{event.slug}/register", "/api/v1/events", "/nope"):
        r = client.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "style-src 'self'" in csp
        assert "camera=()" in r.headers["Permissions-Policy"]
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in r.headers  # development and tests: no HSTS


def test_hsts_in_production(database_url, monkeypatch):
    class Prod(ProductionConfig):
        SECRET_KEY = "a-long-production-secret-key-" + "0123456789abcdef" * 2
        SQLALCHEMY_DATABASE_URI = database_url
        HSTS_SECONDS = 31536000

    app = _make_app(database_url)
    prod = __import__("app").create_app(Prod)
    r = prod.test_client().get("/api/v1/openapi.json")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in app.test_client().get("/api/v1/openapi.json").headers
    with prod.app_context():
        db.engine.dispose()


def test_no_inline_script_or_style_attribute_in_served_pages(client, create_event):
    event = create_event()
    for path in ("/", f"/events/{event.slug}", f"/events/{event.slug}/register", "/login"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page and " onclick=" not in page and ' style="' not in page


@pytest.mark.parametrize("method,path,allowed", [
    ("delete", "/api/v1/events", {"GET", "POST"}),
    ("put", "/api/v1/registrations/cancel", {"POST"}),
    ("delete", "/", {"GET"}),
])
def test_405_keeps_the_allow_header(client, method, path, allowed):
    r = getattr(client, method)(path)
    assert r.status_code == 405
    assert allowed <= {m.strip() for m in r.headers["Allow"].split(",")}
    if path.startswith("/api/"):
        assert r.json["error"] == "method_not_allowed"


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there any more
    return port


@pytest.fixture
def unreachable_app():
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/tsudoi?connect_timeout=2"
    app = _make_app(url)
    app.testing = True
    yield app
    with app.app_context():
        db.engine.dispose()


def test_unreachable_database_is_503_with_retry_after(unreachable_app):
    client = unreachable_app.test_client()
    r = client.get("/api/v1/events")
    assert r.status_code == 503
    assert r.headers["Retry-After"].isdigit()
    assert r.json["error"] == "service_unavailable"
    assert "一時的" in r.json["message"]
    r = client.get("/?lang=en")
    assert r.status_code == 503
    assert r.headers["Retry-After"].isdigit()
    assert "temporarily unavailable" in r.get_data(as_text=True)
    r = client.post("/api/v1/registrations/cancel", json={"manage_token": "x"})
    assert r.status_code == 503


def test_idle_connections_are_pinged_on_postgresql_never_on_sqlite():
    from app.database import ping_after_idle

    assert ping_after_idle("postgresql+psycopg://x/y") == 1.0
    assert ping_after_idle("postgresql+psycopg://x/y", "auto", 5) == 5.0
    assert ping_after_idle("sqlite:///x.sqlite3") is None
    assert ping_after_idle("postgresql+psycopg://x/y", "false") is None
    assert ping_after_idle("sqlite:///x", "true") == 0.0  # every checkout


def _terminate_pooled_connections(engine, n: int) -> None:
    """Fill the pool with `n` connections, then have PostgreSQL kill them all."""
    import psycopg

    connections = [engine.connect() for _ in range(n)]
    pids = [c.exec_driver_sql("SELECT pg_backend_pid()").scalar() for c in connections]
    for c in connections:
        c.close()  # back to the pool, alive as far as the pool knows
    admin_url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def _requests(client, event_id, data) -> list[int]:
    codes = []
    for body in data:
        codes.append(client.get(f"/api/v1/events/{event_id}").status_code)
        codes.append(client.post(f"/api/v1/events/{event_id}/registrations", json=body).status_code)
    return codes


def test_pool_recovers_after_the_server_terminated_idle_connections(database_url, _schema):
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend needs PostgreSQL")
    import time

    from tests import factories

    app = _make_app(database_url, DATABASE_PING_IDLE_SECONDS=0.2)
    with app.app_context():
        event = factories.create_event()
        event_id, data = event.id, [factories.registration_data(event, n) for n in range(6)]
        db.session.remove()
        _terminate_pooled_connections(db.engine, 3)
        time.sleep(0.3)  # the pooled connections are idle past the threshold: pinged, replaced
        assert _requests(app.test_client(), event_id, data) == [200, 201] * 6  # none may fail
        db.session.remove()
        _empty_tables_of(app)


def test_connections_killed_while_busy_fail_one_request_then_the_pool_is_renewed(database_url, _schema):
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend needs PostgreSQL")
    from tests import factories

    app = _make_app(database_url, DATABASE_PING_IDLE_SECONDS=3600)  # no ping: as under a flash crowd
    with app.app_context():
        event = factories.create_event()
        event_id, data = event.id, [factories.registration_data(event, n) for n in range(6)]
        db.session.remove()
        _terminate_pooled_connections(db.engine, 3)
        codes = _requests(app.test_client(), event_id, data)
        assert codes.count(503) <= 1, codes  # the request that met a dead connection
        assert codes[-6:] == [200, 201] * 3, codes  # and then the whole pool was renewed
        db.session.remove()
        _empty_tables_of(app)


def _empty_tables_of(app) -> None:
    from tests.conftest import _empty_tables

    _empty_tables()
    db.engine.dispose()
