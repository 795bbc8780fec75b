"""retention: registrations get `erased_at` and `person_key`

`erased_at`: when the registration's personal data was erased, the retention period
(ORG_RETENTION_MONTHS after the event) being over (app.services.retention).

`ix_registrations_not_erased`: the registrations not yet erased, per event (the jobs look for
them each pass; a partial index stays as small as the recent registrations).

`person_key`: the statistics' 64-bit key of the person (the first 8 bytes of the SHA-256 of
the normalised email, as participation_facts.person already holds), which outlives the
email's erasure so that the figures stay the same. Filled here for every row, in batches.

Plain ADD COLUMN on `registrations` (never a batch rebuild: on SQLite it would cascade).

Revision ID: 0024_retention
Revises: 0018_applications
Create Date: 2026-11-30

"""
import hashlib

import sqlalchemy as sa
from alembic import op

revision = '0024_retention'
down_revision = '0018_applications'
branch_labels = None
depends_on = None

_BATCH = 1000


def _key_of(text: str) -> int:
    """app.domain.people.key_of, copied: a revision never changes with the app."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big", signed=True)


def upgrade():
    op.add_column('registrations', sa.Column('person_key', sa.BigInteger(), nullable=True))
    op.add_column('registrations', sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_registrations_person_key', 'registrations', ['person_key'], unique=False)
    op.create_index('ix_registrations_not_erased', 'registrations', ['event_id'], unique=False,
                    sqlite_where=sa.text('erased_at IS NULL'), postgresql_where=sa.text('erased_at IS NULL'))

    conn = op.get_bind()
    registrations = sa.table('registrations', sa.column('id', sa.Integer()),
                             sa.column('email_normalized', sa.String()), sa.column('person_key', sa.BigInteger()))
    last = 0
    while True:
        rows = conn.execute(sa.select(registrations.c.id, registrations.c.email_normalized)
                            .where(registrations.c.id > last).order_by(registrations.c.id).limit(_BATCH)).all()
        if not rows:
            break
        conn.execute(registrations.update().where(registrations.c.id == sa.bindparam('rid'))
                     .values(person_key=sa.bindparam('key')),
                     [{'rid': rid, 'key': _key_of(email or '')} for rid, email in rows])
        last = rows[-1][0]


def downgrade():
    op.drop_index('ix_registrations_not_erased', table_name='registrations')
    op.drop_index('ix_registrations_person_key', table_name='registrations')
    op.drop_column('registrations', 'erased_at')
    op.drop_column('registrations', 'person_key')
