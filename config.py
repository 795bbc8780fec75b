"""Configuration read from environment variables.

Every setting has a development default so that `make run` works on a fresh
machine, but nothing fails open: TSUDOI_ENV must name a known environment
(unset means development), and production refuses to start with a missing,
short or public SECRET_KEY (`check_config`, run by create_app for the web app
and every `flask` command alike).
"""
from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

DEV_SECRET_KEY = "dev-secret-key-change-me"
TEST_SECRET_KEY = "test-secret-key"
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """The settings are unsafe or unknown: the app refuses to start."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Accept the usual `postgresql://user@host/db` form and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'tsudoi.sqlite3'}"


class Config:
    TSUDOI_ENV = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL") or default_database_url()
    )
    # PostgreSQL: a pooled connection idle for DATABASE_PING_IDLE_SECONDS or more is tested
    # ("SELECT 1") before use, so connections the server dropped (a restart, pg_terminate_backend,
    # a failover) are replaced instead of failing requests; connections in steady use are not.
    # DATABASE_PRE_PING=true tests every checkout, false none. See app.database.ping_after_idle.
    DATABASE_PRE_PING = os.environ.get("DATABASE_PRE_PING", "").strip().lower() or "auto"
    DATABASE_PING_IDLE_SECONDS = float(os.environ.get("DATABASE_PING_IDLE_SECONDS", "1"))
    # hide_parameters: a failed statement's error (and its log line) never shows the values
    # bound to it, which are personal data (emails, names, phone numbers).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"hide_parameters": True}
    # Seconds told to clients (Retry-After) when the database cannot be reached (503).
    DATABASE_RETRY_AFTER = int(os.environ.get("DATABASE_RETRY_AFTER", "5"))
    # Largest request body (bytes) before a 413; forms are bounded the same way.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024)))
    MAX_FORM_MEMORY_SIZE = int(os.environ.get("MAX_FORM_MEMORY_SIZE", str(512 * 1024)))
    MAX_FORM_PARTS = int(os.environ.get("MAX_FORM_PARTS", "500"))
    # Strict-Transport-Security max-age; 0 sends none (development, tests). Production: a year.
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "0"))
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    TIMEZONE = "Asia/Tokyo"
    BABEL_DEFAULT_LOCALE = "ja"
    BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
    LANGUAGES = ["ja", "en"]
    # The main catalogue plus one per area under app/translations.d/ (merged by Flask-Babel).
    BABEL_TRANSLATION_DIRECTORIES = ";".join(
        [str(BASE_DIR / "app" / "translations")]
        + sorted(str(p) for p in (BASE_DIR / "app" / "translations.d").glob("*") if p.is_dir())
    )

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Tsudoi <noreply@tsudoi.example.jp>")
    # When true, the outbox is never delivered over SMTP (development: read mails on the outbox page).
    # Honoured in development and testing only: production always delivers (see check_config).
    MAIL_SUPPRESS_SEND = _bool("MAIL_SUPPRESS_SEND", False)
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "5"))
    MAIL_BATCH_SIZE = int(os.environ.get("MAIL_BATCH_SIZE", "50"))
    # Seconds: SMTP connect and each read/write; a hung server cannot hold a batch past its lease.
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "30"))
    # Seconds the outbox waits after the SMTP server could not be reached (no message's tries are spent).
    MAIL_OUTAGE_BACKOFF = float(os.environ.get("MAIL_OUTAGE_BACKOFF", "300"))
    # Seconds a 日程変更 mail waits, so that several edits in a row make one mail with the final dates.
    MAIL_SCHEDULE_SETTLE = float(os.environ.get("MAIL_SCHEDULE_SETTLE", "300"))

    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_REGISTRATION = os.environ.get("RATELIMIT_REGISTRATION", "120 per minute")
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "10 per minute;100 per hour")
    # Per account (the submitted email, whatever the address it comes from); failed attempts only.
    RATELIMIT_LOGIN_ACCOUNT = os.environ.get("RATELIMIT_LOGIN_ACCOUNT", "5 per minute;30 per hour")

    # Behind a reverse proxy (nginx, a load balancer): how many proxies set X-Forwarded-For /
    # -Proto / -Host. 0 (direct) trusts none. Rate limits key on the client address it yields.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Exports made on the organizer page are kept here until downloaded, for EXPORT_FILE_MINUTES.
    EXPORT_DIR = os.environ.get("EXPORT_DIR") or str(INSTANCE_DIR / "exports")
    EXPORT_FILE_MINUTES = int(os.environ.get("EXPORT_FILE_MINUTES", "60"))
    # Applications' files (応募書類) are kept here, outside the web root, served only to organizers.
    # Production has no default: with it unset, files are refused (fail closed) and a warning is logged.
    APPLICATION_FILES_DIR = os.environ.get("APPLICATION_FILES_DIR") or str(INSTANCE_DIR / "application-files")
    # The largest file an event may allow (MB); an event's own limit is at most this.
    APPLICATION_FILE_MAX_MB = int(os.environ.get("APPLICATION_FILE_MAX_MB", "20"))
    # 承認制: the registrant list names registrations pending for more than this many days.
    APPROVAL_PENDING_DAYS = int(os.environ.get("APPROVAL_PENDING_DAYS", "3"))

    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # "Keep me signed in" lasts this long (the variable is in days); any sign-in ends after it anyway.
    REMEMBER_COOKIE_DURATION = timedelta(days=int(os.environ.get("REMEMBER_COOKIE_DURATION", "14")))
    TESTING = False
    DEBUG = False


def development_base_url() -> str:
    """BASE_URL when set, else the address `make run` serves (PORT, default 5000)."""
    return (os.environ.get("BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or 5000}").rstrip("/")


class DevelopmentConfig(Config):
    TSUDOI_ENV = "development"
    DEBUG = True
    # In development the links in mails and API answers follow `make run PORT=...` unless BASE_URL is set.
    BASE_URL = development_base_url()
    MAIL_SUPPRESS_SEND = _bool("MAIL_SUPPRESS_SEND", True)


class TestingConfig(Config):
    TSUDOI_ENV = "testing"
    TESTING = True
    SECRET_KEY = TEST_SECRET_KEY
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    MAIL_SUPPRESS_SEND = True
    EXPORT_DIR = os.path.join(tempfile.gettempdir(), f"tsudoi-test-exports-{os.getpid()}")
    APPLICATION_FILES_DIR = os.path.join(tempfile.gettempdir(), f"tsudoi-test-application-files-{os.getpid()}")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL") or "sqlite:///:memory:"
    )
    BASE_URL = "http://localhost"


class ProductionConfig(Config):
    TSUDOI_ENV = "production"
    SESSION_COOKIE_SECURE = True
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    REMEMBER_COOKIE_SECURE = True
    # Never "sent" without sending: production delivers every mail (MAIL_SUPPRESS_SEND is ignored).
    MAIL_SUPPRESS_SEND = False
    # No default on a server: applications' files are personal data and need a place chosen for them.
    APPLICATION_FILES_DIR = os.environ.get("APPLICATION_FILES_DIR") or ""


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The settings named by TSUDOI_ENV (or FLASK_ENV); unset means development.

    Anything else refuses to start: a typo must not give development settings
    (a public SECRET_KEY) to a server.
    """
    for variable in ("TSUDOI_ENV", "FLASK_ENV"):
        raw = os.environ.get(variable, "")
        if raw.strip():
            name = raw.strip().lower()
            if name not in CONFIGS:
                raise ConfigError(
                    f"{variable}={raw!r} is not a known environment: use one of "
                    f"{', '.join(sorted(CONFIGS))} (unset means development)."
                )
            return CONFIGS[name]
    return DevelopmentConfig


