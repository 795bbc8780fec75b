"""waiting-list order handed out under the 参加枠's lock

Until now the order of a waiting list was `waitlisted_at`, a timestamp taken by
the request before it held any lock: two people waitlisted at the same moment
could both be told 「キャンセル待ち1番」, and be promoted in another order than
they were told. From now on each 参加枠 hands out places from a counter
(`ticket_types.waitlist_last_seq`) while its row is locked, and each waitlisted
registration keeps its place in `registrations.waitlist_seq`.

Data: the registrations waiting now are numbered per 参加枠 in the order they
were promoted by until now (waitlisted_at, then id), and each 参加枠's counter
starts after its last place.

Revision ID: 0005
Revises: 0003_secrets
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0003_secrets'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ticket_types', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waitlist_last_seq', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waitlist_seq', sa.Integer(), nullable=True))
        batch_op.create_index('ix_registrations_waitlist_seq', ['ticket_type_id', 'status', 'waitlist_seq'],
                              unique=False)

    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, ticket_type_id FROM registrations WHERE status = 'waitlisted' "
        "ORDER BY ticket_type_id, waitlisted_at, id"
    )).all()
    last: dict[int, int] = {}
    for reg_id, tt_id in rows:
        last[tt_id] = last.get(tt_id, 0) + 1
        conn.execute(sa.text("UPDATE registrations SET waitlist_seq = :seq WHERE id = :id"),
                     {"seq": last[tt_id], "id": reg_id})
    for tt_id, seq in last.items():
        conn.execute(sa.text("UPDATE ticket_types SET waitlist_last_seq = :seq WHERE id = :id"),
                     {"seq": seq, "id": tt_id})


def downgrade():
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ has it): a batch rebuild of ticket_types
    # would drop a table that registrations point at.
    op.drop_index('ix_registrations_waitlist_seq', table_name='registrations')
    op.drop_column('registrations', 'waitlist_seq')
    op.drop_column('ticket_types', 'waitlist_last_seq')
