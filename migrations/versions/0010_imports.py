"""imports of past participant lists: the uploaded files and each series' column mapping

`import_files` keeps an uploaded list between its steps (mapping, preview) and,
once imported, the record that a file with this SHA-256 went into an event
(its bytes are then dropped). `import_mappings` remembers, per series, the
field chosen for each column header.

Revision ID: 0010_imports
Revises: 0008_online
Create Date: 2026-11-30

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_imports'
down_revision = '0008_online'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('encoding', sa.String(length=20), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('target', sa.JSON(), nullable=False),
        sa.Column('mapping', sa.JSON(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_import_files_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['organizers.id'],
                                name=op.f('fk_import_files_created_by_id_organizers'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_files')),
    )
    with op.batch_alter_table('import_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_files_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_files_event_id'), ['event_id'], unique=False)

    op.create_table(
        'import_mappings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('series_id', sa.Integer(), nullable=False),
        sa.Column('mapping', sa.JSON(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['series_id'], ['event_series.id'],
                                name=op.f('fk_import_mappings_series_id_event_series'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['organizers.id'],
                                name=op.f('fk_import_mappings_updated_by_id_organizers'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mappings')),
        sa.UniqueConstraint('series_id', name=op.f('uq_import_mappings_series_id')),
    )


def downgrade():
    op.drop_table('import_mappings')
    with op.batch_alter_table('import_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_files_event_id'))
        batch_op.drop_index(batch_op.f('ix_import_files_sha256'))
    op.drop_table('import_files')
