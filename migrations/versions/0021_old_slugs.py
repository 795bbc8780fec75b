"""events: the addresses (slugs) an event had before, so that old links redirect

Revision ID: 0021_old_slugs
Revises: 0015_org_names
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

revision = '0021_old_slugs'
down_revision = '0015_org_names'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'event_old_slugs',
        sa.Column('slug', sa.String(length=120), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_old_slugs_event_id_events'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('slug', name=op.f('pk_event_old_slugs')),
    )
    op.create_index(op.f('ix_event_old_slugs_event_id'), 'event_old_slugs', ['event_id'])


def downgrade():
    op.drop_index(op.f('ix_event_old_slugs_event_id'), table_name='event_old_slugs')
    op.drop_table('event_old_slugs')
