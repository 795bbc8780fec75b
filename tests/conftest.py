"""Shared fixtures: app, client, runner, database, factories, a live server.

The suite runs on SQLite (a temporary file, so that threads share it) unless
TEST_DATABASE_URL points at PostgreSQL. The schema is created once per run
from the models; each test starts from empty tables. tests/services/
test_migrations.py checks that the Alembic revisions build the same schema.
"""
from __future__ import annotations

import os
import socket
import threading

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from config import TestingConfig, normalise_database_url
from tests import factories


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    path = tmp_path_factory.mktemp("db") / "test.sqlite3"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def _schema(database_url):
    app = _make_app(database_url)
    with app.app_context():
        db.drop_all()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _make_app(database_url: str, **overrides):
    class Cfg(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    for key, value in overrides.items():
        setattr(Cfg, key, value)
    return create_app(Cfg)


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def app(_schema, database_url):
    app = _make_app(database_url)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def create_organizer(app):
    return factories.create_organizer


@pytest.fixture
def create_event(app):
    return factories.create_event


@pytest.fixture
def login(client):
    """Sign a test client in as the given organizer."""

    def _login(user, password: str = factories.DEFAULT_PASSWORD, c=None):
        c = c or client
        response = c.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.data[:500]
        return c

    return _login


class LiveServer:
    def __init__(self, app):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.url = f"http://127.0.0.1:{self.port}"
        app.config["BASE_URL"] = self.url
        self._server = make_server("127.0.0.1", self.port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    """The app served over real HTTP (threaded) on a free port, sharing the test database.

    While it runs, the test thread's own reads begin deferred transactions on SQLite
    (app.database.read_only), so a model read in the test does not take the write
    lock that the server's requests wait for.
    """
    from app.database import reset_read_only, set_read_only

    server = LiveServer(app).start()
    token = set_read_only(True)
    yield server
    reset_read_only(token)
    db.session.rollback()
    server.stop()
