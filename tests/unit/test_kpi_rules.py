"""domain.kpi: reading target lists in the encodings offices send, and matching organisations."""
from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook

from app.domain import kpi
from app.domain.people import corporate_number_check_digit

DATA = Path(__file__).resolve().parents[1] / "data" / "kpi"


def _number(base12: str) -> str:
    return f"{corporate_number_check_digit(base12)}{base12}"


def test_cp932_csv_with_header_and_a_bad_check_digit():
    rows = kpi.read_table("targets.csv", (DATA / "targets-cp932.csv").read_bytes())
    targets, problems = kpi.parse_targets(rows)
    assert [(t.line, t.name, t.corporate_number) for t in targets] == [
        (2, "㈱東北テック", ""), (3, "みちのく精密", _number("370001012345")), (4, "仙台ソフト株式会社", ""),
        (5, "未参加工業", "")]
    assert [(p.line, p.message) for p in problems] == [(4, "bad_number")]


def test_utf8_bom_utf16_and_xlsx_read_the_same():
    text = "会社名\n株式会社あおば\n𠮷野家商事\n"
    for data in (b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("utf-16"), text.encode("utf-8")):
        targets, _ = kpi.parse_targets(kpi.read_table("x.csv", data))
        assert [t.name for t in targets] == ["株式会社あおば", "𠮷野家商事"]
    book = Workbook()
    for row in (["法人番号", "名称"], [_number("370001012345"), "みちのく精密"]):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    targets, problems = kpi.parse_targets(kpi.read_table("list.xlsx", out.getvalue()))
    assert [(t.name, t.corporate_number) for t in targets] == [("みちのく精密", _number("370001012345"))]
    assert kpi.read_table("broken.xlsx", b"PK\x03\x04 not a workbook") is None


def test_no_header_means_a_column_of_names():
    targets, _ = kpi.parse_targets([["株式会社あおば"], ["いろは工業"]])
    assert [t.name for t in targets] == ["株式会社あおば", "いろは工業"]
    assert kpi.parse_targets([])[1][0].message == "empty"


def test_matching_follows_the_one_per_organisation_rule():
    n1, n2 = _number("370001012345"), _number("370001099999")
    organizations = [("東北テック株式会社", ""), ("みちのく精密", n1), ("あおば商事", n2)]
    targets = [("㈱東北テック", ""),  # folded name
               ("別名のみちのく", n1),  # same 法人番号, another spelling
               ("あおば商事", _number("370001088888")),  # same name, a different 法人番号: another company
               ("未参加工業", "")]
    assert kpi.match_targets(targets, organizations) == [0, 1, None, None]


def test_progress():
    assert kpi.progress(25, 50) == 0.5 and kpi.progress(60, 50) == 1.2 and kpi.progress(1, 0) == 0.0
