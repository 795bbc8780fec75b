"""Exports of the registrant list, read back: CSV (UTF-8 BOM, CP932 + report), XLSX; the log; permissions; API."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import ExportLog, Question, Registration
from tests.factories import create_api_token, register


@pytest.fixture
def export_dir(app, tmp_path):
    app.config["EXPORT_DIR"] = str(tmp_path / "exports")
    return tmp_path / "exports"


@pytest.fixture
def editor(create_organizer):
    return create_organizer(role="organizer")


@pytest.fixture
def viewer(create_organizer):
    return create_organizer(role="viewer")


def _event(create_event):
    event = create_event(ticket_types=[("一般", 10), ("学生", 10)])
    q = Question(event_id=event.id, kind="text", label="ご質問", position=0)
    db.session.add(q)
    db.session.commit()
    register(event, 1, family_name="髙橋", given_name="𠮷男", family_name_kana="たかはし", given_name_kana="よしお",
             organization="㈱①テック🚀", phone="03-1234-5678", corporate_number="7000012050002",
             answers={str(q.id): "=HYPERLINK(\"http://evil.example\")"})
    register(event, 2, family_name="佐藤", given_name="花子", family_name_kana="サトウ", given_name_kana="ハナコ",
             organization="宮城大学", organization_type="academia", phone="022-221-4876",
             ticket_type_id=event.ticket_types[1].id, department="+SUM(A1)")
    return event, q


def _export(client, event, fmt, **params):
    data = {"format": fmt, **params}
    response = client.post(f"/organizer/events/{event.id}/registrants/export", data=data)
    assert response.status_code == 303, response.text[:300]
    detail_url = response.headers["Location"]
    detail = client.get(detail_url)
    assert detail.status_code == 200
    file_url = re.search(r'href="([^"]+/file)"', detail.text).group(1)
    download = client.get(file_url)
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    return download, detail


def test_csv_utf8_with_bom_the_chosen_columns_and_neutralised_cells(client, login, editor, create_event, export_dir):
    event, q = _event(create_event)
    login(editor)
    download, _detail = _export(client, event, "csv",
                                columns=f"reference,full_name,phone,department,answers.{q.id}", sort="reference")
    body = download.data
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["受付番号", "氏名", "電話番号", "部署", "ご質問"]
    assert rows[1][1:3] == ["髙橋 𠮷男", "0312345678"]
    assert rows[1][4] == "'=HYPERLINK(\"http://evil.example\")"
    assert rows[2][3] == "'+SUM(A1)"
    assert len(rows) == 3


def test_csv_cp932_replaces_and_reports(client, login, editor, create_event, export_dir):
    event, _q = _event(create_event)
    login(editor)
    download, detail = _export(client, event, "csv-cp932", columns="full_name,organization", sort="reference")
    assert not download.data.startswith(b"\xef\xbb\xbf")
    text = download.data.decode("cp932")  # it decodes: everything in it is CP932
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["氏名", "会社名・団体名"]
    assert rows[1] == ["髙橋 〓男", "㈱①テック〓"]  # CP932 holds 髙, ㈱ and ①; not 𠮷 or 🚀
    assert rows[2] == ["佐藤 花子", "宮城大学"]
    # The report, on screen ...
    assert "2 セルを変換しました" in detail.text
    assert "髙橋 𠮷男" in detail.text and "㈱①テック🚀" in detail.text
    log = db.session.scalar(select(ExportLog))
    assert log.replaced_cells == 2
    assert log.report == [[1, "full_name", "髙橋 𠮷男", "髙橋 〓男"], [1, "organization", "㈱①テック🚀", "㈱①テック〓"]]
    # ... and as a second file
    report_url = re.search(r'href="([^"]+/report\.csv)"', detail.text).group(1)
    report = client.get(report_url)
    assert report.data.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(report.data.decode("utf-8-sig")))) == [
        ["行", "列", "元の値", "書き出した値"], ["1", "氏名", "髙橋 𠮷男", "髙橋 〓男"],
        ["1", "会社名・団体名", "㈱①テック🚀", "㈱①テック〓"]]


def test_xlsx_cells_types_zeros_formulas_pane_and_filter(client, login, editor, create_event, export_dir):
    event, q = _event(create_event)
    login(editor)
    download, _detail = _export(client, event, "xlsx", sort="reference",
                                columns=f"reference,phone,corporate_number,created_at,department,answers.{q.id}")
    wb = load_workbook(io.BytesIO(download.data))
    ws = wb.active
    assert [c.value for c in ws[1]] == ["受付番号", "電話番号", "法人番号", "申込日時", "部署", "ご質問"]
    phone, corp, created, dept, answer = ws["B2"], ws["C2"], ws["D2"], ws["E3"], ws["F2"]
    assert (phone.value, phone.data_type, phone.number_format) == ("0312345678", "s", "@")
    assert (corp.value, corp.data_type) == ("7000012050002", "s")
    assert ws["B3"].value == "0222214876"
    assert created.is_date and "年" in created.number_format
    assert answer.data_type == "s" and answer.value == "'=HYPERLINK(\"http://evil.example\")"
    assert dept.value == "'+SUM(A1)" and dept.data_type == "s"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F3"
    assert ws.column_dimensions["A"].width >= 10 and ws.column_dimensions["F"].width >= 10


def test_xlsx_in_wareki(client, login, editor, create_event, export_dir):
    event, _q = _event(create_event)
    login(editor)
    download, _detail = _export(client, event, "xlsx", columns="created_at", wareki="y")
    ws = load_workbook(io.BytesIO(download.data)).active
    assert ws["A2"].number_format.startswith("[$-411]ggge")


def test_every_export_is_logged_and_shown_on_the_event_page(client, login, editor, create_event, export_dir):
    event, _q = _event(create_event)
    login(editor)
    _export(client, event, "csv", status="confirmed", ticket_type=str(event.ticket_types[1].id), columns="full_name")
    log = db.session.scalar(select(ExportLog))
    assert (log.organizer_id, log.actor_label, log.format, log.via, log.row_count) == (
        editor.id, editor.email, "csv", "web", 1)
    assert log.filter == {"status": "confirmed", "ticket_type": str(event.ticket_types[1].id)}
    assert log.columns == ["full_name"]
    page = client.get(f"/organizer/events/{event.id}").text
    assert "申込者一覧のエクスポート" in page and editor.email in page
    assert editor.email in client.get(f"/organizer/events/{event.id}/exports").text


def test_a_kept_file_is_for_its_maker_and_expires(client, login, editor, create_organizer, create_event, export_dir,
                                                  app):
    event, _q = _event(create_event)
    login(editor)
    _export(client, event, "csv")
    log = db.session.scalar(select(ExportLog))
    kept = export_dir / log.file_name
    assert kept.exists()
    other = create_organizer(role="organizer")
    client.post("/logout")
    login(other)
    assert client.get(f"/organizer/events/{event.id}/exports/{log.id}/file").status_code == 403
    app.config["EXPORT_FILE_MINUTES"] = 0
    client.post(f"/organizer/events/{event.id}/registrants/export", data={"format": "csv"})  # removes expired files
    db.session.expire_all()
    assert db.session.get(ExportLog, log.id).file_name is None
    assert not kept.exists()


def test_viewers_get_403_for_personal_data_and_may_download_counts(client, login, viewer, create_event, export_dir):
    event, _q = _event(create_event)
    login(viewer)
    assert client.post(f"/organizer/events/{event.id}/registrants/export", data={"format": "csv"}).status_code == 403
    assert client.get(f"/organizer/events/{event.id}/exports").status_code == 403
    assert db.session.scalar(select(ExportLog)) is None
    page = client.get(f"/organizer/events/{event.id}/registrants").text
    assert 'name="format"' not in page and "集計をダウンロード" in page
    summary = client.get(f"/organizer/events/{event.id}/registrants/summary.csv", query_string={"status": "active"})
    assert summary.status_code == 200 and summary.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(summary.data.decode("utf-8-sig"))))
    assert ["参加枠", "一般", "1"] in rows and ["参加枠", "学生", "1"] in rows
    assert ["組織区分", "大学・研究機関", "1"] in rows
    assert "髙橋" not in summary.data.decode("utf-8-sig")


def test_bulk_actions_from_the_list(client, login, editor, viewer, create_event, export_dir):
    event, _q = _event(create_event)
    regs = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    ids = [str(r.id) for r in regs]
    login(viewer)
    assert client.post(f"/organizer/events/{event.id}/registrants/bulk",
                       data={"action": "cancel", "ids": ids}).status_code == 403
    client.post("/logout")
    login(editor)
    page = client.post(f"/organizer/events/{event.id}/registrants/bulk",
                       data={"action": "move", "ids": ids, "ticket_type_id": str(event.ticket_types[1].id),
                             "q": "髙橋"})
    assert page.status_code == 200
    assert page.text.count('data-outcome="moved"') == 2
    assert "q=%E9%AB%99%E6%A9%8B" in page.text  # back to the same filtered list
    page = client.post(f"/organizer/events/{event.id}/registrants/bulk",
                       data={"action": "cancel", "ids": ids[:1], "reason": "重複", "confirmed": "1"})
    assert 'data-outcome="cancelled"' in page.text
    page = client.post(f"/organizer/events/{event.id}/registrants/bulk",
                       data={"action": "cancel", "ids": ids, "reason": "", "confirmed": "1"})
    assert 'data-outcome="not_active"' in page.text and 'data-outcome="cancelled"' in page.text
    db.session.expire_all()
    assert {r.status for r in regs} == {"cancelled"}


def test_list_page_filters_columns_and_errors(client, login, viewer, create_event):
    event, q = _event(create_event)
    login(viewer)
    page = client.get(f"/organizer/events/{event.id}/registrants",
                      query_string={"q": "たかはし", "columns": f"reference,phone,answers.{q.id}"}).text
    assert "03-1234-5678" in page and "HYPERLINK" in page and "宮城大学" not in page
    assert 'tabindex="0" role="region"' in page
    page = client.get(f"/organizer/events/{event.id}/registrants",
                      query_string={"created_from": "2026-13-01", "columns": "bogus"}).text
    assert 'id="err-created_from"' in page and "YYYY-MM-DD" in page
    assert 'id="err-columns"' in page and "bogus" in page
    assert 'value="2026-13-01"' in page  # what was typed is kept


# ---------------------------------------------------------------------------
# API


def _api(client, token, path, **params):
    return client.get(path, query_string=params, headers={"Authorization": f"Bearer {token}"})


def test_api_list_takes_the_same_filters(client, editor, create_event):
    event, _q = _event(create_event)
    token = create_api_token(editor)
    base = f"/api/v1/events/{event.id}/registrations"
    body = _api(client, token, base, q="ｻﾄｳ").get_json()
    assert [r["family_name"] for r in body["items"]] == ["佐藤"] and body["total"] == 1
    body = _api(client, token, base, organization_type="academia,company", sort="-full_name_kana").get_json()
    assert [r["family_name"] for r in body["items"]] == ["髙橋", "佐藤"]
    assert set(body["items"][0]) >= {"id", "reference", "status", "email", "phone", "answers", "waitlist_position"}
    bad = _api(client, token, base, prefecture="99", checked_in="maybe")
    assert bad.status_code == 400 and set(bad.get_json()["errors"]) == {"prefecture", "checked_in"}


def test_api_export_formats(client, editor, create_event):
    event, q = _event(create_event)
    token = create_api_token(editor)
    url = f"/api/v1/events/{event.id}/registrations/export"
    csv_answer = _api(client, token, url, columns="reference,phone", q="髙橋")
    assert csv_answer.status_code == 200 and csv_answer.mimetype == "text/csv"
    assert csv_answer.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(csv_answer.data.decode("utf-8-sig"))))
    assert rows[1][1] == "0312345678" and len(rows) == 2
    cp932 = _api(client, token, url, format="csv-cp932", columns="full_name")
    assert cp932.headers["X-Export-Replaced-Cells"] == "1" and cp932.headers["X-Export-Rows"] == "2"
    assert "〓" in cp932.data.decode("cp932")
    xlsx = _api(client, token, url, format="xlsx")
    ws = load_workbook(io.BytesIO(xlsx.data)).active
    assert ws.max_row == 3 and "法人番号" in [c.value for c in ws[1]]
    logs = db.session.scalars(select(ExportLog).order_by(ExportLog.id)).all()
    assert [(log.format, log.via, log.organizer_id) for log in logs] == [
        ("csv", "api", editor.id), ("csv-cp932", "api", editor.id), ("xlsx", "api", editor.id)]
    assert logs[0].filter == {"q": "髙橋"}


def test_api_export_refusals(client, editor, viewer, create_event):
    event, _q = _event(create_event)
    url = f"/api/v1/events/{event.id}/registrations/export"
    token = create_api_token(editor)
    unknown = _api(client, token, url, columns="reference,password")
    assert unknown.status_code == 400
    body = unknown.get_json()
    assert "password" in body["errors"]["columns"][0] and "phone" in body["available_columns"]
    assert _api(client, token, url, format="pdf").status_code == 400
    assert _api(client, create_api_token(viewer), url).status_code == 403
    assert client.get(url).status_code == 401
    assert _api(client, token, "/api/v1/events/999999/registrations/export").status_code == 404
    assert db.session.scalar(select(ExportLog)) is None


def test_english_headings_and_page(client, login, editor, create_event):
    event, _q = _event(create_event)
    token = create_api_token(editor)
    answer = client.get(f"/api/v1/events/{event.id}/registrations/export", query_string={"columns": "reference,phone"},
                        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})
    assert answer.data.decode("utf-8-sig").splitlines()[0] == "Registration number,Phone number"
    login(editor)
    page = client.get(f"/organizer/events/{event.id}/registrants?lang=en").text
    assert "Columns to show and export" in page and "Apply to the selected" in page


def _pdf_text(data: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_roster_and_badges_pdfs_through_the_api_and_the_page(client, login, editor, create_event, export_dir,
                                                            tmp_path):
    event, _q = _event(create_event)
    token = create_api_token(editor)
    url = f"/api/v1/events/{event.id}/registrations/export"
    roster = _api(client, token, url, format="roster-pdf")
    assert roster.status_code == 200 and roster.mimetype == "application/pdf"
    assert roster.headers["X-Export-Rows"] == "2"
    text = _pdf_text(roster.data, tmp_path)
    assert "髙橋" in text and "𠮷男" in text and "佐藤" in text and event.title in text
    badges = _api(client, token, url, format="badges-pdf", q="佐藤")  # the filters apply
    text = _pdf_text(badges.data, tmp_path)
    assert "佐藤" in text and "髙橋" not in text
    login(editor)
    download, _detail = _export(client, event, "badges-pdf")
    assert download.data.startswith(b"%PDF") and "髙橋" in _pdf_text(download.data, tmp_path)
    logs = db.session.scalars(select(ExportLog).order_by(ExportLog.id)).all()
    assert [(log.format, log.row_count) for log in logs] == [("roster-pdf", 2), ("badges-pdf", 1), ("badges-pdf", 2)]
