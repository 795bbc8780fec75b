"""English that works: optional English title, summary and description of an event

Shown in English mode (app.i18n.event_text); blank means the Japanese text is shown,
marked lang="ja". The registrant's language was already kept (registrations.language).

Revision ID: 0019_english
Revises: 0017_teams
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

revision = '0019_english'
down_revision = '0017_teams'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN: never a batch rebuild of `events` (SQLite would cascade to its registrations).
    op.add_column('events', sa.Column('title_en', sa.String(length=200), server_default='', nullable=False))
    op.add_column('events', sa.Column('summary_en', sa.String(length=500), server_default='', nullable=False))
    op.add_column('events', sa.Column('description_en', sa.Text(), server_default='', nullable=False))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+ drops a column without rebuilding the table).
    op.drop_column('events', 'description_en')
    op.drop_column('events', 'summary_en')
    op.drop_column('events', 'title_en')
