"""lottery (抽選): the seed commitment and settings on events, the draws, the winners' confirmation deadline

`events` gets the lottery's seed (secret until the draw) and its SHA-256
(published), the draw time for the jobs, what the applicants not drawn become
(lost or waitlist), the days winners have to confirm, the priority
prefectures, and whether seats left after the draw are offered first come. `lottery_draws` records each 参加枠's draw (seed, applicants, order,
winners, algorithm). `registrations.confirm_by` is a winner's deadline.

Data: events already in lottery mode get a seed and its hash now (before any
draw), so that every lottery has a published commitment.

Revision ID: 0012_lottery
Revises: 0013_approval
Create Date: 2026-11-30

"""
import hashlib
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0012_lottery'
down_revision = '0013_approval'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE ... ADD COLUMN: a batch could rebuild `events` on SQLite, and dropping the old
    # table would cascade to its registrations.
    op.add_column('events', sa.Column('lottery_seed', sa.String(length=64), nullable=True))
    op.add_column('events', sa.Column('lottery_seed_hash', sa.String(length=64), nullable=True))
    op.add_column('events', sa.Column('lottery_draw_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('events', sa.Column('lottery_losers', sa.String(length=20), server_default='lost', nullable=False))
    op.add_column('events', sa.Column('lottery_confirm_days', sa.Integer(), nullable=True))
    op.add_column('events', sa.Column('lottery_priority_prefectures', sa.JSON(), nullable=True))
    op.add_column('events', sa.Column('lottery_first_come', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index(op.f('ix_events_lottery_draw_at'), 'events', ['lottery_draw_at'], unique=False)
    op.add_column('registrations', sa.Column('confirm_by', sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_registrations_confirm_by'), 'registrations', ['confirm_by'], unique=False)
    op.create_table(
        'lottery_draws',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('ticket_type_id', sa.Integer(), nullable=False),
        sa.Column('seed', sa.String(length=64), nullable=False),
        sa.Column('seed_hash', sa.String(length=64), nullable=False),
        sa.Column('algorithm', sa.String(length=200), nullable=False),
        sa.Column('applicants', sa.JSON(), nullable=False),
        sa.Column('order', sa.JSON(), nullable=False),
        sa.Column('winners', sa.JSON(), nullable=False),
        sa.Column('seats', sa.Integer(), nullable=True),
        sa.Column('losers', sa.String(length=20), nullable=False),
        sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('drawn_by_id', sa.Integer(), nullable=True),
        sa.Column('actor_label', sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_lottery_draws_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ticket_type_id'], ['ticket_types.id'],
                                name=op.f('fk_lottery_draws_ticket_type_id_ticket_types'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['drawn_by_id'], ['organizers.id'],
                                name=op.f('fk_lottery_draws_drawn_by_id_organizers'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lottery_draws')),
        sa.UniqueConstraint('ticket_type_id', name=op.f('uq_lottery_draws_ticket_type_id')),
    )
    op.create_index(op.f('ix_lottery_draws_event_id'), 'lottery_draws', ['event_id'], unique=False)

    events = sa.table('events', sa.column('id', sa.Integer), sa.column('admission_mode', sa.String),
                      sa.column('lottery_seed', sa.String), sa.column('lottery_seed_hash', sa.String))
    bind = op.get_bind()
    for (event_id,) in bind.execute(sa.select(events.c.id).where(events.c.admission_mode == 'lottery')).all():
        seed = secrets.token_hex(32)
        bind.execute(events.update().where(events.c.id == event_id).values(
            lottery_seed=seed, lottery_seed_hash=hashlib.sha256(seed.encode()).hexdigest()))


def downgrade():
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), for the same reason.
    op.drop_index(op.f('ix_lottery_draws_event_id'), table_name='lottery_draws')
    op.drop_table('lottery_draws')
    op.drop_index(op.f('ix_registrations_confirm_by'), table_name='registrations')
    op.drop_column('registrations', 'confirm_by')
    op.drop_index(op.f('ix_events_lottery_draw_at'), table_name='events')
    for column in ('lottery_first_come', 'lottery_priority_prefectures', 'lottery_confirm_days', 'lottery_losers', 'lottery_draw_at',
                   'lottery_seed_hash', 'lottery_seed'):
        op.drop_column('events', column)
