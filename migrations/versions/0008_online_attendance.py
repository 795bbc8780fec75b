"""online attendance: when personal join links open, and a completion rule per event

`events.join_opens_minutes`: a registrant's personal join link (/j/<token>)
opens this many minutes before a session starts (default 15; existing events
get 15). `events.completion_min_sessions`: the number of sessions a person must
attend to complete a series (修了), NULL when the event has no such rule.

Revision ID: 0008_online
Revises: 0011_kpis
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_online'
down_revision = '0011_kpis'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch rebuild of a table that others point at).
    op.add_column('events', sa.Column('join_opens_minutes', sa.Integer(), server_default='15', nullable=False))
    op.add_column('events', sa.Column('completion_min_sessions', sa.Integer(), nullable=True))


def downgrade():
    op.drop_column('events', 'completion_min_sessions')
    op.drop_column('events', 'join_opens_minutes')