def check_config(config) -> list[str]:
    """Refuse unsafe production settings (raises ConfigError); return warnings to log.

    `config` is the app's final configuration (a mapping), so every way of
    building the app (gunicorn, `flask` commands, tests) goes through the same check.
    """
    warnings: list[str] = []
    if config.get("TSUDOI_ENV") != "production":
        return warnings
    key = config.get("SECRET_KEY") or ""
    if isinstance(key, bytes):
        key = key.decode("utf-8", "replace")
    if key in ("", DEV_SECRET_KEY, TEST_SECRET_KEY) or len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_KEY_LENGTH} characters "
            "in production (python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if _bool("MAIL_SUPPRESS_SEND", False):
        warnings.append("MAIL_SUPPRESS_SEND is ignored in production: every mail is delivered over SMTP.")
    config["MAIL_SUPPRESS_SEND"] = False
    if not config.get("APPLICATION_FILES_DIR"):
        warnings.append("APPLICATION_FILES_DIR is not set: applications' files are refused until it names a "
                        "directory outside the web root (mode 0700).")
    if config.get("RATELIMIT_ENABLED") and str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        warnings.append(
            "RATELIMIT_STORAGE_URI is memory:// in production: each gunicorn worker counts on its own, "
            "so every rate limit (sign-in included) is multiplied by the number of workers. "
            "Set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0."
        )
    return warnings
