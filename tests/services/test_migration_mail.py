"""Revision 0002_mail_context: private links already stored in outbox bodies become placeholders."""
from __future__ import annotations

from datetime import UTC

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app.extensions import db
from tests.conftest import _make_app
from tests.services.test_migrations import empty_database_url  # noqa: F401  (fixture)

TOKEN = "Q2hhbmdlIG1lIHBsZWFzZSBzZWNyZXQtdG9rZW4tNDI"


def test_stored_private_links_are_redacted_and_filled_in_again_at_delivery(empty_database_url):  # noqa: F811
    app = _make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="0001")
        body_text = (f"ご登録内容：\nhttps://tsudoi.example.jp/r/{TOKEN}\n受付票: https://tsudoi.example.jp/r/{TOKEN}/ticket\n"
                     f"カレンダー: https://tsudoi.example.jp/r/{TOKEN}/calendar.ics\nイベント: https://tsudoi.example.jp/events/x")
        body_html = f'<a href="https://tsudoi.example.jp/r/{TOKEN}">https://tsudoi.example.jp/r/{TOKEN}</a>'
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO outbox_messages (dedupe_key, kind, to_email, subject, body_text, body_html, attachments,"
                " language, status, attempts, next_attempt_at, last_error, created_at)"
                " VALUES ('k1', 'confirmed', 'a@example.jp', 's', :t, :h, '[]', 'ja', 'pending', 0,"
                " CURRENT_TIMESTAMP, '', CURRENT_TIMESTAMP)"), {"t": body_text, "h": body_html})
        upgrade(revision="0002_mail_context")
        with db.engine.connect() as conn:
            stored_text, stored_html, context = conn.execute(
                text("SELECT body_text, body_html, context FROM outbox_messages")).one()
        assert TOKEN not in stored_text and TOKEN not in stored_html
        assert "[[tsudoi-private:manage_url]]" in stored_text
        assert "受付票: [[tsudoi-private:ticket_url]]" in stored_text
        assert "カレンダー: [[tsudoi-private:calendar_url]]" in stored_text
        assert "https://tsudoi.example.jp/events/x" in stored_text  # public links stay
        assert stored_html == '<a href="[[tsudoi-private:manage_url]]">[[tsudoi-private:manage_url]]</a>'
        assert context is None
        downgrade(revision="0001")
        downgrade(revision="base")
        db.engine.dispose()


def test_reminders_queued_under_the_old_key_are_not_queued_again(empty_database_url):  # noqa: F811
    from datetime import datetime

    app = _make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="0001")
        # Rows written as at revision 0001, in SQL (today's models have columns that 0001 has not).
        first_start = datetime(2027, 1, 20, 4, 0, tzinfo=UTC)
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO events (slug, title, summary, description, category, format, venue, address,"
                " online_url, organizer_name, co_organizers, contact, status, status_reason, admission_mode,"
                " waitlist_enabled, one_per_organization, consent_text, starts_at, created_at, updated_at)"
                " VALUES ('m', 'セミナー', '', '', 'seminar', 'online', '', '', '', '', '', '', 'published', '',"
                " 'first_come', true, false, '', :start, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"start": first_start})
            event_id = conn.execute(text("SELECT id FROM events WHERE slug = 'm'")).scalar_one()
            for day in (0, 1):
                conn.execute(text(
                    "INSERT INTO event_sessions (event_id, title, starts_at, venue, is_online)"
                    " VALUES (:e, '', :s, '', false)"), {"e": event_id, "s": first_start.replace(day=20 + day)})
            conn.execute(text("INSERT INTO reminder_rules (event_id, days_before, send_time)"
                              " VALUES (:e, 7, '10:00')"), {"e": event_id})
            rule_id = conn.execute(text("SELECT id FROM reminder_rules")).scalar_one()
            session_id = conn.execute(text("SELECT id FROM event_sessions ORDER BY starts_at")).first()[0]
        start = int(first_start.timestamp())

        class first:  # noqa: N801 - what the assertions below read of the first session
            starts_at = first_start

        with db.engine.begin() as conn:
            for key in (f"reminder:5:{rule_id}", "reminder:6:999", "reg:5:confirmed:created"):
                conn.execute(text(
                    "INSERT INTO outbox_messages (dedupe_key, kind, to_email, subject, body_text, body_html,"
                    " attachments, language, status, attempts, next_attempt_at, last_error, created_at)"
                    " VALUES (:k, :kind, 'a@example.jp', 's', 'b', '', '[]', 'ja', 'sent', 1,"
                    " CURRENT_TIMESTAMP, '', CURRENT_TIMESTAMP)"),
                    {"k": key, "kind": "reminder" if key.startswith("reminder") else "confirmed"})
        upgrade(revision="0002_mail_context")
        with db.engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT dedupe_key, context FROM outbox_messages")).all())
        from app import notifications

        new_key = notifications.reminder_key(5, rule_id, first.starts_at)
        assert new_key == f"reminder:5:{rule_id}:{start}"
        assert new_key in rows  # the scheduler finds it and does not queue the reminder again
        context = rows[new_key]
        context = context if isinstance(context, dict) else __import__("json").loads(context)
        assert context == {"session_id": session_id, "starts_at": start}
        assert "reminder:6:999" in rows and "reg:5:confirmed:created" in rows  # unknown rule, other kinds: as they were
        downgrade(revision="base")
        db.engine.dispose()
