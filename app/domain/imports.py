"""Past participant lists: reading the file, guessing the columns, normalising each row.

Pure functions (no Flask, no database). Messages are English msgids that the
caller translates.

- ``read_table(filename, data)``: CSV in UTF-8 (with or without BOM) or CP932
  (detected: a BOM means UTF-8, else strict UTF-8 is tried, then CP932), or
  XLSX (openpyxl; formulas are read as the text they are, never evaluated).
- ``guess_mapping(headers)``: a field for each column from Japanese or English
  header words (氏名, 姓, 名, フリガナ, 会社名, メール, 都道府県, 出欠...).
- ``clean_row(values)``: the normalised registration values of one row and
  its errors (field, message): kana to full-width katakana, full-width digits,
  prefectures by name or code, 組織区分 words, 法人番号 with its check digit,
  one 氏名 column split into 姓 and 名, attendance marks (出席, ○, 済, 1...).
- ``identity_key(row)``: the key that makes a row a duplicate: the normalised
  email, or (rows without one) the normalised name and organisation.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time

from email_validator import EmailNotValidError, validate_email

from app.domain import text_input
from app.domain.codes import PREFECTURES, PREFECTURES_EN, OrganizationType
from app.domain.people import (
    is_katakana,
    is_valid_corporate_number,
    is_valid_phone,
    needs_kana,
    normalize_corporate_number,
    normalize_email,
    normalize_phone,
    organization_key,
    to_katakana,
)


def N_(text: str) -> str:  # noqa: N802 - gettext's "mark only" convention
    return text


#: The fields a column can be mapped to (besides "" = ignore the column).
FIELDS = (
    "full_name", "family_name", "given_name", "full_name_kana", "family_name_kana", "given_name_kana",
    "email", "phone", "organization", "department", "job_title", "organization_type", "prefecture",
    "corporate_number", "ticket_type", "attended",
)
FIELD_LABELS = {
    "full_name": N_("Full name (family and given)"),
    "family_name": N_("Family name"),
    "given_name": N_("Given name"),
    "full_name_kana": N_("Reading of the full name"),
    "family_name_kana": N_("Reading of the family name"),
    "given_name_kana": N_("Reading of the given name"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "organization": N_("Company / organisation"),
    "department": N_("Department"),
    "job_title": N_("Job title"),
    "organization_type": N_("Organisation type"),
    "prefecture": N_("Prefecture"),
    "corporate_number": N_("Corporate number"),
    "ticket_type": N_("Ticket type (参加枠)"),
    "attended": N_("Attendance (出欠)"),
}

MESSAGES = {
    "name_required": N_("A name is required (map a name column)."),
    "too_long": N_("This is too long."),
    "kana": N_("Enter the reading in katakana or hiragana."),
    "kana_required": N_("Enter the reading of a name written in Japanese (in katakana or hiragana)."),
    "email": N_("Not a valid email address."),
    "phone": N_("Not a phone number of 10 or 11 digits."),
    "prefecture": N_("Not a prefecture name or code (01–47)."),
    "organization_type": N_("Unknown organisation type: use 企業, 自治体, 公的機関, 団体, 大学, 学生 or その他."),
    "corporate_number": N_("A corporate number has 13 digits and a valid check digit."),
    "attended": N_("Write 出席 / ○ / 1 for attended, 欠席 / × / 0 or nothing for absent."),
    "control": text_input.CONTROL_CHARACTERS,
    "line_break": text_input.LINE_BREAK,
}


class ImportFileError(ValueError):
    """The file cannot be read; `message` is an English msgid."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]  # each as long as headers
    encoding: str  # utf-8-sig, utf-8, cp932, xlsx


