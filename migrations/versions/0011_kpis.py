"""KPIs: targets by 年度, and the target lists of organisations they are measured against

`kpis` holds what is counted (a measure code), over which events (chosen event or
series ids; none: every held event of the years), for which 年度, and the target.
`kpi_targets` holds an uploaded list of organisations (name, 法人番号) for the
"share of a target list" measure. A new index on `registrations.email_normalized`
serves the statistics that look a person up across events. No data changes.

Revision ID: 0011_kpis
Revises: 0006
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_kpis'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'kpis',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('fiscal_year_from', sa.Integer(), nullable=False),
        sa.Column('fiscal_year_to', sa.Integer(), nullable=False),
        sa.Column('measure', sa.String(length=30), nullable=False),
        sa.Column('target', sa.Integer(), nullable=False),
        sa.Column('event_ids', sa.JSON(), nullable=False),
        sa.Column('series_ids', sa.JSON(), nullable=False),
        sa.Column('target_list_name', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kpis')),
    )
    op.create_table(
        'kpi_targets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kpi_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('corporate_number', sa.String(length=13), nullable=False),
        sa.ForeignKeyConstraint(['kpi_id'], ['kpis.id'], name=op.f('fk_kpi_targets_kpi_id_kpis'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_targets')),
    )
    with op.batch_alter_table('kpi_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_targets_kpi_id'), ['kpi_id'], unique=False)
    # Statistics look a person up across events (new or returning, repeat participants).
    op.create_index('ix_registrations_email_normalized', 'registrations', ['email_normalized'], unique=False)


def downgrade():
    op.drop_index('ix_registrations_email_normalized', table_name='registrations')
    with op.batch_alter_table('kpi_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_targets_kpi_id'))
    op.drop_table('kpi_targets')
    op.drop_table('kpis')
