"""attendance per session, and where a registration came from

`attendances` holds one row per registration and session that the person
attended: checked in at the door, registered at the door, joined online
through a personal link, found in a video platform's report, or imported from
a past list. `registrations.origin` says how a registration was made (web,
api, organizer, walk_in, import); existing rows came from the web form or the
API, which the data does not tell apart, so they are marked 'web'.

Data: registrations that already carry `checked_in_at` (the demo's past
events) get an attendance at their event's first session, method 'door'.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attendances',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('attended_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('minutes', sa.Integer(), nullable=True),
        sa.Column('client_ref', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_attendances_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'],
                                name=op.f('fk_attendances_session_id_event_sessions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_attendances_registration_id_registrations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['organizers.id'],
                                name=op.f('fk_attendances_recorded_by_id_organizers'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attendances')),
        sa.UniqueConstraint('registration_id', 'session_id', name='uq_attendances_registration_session'),
    )
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendances_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendances_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendances_registration_id'), ['registration_id'], unique=False)

    # Plain ADD COLUMN (no batch rebuild of a table that others point at).
    op.add_column('registrations', sa.Column('origin', sa.String(length=20), server_default='web', nullable=False))

    op.execute(
        "INSERT INTO attendances (event_id, session_id, registration_id, method, attended_at) "
        "SELECT r.event_id, "
        "       (SELECT s.id FROM event_sessions s WHERE s.event_id = r.event_id ORDER BY s.starts_at, s.id LIMIT 1), "
        "       r.id, 'door', r.checked_in_at "
        "FROM registrations r "
        "WHERE r.checked_in_at IS NOT NULL "
        "  AND EXISTS (SELECT 1 FROM event_sessions s WHERE s.event_id = r.event_id)"
    )


def downgrade():
    op.drop_column('registrations', 'origin')
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendances_registration_id'))
        batch_op.drop_index(batch_op.f('ix_attendances_session_id'))
        batch_op.drop_index(batch_op.f('ix_attendances_event_id'))
    op.drop_table('attendances')
