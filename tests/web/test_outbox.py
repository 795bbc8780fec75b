"""The organizer outbox page: list, filters, failed count, detail (safe HTML), retry (editors only)."""
from __future__ import annotations

from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.models import AuditLog, OutboxMessage, Registration
from tests.factories import register


def _failed(message: OutboxMessage, error="SMTPServerDisconnected: Connection unexpectedly closed"):
    message.status, message.attempts, message.last_error = "failed", 5, error
    db.session.commit()
    return message


def _setup(create_event):
    event = create_event(title="MaaSシンポジウム", format="online", online_url="https://meet.example.jp/maas")
    other = create_event(title="SIer's Day")
    register(event, 1)
    register(event, 2)
    register(other, 3)
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return event, other, messages


def test_staff_must_sign_in(client):
    response = client.get("/organizer/outbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_list_shows_mails_and_failed_count(app, client, login, create_organizer, create_event):
    event, other, messages = _setup(create_event)
    _failed(messages[1])
    login(create_organizer(role="viewer"))
    page = client.get("/organizer/outbox").get_data(as_text=True)
    assert "送信メール" in page
    assert "taro1@example.jp" in page and "taro3@example.jp" in page
    assert "送信に失敗したメールが1件あります" in page
    assert "SMTPServerDisconnected" in page
    assert "参加確定" in page  # kind label
    # Viewers read but cannot retry.
    assert "失敗したメールをすべて再送" not in page
    # Filtered by event and by status.
    page = client.get(f"/organizer/outbox?event_id={other.id}").get_data(as_text=True)
    assert "taro3@example.jp" in page and "taro1@example.jp" not in page
    page = client.get("/organizer/outbox?status=failed").get_data(as_text=True)
    assert "taro2@example.jp" in page and "taro1@example.jp" not in page
    # Nonsense filters are ignored, not a 500.
    assert client.get("/organizer/outbox?event_id=abc&status=<x>&page=-3").status_code == 200


def test_detail_shows_text_and_sandboxed_html(app, client, login, create_organizer, create_event):
    event, _, messages = _setup(create_event)
    m = messages[0]
    m.body_html = m.body_html.replace("</body>", "<script>alert('x')</script></body>")
    db.session.commit()
    login(create_organizer(role="viewer"))
    response = client.get(f"/organizer/outbox/{m.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "山田 太郎1 様" in page and "参加登録が完了しました" in page
    assert '<iframe class="mail-html" sandbox=""' in page
    assert "<script>alert" not in page  # only inside srcdoc, escaped
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "event-" in page and ".ics" in page  # attachment listed
    assert client.get("/organizer/outbox/99999").status_code == 404


def test_editor_retries_a_failed_mail(app, client, login, create_organizer, create_event):
    _, _, messages = _setup(create_event)
    m = _failed(messages[1])
    editor = create_organizer()
    login(editor)
    page = client.get(f"/organizer/outbox/{m.id}").get_data(as_text=True)
    assert "再送する" in page
    response = client.post(f"/organizer/outbox/{m.id}/retry", follow_redirects=True)
    assert response.status_code == 200
    assert "まもなくメールを再送します" in response.get_data(as_text=True)
    db.session.expire_all()
    m = db.session.get(OutboxMessage, m.id)
    assert (m.status, m.attempts) == ("pending", 0)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "mail.retried"))
    assert entry.actor_id == editor.id and entry.registration_id == m.registration_id
    # Retrying a mail that is not failed is refused politely.
    response = client.post(f"/organizer/outbox/{m.id}/retry", follow_redirects=True)
    assert "再送できるのは送信に失敗したメールだけです" in response.get_data(as_text=True)


def test_viewer_cannot_retry(app, client, login, create_organizer, create_event):
    _, _, messages = _setup(create_event)
    m = _failed(messages[0])
    login(create_organizer(role="viewer"))
    assert client.post(f"/organizer/outbox/{m.id}/retry").status_code == 403
    assert client.post("/organizer/outbox/retry-failed").status_code == 403
    db.session.expire_all()
    assert db.session.get(OutboxMessage, m.id).status == "failed"


def test_retry_all_failed_of_one_event(app, client, login, create_organizer, create_event):
    event, other, messages = _setup(create_event)
    for m in messages:
        _failed(m)
    login(create_organizer())
    response = client.post("/organizer/outbox/retry-failed", data={"event_id": str(event.id)},
                           follow_redirects=True)
    assert "2件をまもなく再送します" in response.get_data(as_text=True)
    db.session.expire_all()
    statuses = {m.to_email: m.status for m in db.session.scalars(select(OutboxMessage))}
    assert statuses == {"taro1@example.jp": "pending", "taro2@example.jp": "pending", "taro3@example.jp": "failed"}
    assert len(db.session.scalars(select(AuditLog).where(AuditLog.action == "mail.retried")).all()) == 2


def test_staff_never_see_a_manage_token_on_the_outbox_pages(app, client, login, create_organizer, create_event):
    """Stored bodies hold placeholders; even a link stored in full (before the migration) is masked."""
    event, _, messages = _setup(create_event)
    registration = db.session.get(Registration, messages[0].registration_id)
    token = registration.manage_token
    legacy = messages[1]
    legacy_token = db.session.get(Registration, legacy.registration_id).manage_token
    legacy.body_text += f"\nhttp://localhost:5000/r/{legacy_token}/ticket"
    legacy.body_html = legacy.body_html.replace("</body>", f'<a href="http://x.jp/r/{legacy_token}">x</a></body>')
    db.session.commit()
    for role in ("viewer", "organizer"):
        c = app.test_client()
        login(create_organizer(role=role), c=c)
        pages = [c.get("/organizer/outbox").get_data(as_text=True)]
        for m in messages:
            pages.append(c.get(f"/organizer/outbox/{m.id}").get_data(as_text=True))
        for page in pages:
            assert token not in page and legacy_token not in page
            assert "/r/" not in page
        assert "（本人用リンク：送信時に挿入）" in pages[1]
        assert "（本人用リンク：送信時に挿入）" in pages[2]


def test_superseded_mails_are_counted_filtered_and_explained(app, client, login, create_organizer, create_event):
    from app import jobs
    from app.services import registrations as registration_service

    event, _, messages = _setup(create_event)
    registration = db.session.get(Registration, messages[0].registration_id)
    registration_service.cancel(registration, now=utcnow())
    db.session.commit()
    jobs.deliver_due()
    db.session.expire_all()
    superseded = db.session.get(OutboxMessage, messages[0].id)
    assert superseded.status == "superseded"
    login(create_organizer(role="viewer"))
    page = client.get("/organizer/outbox").get_data(as_text=True)
    assert "送信不要" in page
    assert '<strong data-status="superseded">1</strong>' in page
    page = client.get("/organizer/outbox?status=superseded").get_data(as_text=True)
    assert "taro1@example.jp" in page and "taro2@example.jp" not in page
    page = client.get(f"/organizer/outbox/{superseded.id}").get_data(as_text=True)
    assert "送信しなかった理由" in page and "送信前に申込の状態が変わりました。" in page
    # English works too.
    page = client.get(f"/organizer/outbox/{superseded.id}?lang=en").get_data(as_text=True)
    assert "Not needed any more" in page and "The registration changed before the mail was sent." in page
