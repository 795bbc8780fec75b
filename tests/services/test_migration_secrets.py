"""Revision 0003_secrets: plain-text private links become hashes, and mailed links keep working."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import urls
from app.extensions import db
from app.models import Registration
from app.services import registrations
from tests.conftest import _make_app
from tests.services.test_migrations import empty_database_url  # noqa: F401  (fixture)

LEGACY_TOKEN = "mailed-before-the-upgrade-0123456789abcdefghijk"


def _filler(column: sa.Column):
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 11, 1, tzinfo=UTC)
    if isinstance(kind, sa.JSON):
        return {}
    return "x"


def _insert(conn, table: sa.Table, **values) -> None:
    """A row with every NOT NULL column filled (as revision 0001 knows the table)."""
    row = {c.name: _filler(c) for c in table.columns if not c.nullable and not c.primary_key}
    row.update(values)
    conn.execute(table.insert().values(**row))


def test_plain_tokens_become_hashes_and_mailed_links_keep_working(empty_database_url):  # noqa: F811
    app = _make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            meta = sa.MetaData()
            meta.reflect(conn, only=["events", "ticket_types", "registrations"])
            _insert(conn, meta.tables["events"], id=1, slug="old-event", status="published")
            _insert(conn, meta.tables["ticket_types"], id=1, event_id=1, capacity=None)
            _insert(conn, meta.tables["registrations"], id=1, event_id=1, ticket_type_id=1, status="confirmed",
                     manage_token=LEGACY_TOKEN, email="taro@example.jp", email_normalized="taro@example.jp",
                     organization_lock_key=None)

        upgrade()

        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("registrations")}
            stored = conn.execute(sa.text("SELECT manage_token_hash, manage_salt FROM registrations")).one()
            if conn.dialect.name == "sqlite":  # the table was rebuilt: its partial unique indexes survive
                sql = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = "
                                           "'uq_registrations_active_email'")).scalar()
                assert "WHERE status IN" in sql
        assert "manage_token" not in columns
        assert stored == (hashlib.sha256(LEGACY_TOKEN.encode()).hexdigest(), None)

        # The link in the mails sent before the upgrade still opens the registration.
        registration = registrations.get_by_token(LEGACY_TOKEN)
        assert registration is not None and registration.id == 1
        # A new mail needs the link again: the row gets a derivable one, and the old one still works.
        new_url = urls.manage_url(registration)
        db.session.commit()
        new_token = new_url.rsplit("/r/", 1)[1]
        assert new_token != LEGACY_TOKEN
        db.session.expire_all()
        assert registrations.get_by_token(new_token).id == 1
        assert registrations.get_by_token(LEGACY_TOKEN).id == 1
        assert urls.manage_url(db.session.get(Registration, 1)) == new_url  # derived again, not rotated
        db.session.rollback()

        downgrade(revision="0001")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT manage_token FROM registrations")).scalar() == new_token
        downgrade(revision="base")
        db.engine.dispose()
