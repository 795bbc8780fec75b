"""door check-in: door staff assigned to events, queued scans looked up by client_ref

`checkin_assignments` gives an account of role ``checkin`` (door staff) the
check-in (受付) of one event; such an account can do nothing else. The index
on `attendances.client_ref` lets a phone's queued scan, sent again after a lost
answer, be found and answered once.

Revision ID: 0007_checkin
Revises: 0010_imports
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_checkin'
down_revision = '0010_imports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'checkin_assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organizer_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('assigned_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organizer_id'], ['organizers.id'],
                                name=op.f('fk_checkin_assignments_organizer_id_organizers'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                                name=op.f('fk_checkin_assignments_event_id_events'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['assigned_by_id'], ['organizers.id'],
                                name=op.f('fk_checkin_assignments_assigned_by_id_organizers'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_assignments')),
        sa.UniqueConstraint('organizer_id', 'event_id', name='uq_checkin_assignments_organizer_event'),
    )
    with op.batch_alter_table('checkin_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_assignments_organizer_id'), ['organizer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_assignments_event_id'), ['event_id'], unique=False)
    op.create_index('ix_attendances_client_ref', 'attendances', ['client_ref'], unique=False)


def downgrade():
    op.drop_index('ix_attendances_client_ref', table_name='attendances')
    with op.batch_alter_table('checkin_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_assignments_event_id'))
        batch_op.drop_index(batch_op.f('ix_checkin_assignments_organizer_id'))
    op.drop_table('checkin_assignments')
