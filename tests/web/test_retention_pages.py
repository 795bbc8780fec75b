"""What organizers (and the public) see once an event's registrants' personal data is erased: the
list, the detail, an export and the outbox say so, with the date; nothing can be done that needs
the data; the privacy page says what is kept."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import jobs
from app.db_types import utcnow
from app.domain import retention as rules
from app.domain.dates import format_date, jst_datetime, to_jst
from app.extensions import db
from app.models import OutboxMessage, Registration
from tests import factories


@pytest.fixture
def erased_event(app):
    """An event ended 12 months and a week ago (Japan's calendar), its two registrants erased."""
    today = to_jst(utcnow()).date()
    months = app.config["IDENTITY"].retention_months
    day = to_jst(rules.add_months(jst_datetime(today.year, today.month, today.day, 12), -months)).date()
    day -= timedelta(days=7)
    start = jst_datetime(day.year, day.month, day.day, 10)
    event = factories.create_event(starts_at=start, registration_opens_at=start - timedelta(days=30),
                                   registration_closes_at=start - timedelta(days=1))
    regs = [factories.register(event, n, now=start - timedelta(days=2), family_name="消去対象").registration
            for n in (1, 2)]
    jobs.erase_registrants(utcnow())
    db.session.expire_all()
    return event, [db.session.get(Registration, r.id) for r in regs]


@pytest.fixture
def editor(create_organizer):
    return create_organizer(role="organizer")


def test_the_registrant_list_says_when_the_data_was_erased(client, login, editor, erased_event):
    event, regs = erased_event
    login(editor)
    when = format_date(regs[0].erased_at)
    html = client.get(f"/organizer/events/{event.id}/registrants").text
    assert 'id="erased-note"' in html and when in html and "保存期間" in html
    assert f"個人情報は{when}に消去済み" in html  # in place of each name
    assert "消去対象" not in html
    assert f'name="ids" value="{regs[0].id}"' not in html  # no bulk action on them
    english = client.get(f"/organizer/events/{event.id}/registrants?lang=en").text
    assert f"Personal data erased on {format_date(regs[0].erased_at, 'en')}" in english
    assert "as the retention policy says" in english


def test_the_detail_offers_no_action_and_the_actions_are_refused(client, login, editor, erased_event):
    event, regs = erased_event
    login(editor)
    url = f"/organizer/events/{event.id}/registrants/{regs[0].id}"
    html = client.get(url).text
    assert 'id="erased-note"' in html and "この申込者へのメール送信や変更はできません" in html
    assert "registrant-actions" not in html and "/cancel" not in html
    assert "個人情報を消去（保存期間の終了）" in html  # the history tells it
    response = client.post(f"{url}/cancel", data={"action": "confirm"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Registration, regs[0].id).status == "confirmed"
    assert "変更できません" in client.get(url).text
    response = client.post(f"/organizer/events/{event.id}/registrants/bulk",
                           data={"action": "cancel", "ids": [str(regs[1].id)]})
    db.session.expire_all()
    assert db.session.get(Registration, regs[1].id).status == "confirmed"


def test_an_export_says_erased_instead_of_blank_names(client, login, editor, erased_event, app, tmp_path):
    app.config["EXPORT_DIR"] = str(tmp_path)
    event, regs = erased_event
    login(editor)
    response = client.post(f"/organizer/events/{event.id}/registrants/export",
                           data={"format": "csv", "columns": "reference,full_name,email,organization"})
    assert response.status_code == 303
    detail = client.get(response.headers["Location"]).text
    body = client.get(re.search(r'href="([^"]+/file)"', detail).group(1)).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert [r[1] for r in rows[1:]] == [f"個人情報は{format_date(regs[0].erased_at)}に消去済み（保存期間の終了）"] * 2
    assert [r[2] for r in rows[1:]] == ["", ""] and all(r[3].startswith("株式会社テスト") for r in rows[1:])


def test_the_outbox_still_shows_the_mail_was_written(client, login, editor, erased_event):
    _event, regs = erased_event
    login(editor)
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.registration_id == regs[0].id))
    html = client.get(f"/organizer/outbox/{mail.id}").text
    assert 'id="erased-note"' in html and mail.subject in html and "消去対象" not in html
    listing = client.get(f"/organizer/outbox?event_id={_event.id}").text
    assert "（消去済み）" in listing and "@example.jp" not in listing


def test_the_privacy_page_says_what_is_kept(client):
    html = client.get("/privacy").text
    assert "12か月間保存し、その後削除します" in html
    assert "氏名を含めずに保持するもの" in html
    english = client.get("/privacy?lang=en").text
    assert "a one-way code made from your email address" in english
