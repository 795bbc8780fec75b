"""Revision 0012_lottery: lottery events get a committed seed; downgrading keeps every row."""
from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db
from tests.conftest import _make_app
from tests.services.test_migration_secrets import _insert
from tests.services.test_migrations import empty_database_url  # noqa: F401  (fixture)


def test_lottery_events_get_a_seed_and_downgrade_keeps_the_rows(empty_database_url):  # noqa: F811
    app = _make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="0009_exports")
        with db.engine.begin() as conn:
            meta = sa.MetaData()
            meta.reflect(conn, only=["events", "ticket_types", "registrations"])
            _insert(conn, meta.tables["events"], id=1, slug="lottery", status="published", admission_mode="lottery")
            _insert(conn, meta.tables["events"], id=2, slug="first-come", status="published",
                    admission_mode="first_come")
            _insert(conn, meta.tables["ticket_types"], id=1, event_id=1, capacity=20)
            _insert(conn, meta.tables["registrations"], id=1, event_id=1, ticket_type_id=1, status="applied",
                    manage_token_hash="a" * 64, email="taro@example.jp", email_normalized="taro@example.jp",
                    organization_lock_key=None, previous_manage_token_hash=None, manage_salt=None)
        upgrade(revision="0012_lottery")
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, lottery_seed, lottery_seed_hash, lottery_losers FROM events "
                                        "ORDER BY id")).all()
        (_, seed, digest, losers), (_, other_seed, other_hash, _) = rows
        assert len(seed) == 64 and digest == hashlib.sha256(seed.encode()).hexdigest() and losers == "lost"
        assert other_seed is None and other_hash is None
        downgrade(revision="0009_exports")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM registrations")).scalar() == 1
            assert conn.execute(sa.text("SELECT count(*) FROM events")).scalar() == 2
        downgrade(revision="base")
        db.engine.dispose()
