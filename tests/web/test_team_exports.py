"""Exports of a team event's registrants: チーム名 and 人数 columns (by default for team events), the
members' names for organizers only (a column they choose, or the teams page's export), never for
viewers and never after the erasure (nor from an earlier export's report or kept file)."""
from __future__ import annotations

import csv
import io
import os
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.models import ExportLog
from app.services import teams
from tests import factories
from tests.web.test_exports import _export


@pytest.fixture
def export_dir(app, tmp_path):
    app.config["EXPORT_DIR"] = str(tmp_path / "exports")
    return tmp_path / "exports"


def _debate():
    event = factories.create_event(title="省エネ政策提案型パブリック・ディベートコンテスト", team_mode="team",
                                   team_min_members=3, team_max_members=5,
                                   ticket_types=[("高校の部", 8), ("中学の部", 8)])
    high, middle = event.ticket_types
    first = factories.team_data(name="仙台一高ディベート部", members=4)
    first["members"][0].update(family_name="髙橋", given_name="𠮷男", family_name_kana="たかはし",
                               given_name_kana="よしお")  # 𠮷 is not in CP932
    a = factories.register(event, 1, ticket_type_id=high.id, team=first).registration
    b = factories.register(event, 2, ticket_type_id=middle.id,
                           team=factories.team_data(name="=青葉中", members=3, grade="中学3年")).registration
    return event, a, b


def _rows(download):
    assert download.data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Japanese Excel opens it as UTF-8
    return list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))


def test_default_export_of_a_team_event_has_the_team_and_its_size_but_no_names(client, login, create_organizer,
                                                                                export_dir):
    event, _a, _b = _debate()
    login(create_organizer(role="organizer"))
    download, _detail = _export(client, event, "csv", sort="reference")
    rows = _rows(download)
    header = rows[0]
    i = header.index("参加枠")
    assert header[i + 1:i + 3] == ["チーム名", "人数"]
    assert "メンバー氏名" not in header
    assert [(r[i], r[i + 1], r[i + 2]) for r in rows[1:]] == [
        ("高校の部", "仙台一高ディベート部", "4"), ("中学の部", "'=青葉中", "3")]  # neutralised: no formula
    assert "𠮷男" not in download.data.decode("utf-8-sig") and "花子" not in download.data.decode("utf-8-sig")


def test_an_organizer_chooses_the_members_names_csv_and_xlsx(client, login, create_organizer, export_dir):
    event, _a, _b = _debate()
    login(create_organizer(role="organizer"))
    columns = "reference,team_name,team_size,team_members"
    rows = _rows(_export(client, event, "csv", columns=columns, sort="reference")[0])
    assert rows[0] == ["受付番号", "チーム名", "人数", "メンバー氏名"]
    assert rows[1][3] == "髙橋 𠮷男（高校2年）、佐藤 次郎（高校2年）、佐藤 三郎（高校2年）、佐藤 四郎（高校2年）"
    assert rows[2][3].startswith("佐藤 花子（中学3年）")
    download, _detail = _export(client, event, "xlsx", columns=columns, sort="reference")
    ws = load_workbook(io.BytesIO(download.data)).active
    assert [c.value for c in ws[1]] == ["受付番号", "チーム名", "人数", "メンバー氏名"]
    assert (ws["B2"].value, ws["B2"].data_type) == ("仙台一高ディベート部", "s")
    assert (ws["B3"].value, ws["B3"].data_type) == ("'=青葉中", "s")  # text, never a formula
    assert (ws["C2"].value, ws["C2"].data_type) == (4, "n")  # a number: it sums
    assert ws["D2"].value.startswith("髙橋 𠮷男（高校2年）、")


