"""/j/<token>: the personal join link over HTTP (from the delivered mail; window, refusals, headers, limits)."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, text

from app import create_app, jobs
from app.db_types import utcnow
from app.domain import manage_links
from app.extensions import db, limiter, mail
from app.models import Attendance, OutboxMessage
from app.services import registrations
from config import TestingConfig
from tests import factories

URL = "https://meet.example.jp/secret-room"
JOIN_RE = re.compile(r"http://localhost/j/[0-9]+\.[A-Za-z0-9_-]{43}")


def _event(starts_in: timedelta, **kw):
    start = (utcnow() + starts_in).replace(microsecond=0)
    kw.setdefault("registration_closes_at", start - timedelta(days=400) if starts_in < timedelta(0) else None)
    return factories.create_event(format="online", online_url=URL, starts_at=start,
                                  registration_opens_at=start - timedelta(days=500), **kw)


def _mailed_join_link(event, n=1):
    """Register, deliver the confirmation mail, and read the join link out of what was sent."""
    reg = factories.register(event, n).registration
    with mail.record_messages() as sent:
        jobs.deliver_due()
    [message] = [m for m in sent if m.recipients == [reg.email]]
    links = set(JOIN_RE.findall(message.body)) | set(JOIN_RE.findall(message.html))
    assert len(links) == 1, message.body
    stored = db.session.scalar(select(OutboxMessage).where(OutboxMessage.registration_id == reg.id))
    assert "/j/" not in stored.body_text + stored.body_html  # never stored
    return reg, links.pop().removeprefix("http://localhost")


def _attendances():
    return db.session.scalar(select(func.count()).select_from(Attendance))


def test_inside_the_window_records_once_and_redirects(client):
    event = _event(timedelta(minutes=10))
    reg, path = _mailed_join_link(event)
    answer = client.get(path)
    assert answer.status_code == 302 and answer.headers["Location"] == URL
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert _attendances() == 1
    again = client.get(path)
    assert again.status_code == 302 and again.headers["Location"] == URL
    assert _attendances() == 1
    row = db.session.scalar(select(Attendance))
    assert (row.registration_id, row.session_id, row.method) == (reg.id, event.sessions[0].id, "online")


def test_before_the_window_says_when_it_opens(client):
    event = _event(timedelta(days=2), join_opens_minutes=30)
    _reg, path = _mailed_join_link(event)
    answer = client.get(path)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    page = answer.get_data(as_text=True)
    assert URL not in page
    assert "まだ開いていません" in page and "30分前" in page
    assert _attendances() == 0
    english = client.get(path + "?lang=en").get_data(as_text=True)
    assert "This link is not open yet." in english and "30 minutes before" in english


def test_after_the_last_session(client):
    event = _event(timedelta(minutes=10))
    _reg, path = _mailed_join_link(event)
    event.sessions[0].starts_at = utcnow() - timedelta(hours=3)
    event.sessions[0].ends_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert URL not in page and "終了しました" in page
    assert _attendances() == 0


def test_after_cancellation_of_the_registration(client):
    event = _event(timedelta(minutes=10))
    reg, path = _mailed_join_link(event)
    registrations.cancel(reg, now=utcnow())
    db.session.commit()
    answer = client.get(path)
    assert answer.status_code == 200 and URL not in answer.get_data(as_text=True)
    assert "キャンセル" in answer.get_data(as_text=True)
    assert _attendances() == 0


def test_after_cancellation_of_the_event(client):
    from app.services import events as event_service

    event = _event(timedelta(minutes=10))
    _reg, path = _mailed_join_link(event)
    event_service.cancel(event, "講師の急病のため", factories.create_organizer(), utcnow())
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert URL not in page and "中止" in page and "講師の急病のため" in page
    assert _attendances() == 0


def test_waitlisted_registrants_get_no_link_and_no_url(client):
    event = _event(timedelta(minutes=10), capacity=1)
    factories.register(event, 1)
    waiting = factories.register(event, 2).registration
    with mail.record_messages() as sent:
        jobs.deliver_due()
    waiting_mail = [m for m in sent if m.recipients == [waiting.email]][0]
    assert not JOIN_RE.search(waiting_mail.body) and URL not in waiting_mail.body
    from app import urls
    with client.application.test_request_context():
        path = urls.join_url(waiting).removeprefix("http://localhost")
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert URL not in page and "確定していない" in page


def test_unknown_forged_and_manage_tokens_are_404(client):
    event = _event(timedelta(minutes=10))
    reg, path = _mailed_join_link(event)
    token = path.removeprefix("/j/")
    reg_id, mac = token.split(".")
    forged = f"/j/{reg_id}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}"
    for bad in (forged, f"/j/{int(reg_id) + 1}.{mac}", "/j/999999.x", "/j/" + "a" * 200, "/j/%00",
                "/j/" + reg.manage_token):
        assert client.get(bad).status_code == 404, bad
    assert _attendances() == 0


def test_join_token_is_not_stored(client):
    event = _event(timedelta(minutes=10))
    reg, path = _mailed_join_link(event)
    token = path.removeprefix("/j/")
    row = db.session.execute(text("SELECT * FROM registrations WHERE id = :id"), {"id": reg.id}).one()
    dump = " ".join(str(v) for v in row)
    assert token not in dump and token.split(".")[1] not in dump
    outbox = " ".join(f"{m.body_text} {m.body_html}" for m in db.session.scalars(select(OutboxMessage)))
    assert token.split(".")[1] not in outbox


def test_logs_redact_join_links():
    assert manage_links.redact_path('"GET /j/12.abcDEF_- HTTP/1.1" 302') == '"GET /j/[redacted] HTTP/1.1" 302'


def test_rate_limited_like_the_private_links(app, database_url):
    event = _event(timedelta(days=2))
    _reg, path = _mailed_join_link(event)

    class Cfg(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        RATELIMIT_ENABLED = True
        RATELIMIT_REGISTRATION = "3 per minute"

    limited = create_app(Cfg)
    with limited.app_context():
        limiter.reset()
    client = limited.test_client()
    codes = [client.get(path).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    with limited.app_context():
        limiter.reset()
        db.engine.dispose()
