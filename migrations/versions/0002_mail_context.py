"""mail: outbox context column; private links in stored mail bodies become placeholders

Revision ID: 0002_mail_context
Revises: 0001
Create Date: 2026-11-30

Stored bodies held the registrant's /r/<token> manage, ticket and calendar
links, readable by every staff member on the outbox page. They are replaced
by placeholders that delivery fills in when the mail is sent (pending mails
still get a working link). The downgrade keeps the placeholders: the links
cannot be put back, and delivery of this revision understands them.

Reminder keys now carry the session's date (``reminder:<reg>:<rule>:<epoch>``);
reminders already queued or sent under the old key ``reminder:<reg>:<rule>``
get the new key (the date of their session as it is now) and their context,
so they are not queued a second time after the upgrade.
"""
import re
from datetime import timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_mail_context'
down_revision = '0001'
branch_labels = None
depends_on = None

# Kept here (not imported from app.domain.mail_text) so this revision does not change when the app does.
_STORED_LINK_RE = re.compile(r"https?://[^\s\"'<>]*?/r/[A-Za-z0-9_-]{16,}(/[A-Za-z0-9_.-]*)?")
_NAMES = {"/ticket": "ticket_url", "/calendar.ics": "calendar_url"}


def _redact(text):
    if not text:
        return text
    return _STORED_LINK_RE.sub(lambda m: "[[tsudoi-private:%s]]" % _NAMES.get(m.group(1), "manage_url"), text)


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('context', sa.JSON(), nullable=True))

    outbox = sa.table('outbox_messages', sa.column('id', sa.Integer()), sa.column('body_text', sa.Text()),
                      sa.column('body_html', sa.Text()))
    conn = op.get_bind()
    last_id = 0
    while True:
        rows = conn.execute(
            sa.select(outbox.c.id, outbox.c.body_text, outbox.c.body_html)
            .where(outbox.c.id > last_id).order_by(outbox.c.id).limit(500)
        ).all()
        if not rows:
            break
        for row in rows:
            text, html = _redact(row.body_text), _redact(row.body_html)
            if text != row.body_text or html != row.body_html:
                conn.execute(outbox.update().where(outbox.c.id == row.id).values(body_text=text, body_html=html))
        last_id = rows[-1].id

    _rekey_reminders(conn)


_OLD_REMINDER_KEY = re.compile(r"^reminder:(\d+):(\d+)$")


def _epoch(value):
    if value.tzinfo is None:  # SQLite keeps the UTC wall time
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp())


def _rekey_reminders(conn):
    outbox = sa.table('outbox_messages', sa.column('id', sa.Integer()), sa.column('kind', sa.String()),
                      sa.column('dedupe_key', sa.String()), sa.column('context', sa.JSON()))
    rules = sa.table('reminder_rules', sa.column('id', sa.Integer()), sa.column('event_id', sa.Integer()),
                     sa.column('session_id', sa.Integer()))
    sessions = sa.table('event_sessions', sa.column('id', sa.Integer()), sa.column('event_id', sa.Integer()),
                        sa.column('starts_at', sa.DateTime(timezone=True)))
    sessions_of_rule = {}
    for row in conn.execute(sa.select(outbox.c.id, outbox.c.dedupe_key).where(outbox.c.kind == 'reminder')).all():
        match = _OLD_REMINDER_KEY.match(row.dedupe_key or "")
        if not match:
            continue
        rule_id = int(match.group(2))
        if rule_id not in sessions_of_rule:
            rule = conn.execute(sa.select(rules.c.event_id, rules.c.session_id).where(rules.c.id == rule_id)).first()
            session = None
            if rule is not None and rule.session_id is not None:
                session = conn.execute(sa.select(sessions.c.id, sessions.c.starts_at)
                                       .where(sessions.c.id == rule.session_id)).first()
            elif rule is not None:
                session = conn.execute(sa.select(sessions.c.id, sessions.c.starts_at)
                                       .where(sessions.c.event_id == rule.event_id)
                                       .order_by(sessions.c.starts_at, sessions.c.id).limit(1)).first()
            sessions_of_rule[rule_id] = session
        session = sessions_of_rule[rule_id]
        if session is None:
            continue
        start = _epoch(session.starts_at)
        conn.execute(outbox.update().where(outbox.c.id == row.id).values(
            dedupe_key="%s:%d" % (row.dedupe_key, start), context={"session_id": session.id, "starts_at": start}))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('context')
