"""Writes the import test files of this folder (run: .venv/bin/python tests/data/imports/make_files.py).

- past-cp932.csv: Shift_JIS (CP932) as Japanese Excel saves it, with ①, ㈱ and 髙 (CP932 has them,
  plain Shift_JIS does not), one 氏名 column, hiragana and half-width kana, 出欠 marks, a duplicate row.
- past-utf8-bom.csv: UTF-8 with BOM, 姓/名 columns, 𠮷 and an emoji, rows without email.
- past-fullwidth.csv: UTF-8 without BOM, full-width digits (phone, 法人番号, prefecture code),
  a cell that starts with "=" and rows with errors.
- past.xlsx: an Excel sheet (English headers), numbers as numbers, a formula cell.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

CP932_ROWS = [
    ["氏名", "フリガナ", "会社名", "メールアドレス", "電話番号", "都道府県", "組織区分", "法人番号", "出欠"],
    ["髙橋 一郎", "たかはし いちろう", "㈱髙橋製作所", "ichiro@takahashi.example.jp", "022-221-4876", "宮城県", "企業",
     "1180301018771", "出席"],
    ["佐藤 ①子", "ｻﾄｳ ｲﾁｺ", "仙台市役所", "ichiko.sato@city.example.jp", "0222614111", "宮城", "自治体", "", "欠席"],
    ["鈴木 次郎", "スズキ ジロウ", "東北大学", "jiro@tohoku.example.ac.jp", "", "04", "大学", "", "○"],
    ["髙橋 一郎", "タカハシ イチロウ", "㈱髙橋製作所", "Ichiro@Takahashi.example.jp", "", "宮城県", "企業", "", "出席"],
]

BOM_ROWS = [
    ["姓", "名", "セイ", "メイ", "所属", "メール", "都道府県", "区分", "参加"],
    ["𠮷田", "花子", "よしだ", "はなこ", "カフェ☕️よしだ", "hanako@yoshida.example.jp", "Miyagi", "企業", "1"],
    ["山﨑", "太郎", "ヤマザキ", "タロウ", "女川町", "", "宮城県", "町", "済"],
    ["笑顔", "😀", "エガオ", "ニコ", "学生団体", "", "福島", "学生", ""],
]

FULLWIDTH_ROWS = [
    ["お名前", "ふりがな", "会社名", "E-mail", "電話", "都道府県コード", "法人番号", "出欠"],
    ["伊藤 三郎", "いとう さぶろう", "株式会社テスト", "saburo@test.example.jp", "０２２－２２１－４８７６", "０４",
     "１１８０３０１０１８７７１", "出席"],
    ["=HYPERLINK(\"http://evil.example/\",\"渡辺 四郎\")", "わたなべ しろう", "=1+1", "shiro@test.example.jp", "", "04", "", ""],
    ["加藤 五郎", "Kato", "株式会社テスト", "not-an-email", "12", "火星", "2180301018771", "たぶん"],
]


def write_csv(name: str, rows: list[list[str]], encoding: str) -> None:
    text = "\r\n".join(",".join(_quote(c) for c in row) for row in rows) + "\r\n"
    (HERE / name).write_bytes(text.encode(encoding))


def _quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(ch in cell for ch in ',"\n') else cell


def write_xlsx(name: str) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "参加者"
    sheet.append(["Name", "Kana", "Company", "Email", "Phone", "Prefecture", "Organization type", "Attended"])
    sheet.append(["小林 六郎", "コバヤシ ロクロウ", "株式会社エクセル", "rokuro@excel.example.jp", 222214876, 4, "company",
                  "yes"])
    sheet.append(["中村 七子", "なかむら ななこ", "=CONCAT(\"中村\",\"商店\")", "nanako@excel.example.jp", None, "Tokyo",
                  "団体", "no"])
    book.save(HERE / name)


if __name__ == "__main__":
    write_csv("past-cp932.csv", CP932_ROWS, "cp932")
    write_csv("past-utf8-bom.csv", BOM_ROWS, "utf-8-sig")
    write_csv("past-fullwidth.csv", FULLWIDTH_ROWS, "utf-8")
    write_xlsx("past.xlsx")