MAX_ROWS = 20_000
MAX_COLUMNS = 100


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding: a UTF-8 or UTF-16 BOM, else UTF-8 if it decodes, else CP932."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportFileError(N_("The file starts as UTF-16 but is not valid UTF-16.")) from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raise ImportFileError(N_("The file starts as UTF-8 but is not valid UTF-8.")) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError:
        raise ImportFileError(N_("The file is neither UTF-8 nor Shift_JIS (CP932) text.")) from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _square(rows: list[list[str]]) -> Table:
    rows = [[c.strip() if isinstance(c, str) else _cell_text(c).strip() for c in row] for row in rows]
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows or not any(rows[0]):
        raise ImportFileError(N_("The file has no header row."))
    headers = rows[0]
    while headers and not headers[-1]:
        headers = headers[:-1]
    if len(headers) > MAX_COLUMNS:
        raise ImportFileError(N_("The file has too many columns."))
    body = []
    for row in rows[1:]:
        if not any(row):
            body.append([""] * len(headers))  # a blank row keeps the row numbers of the file
            continue
        body.append((row + [""] * len(headers))[:len(headers)])
    if len(body) > MAX_ROWS:
        raise ImportFileError(N_("The file has too many rows."))
    return Table(headers=headers, rows=body, encoding="")


