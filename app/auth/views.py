from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from app.auth import bp
from app.auth.forms import LoginForm
from app.db_types import utcnow
from app.domain.people import normalize_email
from app.domain.text_input import is_safe_key
from app.extensions import db, limiter
from app.models import Organizer
from app.services import accounts

# Compared against when the email is unknown, so both paths cost the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _account_key() -> str:
    """Rate-limit key of the account tried: the submitted email, normalised (hashed: no address in the store)."""
    email = normalize_email(request.form.get("email", ""))
    return "login-account:" + hashlib.sha256(email.encode("utf-8")).hexdigest()[:32]


def _failed_attempt(response) -> bool:
    return response.status_code == 200  # the form again, with "not correct"; a sign-in redirects


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])  # per client address
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_ACCOUNT"], methods=["POST"], key_func=_account_key,
               deduct_when=_failed_attempt)  # per account, from any number of addresses
def login():
    if current_user.is_authenticated:
        return redirect(url_for("organizer.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        email = normalize_email(form.email.data)
        user = (db.session.scalar(select(Organizer).where(func.lower(Organizer.email) == email))
                if is_safe_key(email) else None)  # a NUL would be refused by PostgreSQL
        if user is None:
            Organizer(password_hash=_DUMMY_HASH).check_password(form.password.data)
        elif user.is_active and user.check_password(form.password.data):
            accounts.start_session(user, now=utcnow(), lifetime=current_app.config["REMEMBER_COOKIE_DURATION"])
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or url_for("organizer.dashboard"))
        # One message for an unknown email and a wrong password: no user enumeration.
        form.password.errors.append(_("The email or password is not correct."))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """End this sign-in on the server too: a copy of the cookie stops working."""
    accounts.end_session(current_user._get_current_object(), now=utcnow())
    db.session.commit()
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("public.index"))


@bp.route("/logout/everywhere", methods=["GET", "POST"])
@login_required
def logout_everywhere():
    """Sign out on every browser and device (asks first): every session and remember-me cookie ends."""
    if request.method == "POST":  # CSRF: checked for every POST by CSRFProtect
        accounts.sign_out_everywhere(current_user._get_current_object(), now=utcnow())
        db.session.commit()
        logout_user()
        flash(_("You have signed out on every browser and device."), "info")
        return redirect(url_for("auth.login"), code=303)
    return render_template("auth/logout_everywhere.html")
