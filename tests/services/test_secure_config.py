"""Closed by default: unknown environments, weak keys, production mail, the demo; logs without secrets."""
from __future__ import annotations

import logging
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.extensions import db
from app.models import Organizer
from config import DevelopmentConfig, ProductionConfig, config_from_env
from tests.conftest import _make_app

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 64


@pytest.fixture(autouse=True)
def _loggers_enabled():
    """Alembic's fileConfig (the migration tests) disables the loggers that exist then; these tests read them."""
    names = ("app", "werkzeug", "gunicorn.access", "gunicorn.error")
    before = {name: logging.getLogger(name).disabled for name in names}
    for name in names:
        logging.getLogger(name).disabled = False
    yield
    for name, disabled in before.items():
        logging.getLogger(name).disabled = disabled


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("TSUDOI_ENV", "FLASK_ENV", "MAIL_SUPPRESS_SEND"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("variable", ["TSUDOI_ENV", "FLASK_ENV"])
@pytest.mark.parametrize("value", ["prodution", "prod", "staging"])
def test_an_unknown_environment_refuses_to_start(clean_env, variable, value):
    clean_env.setenv(variable, value)
    with pytest.raises(RuntimeError, match=f"{variable}='{value}' is not a known environment"):
        config_from_env()
    with pytest.raises(RuntimeError):
        create_app()


def test_known_environments_and_the_development_default(clean_env):
    assert config_from_env() is DevelopmentConfig
    clean_env.setenv("TSUDOI_ENV", " Production ")
    assert config_from_env() is ProductionConfig


def _flask(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("TSUDOI_ENV", "FLASK_ENV", "SECRET_KEY", "DATABASE_URL", "MAIL_SUPPRESS_SEND")}
    environ.update(FLASK_APP="wsgi.py", **env)
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=environ, capture_output=True,
                          text=True, timeout=120)


