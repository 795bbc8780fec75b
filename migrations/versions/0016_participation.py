"""statistics' summary tables: participation facts, keys, members, groups, counted events

Five tables (app.models.participation) that the 年度 statistics read instead of a
million registrations: one narrow row per registration of a counted event (held and
started), the person and organisation keys (with each person's first participation),
each key's memberships by group, the per-group sums and distinct counts, and which
events are counted. The application keeps them in step in the same transaction as
every change (app.services.participation).

No data is copied here: the jobs worker counts every started event that is not yet
counted on its next pass (and `flask stats rebuild` does it at once); until then the
statistics pages say how many events are still being counted.

Revision ID: 0016_participation
Revises: 0009_exports
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_participation'
down_revision = '0009_exports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'participation_facts',
        sa.Column('registration_id', sa.Integer(), nullable=False, autoincrement=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.SmallInteger(), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('category', sa.String(length=30), nullable=False),
        sa.Column('series_id', sa.Integer(), nullable=False),
        sa.Column('prefecture', sa.String(length=2), nullable=False),
        sa.Column('format', sa.String(length=20), nullable=False),
        sa.Column('participant', sa.Boolean(), nullable=False),
        sa.Column('attended', sa.Boolean(), nullable=False),
        sa.Column('person', sa.BigInteger(), nullable=False),
        sa.Column('organization', sa.BigInteger(), nullable=True),
        sa.Column('repeated', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_participation_facts_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_participation_facts_registration_id_registrations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('registration_id', name=op.f('pk_participation_facts')),
    )
    op.create_index(op.f('ix_participation_facts_event_id'), 'participation_facts', ['event_id'])
    op.create_index(op.f('ix_participation_facts_fiscal_year'), 'participation_facts', ['fiscal_year'])
    op.create_index(op.f('ix_participation_facts_person'), 'participation_facts', ['person'])
    op.create_index(op.f('ix_participation_facts_organization'), 'participation_facts', ['organization'])
    # The filtered 年度 queries are answered from these alone (PostgreSQL; SQLite ignores INCLUDE).
    figures = ['person', 'organization', 'participant', 'attended', 'repeated', 'starts_at']
    for column in ('category', 'series_id', 'prefecture', 'format'):
        op.create_index(f'ix_participation_facts_{column}_year', 'participation_facts', [column, 'fiscal_year'],
                        postgresql_include=figures)
    op.create_table(
        'participation_keys',
        sa.Column('kind', sa.String(length=1), nullable=False),
        sa.Column('key', sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column('first_starts_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('kind', 'key', name=op.f('pk_participation_keys')),
    )
    op.create_table(
        'participation_members',
        sa.Column('kind', sa.String(length=1), nullable=False),
        sa.Column('key', sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column('dim', sa.String(length=12), nullable=False),
        sa.Column('grp', sa.String(length=30), nullable=False),
        sa.Column('participations', sa.Integer(), nullable=False),
        sa.Column('repeats', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('kind', 'key', 'dim', 'grp', name=op.f('pk_participation_members')),
    )
    op.create_table(
        'participation_groups',
        sa.Column('dim', sa.String(length=12), nullable=False),
        sa.Column('grp', sa.String(length=30), nullable=False),
        sa.Column('applicants', sa.Integer(), nullable=False),
        sa.Column('participants', sa.Integer(), nullable=False),
        sa.Column('attendees', sa.Integer(), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.Column('organizations', sa.Integer(), nullable=False),
        sa.Column('repeaters', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('dim', 'grp', name=op.f('pk_participation_groups')),
    )
    op.create_table(
        'participation_events',
        sa.Column('event_id', sa.Integer(), nullable=False, autoincrement=False),
        sa.Column('counted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_participation_events_event_id_events'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('event_id', name=op.f('pk_participation_events')),
    )


def downgrade():
    op.drop_table('participation_events')
    op.drop_table('participation_groups')
    op.drop_table('participation_members')
    op.drop_table('participation_keys')
    for column in ('category', 'series_id', 'prefecture', 'format'):
        op.drop_index(f'ix_participation_facts_{column}_year', table_name='participation_facts')
    op.drop_index(op.f('ix_participation_facts_organization'), table_name='participation_facts')
    op.drop_index(op.f('ix_participation_facts_person'), table_name='participation_facts')
    op.drop_index(op.f('ix_participation_facts_fiscal_year'), table_name='participation_facts')
    op.drop_index(op.f('ix_participation_facts_event_id'), table_name='participation_facts')
    op.drop_table('participation_facts')
