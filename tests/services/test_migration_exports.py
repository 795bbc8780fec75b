"""Revision 0009_exports: the export log table, and the search text of existing registrations filled in."""
from __future__ import annotations

from datetime import UTC, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import JSON, Boolean, DateTime, Integer, MetaData, String, Text, select, text

from app.domain.registrant_list import search_text
from app.extensions import db
from tests.conftest import _make_app
from tests.services.test_migrations import empty_database_url  # noqa: F401  (fixture)


def _insert(conn, table, **values):
    """A row with `values` and a plain value in every other required column (written as at revision 0006)."""
    row = dict(values)
    for col in table.columns:
        if col.name in row or col.nullable or col.server_default is not None or col.primary_key:
            continue
        if isinstance(col.type, Boolean):
            row[col.name] = False
        elif isinstance(col.type, Integer):
            row[col.name] = 0
        elif isinstance(col.type, DateTime):
            row[col.name] = datetime(2026, 4, 1, tzinfo=UTC)
        elif isinstance(col.type, JSON):
            row[col.name] = {}
        elif isinstance(col.type, String | Text):
            row[col.name] = f"{col.name}-{table.name}"[: col.type.length or 100]
        else:
            row[col.name] = "x"
    return conn.execute(table.insert().values(**row)).inserted_primary_key[0]


def test_search_text_is_filled_in_for_existing_registrations(empty_database_url):  # noqa: F811
    app = _make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="0006")
        meta = MetaData()
        meta.reflect(db.engine, only=["events", "ticket_types", "registrations"])
        with db.engine.begin() as conn:
            event_id = _insert(conn, meta.tables["events"], slug="m", status="published")
            tt_id = _insert(conn, meta.tables["ticket_types"], event_id=event_id, name="一般")
            _insert(conn, meta.tables["registrations"], event_id=event_id, ticket_type_id=tt_id, status="confirmed",
                    email="Hanako@Example.jp", email_normalized="hanako@example.jp", family_name="佐藤",
                    given_name="花子", family_name_kana="ｻﾄｳ", given_name_kana="はなこ", organization="ＡＢＣ 商事",
                    manage_token_hash="h" * 64)
        upgrade(revision="0009_exports")
        with db.engine.connect() as conn:
            stored = conn.execute(text("SELECT search_text FROM registrations")).scalar_one()
            assert conn.execute(select(text("count(*)")).select_from(text("export_logs"))).scalar_one() == 0
        assert stored == search_text(family_name="佐藤", given_name="花子", family_name_kana="ｻﾄｳ",
                                     given_name_kana="はなこ", organization="ＡＢＣ 商事", email="Hanako@Example.jp")
        assert "サトウハナコ" in stored and "abc商事" in stored
        downgrade(revision="0006")
        with db.engine.connect() as conn:
            assert "export_logs" not in db.inspect(conn).get_table_names()
        downgrade(revision="base")
        db.engine.dispose()