def test_the_list_page_sorts_by_team_and_viewers_never_get_the_names(app, client, login, create_organizer):
    event, _a, _b = _debate()
    login(create_organizer(role="organizer"))
    page = client.get(f"/organizer/events/{event.id}/registrants",
                      query_string={"columns": "reference,team_name,team_size,team_members", "sort": "team_name"}).text
    assert page.index("=青葉中") < page.index("仙台一高ディベート部")
    assert "髙橋 𠮷男（高校2年）" in page and 'value="team_members"' in page
    viewer = app.test_client()
    login(create_organizer(role="viewer"), c=viewer)
    page = viewer.get(f"/organizer/events/{event.id}/registrants",
                      query_string={"columns": "reference,team_name,team_members"}).text
    assert "仙台一高ディベート部" in page  # the team's name and size are not personal data of the members
    assert "髙橋" not in page and "𠮷男" not in page and "花子" not in page
    assert 'value="team_members"' not in page  # not offered either
    assert viewer.post(f"/organizer/events/{event.id}/registrants/export",
                       data={"format": "csv", "columns": "team_members"}).status_code == 403
    plain = factories.create_event()
    page = client.get(f"/organizer/events/{plain.id}/registrants").text
    assert 'value="team_name"' not in page  # other events do not offer team columns


def test_after_the_erasure_no_export_gives_the_names_back(client, login, create_organizer, export_dir):
    event, a, b = _debate()
    organizer = create_organizer(role="organizer")
    login(organizer)
    _download, detail = _export(client, event, "csv-cp932", columns="reference,team_members", sort="reference")
    log = db.session.scalar(select(ExportLog).order_by(ExportLog.id.desc()))
    assert any(row[1] == "team_members" and "𠮷男" in row[2] for row in log.report)  # the original, as reported
    kept = os.path.join(export_dir, log.file_name)
    assert os.path.exists(kept)
    for reg in (a, b):
        teams.erase_members(teams.team_of(reg.id).id, now=utcnow())
    db.session.commit()
    db.session.expire_all()
    log = db.session.get(ExportLog, log.id)
    assert log.report == [] and log.file_name is None and not os.path.exists(kept)
    detail = client.get(f"/organizer/events/{event.id}/exports/{log.id}").text
    assert "𠮷男" not in detail and "髙橋" not in detail
    rows = _rows(_export(client, event, "csv", columns="reference,team_name,team_size,team_members",
                         sort="reference")[0])
    assert [r[1:] for r in rows[1:]] == [["仙台一高ディベート部", "4", "氏名消去済み"], ["'=青葉中", "3", "氏名消去済み"]]


def test_the_teams_page_exports_the_teams_with_their_members(client, login, create_organizer, export_dir):
    event, _a, _b = _debate()
    login(create_organizer(role="organizer"))
    page = client.get(f"/organizer/events/{event.id}/teams").text
    assert "チームを書き出す" in page
    columns = re.search(r'name="columns" value="([^"]+)"', page).group(1)
    download, _detail = _export(client, event, "xlsx", columns=columns, status="active", sort="ticket_type")
    ws = load_workbook(io.BytesIO(download.data)).active
    header = [c.value for c in ws[1]]
    assert header[:5] == ["受付番号", "参加枠", "チーム名", "人数", "メンバー氏名"]
    assert [ws.cell(row=r, column=3).value for r in (2, 3)] == ["仙台一高ディベート部", "'=青葉中"]


def test_a_hackathons_registrants_carry_their_team(client, login, create_organizer, export_dir):
    event = factories.create_event(title="IoT アイデアソン＆ハッカソン", team_mode="hackathon")
    regs = [factories.register(event, n).registration for n in range(1, 4)]
    team = teams.form_team(regs[0], "チームX", now=utcnow())
    teams.join_team(regs[1], team.invite_code, now=utcnow())
    db.session.commit()
    login(create_organizer(role="organizer"))
    rows = _rows(_export(client, event, "csv", sort="reference")[0])
    i = rows[0].index("チーム名")
    assert [(r[i], r[i + 1]) for r in rows[1:]] == [("チームX", "2"), ("チームX", "2"), ("", "")]
    assert "メンバー氏名" not in rows[0]