def read_table(filename: str, data: bytes) -> Table:
    """Read a CSV or XLSX file (by its name's extension, or its first bytes)."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return _read_xlsx(data)
    if name and not name.endswith((".csv", ".txt")):
        raise ImportFileError(N_("Upload a CSV or XLSX file."))
    text, encoding = decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise ImportFileError(N_("The CSV file cannot be read.")) from None
    table = _square(rows)
    table.encoding = encoding
    return table


def _read_xlsx(data: bytes) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        # data_only=False: a formula is read as its text ("=SUM(A1:A3)"), never evaluated.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportFileError(N_("The XLSX file cannot be read.")) from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in row])
            if len(rows) > MAX_ROWS + 1:
                raise ImportFileError(N_("The file has too many rows."))
    finally:
        book.close()
    table = _square(rows)
    table.encoding = "xlsx"
    return table


# -- Mapping -----------------------------------------------------------------------------------------------

#: Header words per field, checked in this order (the first field whose word the header contains wins).
_HEADER_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("attended", ("出欠", "出席", "参加状況", "参加有無", "受付済", "attend", "checked in", "present")),
    ("corporate_number", ("法人番号", "corporate number", "corporate_number")),
    ("ticket_type", ("参加枠", "参加区分", "ticket", "参加種別")),
    ("organization_type", ("組織区分", "組織種別", "所属区分", "区分", "organization type", "organisation type",
                           "organization_type", "org type")),
    ("prefecture", ("都道府県", "prefecture", "県名")),
    ("email", ("メール", "mail", "e-mail", "email")),
    ("phone", ("電話", "tel", "phone", "携帯")),
    ("family_name_kana", ("セイ", "せい", "姓（フリガナ）", "姓(フリガナ)", "姓フリガナ", "姓かな", "family name kana",
                          "family_name_kana", "last name kana")),
    ("given_name_kana", ("メイ", "めい", "名（フリガナ）", "名(フリガナ)", "名フリガナ", "名かな", "given name kana",
                         "given_name_kana", "first name kana")),
    ("full_name_kana", ("フリガナ", "ふりがな", "ﾌﾘｶﾞﾅ", "カナ", "かな", "よみ", "ヨミ", "kana", "reading")),
    ("department", ("部署", "所属部署", "部課", "department")),
    ("job_title", ("役職", "職名", "job title", "title", "position")),
    ("organization", ("会社", "所属", "団体", "法人名", "学校", "勤務先", "組織", "organization", "organisation",
                      "company", "affiliation")),
    ("family_name", ("姓", "苗字", "名字", "family name", "last name", "surname", "family_name")),
    ("given_name", ("given name", "first name", "given_name")),
    ("full_name", ("氏名", "お名前", "名前", "参加者", "full name", "name")),
)
#: Headers that are exactly these (after normalisation) mean the field.
_EXACT = {"名": "given_name", "姓": "family_name", "氏": "family_name", "セイ": "family_name_kana",
          "メイ": "given_name_kana", "参加": "attended"}


def _header_key(text: str) -> str:
    return re.sub(r"[\s\u3000*※:：]+", " ", unicodedata.normalize("NFKC", text or "")).strip().lower()


def guess_field(header: str) -> str:
    key = _header_key(header)
    if not key:
        return ""
    if key in {k.lower() for k in _EXACT}:
        return next(v for k, v in _EXACT.items() if k.lower() == key)
    if key in FIELDS:
        return key
    for name, words in _HEADER_WORDS:
        if any(unicodedata.normalize("NFKC", w).lower() in key for w in words):
            return name
    return ""


def guess_mapping(headers: list[str], remembered: dict[str, str] | None = None) -> list[str]:
    """A field (or "") for each column: the series' remembered choice for that header, else a guess.

    A field is given to one column only (the first that claims it).
    """
    remembered = {_header_key(k): v for k, v in (remembered or {}).items() if v in FIELDS or v == ""}
    out: list[str] = []
    taken: set[str] = set()
    for header in headers:
        key = _header_key(header)
        choice = remembered[key] if key in remembered else guess_field(header)
        if choice and choice in taken:
            choice = ""
        if choice:
            taken.add(choice)
        out.append(choice)
    return out


def mapping_to_remember(headers: list[str], fields: list[str]) -> dict[str, str]:
    """What a series remembers: the field chosen for each header text."""
    return {_header_key(h): f for h, f in zip(headers, fields, strict=False) if _header_key(h)}


# -- Normalisers -------------------------------------------------------------------------------------------

def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


_PREF_BY_NAME: dict[str, str] = {}
for _code, _name in PREFECTURES.items():
    _PREF_BY_NAME[_name] = _code
    _PREF_BY_NAME[_name if _name == "北海道" else _name[:-1]] = _code
    _en = PREFECTURES_EN[_code].lower()
    for _variant in (_en, f"{_en}-ken", f"{_en} prefecture", f"{_en}-fu", f"{_en}-to", f"{_en} ken"):
        _PREF_BY_NAME[_variant] = _code
_PREF_BY_NAME.update({"東京": "13", "tokyo-to": "13", "京都": "26", "大阪": "27", "hokkaido": "01"})


def normalize_prefecture(text: str) -> str | None:
    """A JIS X 0401 code from a code (4, 04, ０４) or a name (宮城, 宮城県, Miyagi, miyagi-ken); None if unknown."""
    value = nfkc(text).strip()
    if not value:
        return None
    if value.isdigit():
        code = value.zfill(2)
        return code if code in PREFECTURES else None
    value = re.sub(r"\s+", " ", value)
    return _PREF_BY_NAME.get(value) or _PREF_BY_NAME.get(value.lower())


# (type, words) in order: the first type whose word the text contains wins; 大学生 is a student.
_ORG_TYPE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("student", ("学生", "生徒", "student")),
    ("academia", ("大学", "高専", "高等専門学校", "研究機関", "研究所", "学校", "学園", "university", "college",
                  "academia", "academic", "research")),
    ("municipality", ("自治体", "役所", "役場", "県庁", "都庁", "道庁", "府庁", "municipal", "local government",
                      "city", "town", "village")),
    ("public_agency", ("公的機関", "独立行政法人", "行政機関", "官公庁", "省", "庁", "経済産業局", "機構", "公社",
                       "public", "government", "agency")),
    ("association", ("団体", "協会", "組合", "商工会", "会議所", "財団", "社団", "連合会", "npo", "association",
                     "federation", "society")),
    ("company", ("企業", "会社", "(株)", "(有)", "民間", "事業者", "company", "corporation", "business", "private",
                 "inc", "ltd")),
    ("other", ("その他", "other", "個人")),
)
_MUNICIPAL_SUFFIXES = ("市", "町", "村", "区", "県", "都", "府")


def normalize_organization_type(text: str) -> str | None:
    """The 組織区分 code from a word: 企業/株式会社 → company, 自治体/市役所/○○町 → municipality, ...; None if unknown."""
    value = nfkc(text).strip().lower()
    if not value:
        return None
    if value in {t.value for t in OrganizationType}:
        return value
    value = value.replace("（", "(").replace("）", ")")
    for code, words in _ORG_TYPE_WORDS:
        if any(w in value for w in words):
            return code
    if value.endswith(_MUNICIPAL_SUFFIXES):
        return "municipality"
    return None


_ATTENDED = {"出席", "参加", "参加済", "出", "済", "済み", "受付済", "○", "◯", "〇", "o", "1", "yes", "y", "true",
             "有", "あり", "✓", "✔", "レ", "attended", "present"}
_ABSENT = {"", "欠席", "不参加", "欠", "未", "×", "✕", "x", "0", "no", "n", "false", "無", "なし", "-", "absent", "ー"}


def parse_attended(text: str) -> bool | None:
    """True for 出席/参加/○/済/1/yes..., False for 欠席/×/0/no or an empty cell, None if not understood."""
    value = nfkc(text).strip().lower()
    if value in {v.lower() for v in _ATTENDED}:
        return True
    if value in _ABSENT:
        return False
    return None


def split_name(text: str) -> tuple[str, str]:
    """One 氏名 cell as (姓, 名): split at the first space (half- or full-width); no space: all in 姓."""
    value = re.sub(r"[\s\u3000]+", " ", (text or "").strip())
    if " " in value:
        family, given = value.split(" ", 1)
        return family, given.replace(" ", "")
    return value, ""


def split_kana(text: str) -> tuple[str, str]:
    value = re.sub(r"[\s\u3000]+", " ", (text or "").strip())
    if " " in value:
        family, given = value.split(" ", 1)
        return family, given
    return value, ""


def name_key(family: str, given: str) -> str:
    return re.sub(r"[\s\u3000]+", "", nfkc(f"{family}{given}")).lower()


# -- One row -----------------------------------------------------------------------------------------------

@dataclass
class CleanRow:
    family_name: str = ""
    given_name: str = ""
    family_name_kana: str = ""
    given_name_kana: str = ""
    email: str = ""
    email_normalized: str = ""
    phone: str = ""
    organization: str = ""
    organization_key: str = ""
    department: str = ""
    job_title: str = ""
    organization_type: str = "other"
    prefecture: str | None = None
    corporate_number: str = ""
    ticket_type: str = ""
    attended: bool = False


@dataclass
class RowErrors:
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, msgid)

    def add(self, name: str, key: str) -> None:
        self.errors.append((name, MESSAGES.get(key, key)))


_TEXT_FIELDS = ("family_name", "given_name", "organization", "department", "job_title")


def _number_like(value: str) -> bool:
    return all(ch.isdigit() or ch in " -‐‑‒–—―−ー－()（）+＋.．　" for ch in value)


def clean_row(values: dict[str, str]) -> tuple[CleanRow, list[tuple[str, str]]]:
    """Normalise one row given as {field: cell text}; returns the values and the errors (field, msgid).

    Text is kept as written (a cell that starts with "=" stays that text; exports
    neutralise it); only control characters and line breaks are refused.
    """
    out = CleanRow()
    errs = RowErrors()
    v = {k: (values.get(k) or "").strip() for k in FIELDS}

    family, given = v["family_name"], v["given_name"]
    if v["full_name"] and not family and not given:
        family, given = split_name(v["full_name"])
    values_by_field = {"family_name": family, "given_name": given, "organization": v["organization"],
                       "department": v["department"], "job_title": v["job_title"]}
    for name in _TEXT_FIELDS:
        value = re.sub(r"[ \u3000]{2,}", " ", values_by_field[name])
        problem = text_input.character_error(value, multiline=False)
        if problem is not None:
            errs.errors.append((name, problem))
            value = ""
        elif len(value) > text_input.REGISTRATION_LENGTHS[name]:
            errs.add(name, "too_long")
        setattr(out, name, value)
    if not out.family_name and not out.given_name:
        errs.add("full_name" if v["full_name"] else "family_name", "name_required")

    fkana, gkana = v["family_name_kana"], v["given_name_kana"]
    if v["full_name_kana"] and not fkana and not gkana:
        fkana, gkana = split_kana(v["full_name_kana"])
    # The form's rule (app.domain.people.needs_kana): where the list has a reading column, a name
    # written in Japanese needs its reading and a name in Latin letters does not. Lists without
    # one (attendee reports, old lists) are taken as they are.
    kana_columns = [k for k in ("family_name_kana", "given_name_kana", "full_name_kana") if k in values]
    if kana_columns and not (fkana or gkana) and needs_kana(family, given):
        errs.add(kana_columns[0], "kana_required")
    for name, value in (("family_name_kana", fkana), ("given_name_kana", gkana)):
        kana = to_katakana(value)
        if kana and not is_katakana(kana):
            errs.add(name if not v["full_name_kana"] else "full_name_kana", "kana")
        elif len(kana) > text_input.REGISTRATION_LENGTHS[name]:
            errs.add(name, "too_long")
        setattr(out, name, kana)

    if v["email"]:
        email = nfkc(v["email"]).strip()
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errs.add("email", "email")
        if len(email) > text_input.REGISTRATION_LENGTHS["email"]:
            errs.add("email", "too_long")
        out.email = email
        out.email_normalized = normalize_email(email)

    if v["phone"]:
        digits = normalize_phone(v["phone"])
        if len(digits) in (9, 10) and not digits.startswith(("0", "81")):
            digits = "0" + digits  # Excel dropped the leading zero (the cell was a number)
        if not _number_like(v["phone"]) or not is_valid_phone(digits):
            errs.add("phone", "phone")
        out.phone = digits

    if v["organization_type"]:
        code = normalize_organization_type(v["organization_type"])
        if code is None:
            errs.add("organization_type", "organization_type")
        out.organization_type = code or "other"
    elif out.organization:
        out.organization_type = normalize_organization_type(out.organization) or "other"

    if v["prefecture"]:
        code = normalize_prefecture(v["prefecture"])
        if code is None:
            errs.add("prefecture", "prefecture")
        out.prefecture = code

    if v["corporate_number"]:
        number = normalize_corporate_number(v["corporate_number"])
        if not is_valid_corporate_number(number):
            errs.add("corporate_number", "corporate_number")
        out.corporate_number = number

    out.organization_key = organization_key(out.organization,
                                            out.corporate_number if is_valid_corporate_number(out.corporate_number)
                                            else "")
    out.ticket_type = nfkc(v["ticket_type"]).strip()

    attended = parse_attended(v["attended"])
    if attended is None:
        errs.add("attended", "attended")
    out.attended = bool(attended)
    return out, errs.errors


def identity_key(row: CleanRow) -> str:
    """Who the row is, for finding duplicates: the email, else the name and the organisation."""
    if row.email_normalized:
        return f"email:{row.email_normalized}"
    return f"name:{name_key(row.family_name, row.given_name)}|{organization_key(row.organization)}"


def no_email_key(row: CleanRow) -> str:
    """`email_normalized` of a row without an email address.

    Not an address (no "@"), so nothing can be mailed to it; one per person
    (name + organisation), so the unique index of active emails per event
    still holds, and importing the row again finds it.
    """
    digest = hashlib.sha256(identity_key(row).encode("utf-8")).hexdigest()[:40]
    return f"noemail:{digest}"
