"""/j/<token>: a confirmed registrant's personal link to the online sessions.

Inside a session's window (from `Event.join_opens_minutes` before its start to
its end) the first use records the attendance (method ``online``) and every use
redirects to the event's online URL. Otherwise a page says why the link does
not open, and when it does; it never shows the URL. Unknown or forged tokens
are a 404. The answer is never cached and sends no Referer.

The rules are app.domain.join_links and app.services.online_attendance; this
view reads (a refusal needs no write), then records in a write transaction.
"""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template

from app.database import reset_read_only, set_read_only
from app.db_types import utcnow
from app.domain import join_links
from app.extensions import db, limiter
from app.join import bp
from app.services import online_attendance
from app.web_guards import keep_private, registration_rate_limit

# As the private links' pages that change something: RATELIMIT_REGISTRATION per client address.
_rate_limit = registration_rate_limit
keep_private(bp)  # pages with personal data or a private link: never cached, never a referrer


def _refusal(registration, decision: join_links.Decision, now):
    event = registration.event
    windows = online_attendance.windows(event)
    return render_template("join/closed.html", event=event, registration=registration, decision=decision,
                           state=decision.state, windows=windows, now=now), 200


@bp.route("/j/<token>")
@limiter.limit(_rate_limit)
def join(token: str):
    now = utcnow()
    registration = online_attendance.registration_for_token(token, current_app.config["SECRET_KEY"])
    if registration is None:
        abort(404)
    decision = online_attendance.decide(registration, now)
    if not decision.is_open:  # a refusal read without a lock (it never grants)
        return _refusal(registration, decision, now)

    registration_id = registration.id
    db.session.rollback()  # end the read (SQLite: deferred) before writing
    ro_token = set_read_only(False)
    try:
        result = online_attendance.join(registration_id, now=now)
        if not result.decision.is_open:
            db.session.rollback()
            return _refusal(result.registration, result.decision, now)
        url = result.online_url
        db.session.commit()
    finally:
        reset_read_only(ro_token)
    return redirect(url, code=302)
