"""secrets: private links stored as hashes, sign-in sessions, API token expiry

Revision ID: 0003_secrets
Revises: 0002_mail_context
Create Date: 2026-11-30

1. registrations.manage_token (the plain token of the registrant's private link
   /r/<token>) is replaced by
   - manage_token_hash: SHA-256 (hex) of the token, unique, what a request is looked up by;
   - manage_salt: random per registration; the token is derived from it and SECRET_KEY
     whenever a link must be rendered (app.domain.manage_links), never stored;
   - previous_manage_token_hash: the link a registration had before it was given a new one.

   Existing rows: the token becomes its hash, with manage_salt NULL ("legacy": the link is
   known only by its hash). Links already mailed keep working, as the lookup needs no key.
   When such a row's link must be rendered again (a reminder, say), it is given a salt and a
   new link, and its old hash moves to previous_manage_token_hash, so the mailed link still
   works too (Registration.link_token). The same happens after SECRET_KEY changes. That salt
   is derived from the row's id and old hash, so two mail workers doing it at once agree.
   Why not give every row a salt here: this revision would then depend on the SECRET_KEY of
   whoever runs it (a migration run with another key would make every new link underivable),
   and the lazy path is needed anyway for a changed key. The rows are converted in batches
   of 1,000 by id; no plain token is left in the table.

   Downgrade: the plain tokens cannot be recovered from their hashes. A row whose link can
   be derived with the current SECRET_KEY gets that token back (its link keeps working);
   the others get a new random token, so links mailed for them stop working.

2. organizers.session_version (every session's id carries it: raising it signs the account
   out everywhere), and login_sessions: one row per sign-in, ended at sign-out.

3. api_tokens.expires_at (NULL: does not expire).
"""
import base64
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003_secrets'
down_revision = '0002_mail_context'
branch_labels = None
depends_on = None

BATCH = 1000

registrations = sa.table(
    'registrations',
    sa.column('id', sa.Integer()),
    sa.column('manage_token', sa.String()),
    sa.column('manage_token_hash', sa.String()),
    sa.column('manage_salt', sa.String()),
)


def _batches(conn, *columns):
    """Rows of registrations in id order, BATCH at a time."""
    last = 0
    while True:
        rows = conn.execute(
            sa.select(registrations.c.id, *columns).where(registrations.c.id > last)
            .order_by(registrations.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def upgrade():
    with op.batch_alter_table('organizers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organizer_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organizer_id'], ['organizers.id'], name=op.f('fk_login_sessions_organizer_id_organizers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_login_sessions_secret_hash'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_organizer_id'), ['organizer_id'], unique=False)

    # registrations: add the new columns, hash the existing tokens, then drop them.
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('manage_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('manage_salt', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('previous_manage_token_hash', sa.String(length=64), nullable=True))

    conn = op.get_bind()
    set_hash = (registrations.update().where(registrations.c.id == sa.bindparam('rid'))
                .values(manage_token_hash=sa.bindparam('digest')))
    for rows in _batches(conn, registrations.c.manage_token):
        conn.execute(set_hash, [{'rid': id_, 'digest': hashlib.sha256(token.encode('utf-8')).hexdigest()}
                                for id_, token in rows])

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.alter_column('manage_token_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint('uq_registrations_manage_token', type_='unique')
        batch_op.drop_column('manage_token')
        batch_op.create_index(batch_op.f('ix_registrations_manage_token_hash'), ['manage_token_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_registrations_previous_manage_token_hash'),
                              ['previous_manage_token_hash'], unique=True)


def _token_for(salt, digest, secret_key):
    """The row's derivable token (the rule of app.domain.manage_links, copied so that this
    revision never changes with the app), else a new random one."""
    if salt and secret_key:
        secret = secret_key.encode('utf-8') if isinstance(secret_key, str) else secret_key
        key = hmac.new(secret, b'tsudoi manage-link key', hashlib.sha256).digest()
        mac = hmac.new(key, f'manage:{salt}'.encode(), hashlib.sha256).digest()
        token = base64.urlsafe_b64encode(mac).rstrip(b'=').decode('ascii')
        if hashlib.sha256(token.encode('utf-8')).hexdigest() == digest:
            return token
    return secrets.token_urlsafe(32)


def downgrade():
    try:
        from flask import current_app

        secret_key = current_app.config.get('SECRET_KEY')
    except RuntimeError:  # not run through Flask-Migrate
        secret_key = None

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('manage_token', sa.String(length=64), nullable=True))

    conn = op.get_bind()
    set_token = (registrations.update().where(registrations.c.id == sa.bindparam('rid'))
                 .values(manage_token=sa.bindparam('token')))
    for rows in _batches(conn, registrations.c.manage_salt, registrations.c.manage_token_hash):
        conn.execute(set_token, [{'rid': id_, 'token': _token_for(salt, digest, secret_key)}
                                 for id_, salt, digest in rows])

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_previous_manage_token_hash'))
        batch_op.drop_index(batch_op.f('ix_registrations_manage_token_hash'))
        batch_op.alter_column('manage_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_registrations_manage_token'), ['manage_token'])
        batch_op.drop_column('previous_manage_token_hash')
        batch_op.drop_column('manage_salt')
        batch_op.drop_column('manage_token_hash')

    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_organizer_id'))

    op.drop_table('login_sessions')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('organizers', schema=None) as batch_op:
        batch_op.drop_column('session_version')