def test_flask_commands_refuse_a_mistyped_environment_and_a_weak_production_key(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    typo = _flask("organizers", "tokens", "x@example.jp", TSUDOI_ENV="prodution", DATABASE_URL=url)
    assert typo.returncode != 0 and "TSUDOI_ENV='prodution' is not a known environment" in typo.stderr
    weak = _flask("organizers", "tokens", "x@example.jp", TSUDOI_ENV="production", DATABASE_URL=url,
                  SECRET_KEY="dev-secret-key-change-me")
    assert weak.returncode != 0 and "SECRET_KEY must be set" in weak.stderr


def test_production_checks_the_final_settings_whatever_builds_the_app(clean_env):
    clean_env.setenv("TSUDOI_ENV", "production")
    clean_env.setenv("SECRET_KEY", STRONG_KEY)
    for weak in ("dev-secret-key-change-me", "test-secret-key", "short"):
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app({"SECRET_KEY": weak, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})


def test_production_always_delivers_mail(clean_env, caplog):
    clean_env.setenv("MAIL_SUPPRESS_SEND", "true")

    class Cfg(ProductionConfig):
        SECRET_KEY = STRONG_KEY
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"

    with caplog.at_level(logging.WARNING):
        app = create_app(Cfg)
    assert app.config["MAIL_SUPPRESS_SEND"] is False
    assert "MAIL_SUPPRESS_SEND is ignored in production" in caplog.text
    clean_env.setenv("TSUDOI_ENV", "production")  # and set in the settings, not the environment
    assert create_app({"MAIL_SUPPRESS_SEND": True, "SECRET_KEY": STRONG_KEY, "RATELIMIT_ENABLED": False}
                      ).config["MAIL_SUPPRESS_SEND"] is False


def test_development_and_testing_may_suppress_mail():
    assert _make_app("sqlite://", MAIL_SUPPRESS_SEND=True).config["MAIL_SUPPRESS_SEND"] is True


def test_production_with_memory_rate_limits_warns_at_start(caplog):
    class Cfg(ProductionConfig):
        SECRET_KEY = STRONG_KEY
        RATELIMIT_STORAGE_URI = "memory://"

    with caplog.at_level(logging.WARNING):
        create_app(Cfg)
    assert "RATELIMIT_STORAGE_URI is memory:// in production" in caplog.text

    caplog.clear()

    class Shared(Cfg):
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"

    with caplog.at_level(logging.WARNING):
        create_app(Shared)
    assert "memory://" not in caplog.text


def test_demo_load_refuses_in_production(app, runner):
    app.config["TSUDOI_ENV"] = "production"
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "not loaded in production" in result.output
    assert db.session.scalar(select(Organizer.id)) is None  # no admin with a public password


# --- logs ------------------------------------------------------------------------------


def test_a_failed_statement_does_not_show_its_parameters(app, create_organizer):
    user = create_organizer(email="secret-person@example.jp")
    db.session.add(Organizer(email=user.email, password_hash="x", display_name="山田 秘密", role="viewer"))
    with pytest.raises(IntegrityError) as caught:
        db.session.commit()
    db.session.rollback()
    assert "山田 秘密" not in str(caught.value) and "parameters hidden" in str(caught.value)


def test_the_error_log_of_a_failed_statement_carries_no_personal_data(database_url, _schema, create_organizer,
                                                                       caplog):
    email = create_organizer(email="secret-person@example.jp").email
    db.session.rollback()
    web = _make_app(database_url, TESTING=False)

    @web.post("/r/<token>/duplicate")
    def duplicate(token):
        db.session.add(Organizer(email=email, password_hash="x", display_name="山田 秘密", role="viewer"))
        db.session.commit()

    with caplog.at_level(logging.ERROR):
        assert web.test_client().post("/r/TOKEN-xyz/duplicate").status_code == 500
    logged = caplog.text
    assert "Unhandled error on POST /r/[redacted]/duplicate" in logged
    assert "IntegrityError" in logged and "INSERT INTO organizers" in logged  # enough to find the fault ...
    assert "organizers_email" in logged or "organizers.email" in logged
    for private in ("secret-person@example.jp", "山田 秘密", "TOKEN-xyz"):  # ... and nothing about the person
        assert private not in logged, private


@pytest.fixture
def werkzeug_log(caplog):
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        yield caplog


def test_the_development_server_log_hides_private_links(live_server, werkzeug_log, create_event):
    import urllib.error
    import urllib.request

    from tests.factories import register

    token = register(create_event()).registration.manage_token
    for path in (f"/r/{token}", f"/r/{token}/ticket", f"/r/{token}/calendar.ics?x=1"):
        with urllib.request.urlopen(live_server.url + path) as response:
            assert response.status == 200
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(live_server.url + "/r/not-a-real-token")
    text = werkzeug_log.text
    assert text.count("GET /r/[redacted]") == 4, text  # the request lines are logged ...
    assert token not in text and "not-a-real-token" not in text  # ... without the tokens


def test_an_unhandled_error_logs_the_path_without_the_token(database_url, _schema, caplog):
    app = _make_app(database_url, TESTING=False)

    @app.get("/r/<token>/boom")
    def boom(token):
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/r/TOKEN-abc123/boom")
    assert response.status_code == 500
    assert "Unhandled error on GET /r/[redacted]/boom" in caplog.text
    assert "TOKEN-abc123" not in caplog.text


def test_gunicorns_access_and_error_logs_hide_private_links():
    from gunicorn.config import Config as GunicornConfig

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    cfg = GunicornConfig()
    cfg.set("accesslog", "-")
    logger = settings["logger_class"](cfg)
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    for log in (logger.access_log, logger.error_log):
        log.addHandler(Keep())
    atoms = {"h": "203.0.113.7", "r": "GET /r/tok-SECRET-1/ticket HTTP/1.1", "s": "200",
             "f": "https://tsudoi.example.jp/r/tok-SECRET-2", "a": "Mozilla"}
    logger.access_log.info('%(h)s "%(r)s" %(s)s "%(f)s" "%(a)s"', atoms)
    logger.error_log.error("Error handling request %s", "/r/tok-SECRET-3/edit")
    assert lines == ['203.0.113.7 "GET /r/[redacted]/ticket HTTP/1.1" 200 "https://tsudoi.example.jp/r/[redacted]" '
                     '"Mozilla"', "Error handling request /r/[redacted]/edit"]
