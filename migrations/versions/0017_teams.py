"""teams: team registration (named members, no contact data), hackathon teams, retention

`events.team_mode` ("" / "team" / "hackathon") with the team settings (members
min/max, consent wording, members' edit deadline, erasure days after the event);
`ticket_types.member_capacity` (members per division, counted under its lock);
`teams` (one per team registration, or a hackathon team with an invite code) and
`team_members` (named members, or a hackathon member's registration).

Revision ID: 0017_teams
Revises: 0021_old_slugs
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

revision = '0017_teams'
down_revision = '0021_old_slugs'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN: never a batch rebuild of `events` (its cascade would delete registrations on SQLite).
    op.add_column('events', sa.Column('team_mode', sa.String(length=10), server_default='', nullable=False))
    op.add_column('events', sa.Column('team_min_members', sa.Integer(), nullable=True))
    op.add_column('events', sa.Column('team_max_members', sa.Integer(), nullable=True))
    op.add_column('events', sa.Column('team_consent_text', sa.Text(), server_default='', nullable=False))
    op.add_column('events', sa.Column('team_edit_closes_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('events', sa.Column('team_erase_days', sa.Integer(), nullable=True))
    op.add_column('ticket_types', sa.Column('member_capacity', sa.Integer(), nullable=True))
    op.create_table(
        'teams',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('invite_code', sa.String(length=16), nullable=True),
        sa.Column('members_erased_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_teams_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_teams_registration_id_registrations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
        sa.UniqueConstraint('registration_id', name=op.f('uq_teams_registration_id')),
        sa.UniqueConstraint('invite_code', name=op.f('uq_teams_invite_code')),
    )
    op.create_index(op.f('ix_teams_event_id'), 'teams', ['event_id'], unique=False)
    op.create_table(
        'team_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('family_name', sa.String(length=100), nullable=False),
        sa.Column('given_name', sa.String(length=100), nullable=False),
        sa.Column('family_name_kana', sa.String(length=100), nullable=False),
        sa.Column('given_name_kana', sa.String(length=100), nullable=False),
        sa.Column('grade', sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_members_team_id_teams'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_team_members_registration_id_registrations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_team_members')),
        sa.UniqueConstraint('registration_id', name=op.f('uq_team_members_registration_id')),
    )
    op.create_index(op.f('ix_team_members_team_id'), 'team_members', ['team_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_team_members_team_id'), table_name='team_members')
    op.drop_table('team_members')
    op.drop_index(op.f('ix_teams_event_id'), table_name='teams')
    op.drop_table('teams')
    # Plain DROP COLUMN, as 0014.
    op.drop_column('ticket_types', 'member_capacity')
    op.drop_column('events', 'team_erase_days')
    op.drop_column('events', 'team_edit_closes_at')
    op.drop_column('events', 'team_consent_text')
    op.drop_column('events', 'team_max_members')
    op.drop_column('events', 'team_min_members')
    op.drop_column('events', 'team_mode')
