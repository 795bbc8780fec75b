"""applications (応募) with files and review, and results (受賞結果)

Events get their application settings (`accepts_applications`, the files allowed,
their largest size, number and kinds) and their results' settings
(`publishes_results`, `results_published_at`); registrations get the organizer's
decision (`application_status`) and the registrant's consent to a public name
(`public_name_consent`). New tables: `application_files`, `review_criteria`,
`review_assignments`, `event_results`.

Plain ADD COLUMN on `events` and `registrations` (never a batch rebuild: on SQLite
it would cascade and delete registrations).

Revision ID: 0018_applications
Revises: 0019_english
Create Date: 2026-11-30

"""
import sqlalchemy as sa
from alembic import op

revision = '0018_applications'
down_revision = '0019_english'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('events', sa.Column('accepts_applications', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.add_column('events', sa.Column('application_files_allowed', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.add_column('events', sa.Column('application_file_max_mb', sa.Integer(), server_default='10', nullable=False))
    op.add_column('events', sa.Column('application_file_max_count', sa.Integer(), server_default='3',
                                      nullable=False))
    op.add_column('events', sa.Column('application_file_types', sa.JSON(), nullable=True))
    op.add_column('events', sa.Column('publishes_results', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('events', sa.Column('results_published_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('registrations', sa.Column('application_status', sa.String(length=20), nullable=True))
    op.add_column('registrations', sa.Column('public_name_consent', sa.Boolean(), server_default=sa.false(),
                                             nullable=False))

    op.create_table(
        'application_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('original_name', sa.String(length=200), nullable=False),
        sa.Column('stored_name', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('uploaded_by', sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_application_files_registration_id_registrations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_application_files')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_application_files_stored_name')),
    )
    op.create_index(op.f('ix_application_files_registration_id'), 'application_files', ['registration_id'])

    op.create_table(
        'review_criteria',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('max_score', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_review_criteria_event_id_events'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_criteria')),
    )
    op.create_index(op.f('ix_review_criteria_event_id'), 'review_criteria', ['event_id'])

    op.create_table(
        'review_assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=False),
        sa.Column('scores', sa.JSON(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('scored_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_review_assignments_registration_id_registrations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reviewer_id'], ['organizers.id'],
                                name=op.f('fk_review_assignments_reviewer_id_organizers'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_assignments')),
        sa.UniqueConstraint('registration_id', 'reviewer_id', name='uq_review_assignments_reviewer'),
    )
    op.create_index(op.f('ix_review_assignments_registration_id'), 'review_assignments', ['registration_id'])
    op.create_index(op.f('ix_review_assignments_reviewer_id'), 'review_assignments', ['reviewer_id'])

    op.create_table(
        'event_results',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('ticket_type_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('award', sa.String(length=100), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_results_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_event_results_registration_id_registrations'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['ticket_type_id'], ['ticket_types.id'],
                                name=op.f('fk_event_results_ticket_type_id_ticket_types'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_results')),
    )
    op.create_index(op.f('ix_event_results_event_id'), 'event_results', ['event_id'])


def downgrade():
    op.drop_index(op.f('ix_event_results_event_id'), table_name='event_results')
    op.drop_table('event_results')
    op.drop_index(op.f('ix_review_assignments_reviewer_id'), table_name='review_assignments')
    op.drop_index(op.f('ix_review_assignments_registration_id'), table_name='review_assignments')
    op.drop_table('review_assignments')
    op.drop_index(op.f('ix_review_criteria_event_id'), table_name='review_criteria')
    op.drop_table('review_criteria')
    op.drop_index(op.f('ix_application_files_registration_id'), table_name='application_files')
    op.drop_table('application_files')
    # Plain DROP COLUMN (SQLite 3.35+), never a batch rebuild of events or registrations.
    op.drop_column('registrations', 'public_name_consent')
    op.drop_column('registrations', 'application_status')
    for name in ('results_published_at', 'publishes_results', 'application_file_types', 'application_file_max_count',
                 'application_file_max_mb', 'application_files_allowed', 'accepts_applications'):
        op.drop_column('events', name)
