"""statistics: the names each organisation key took part under (KPI target lists)

An index on the fact rows answers which organisations attended in a range of 年度.
`participation_org_names` holds, for each organisation key of the summary tables, the
names and 法人番号 it took part under at counted events, so that a KPI's "share of a target
list" is matched against the organisations without reading the registrations. Filled here
from the fact rows already counted; kept by app.services.participation from then on.

Revision ID: 0015_org_names
Revises: 0014_perday
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

revision = '0015_org_names'
down_revision = '0014_perday'
branch_labels = None
depends_on = None


def upgrade():
    # The organisations that attended in a range of 年度, answered from the index alone.
    op.create_index('ix_participation_facts_attended_organizations', 'participation_facts',
                    ['fiscal_year', 'organization'],
                    postgresql_where=sa.text('attended AND organization IS NOT NULL'),
                    sqlite_where=sa.text('attended AND organization IS NOT NULL'))
    op.create_table(
        'participation_org_names',
        sa.Column('key', sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('corporate_number', sa.String(length=13), nullable=False),
        sa.PrimaryKeyConstraint('key', 'name', 'corporate_number', name=op.f('pk_participation_org_names')),
    )
    op.execute(
        "INSERT INTO participation_org_names (key, name, corporate_number) "
        "SELECT DISTINCT f.organization, r.organization, r.corporate_number "
        "FROM participation_facts f JOIN registrations r ON r.id = f.registration_id "
        "WHERE f.participant AND f.organization IS NOT NULL"
    )


def downgrade():
    op.drop_table('participation_org_names')
    op.drop_index('ix_participation_facts_attended_organizations', table_name='participation_facts')
