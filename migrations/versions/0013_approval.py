"""承認制: what approving past capacity does

`events.approval_overflow` says what approving a pending registration does when
its 参加枠 has no seat left: ``refuse`` (the approval is refused, the default)
or ``waitlist`` (approved onto the waiting list). No data changes.

Revision ID: 0013_approval
Revises: 0016_participation
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

revision = '0013_approval'
down_revision = '0016_participation'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('events', sa.Column('approval_overflow', sa.String(length=10), nullable=False,
                                      server_default='refuse'))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+ too): a batch copy of `events` would cascade-delete its registrations.
    op.drop_column('events', 'approval_overflow')
