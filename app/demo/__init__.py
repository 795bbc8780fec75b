"""Demo data from the bureau's report: `flask demo load`.

- ``definitions``: the events (past editions with the report's dates and figures,
  upcoming editions relative to today), as readable data.
- ``people``: synthetic registrants (names with katakana readings, organisations).
- ``generator``: turns the definitions into rows.
"""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.db_types import utcnow
from app.demo.generator import DEFAULT_SEED, DEMO_ACCOUNTS, demo_event_count, load_demo, reset_demo
from app.extensions import db
from app.models import Event

demo_cli = AppGroup("demo", help="Demo data from the bureau's report.")

#: Only here: the demo accounts' passwords are printed and in the README.
DEMO_ENVIRONMENTS = ("development", "testing")


def _echo_logins() -> None:
    click.echo("Demo logins (/login):")
    for email, password, role, _name in DEMO_ACCOUNTS:
        click.echo(f"  {role:<6} {email} / {password}")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (exit 0) when the database already has any event; `make run` uses this.")
@click.option("--reset", is_flag=True,
              help="Delete the demo's own events (with their registrations, mails and audit rows) first, "
                   "then load them again. Events created by people and the accounts are kept.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="Seed of the random generator: the same seed gives the same registrants.")
def load(if_empty: bool, reset: bool, seed: int) -> None:
    """Load the report's events: past editions with their registrants, and upcoming open ones.

    Past editions carry the dates and figures of the report; upcoming editions are
    dated relative to today. Also creates the demo accounts when missing. On a
    database that already holds the demo, it refuses unless --reset is given.
    """
    if current_app.config.get("TSUDOI_ENV") not in DEMO_ENVIRONMENTS:
        raise click.ClickException(
            f"the demo data is not loaded in {current_app.config.get('TSUDOI_ENV')}: it creates accounts whose "
            "passwords are public (README). Use `flask organizers create` for real accounts."
        )
    now = utcnow()
    if if_empty and db.session.scalar(select(Event.id).limit(1)) is not None:
        click.echo("Events already exist: demo data not loaded.")
        _echo_logins()
        return
    present = demo_event_count(now)
    if present and not reset:
        raise click.ClickException(
            f"the demo data is already loaded ({present} demo events). "
            "Use `flask demo load --reset` to replace it."
        )
    if reset:
        removed = reset_demo(now)
        click.echo(f"Removed {removed} demo events.")
    result = load_demo(now=now, seed=seed)
    db.session.commit()
    click.echo(
        f"Loaded {result.events} events ({result.past} past, {result.upcoming} upcoming) and "
        f"{result.registrations} registrations in {result.seconds:.1f} s (seed {seed})."
    )
    _echo_logins()
