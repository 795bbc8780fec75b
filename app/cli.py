"""Command-line tools: `flask organizers ...`, `flask demo ...`, `flask jobs ...`, `flask check`."""
from __future__ import annotations

import secrets

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.db_types import utcnow
from app.domain.codes import Role
from app.extensions import db
from app.models import ApiToken, Organizer

organizers_cli = AppGroup("organizers", help="Manage organizer accounts.")


@organizers_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.ORGANIZER.value, show_default=True)
@click.option("--name", "display_name", default=None, help="Display name (default: the part before @).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_organizer(email: str, role: str, display_name: str | None, password: str) -> None:
    """Create an organizer account (prompts for the password)."""
    email = email.strip().lower()
    if len(password) < 8:
        raise click.BadParameter("use at least 8 characters", param_hint="--password")
    if db.session.scalar(select(Organizer).where(func.lower(Organizer.email) == email)):
        raise click.ClickException(f"an account for {email} already exists")
    user = Organizer(email=email, role=role, display_name=display_name or email.split("@")[0])
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email}")


@organizers_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="A name to recognise the token by.")
def create_token(email: str, name: str) -> None:
    """Print a new API token for EMAIL (only its hash is stored)."""
    user = db.session.scalar(select(Organizer).where(func.lower(Organizer.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no account for {email}")
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(organizer=user, token_hash=ApiToken.hash_token(token), name=name, created_at=utcnow()))
    db.session.commit()
    click.echo(token)


@click.command("check")
@click.option("--event", "event_id", type=int, default=None, help="Check one event only.")
def check_command(event_id: int | None) -> None:
    """Check the invariants (capacity, waiting lists, one per email/organisation, mail truth).

    Prints each breach and exits 1 if there is any; prints "ok" and exits 0 otherwise.
    """
    from app.services import invariants

    found = invariants.breaches(event_id)
    db.session.rollback()
    if not found:
        click.echo("ok: no breach of the invariants")
        return
    for breach in found:
        click.echo(str(breach), err=True)
    raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(organizers_cli)
    app.cli.add_command(check_command)
    from app.demo import demo_cli; app.cli.add_command(demo_cli)  # noqa: E702,I001
    from app.jobs import jobs_cli; app.cli.add_command(jobs_cli)  # noqa: E702,I001
