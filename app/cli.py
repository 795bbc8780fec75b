"""Command-line tools: `flask organizers ...`, `flask demo ...`, `flask jobs ...`, `flask check`."""
from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.db_types import utcnow
from app.domain.codes import Role
from app.extensions import db
from app.models import Organizer
from app.services import accounts

organizers_cli = AppGroup("organizers", help="Manage organizer accounts.")


def _account(email: str) -> Organizer:
    user = accounts.find(email)
    if user is None:
        raise click.ClickException(f"no account for {email}")
    return user


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


@organizers_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.ORGANIZER.value, show_default=True)
@click.option("--name", "display_name", default=None, help="Display name (default: the part before @).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_organizer(email: str, role: str, display_name: str | None, password: str) -> None:
    """Create an organizer account (prompts for the password)."""
    email = email.strip().lower()
    problem = accounts.check_password_rule(password)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    if db.session.scalar(select(Organizer).where(func.lower(Organizer.email) == email)):
        raise click.ClickException(f"an account for {email} already exists")
    user = Organizer(email=email, role=role, display_name=display_name or email.split("@")[0])
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email}")


@organizers_cli.command("set-password")
@click.argument("email")
@click.option("--password", prompt="New password", hide_input=True, confirmation_prompt=True)
def set_password(email: str, password: str) -> None:
    """Set a new password for EMAIL (prompts for it); every session of the account ends."""
    user = _account(email)
    problem = accounts.check_password_rule(password)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")
    accounts.set_password(user, password, now=utcnow())
    db.session.commit()
    click.echo(f"New password set for {user.email}; its sessions have ended.")


@organizers_cli.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Deactivate EMAIL: no more sign-in, every session ends, its API tokens are revoked."""
    user = _account(email)
    revoked = accounts.deactivate(user, now=utcnow())
    db.session.commit()
    click.echo(f"Deactivated {user.email}: sessions ended, {revoked} API token(s) revoked.")


@organizers_cli.command("activate")
@click.argument("email")
def activate(email: str) -> None:
    """Let a deactivated account sign in again (its old sessions and tokens stay ended)."""
    user = _account(email)
    accounts.activate(user, now=utcnow())
    db.session.commit()
    click.echo(f"Activated {user.email}.")


@organizers_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="A name to recognise the token by.")
@click.option("--expires-in-days", type=click.IntRange(min=1), default=None,
              help="The token stops working after this many days (default: never).")
def create_token(email: str, name: str, expires_in_days: int | None) -> None:
    """Print a new API token for EMAIL (only its hash is stored)."""
    user = _account(email)
    if not user.active:
        raise click.ClickException(f"{user.email} is deactivated")
    expires_in = timedelta(days=expires_in_days) if expires_in_days else None
    token = accounts.create_token(user, name=name, now=utcnow(), expires_in=expires_in)
    db.session.commit()
    click.echo(token)


@organizers_cli.command("tokens")
@click.argument("email")
def list_tokens(email: str) -> None:
    """List EMAIL's API tokens: id, name, created, expires, last used, revoked."""
    user = _account(email)
    rows = [("id", "name", "created", "expires", "last used", "revoked")]
    rows += [(str(t.id), t.name, _when(t.created_at), _when(t.expires_at), _when(t.last_used_at),
              _when(t.revoked_at)) for t in accounts.tokens_of(user)]
    if len(rows) == 1:
        click.echo(f"{user.email} has no API tokens.")
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@organizers_cli.command("revoke-token")
@click.argument("token_id", type=int)
def revoke_token(token_id: int) -> None:
    """Revoke the API token TOKEN_ID (see `flask organizers tokens EMAIL`)."""
    token = accounts.revoke_token(token_id, now=utcnow())
    if token is None:
        raise click.ClickException(f"no API token {token_id}")
    db.session.commit()
    click.echo(f"Revoked API token {token.id} ({token.name}) at {_when(token.revoked_at)}.")


def _door_assignment(email: str, event_id: int):
    from app.models import Event

    user = _account(email)
    event = db.session.get(Event, event_id)
    if event is None:
        raise click.ClickException(f"no event {event_id}")
    return user, event


