"""Configuration from the environment, SQLite settings, CSRF, and the organizer CLI."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app import create_app
from app.extensions import db
from app.models import ApiToken, Organizer
from config import ProductionConfig, normalise_database_url
from tests.conftest import _make_app


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


@pytest.mark.parametrize("key", [None, "", "dev-secret-key-change-me", "test-secret-key", "short", "x" * 31])
def test_production_refuses_a_default_or_weak_secret_key(key):
    class Cfg(ProductionConfig):
        SECRET_KEY = key

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Cfg)


def test_production_starts_with_a_real_secret_key():
    class Cfg(ProductionConfig):
        SECRET_KEY = "x" * 40
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"

    app = create_app(Cfg)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_csrf_is_enforced_on_forms(database_url, _schema, create_organizer):
    email = create_organizer().email
    db.session.rollback()  # end the test thread's transaction: the other app writes (SQLite lock)
    app = _make_app(database_url, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": "correct horse battery"})
    assert response.status_code == 400
    assert "フォームの有効期限が切れた".encode() in response.data
    # with the token from the page, it works
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"email": email, "password": "correct horse battery",
                                           "csrf_token": token})
    assert response.status_code == 302


def test_cli_creates_an_organizer_and_a_token(app, runner):
    result = runner.invoke(args=["organizers", "create", "Boss@Example.jp", "--role", "admin",
                                 "--password", "long enough pw"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(Organizer).where(Organizer.email == "boss@example.jp"))
    assert user.role == "admin" and user.check_password("long enough pw")
    again = runner.invoke(args=["organizers", "create", "boss@example.jp", "--password", "long enough pw"])
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["organizers", "create", "x@example.jp", "--password", "short"])
    assert short.exit_code != 0

    result = runner.invoke(args=["organizers", "token", "boss@example.jp"])
    assert result.exit_code == 0
    token = result.output.strip()
    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.token_hash == ApiToken.hash_token(token) and token not in stored.token_hash


def test_cli_asks_for_the_password(app, runner):
    result = runner.invoke(args=["organizers", "create", "p@example.jp"], input="secret-pass\nsecret-pass\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Organizer).where(Organizer.email == "p@example.jp")).check_password("secret-pass")


def test_behind_a_proxy_the_client_address_is_the_forwarded_one(database_url, _schema):
    seen = {}
    for proxies in (0, 1):
        app = _make_app(database_url, TRUSTED_PROXIES=proxies)

        @app.get("/_whoami")
        def whoami():
            from flask import request

            return request.remote_addr or ""

        seen[proxies] = app.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.7"},
                                              environ_base={"REMOTE_ADDR": "10.0.0.2"}).text
    assert seen == {0: "10.0.0.2", 1: "203.0.113.7"}
