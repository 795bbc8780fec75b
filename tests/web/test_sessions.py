"""Organizer sessions end on the server: sign out, sign out everywhere, deactivation, new password."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.models import AuditLog, LoginSession
from app.services import accounts
from tests.conftest import _make_app
from tests.factories import DEFAULT_PASSWORD


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


def test_a_copied_session_cookie_stops_working_after_sign_out(app, create_organizer):
    user = create_organizer()
    client = _signed_in(app, user)
    thief = _copy(client, app)
    assert not _signed_out(thief)  # the copy works while the sign-in lasts
    client.post("/logout")
    assert _signed_out(client)
    assert _signed_out(thief)


def test_a_copied_remember_me_cookie_stops_working_after_sign_out(app, create_organizer):
    user = create_organizer()
    client = _signed_in(app, user, remember=True)
    thief = _copy(client, app, names=("remember_token",))  # the remember-me cookie alone signs in
    assert not _signed_out(thief)
    client.post("/logout")
    assert _signed_out(_copy(client, app, names=())) and _signed_out(thief)


def test_remember_me_lasts_fourteen_days_not_a_year(app, create_organizer):
    assert current_app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    user = create_organizer()
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    assert "Max-Age=1209600" in cookie or "Expires=" in cookie
    login = db.session.scalars(select(LoginSession)).one()
    assert login.expires_at - login.created_at == timedelta(days=14)


def test_sign_out_everywhere_ends_every_session_including_remember_me(app, create_organizer):
    user, other = create_organizer(), create_organizer()
    laptop = _signed_in(app, user, remember=True)
    phone_remembered = _copy(_signed_in(app, user, remember=True), app, names=("remember_token",))
    colleague = _signed_in(app, other)

    page = laptop.get("/logout/everywhere")
    assert page.status_code == 200 and "すべてのブラウザ・端末からログアウトしますか" in page.text
    assert not _signed_out(laptop)  # asking is not doing
    response = laptop.post("/logout/everywhere")
    assert response.status_code == 303 and response.headers["Location"].endswith("/login")

    assert _signed_out(laptop) and _signed_out(phone_remembered)
    assert not _signed_out(colleague)  # other accounts are not touched
    assert db.session.scalar(select(AuditLog.actor_id).where(AuditLog.action == "account.signed_out_everywhere")) \
        == user.id
    assert _signed_in(app, user)  # signing in again works


def test_a_raised_session_version_refuses_an_old_cookie_even_if_the_sign_in_is_live(app, create_organizer):
    user = create_organizer()
    client = _signed_in(app, user)
    user.session_version += 1  # as a sign out everywhere from elsewhere would, without ending the records
    db.session.commit()
    assert _signed_out(client)


def test_deactivation_ends_sessions_at_once(app, create_organizer, runner):
    user = create_organizer()
    client = _signed_in(app, user, remember=True)
    thief = _copy(client, app, names=("remember_token",))
    result = runner.invoke(args=["organizers", "deactivate", user.email])
    assert result.exit_code == 0, result.output
    assert _signed_out(client) and _signed_out(thief)
    refused = app.test_client().post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 200 and "/organizer" not in refused.headers.get("Location", "")


def test_a_deactivated_account_is_refused_even_with_a_live_sign_in(app, create_organizer):
    user = create_organizer()
    client = _signed_in(app, user)
    user.active = False  # set directly (not through the command): the loader still refuses
    db.session.commit()
    assert _signed_out(client)


def test_a_new_password_ends_the_other_sessions(app, create_organizer, runner):
    user = create_organizer()
    client = _signed_in(app, user)
    result = runner.invoke(args=["organizers", "set-password", user.email],
                           input="a brand new pw\na brand new pw\n")
    assert result.exit_code == 0, result.output
    assert _signed_out(client)
    db.session.refresh(user)
    assert user.check_password("a brand new pw") and not user.check_password(DEFAULT_PASSWORD)


def test_an_expired_sign_in_is_refused(app, create_organizer):
    user = create_organizer()
    client = _signed_in(app, user)
    login = db.session.scalars(select(LoginSession)).one()
    login.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _signed_out(client)


def test_a_forged_or_old_style_session_id_is_refused(app, create_organizer):
    user = create_organizer()
    assert accounts.load_session(str(user.id), now=utcnow()) is None  # the id alone (as before) is not enough
    assert accounts.load_session(f"{user.id}:1:", now=utcnow()) is None
    assert accounts.load_session(f"{user.id}:1:made-up", now=utcnow()) is None
    assert accounts.load_session("garbage", now=utcnow()) is None


def test_signing_in_clears_the_accounts_finished_sessions(app, create_organizer):
    user = create_organizer()
    for _ in range(3):
        _signed_in(app, user).post("/logout")
    _signed_in(app, user)
    rows = db.session.scalars(select(LoginSession).where(LoginSession.organizer_id == user.id)).all()
    assert len(rows) == 1 and rows[0].ended_at is None


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