@organizers_cli.command("assign-checkin")
@click.argument("email")
@click.argument("event_id", type=int)
def assign_checkin(email: str, event_id: int) -> None:
    """Give door staff EMAIL (role checkin) the check-in (受付) of EVENT_ID."""
    from app.services import checkin
    from app.services.errors import ServiceError

    user, event = _door_assignment(email, event_id)
    try:
        added = checkin.assign(user, event, actor=None, now=utcnow())
    except ServiceError as exc:
        raise click.ClickException(f"{email} has the role {user.role}: only a checkin account "
                                   f"can be assigned ({exc.code})") from None
    db.session.commit()
    click.echo(f"{email} checks in event {event_id}" + ("" if added else " (already assigned)"))


@organizers_cli.command("unassign-checkin")
@click.argument("email")
@click.argument("event_id", type=int)
def unassign_checkin(email: str, event_id: int) -> None:
    """Take the check-in of EVENT_ID away from door staff EMAIL."""
    from app.services import checkin

    user, event = _door_assignment(email, event_id)
    removed = checkin.unassign(user, event, actor=None, now=utcnow())
    db.session.commit()
    click.echo(f"{email} no longer checks in event {event_id}" if removed
               else f"{email} was not assigned to event {event_id}")


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


@click.group("stats")
def stats_cli() -> None:
    """The statistics' summary tables."""


@stats_cli.command("rebuild")
def stats_rebuild_command() -> None:
    """Count every event again into the summary tables (after a bulk load or a restore).

    The application keeps them in step by itself; this is for rows written around it.
    """
    from app.services import participation

    counted = participation.rebuild()
    click.echo(f"summary tables rebuilt: {counted} events counted")


@click.group("teams")
def teams_cli() -> None:
    """Teams (team registrations, hackathon teams)."""


@teams_cli.command("erase")
def teams_erase_command() -> None:
    """Erase the members' names of teams past their event's retention date now (the jobs do it too)."""
    from app.db_types import utcnow
    from app.jobs import erase_team_members

    click.echo(f"teams whose members' names were erased: {erase_team_members(utcnow())}")


@click.group("registrants")
def registrants_cli() -> None:
    """Registrants' personal data (the retention period of the privacy page)."""


@registrants_cli.command("erase")
@click.option("--dry-run", is_flag=True, help="Say what would be erased; change nothing.")
def registrants_erase_command(dry_run: bool) -> None:
    """Erase the personal data of the registrations of events whose retention period
    (ORG_RETENTION_MONTHS after the event's end) is over, now (the jobs do it too)."""
    from app.domain.dates import format_datetime
    from app.jobs import erase_registrants
    from app.services import retention

    now = utcnow()
    months = retention.retention_months()
    due = retention.due_events(now, months)
    verb = "would be erased" if dry_run else "erased"
    click.echo(f"retention period: {months} months after the event's end")
    if dry_run:
        for d in due:
            click.echo(f"event {d.event.id} ({d.event.title}), ended {format_datetime(d.event.ends_at)}, "
                       f"due since {format_datetime(d.erase_at)}: {d.remaining} registrations {verb}")
        total = sum(d.remaining for d in due)
        db.session.rollback()
    else:
        titles = {d.event.id: (d.event.title, d.event.ends_at, d.erase_at) for d in due}
        done = iter(range(1, len(due) + 1))

        def progress(event_id: int, n: int) -> None:  # as each event is done: a long backlog shows its pace
            title, ends_at, erase_at = titles[event_id]
            click.echo(f"[{next(done)}/{len(due)}] event {event_id} ({title}), ended {format_datetime(ends_at)}, "
                       f"due since {format_datetime(erase_at)}: {n} registrations {verb}")

        total = sum(erase_registrants(now, months=months, on_event=progress).values())
    click.echo(f"events: {len(due)}; registrations whose personal data {verb}: {total}")


def init_app(app: Flask) -> None:
    app.cli.add_command(organizers_cli)
    app.cli.add_command(stats_cli)
    app.cli.add_command(check_command)
    app.cli.add_command(teams_cli)
    app.cli.add_command(registrants_cli)
    from app.demo import demo_cli; app.cli.add_command(demo_cli)  # noqa: E702,I001
    from app.jobs import jobs_cli; app.cli.add_command(jobs_cli)  # noqa: E702,I001
    from app.lottery_cli import lottery_cli; app.cli.add_command(lottery_cli)  # noqa: E702,I001
