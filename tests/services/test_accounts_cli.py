"""`flask organizers set-password / deactivate / activate`: account changes from the command line."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from tests.factories import DEFAULT_PASSWORD


def test_set_password_prompts_and_keeps_the_minimum_length(app, runner, create_organizer):
    user = create_organizer()
    short = runner.invoke(args=["organizers", "set-password", user.email], input="short\nshort\n")
    assert short.exit_code != 0 and "at least 8 characters" in short.output
    mismatch = runner.invoke(args=["organizers", "set-password", user.email],
                             input="long enough 1\nlong enough 2\nlong enough 3\nlong enough 3\n")
    assert mismatch.exit_code == 0  # asked again until both match
    db.session.refresh(user)
    assert user.check_password("long enough 3") and not user.check_password(DEFAULT_PASSWORD)
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "account.password_changed"))
    unknown = runner.invoke(args=["organizers", "set-password", "nobody@example.jp"], input="long enough 4\nlong enough 4\n")
    assert unknown.exit_code != 0 and "no account" in unknown.output


def test_deactivate_and_activate(app, runner, client, create_organizer):
    user = create_organizer()
    result = runner.invoke(args=["organizers", "deactivate", user.email.upper()])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.active is False
    assert client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD}).status_code == 200
    assert runner.invoke(args=["organizers", "activate", user.email]).exit_code == 0
    assert client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["account.deactivated", "account.activated"]
    assert runner.invoke(args=["organizers", "deactivate", "nobody@example.jp"]).exit_code != 0
