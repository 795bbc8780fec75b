"""registrant list and exports: the export log, and the registrations' search text

`export_logs` records every export of an event's registrant list with personal
data (who, when, format, filter, columns, rows, the cells a CP932 file changed).
An index (event_id, created_at, id) serves the list's default order.
`registrations.search_text` holds name, kana, organisation and email in one
spelling (NFKC, katakana, lower case, no spaces; app.domain.registrant_list),
kept by the model on every write; the list's search matches it, so that
hiragana, half-width kana and full-width letters find what was stored.

Data: the search text of existing registrations is filled in here, with the same
rule written out (a migration does not import the application).

Revision ID: 0009_exports
Revises: 0007_checkin
Create Date: 2026-11-30

"""
import re
import unicodedata

import jaconv
import sqlalchemy as sa
from alembic import op

revision = '0009_exports'
down_revision = '0007_checkin'
branch_labels = None
depends_on = None

SEP = "\x1f"


def _key(text):
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", "", jaconv.hira2kata(text).lower())


def _search_text(row):
    parts = [(row.family_name or "") + (row.given_name or ""),
             (row.family_name_kana or "") + (row.given_name_kana or ""),
             row.organization or "", row.email or ""]
    return SEP + SEP.join(_key(p) for p in parts) + SEP


def upgrade():
    op.create_table(
        'export_logs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('organizer_id', sa.Integer(), nullable=True),
        sa.Column('actor_label', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('format', sa.String(length=20), nullable=False),
        sa.Column('via', sa.String(length=10), nullable=False),
        sa.Column('filter', sa.JSON(), nullable=False),
        sa.Column('columns', sa.JSON(), nullable=False),
        sa.Column('row_count', sa.Integer(), nullable=False),
        sa.Column('replaced_cells', sa.Integer(), nullable=False),
        sa.Column('report', sa.JSON(), nullable=False),
        sa.Column('file_name', sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_export_logs_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organizer_id'], ['organizers.id'],
                                name=op.f('fk_export_logs_organizer_id_organizers'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_export_logs')),
    )
    with op.batch_alter_table('export_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_logs_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_logs_organizer_id'), ['organizer_id'], unique=False)

    # Plain ADD COLUMN (no batch rebuild of a table that others point at).
    op.add_column('registrations', sa.Column('search_text', sa.Text(), server_default='', nullable=False))
    # The registrant list's default order: an event's registrations by created_at, then id.
    op.create_index('ix_registrations_event_created', 'registrations', ['event_id', 'created_at', 'id'],
                    unique=False)

    conn = op.get_bind()
    registrations = sa.table('registrations', sa.column('id', sa.Integer), sa.column('search_text', sa.Text))
    rows = conn.execute(sa.text(
        "SELECT id, family_name, given_name, family_name_kana, given_name_kana, organization, email "
        "FROM registrations ORDER BY id")).fetchall()
    batch = []
    for row in rows:
        batch.append({"rid": row.id, "text": _search_text(row)})
        if len(batch) >= 1000:
            conn.execute(registrations.update().where(registrations.c.id == sa.bindparam('rid'))
                         .values(search_text=sa.bindparam('text')), batch)
            batch = []
    if batch:
        conn.execute(registrations.update().where(registrations.c.id == sa.bindparam('rid'))
                     .values(search_text=sa.bindparam('text')), batch)


def downgrade():
    op.drop_index('ix_registrations_event_created', table_name='registrations')
    op.drop_column('registrations', 'search_text')
    with op.batch_alter_table('export_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_logs_organizer_id'))
        batch_op.drop_index(batch_op.f('ix_export_logs_event_id'))
    op.drop_table('export_logs')
