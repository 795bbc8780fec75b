"""Organizer sessions end on the server: sign out, sign out everywhere, deactivation, new password.

The requests go to a second app object (`web`) with no app context pushed, so that
each request has its own, as in production: with the `app` fixture's context shared,
Flask-Login's per-request cache on `g` would hide a cookie that still works.
"""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import current_app
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.models import AuditLog
from tests.concurrency import read_beside_a_server as _read
from tests.conftest import _make_app
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture
def web(app, database_url):
    return _make_app(database_url)


@pytest.fixture
def staff(create_organizer):
    """Make organizers; the test thread keeps no transaction open (the web app writes)."""

    def make():
        user = create_organizer()
        found = SimpleNamespace(id=user.id, email=user.email)
        db.session.rollback()
        return found

    return make


def _signed_in(app, user, *, remember: bool = False):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD,
                                           **({"remember": "y"} if remember else {})})
    assert response.status_code == 302, response.data[:300]
    assert client.get("/organizer/").status_code == 200
    return client


def _copy(client, app, *, names=("session", "remember_token")):
    """Another client holding a copy of `client`'s cookies (as a thief would)."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def _signed_out(client) -> bool:
    response = client.get("/organizer/")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def _change(fn) -> None:
    """Change rows from the test thread, and commit (no lock left behind)."""
    fn()
    db.session.commit()


def test_a_copied_session_cookie_stops_working_after_sign_out(web, staff):
    user = staff()
    client = _signed_in(web, user)
    thief = _copy(client, web)
    assert not _signed_out(thief)  # the copy works while the sign-in lasts
    client.post("/logout")
    assert _signed_out(client)
    assert _signed_out(thief)


def test_a_copied_remember_me_cookie_stops_working_after_sign_out(web, staff):
    user = staff()
    client = _signed_in(web, user, remember=True)
    thief = _copy(client, web, names=("remember_token",))  # the remember-me cookie alone signs in
    assert not _signed_out(thief)
    client.post("/logout")
    assert _signed_out(thief)


def test_remember_me_lasts_fourteen_days_not_a_year(web, staff):
    from app.models import LoginSession

    assert current_app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    user = staff()
    response = web.test_client().post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD,
                                                      "remember": "y"})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    expires = cookie.split("Expires=")[1].split(";")[0]
    from email.utils import parsedate_to_datetime

    assert timedelta(days=13) < parsedate_to_datetime(expires) - utcnow() <= timedelta(days=14)
    login = _read(lambda: db.session.scalars(select(LoginSession)).one())
    assert login.expires_at - login.created_at == timedelta(days=14)


def test_sign_out_everywhere_ends_every_session_including_remember_me(web, staff):
    user, other = staff(), staff()
    laptop = _signed_in(web, user, remember=True)
    phone_remembered = _copy(_signed_in(web, user, remember=True), web, names=("remember_token",))
    colleague = _signed_in(web, other)

    page = laptop.get("/logout/everywhere")
    assert page.status_code == 200 and "すべてのブラウザ・端末からログアウトしますか" in page.text
    assert not _signed_out(laptop)  # asking is not doing
    response = laptop.post("/logout/everywhere")
    assert response.status_code == 303 and response.headers["Location"].endswith("/login")

    assert _signed_out(laptop) and _signed_out(phone_remembered)
    assert not _signed_out(colleague)  # other accounts are not touched
    actor = _read(lambda: db.session.scalar(
        select(AuditLog.actor_id).where(AuditLog.action == "account.signed_out_everywhere")))
    assert actor == user.id
    assert _signed_in(web, user)  # signing in again works


def test_a_raised_session_version_refuses_an_old_cookie_even_if_the_sign_in_is_live(web, staff):
    from app.models import Organizer

    user = staff()
    client = _signed_in(web, user)
    # as signing out everywhere elsewhere would, without ending the sign-in records
    _change(lambda: setattr(db.session.get(Organizer, user.id), "session_version", 2))
    assert _signed_out(client)


def test_deactivation_ends_sessions_at_once(web, staff, runner):
    user = staff()
    client = _signed_in(web, user, remember=True)
    thief = _copy(client, web, names=("remember_token",))
    result = runner.invoke(args=["organizers", "deactivate", user.email])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert _signed_out(client) and _signed_out(thief)
    refused = web.test_client().post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 200


def test_a_deactivated_account_is_refused_even_with_a_live_sign_in(web, staff):
    from app.models import Organizer

    user = staff()
    client = _signed_in(web, user)
    # set directly (not through the command, which also ends the sessions): the loader still refuses
    _change(lambda: setattr(db.session.get(Organizer, user.id), "active", False))
    assert _signed_out(client)


def test_a_new_password_ends_the_other_sessions(web, staff, runner):
    from app.models import Organizer

    user = staff()
    client = _signed_in(web, user)
    result = runner.invoke(args=["organizers", "set-password", user.email],
                           input="a brand new pw\na brand new pw\n")
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert _signed_out(client)
    assert _read(lambda: db.session.get(Organizer, user.id).check_password("a brand new pw"))


def test_an_expired_sign_in_is_refused(web, staff):
    from app.models import LoginSession

    user = staff()
    client = _signed_in(web, user)
    _change(lambda: setattr(db.session.scalars(select(LoginSession)).one(), "expires_at",
                            utcnow() - timedelta(seconds=1)))
    assert _signed_out(client)


def test_a_forged_or_old_style_session_id_is_refused(web, staff):
    user = staff()
    client = _signed_in(web, user)
    for forged in (str(user.id), f"{user.id}:1:", f"{user.id}:1:made-up", f"{user.id}:2:made-up", "garbage"):
        with client.session_transaction() as session:
            session["_user_id"] = forged  # the id alone (as before) is not enough
        assert _signed_out(client), forged


def test_signing_in_clears_the_accounts_finished_sessions(web, staff):
    from app.models import LoginSession

    user = staff()
    for _ in range(3):
        _signed_in(web, user).post("/logout")
    _signed_in(web, user)
    ended = _read(lambda: [row.ended_at for row in db.session.scalars(
        select(LoginSession).where(LoginSession.organizer_id == user.id))])
    assert ended == [None]


def test_login_is_throttled_per_account_from_any_address(database_url, _schema, create_organizer):
    email = create_organizer().email
    db.session.rollback()  # end the test thread's transaction: the other app writes (SQLite lock)
    app = _make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="100 per minute",
                    RATELIMIT_LOGIN_ACCOUNT="3 per minute")
    client = app.test_client()

    def attempt(address: str, email: str, password: str = "wrong password") -> int:
        return client.post("/login", data={"email": email, "password": password},
                           environ_base={"REMOTE_ADDR": address}).status_code

    # Failed attempts at one account, each from a new address: the fourth is refused ...
    codes = [attempt(f"198.51.100.{i}", email) for i, email in
             enumerate([email, email.upper(), f"  {email} ", email, email])]
    assert codes == [200, 200, 200, 429, 429]
    # ... even with the right password, while another account can still sign in from those addresses.
    assert attempt("198.51.100.99", email, DEFAULT_PASSWORD) == 429
    assert attempt("198.51.100.1", "someone-else@example.jp") == 200


def test_successful_sign_ins_do_not_use_up_the_account_limit(database_url, _schema, create_organizer):
    email = create_organizer().email
    db.session.rollback()
    app = _make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="100 per minute",
                    RATELIMIT_LOGIN_ACCOUNT="2 per minute")
    for _ in range(4):
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": DEFAULT_PASSWORD}).status_code == 302
