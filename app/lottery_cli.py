"""`flask lottery draw EVENT`, `flask lottery verify EVENT`, `flask lottery release`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.db_types import utcnow
from app.extensions import db
from app.models import Event

lottery_cli = AppGroup("lottery", help="The lottery (抽選): draw, verify, release unconfirmed seats.")


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise click.ClickException(f"no event {event_id}")
    return event


@lottery_cli.command("draw")
@click.argument("event_id", type=int)
@click.option("--ticket-type", "ticket_type_id", type=int, default=None, help="Draw one 参加枠 only.")
def draw_command(event_id: int, ticket_type_id: int | None) -> None:
    """Draw the lottery of EVENT_ID (every 参加枠 not drawn yet); prints the seed and the order."""
    from app.services import lottery
    from app.services.errors import ServiceError

    event = _event(event_id)
    try:
        records = lottery.draw(event, now=utcnow(), actor_label="cli", ticket_type_id=ticket_type_id)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc.code}: {exc.message}") from None
    db.session.commit()
    for d in records:
        click.echo(f"参加枠 {d.ticket_type_id}: {len(d.order)} applicants, {len(d.winners)} winners")
        click.echo(f"  seed {d.seed}")
        click.echo(f"  order {' '.join(str(i) for i in d.order)}")


@lottery_cli.command("verify")
@click.argument("event_id", type=int)
def verify_command(event_id: int) -> None:
    """Re-run every recorded draw of EVENT_ID: exit 0 only if each reproduces its recorded order."""
    from app.services import lottery

    _event(event_id)
    checks = lottery.verify_event(event_id)
    db.session.rollback()
    if not checks:
        click.echo(f"event {event_id}: no draw recorded", err=True)
        raise SystemExit(1)
    failed = False
    for check in checks:
        d = check.draw
        if check.result.ok:
            click.echo(f"ok: 参加枠 {d.ticket_type_id}: seed matches {d.seed_hash}; "
                       f"{len(d.order)} applicants in the recorded order ({d.algorithm})")
        else:
            failed = True
            for problem in check.result.problems:
                click.echo(f"FAILED: 参加枠 {d.ticket_type_id}: {problem}", err=True)
    if failed:
        raise SystemExit(1)


@lottery_cli.command("release")
def release_command() -> None:
    """Release now the seats of winners who did not confirm in time (the jobs do it too)."""
    from app.jobs import lottery_pass

    drawn, released = lottery_pass(utcnow())
    click.echo(f"draws: {drawn}; seats released: {released}")
