"""Security headers, `Allow` on 405, and a database out of reach (503 + Retry-After)."""
from __future__ import annotations

import socket

import pytest
from sqlalchemy import text

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


def test_pre_ping_is_on_for_postgresql_and_off_for_sqlite():
    from app.database import engine_options

    assert engine_options("postgresql+psycopg://x/y")["pool_pre_ping"] is True
    assert engine_options("sqlite:///x.sqlite3")["pool_pre_ping"] is False
    assert engine_options("postgresql+psycopg://x/y", "false")["pool_pre_ping"] is False
    assert engine_options("sqlite:///x", "true")["pool_pre_ping"] is True


def test_pool_recovers_after_the_server_terminated_its_connections(app, client, create_event):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pg_terminate_backend needs PostgreSQL")
    from tests import factories

    event = create_event()
    event_id, data = event.id, [factories.registration_data(event, n) for n in range(6)]
    db.session.remove()
    # Fill the pool with several connections, then have PostgreSQL kill them all.
    connections = [db.engine.connect() for _ in range(3)]
    pids = [c.exec_driver_sql("SELECT pg_backend_pid()").scalar() for c in connections]
    for c in connections:
        c.close()  # back to the pool, alive as far as the pool knows
    import psycopg

    admin_url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    for n in range(6):  # every pooled connection is drawn at least once: none may fail
        r = client.get(f"/api/v1/events/{event_id}")
        assert r.status_code == 200, r.data
        r = client.post(f"/api/v1/events/{event_id}/registrations", json=data[n])
        assert r.status_code == 201, r.data
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
