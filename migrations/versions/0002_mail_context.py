"""mail: outbox context column; private links in stored mail bodies become placeholders

Revision ID: 0002_mail_context
Revises: 0001
Create Date: 2026-11-30

Stored bodies held the registrant's /r/<token> manage, ticket and calendar
links, readable by every staff member on the outbox page. They are replaced
by placeholders that delivery fills in when the mail is sent (pending mails
still get a working link). The downgrade keeps the placeholders: the links
cannot be put back, and delivery of this revision understands them.
"""
import re

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


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('context')
