"""Revision 0024_retention: registrations get erased_at, and the person key of every existing one is
filled in (the statistics count people by it once an email is erased)."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, text

from app.domain.people import key_of
from app.extensions import db
from tests.conftest import _make_app
from tests.services.test_migration_exports import _insert
from tests.services.test_migrations import empty_database_url  # noqa: F401  (fixture)


def test_person_keys_are_filled_in_for_existing_registrations(empty_database_url):  # noqa: F811
    app = _make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="0018_applications")
        meta = MetaData()
        meta.reflect(db.engine, only=["events", "ticket_types", "registrations"])
        emails = ["hanako@example.jp", "taro@example.jp", "noemail:abc"]
        with db.engine.begin() as conn:
            event_id = _insert(conn, meta.tables["events"], slug="m", status="published")
            tt_id = _insert(conn, meta.tables["ticket_types"], event_id=event_id, name="一般")
            for i, email in enumerate(emails):
                _insert(conn, meta.tables["registrations"], event_id=event_id, ticket_type_id=tt_id,
                        status="confirmed", email=email, email_normalized=email, manage_token_hash=f"{i}" * 64)
        upgrade(revision="0024_retention")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT email_normalized, person_key, erased_at FROM registrations "
                                     "ORDER BY id")).all()
        assert [(e, k, at) for e, k, at in rows] == [(e, key_of(e), None) for e in emails]
        downgrade(revision="0018_applications")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in db.inspect(conn).get_columns("registrations")}
        assert "person_key" not in columns and "erased_at" not in columns
        downgrade(revision="base")
        db.engine.dispose()
