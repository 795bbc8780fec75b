"""API tokens: expiry, revocation from the CLI, last use recorded cheaply."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.models import ApiToken, AuditLog
from tests import factories


def _status(client, event, token) -> int:
    return client.get(f"/api/v1/events/{event.id}/registrations",
                      headers={"Authorization": f"Bearer {token}"}).status_code


def test_an_expired_token_is_refused(client, create_event, create_organizer):
    event, user = create_event(), create_organizer()
    expired = factories.create_api_token(user, expires_at=utcnow() - timedelta(seconds=1))
    current = factories.create_api_token(user, expires_at=utcnow() + timedelta(days=1))
    assert _status(client, event, expired) == 401
    assert _status(client, event, current) == 200


def test_token_with_an_expiry_from_the_cli(app, runner, client, create_event, create_organizer):
    event, user = create_event(), create_organizer()
    result = runner.invoke(args=["organizers", "token", user.email, "--name", "kintone", "--expires-in-days", "30"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash_token(token)))
    assert timedelta(days=29, hours=23) < row.expires_at - row.created_at <= timedelta(days=30)
    assert _status(client, event, token) == 200
    assert runner.invoke(args=["organizers", "token", user.email, "--expires-in-days", "0"]).exit_code != 0


def test_revoke_a_token_from_the_cli(app, runner, client, create_event, create_organizer):
    event, user = create_event(), create_organizer()
    keep, drop = factories.create_api_token(user, name="keep"), factories.create_api_token(user, name="drop")
    assert _status(client, event, drop) == 200
    drop_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "drop"))

    listing = runner.invoke(args=["organizers", "tokens", user.email])
    assert listing.exit_code == 0, listing.output
    header, *rows = listing.output.strip().splitlines()
    assert header.split() == ["id", "name", "created", "expires", "last", "used", "revoked"]
    assert [r.split()[1] for r in rows] == ["keep", "drop"]
    assert "UTC" in rows[1] and rows[1].rstrip().endswith("-")  # used, not revoked

    result = runner.invoke(args=["organizers", "revoke-token", str(drop_id)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(ApiToken, drop_id).revoked_at is not None
    assert _status(client, event, drop) == 401
    assert _status(client, event, keep) == 200
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "api_token.revoked"))
    listing = runner.invoke(args=["organizers", "tokens", user.email]).output.strip().splitlines()
    assert listing[2].rstrip().endswith("UTC")  # revoked at ...
    assert runner.invoke(args=["organizers", "revoke-token", "999999"]).exit_code != 0


def test_last_use_is_written_at_most_once_a_minute(client, create_event, create_organizer):
    event, user = create_event(), create_organizer()
    token = factories.create_api_token(user)
    assert _status(client, event, token) == 200
    db.session.expire_all()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash_token(token)))
    first = row.last_used_at
    assert first is not None
    assert _status(client, event, token) == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at == first  # not rewritten within the minute
    row = db.session.get(ApiToken, row.id)
    row.last_used_at = first - timedelta(minutes=2)
    db.session.commit()
    assert _status(client, event, token) == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at > first - timedelta(minutes=2)


def test_deactivating_an_account_revokes_its_tokens(app, runner, client, create_event, create_organizer):
    event, user = create_event(), create_organizer()
    token = factories.create_api_token(user)
    assert runner.invoke(args=["organizers", "deactivate", user.email]).exit_code == 0
    assert _status(client, event, token) == 401
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.revoked_at)) is not None
    assert runner.invoke(args=["organizers", "token", user.email]).exit_code != 0  # no new token either
