"""Pure rules of importing past lists: reading files, guessing columns, normalising rows."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from app.domain import imports
from app.domain.people import corporate_number_check_digit, is_valid_corporate_number


@pytest.mark.parametrize("number", [
    "1180301018771",  # トヨタ自動車株式会社
    "5010401067252",  # ソニーグループ株式会社
    "7010001064648",  # 日本電信電話株式会社
    "7000012050002",  # 国税庁
])
def test_real_corporate_numbers_pass_the_check_digit(number):
    assert is_valid_corporate_number(number)
    assert corporate_number_check_digit(number[1:]) == int(number[0])
    row, errors = imports.clean_row({"full_name": "山田 太郎", "corporate_number": number})
    assert errors == [] and row.corporate_number == number


@pytest.mark.parametrize("typed", ["１１８０３０１０１８７７１", "1180-3010-18771", "1 180301 018771"])
def test_corporate_number_in_full_width_or_with_separators(typed):
    row, errors = imports.clean_row({"full_name": "山田 太郎", "corporate_number": typed})
    assert errors == [] and row.corporate_number == "1180301018771"


@pytest.mark.parametrize("typed", ["2180301018771", "118030101877", "11803010187712", "abc"])
def test_wrong_corporate_numbers_are_errors(typed):
    _row, errors = imports.clean_row({"full_name": "山田 太郎", "corporate_number": typed})
    assert [f for f, _m in errors] == ["corporate_number"]


@pytest.mark.parametrize(("typed", "code"), [
    ("宮城", "04"), ("宮城県", "04"), ("04", "04"), ("4", "04"), ("０４", "04"), ("Miyagi", "04"),
    ("miyagi-ken", "04"), ("MIYAGI Prefecture", "04"), ("北海道", "01"), ("東京都", "13"), ("東京", "13"),
    ("京都府", "26"), ("京都", "26"), ("大阪", "27"), ("沖縄県", "47"), ("47", "47"),
])
def test_prefectures_by_name_or_code(typed, code):
    assert imports.normalize_prefecture(typed) == code


@pytest.mark.parametrize("typed", ["48", "00", "仙台", "Atlantis"])
def test_unknown_prefectures(typed):
    assert imports.normalize_prefecture(typed) is None


@pytest.mark.parametrize(("word", "code"), [
    ("企業", "company"), ("株式会社", "company"), ("民間企業", "company"), ("company", "company"),
    ("自治体", "municipality"), ("市役所", "municipality"), ("仙台市", "municipality"), ("女川町", "municipality"),
    ("宮城県庁", "municipality"), ("大学", "academia"), ("高専", "academia"), ("大学・研究機関", "academia"),
    ("学生", "student"), ("大学生", "student"), ("団体", "association"), ("協会", "association"),
    ("商工会議所", "association"), ("公的機関", "public_agency"), ("独立行政法人", "public_agency"),
    ("その他", "other"), ("municipality", "municipality"),
])
def test_organisation_type_words(word, code):
    assert imports.normalize_organization_type(word) == code


def test_kana_in_any_script_and_width_becomes_full_width_katakana():
    row, errors = imports.clean_row({"family_name": "山田", "given_name": "太郎", "family_name_kana": "ﾔﾏﾀﾞ",
                                     "given_name_kana": "たろう"})
    assert errors == [] and (row.family_name_kana, row.given_name_kana) == ("ヤマダ", "タロウ")
    row, errors = imports.clean_row({"full_name": "山田　太郎", "full_name_kana": "やまだ　たろう"})
    assert errors == [] and (row.family_name, row.given_name) == ("山田", "太郎")
    assert (row.family_name_kana, row.given_name_kana) == ("ヤマダ", "タロウ")
    _row, errors = imports.clean_row({"full_name": "山田 太郎", "full_name_kana": "Yamada"})
    assert [f for f, _m in errors] == ["full_name_kana"]


def test_one_name_column_is_split_at_the_space():
    assert imports.split_name("髙橋 一郎") == ("髙橋", "一郎")
    assert imports.split_name("髙橋　一郎") == ("髙橋", "一郎")
    assert imports.split_name("髙橋一郎") == ("髙橋一郎", "")


def test_full_width_digits_in_phone_and_prefecture():
    row, errors = imports.clean_row({"full_name": "山田 太郎", "phone": "０２２－２２１－４８７６", "prefecture": "０４"})
    assert errors == [] and row.phone == "0222214876" and row.prefecture == "04"


def test_a_phone_that_excel_turned_into_a_number_gets_its_zero_back():
    row, errors = imports.clean_row({"full_name": "山田 太郎", "phone": "222214876"})
    assert errors == [] and row.phone == "0222214876"
    row, errors = imports.clean_row({"full_name": "山田 太郎", "phone": "9012345678"})
    assert errors == [] and row.phone == "09012345678"


def test_a_cell_starting_with_equals_is_kept_as_text():
    row, errors = imports.clean_row({"full_name": "山田 太郎", "organization": "=HYPERLINK(\"http://x\")"})
    assert errors == [] and row.organization == "=HYPERLINK(\"http://x\")"


@pytest.mark.parametrize(("mark", "attended"), [
    ("出席", True), ("参加", True), ("○", True), ("〇", True), ("済", True), ("1", True), ("yes", True),
    ("１", True), ("欠席", False), ("×", False), ("", False), ("0", False), ("no", False),
])
def test_attendance_marks(mark, attended):
    assert imports.parse_attended(mark) is attended


def test_errors_name_the_column():
    _row, errors = imports.clean_row({"full_name": "", "email": "not-an-email", "prefecture": "火星",
                                      "organization_type": "宇宙人", "attended": "たぶん", "phone": "12"})
    assert {f for f, _m in errors} == {"family_name", "email", "prefecture", "organization_type", "attended", "phone"}


def test_identity_keys():
    a, _ = imports.clean_row({"full_name": "山田 太郎", "email": "Taro@Example.JP"})
    b, _ = imports.clean_row({"full_name": "山田太郎", "email": "taro@example.jp"})
    assert imports.identity_key(a) == imports.identity_key(b) == "email:taro@example.jp"
    c, _ = imports.clean_row({"full_name": "山田 太郎", "organization": "株式会社東北テック"})
    d, _ = imports.clean_row({"full_name": "山田　太郎", "organization": "㈱東北テック"})
    assert imports.identity_key(c) == imports.identity_key(d)
    assert imports.no_email_key(c) == imports.no_email_key(d) and "@" not in imports.no_email_key(c)
    e, _ = imports.clean_row({"full_name": "山田 太郎", "organization": "株式会社西北テック"})
    assert imports.no_email_key(e) != imports.no_email_key(c)


@pytest.mark.parametrize(("headers", "fields"), [
    (["氏名", "フリガナ", "会社名", "メールアドレス", "電話番号", "都道府県", "組織区分", "法人番号", "出欠"],
     ["full_name", "full_name_kana", "organization", "email", "phone", "prefecture", "organization_type",
      "corporate_number", "attended"]),
    (["姓", "名", "セイ", "メイ", "所属", "部署", "役職", "参加枠", "参加"],
     ["family_name", "given_name", "family_name_kana", "given_name_kana", "organization", "department",
      "job_title", "ticket_type", "attended"]),
    (["Name", "Kana", "Company", "E-mail", "Prefecture", "メモ"],
     ["full_name", "full_name_kana", "organization", "email", "prefecture", ""]),
    (["ふりがな", "お名前", "メール", "メール"], ["full_name_kana", "full_name", "email", ""]),
])
def test_guess_mapping(headers, fields):
    assert imports.guess_mapping(headers) == fields


def test_remembered_mapping_wins_over_the_guess():
    assert imports.guess_mapping(["氏名", "備考"], {"備考": "department", "氏名": "full_name"}) == [
        "full_name", "department"]
    remembered = imports.mapping_to_remember(["氏名", "備考"], ["full_name", "department"])
    assert imports.guess_mapping(["氏名 ", "備考"], remembered) == ["full_name", "department"]


def test_decode_csv_detects_the_encoding():
    text = "氏名,会社名\n髙橋 一郎,①㈱テスト\n"
    assert imports.decode_csv(text.encode("cp932")) == (text, "cp932")
    assert imports.decode_csv(text.encode("utf-8")) == (text, "utf-8")
    assert imports.decode_csv(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    with pytest.raises(imports.ImportFileError):
        imports.decode_csv(b"\xff\xfe\x00\x81\xff")


def test_read_table_squares_rows_and_keeps_blank_row_numbers():
    table = imports.read_table("a.csv", "氏名,メール\n山田 太郎\n\n鈴木 花子,h@example.jp,extra\n".encode())
    assert table.headers == ["氏名", "メール"]
    assert table.rows == [["山田 太郎", ""], ["", ""], ["鈴木 花子", "h@example.jp"]]


def test_read_xlsx_keeps_formulas_as_text_and_numbers_as_written():
    book = Workbook()
    sheet = book.active
    sheet.append(["氏名", "電話", "会社名"])
    sheet.append(["山田 太郎", 222214876, "=1+1"])
    buf = io.BytesIO()
    book.save(buf)
    table = imports.read_table("list.xlsx", buf.getvalue())
    assert table.encoding == "xlsx"
    assert table.rows == [["山田 太郎", "222214876", "=1+1"]]


def test_unreadable_files_are_refused():
    with pytest.raises(imports.ImportFileError):
        imports.read_table("list.xlsx", b"PK\x03\x04 not a zip")
    with pytest.raises(imports.ImportFileError):
        imports.read_table("list.pdf", b"%PDF")
    with pytest.raises(imports.ImportFileError):
        imports.read_table("empty.csv", b"")
