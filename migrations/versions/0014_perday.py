"""per-day registration: registrants choose the sessions (days) they attend

`events.choose_sessions` turns it on for an event. Each session gets its own
capacity, seat counter and waiting-list counter (`event_sessions.capacity`,
`confirmed_count`, `waitlist_last_seq`), and `registration_sessions` holds
each registrant's chosen days with a status per day (confirmed, waitlisted,
pending, cancelled) and a place in the day's line.

Revision ID: 0014_perday
Revises: 0012_lottery
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

revision = '0014_perday'
down_revision = '0012_lottery'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch rebuild of tables that others point at).
    op.add_column('events', sa.Column('choose_sessions', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('event_sessions', sa.Column('capacity', sa.Integer(), nullable=True))
    op.add_column('event_sessions', sa.Column('confirmed_count', sa.Integer(), server_default='0', nullable=False))
    op.add_column('event_sessions', sa.Column('waitlist_last_seq', sa.Integer(), server_default='0',
                                              nullable=False))
    if op.get_bind().dialect.name == 'postgresql':  # SQLite cannot add a constraint without a rebuild
        op.create_check_constraint(op.f('ck_event_sessions_session_capacity_non_negative'), 'event_sessions',
                                   'capacity IS NULL OR capacity >= 0')
        op.create_check_constraint(op.f('ck_event_sessions_session_confirmed_non_negative'), 'event_sessions',
                                   'confirmed_count >= 0')
    op.create_table(
        'registration_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('waitlist_seq', sa.Integer(), nullable=True),
        sa.Column('waitlisted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('capacity_override', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_registration_sessions_registration_id_registrations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'],
                                name=op.f('fk_registration_sessions_session_id_event_sessions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_sessions')),
        sa.UniqueConstraint('registration_id', 'session_id',
                            name=op.f('uq_registration_sessions_registration_id')),
    )
    op.create_index('ix_registration_sessions_line', 'registration_sessions',
                    ['session_id', 'status', 'waitlist_seq'], unique=False)
    op.create_index(op.f('ix_registration_sessions_registration_id'), 'registration_sessions',
                    ['registration_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_registration_sessions_registration_id'), table_name='registration_sessions')
    op.drop_index('ix_registration_sessions_line', table_name='registration_sessions')
    op.drop_table('registration_sessions')
    # Plain DROP COLUMN, as 0009 (a batch rebuild of these tables would touch those pointing at them).
    op.drop_column('event_sessions', 'waitlist_last_seq')
    op.drop_column('event_sessions', 'confirmed_count')
    op.drop_column('event_sessions', 'capacity')
    op.drop_column('events', 'choose_sessions')
