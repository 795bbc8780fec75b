"""The registrant list's rules: filter parsing, the search key, formula neutralisation, CP932 text."""
from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from app.domain import registrant_list as rl
from app.domain import spreadsheet


def _parse(query: dict | list, strict: bool = False, **kw):
    args = MultiDict(query)
    kw.setdefault("ticket_type_ids", [1, 2])
    kw.setdefault("session_ids", [10, 11])
    kw.setdefault("question_ids", [7])
    return rl.parse(args.getlist, strict=strict, **kw)


def test_search_key_matches_across_scripts_and_widths():
    stored = rl.search_key("ヤマダタロウ")
    for typed in ("やまだ", "ﾔﾏﾀﾞ", "ヤマダ", "やまだ たろう"):
        assert rl.search_key(typed) in stored, typed
    assert rl.search_key("ＡＢＣ商事") == rl.search_key("abc商事") == "abc商事"
    assert rl.search_key("㈱東北") == "(株)東北"


def test_search_text_keeps_the_fields_apart():
    text = rl.search_text(family_name="山田", given_name="太郎", family_name_kana="ヤマダ", given_name_kana="タロウ",
                          organization="株式会社 東北テック", email="Taro@Example.jp")
    assert "山田太郎" in text and "ヤマダタロウ" in text and "株式会社東北テック" in text and "taro@example.jp" in text
    assert rl.search_key("太郎ヤマダ") not in text  # no match across two fields


def test_every_filter_is_parsed():
    f, errors = _parse([("q", " 山田 "), ("status", "active,cancelled"), ("ticket_type", "2"), ("session", "11"),
                        ("organization_type", "company"), ("organization_type", "municipality"),
                        ("prefecture", "04,13"), ("checked_in", "no"), ("created_from", "2026-04-01"),
                        ("created_to", "2026-04-30"), ("sort", "-answers.7"), ("columns", "reference,answers.7")])
    assert errors == {}
    assert f.q == "山田" and f.statuses == ("active", "cancelled")
    assert f.status_values == ("confirmed", "waitlisted", "applied", "pending", "cancelled")
    assert f.ticket_type_ids == (2,) and f.session_id == 11
    assert f.organization_types == ("company", "municipality") and f.prefectures == ("04", "13")
    assert f.checked_in is False and f.created_from == date(2026, 4, 1) and f.created_to == date(2026, 4, 30)
    assert (f.sort, f.descending) == ("answers.7", True)
    assert f.columns == ("reference", "answers.7")
    # ... and given back as the same parameters
    again, errors = _parse(list(f.as_params().items()))
    assert again == f and errors == {}


@pytest.mark.parametrize("name, value", [
    ("status", "gone"), ("ticket_type", "3"), ("ticket_type", "x"), ("session", "12"), ("session", "10,11"),
    ("organization_type", "company,bank"), ("prefecture", "48"), ("checked_in", "maybe"),
    ("created_from", "2026-02-30"), ("created_from", "0001-01-01"), ("created_to", "9999-12-31"),
    ("sort", "password"), ("columns", "reference,secret"), ("q", "x" * 101), ("q", "a\x00b"),
])
def test_bad_values_are_reported_per_parameter(name, value):
    f, errors = _parse({name: value})
    assert list(errors) == [name]
    assert f == _parse({})[0] or name == "columns"


def test_dates_in_the_wrong_order_and_the_strict_mode():
    _f, errors = _parse({"created_from": "2026-05-01", "created_to": "2026-04-01"})
    assert "created_to" in errors
    f, errors = _parse({"status": "", "checked_in": ""})
    assert errors == {} and f.statuses == () and f.checked_in is None  # a form's "all"
    _f, errors = _parse({"status": "", "checked_in": ""}, strict=True)
    assert set(errors) == {"status", "checked_in"}  # the API says what is wrong


def test_unknown_columns_are_named_with_the_available_ones():
    args = MultiDict({"columns": "reference,secret,answers.99"})
    assert rl.unknown_columns(args.getlist, [7]) == ["secret", "answers.99"]
    values = rl.error_values("columns", question_ids=[7], unknown_columns=["secret"])
    assert "answers.7" in values["values"] and "phone" in values["values"] and values["unknown"] == "secret"


@pytest.mark.parametrize("value", ["=1+1", "+81", "-2", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"])
def test_formula_cells_are_neutralised(value):
    assert spreadsheet.neutralise(value) == "'" + value


def test_plain_cells_are_kept():
    for value in ("", "山田", "0222214876", "a=b", "ｰ"):
        assert spreadsheet.neutralise(value) == value


def test_cp932_keeps_what_it_holds_and_replaces_the_rest():
    for kept in ("①㈱髙﨑", "ｱｲｳ", "～－"):
        assert spreadsheet.to_cp932_text(kept) == (kept, False)
        kept.encode("cp932")
    with pytest.raises(UnicodeEncodeError):
        "①㈱髙".encode("shift_jis")  # plain Shift_JIS does not hold them; CP932 does
    assert spreadsheet.to_cp932_text("𠮷野家🍚") == ("〓野家〓", True)
    assert spreadsheet.to_cp932_text("10〜12時 −5") == ("10〜12時 −5", False)  # the codec writes ～ and －
    assert spreadsheet.to_cp932_text("A—B\u00a0C") == ("A―B C", True)
