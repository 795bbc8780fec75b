"""Video platforms' attendee reports (Zoom, Microsoft Teams, Webex): bytes → one line per person (pure).

The exports differ in nearly everything:

- **encoding**: UTF-8, UTF-8 with a BOM (Zoom, Webex), UTF-16 LE or BE with a
  BOM (Teams), CP932 (Zoom in Japanese on Windows). `decode` reads the BOM,
  then tries UTF-16 without one (NUL bytes), UTF-8, and CP932;
- **delimiter**: comma, or tab (Teams);
- **preamble**: Teams puts a summary ("1. Summary", meeting title, times) before
  the participants; Zoom's "with meeting details" export puts a one-row
  meeting table (with the host's e-mail) first. The header of the table is the
  line with an e-mail column; when several lines have one, the table with the
  most rows wins (the participants, or Teams's "In-Meeting Activities" whose
  joins add up to the same total), the later on a tie;
- **header names** in Japanese and English (`EMAIL_HEADERS`, ...), compared
  after NFKC, lower case and without spaces (（分） and (分) are the same);
- **duration**: whole minutes (Zoom "Duration (Minutes)" / "期間（分）", Webex),
  text like "1h 2m 3s" or "1時間2分3秒" (Teams), "01:02:03"; without a
  duration column, leave time minus join time.

A person in several rows (left and came back) is one attendee whose time is
the sum of the rows. Rows without an e-mail address (Zoom guests) are kept
apart: they cannot be matched.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from app.domain.people import normalize_email

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
_HEADER_SCAN_LINES = 60


class ReportError(ValueError):
    """The file cannot be read as an attendee report. `code`: empty, no_header, too_many_rows."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _key(header: str) -> str:
    text = unicodedata.normalize("NFKC", header or "").strip().strip("\ufeff").lower()
    return re.sub(r"\s+", "", text)


def _keys(*names: str) -> frozenset[str]:
    return frozenset(_key(n) for n in names)


EMAIL_HEADERS = _keys(
    "User Email", "Email", "E-mail", "Email Address", "E-mail Address", "Attendee Email", "Participant Email",
    "ユーザーのメール", "ユーザーのメールアドレス", "メール", "メールアドレス", "電子メール", "電子メールアドレス",
    "参加者のメール", "参加者のメールアドレス",
)
NAME_HEADERS = _keys(
    "Name (Original Name)", "Name", "Full Name", "Attendee Name", "Participant Name", "Display Name",
    "名前（元の名前）", "名前", "氏名", "表示名", "参加者名", "フルネーム",
)
#: Durations in whole (or decimal) minutes.
MINUTES_HEADERS = _keys(
    "Duration (Minutes)", "Duration (mins)", "Duration (min)", "Duration(Minutes)", "Attendance Duration (min)",
    "Attendance Duration (mins)", "Attendance Duration (minutes)", "Time in Session (minutes)",
    "Total Duration (Minutes)", "期間（分）", "時間（分）", "参加時間（分）", "接続時間（分）", "合計時間（分）",
)
#: Durations as text ("1h 2m 3s", "1時間2分", "01:02:03") or a bare number of minutes.
DURATION_HEADERS = _keys(
    "Duration", "In-Meeting Duration", "In-meeting duration", "Attendance Duration", "Time in Session",
    "期間", "時間", "参加時間", "会議中の時間", "出席時間", "接続時間",
)
JOIN_HEADERS = _keys("Join Time", "First Join", "First join", "Join time", "参加時刻", "参加時間帯", "最初の参加",
                     "参加日時", "入室時刻")
LEAVE_HEADERS = _keys("Leave Time", "Last Leave", "Last leave", "Leave time", "退出時刻", "最後の退出", "退出日時")


def decode(data: bytes) -> tuple[str, str]:
    """The text of a report and the encoding it was read with."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE):
        return data[2:].decode("utf-16-le", errors="replace"), "utf-16-le"
    if data.startswith(codecs.BOM_UTF16_BE):
        return data[2:].decode("utf-16-be", errors="replace"), "utf-16-be"
    sample = data[:4000]
    even_nuls, odd_nuls = sample[0::2].count(b"\x00"), sample[1::2].count(b"\x00")
    if len(sample) >= 4 and max(even_nuls, odd_nuls) * 10 >= len(sample) // 2 and min(even_nuls, odd_nuls) * 10 <= max(
            even_nuls, odd_nuls):
        # UTF-16 without a BOM: ASCII characters (tabs, digits, addresses) leave a NUL on one side.
        encoding = "utf-16-be" if even_nuls > odd_nuls else "utf-16-le"
        return data.decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), "utf-8"


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


@dataclass(frozen=True)
class Columns:
    email: int
    name: int | None = None
    minutes: int | None = None  # a column of minutes
    duration: int | None = None  # a column of duration text
    join: int | None = None
    leave: int | None = None


def _find(keys: list[str], names: frozenset[str]) -> int | None:
    for i, k in enumerate(keys):
        if k in names:
            return i
    return None


def columns(header: list[str]) -> Columns | None:
    """Where the columns that matter are, or None without an e-mail column."""
    keys = [_key(h) for h in header]
    email = _find(keys, EMAIL_HEADERS)
    if email is None:
        return None
    minutes = _find(keys, MINUTES_HEADERS)
    duration = _find(keys, DURATION_HEADERS)
    if minutes is None and duration is None:
        # "Duration (minutes)" spelled another way: any duration-like header that mentions minutes.
        for i, k in enumerate(keys):
            if ("duration" in k or "時間" in k or "期間" in k) and ("min" in k or "分" in k):
                minutes = i
                break
    return Columns(email=email, name=_find(keys, NAME_HEADERS), minutes=minutes, duration=duration,
                   join=_find(keys, JOIN_HEADERS), leave=_find(keys, LEAVE_HEADERS))


_UNIT_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(h|hr|hrs|hour|hours|時間|m|min|mins|minute|minutes|分|s|sec|secs|"
                      r"second|seconds|秒)(?![a-z])", re.IGNORECASE)
_UNIT_SECONDS = {"h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600, "時間": 3600,
                 "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "分": 60,
                 "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "秒": 1}


def duration_seconds(text: str, *, minutes: bool = False) -> int | None:
    """Seconds of a duration cell: "62", "62.5", "1h 2m 3s", "1時間2分3秒", "01:02:03", "1:02" (h:mm).

    `minutes`: a bare number is minutes (a "(Minutes)" column); otherwise too (Webex's Duration).
    """
    value = unicodedata.normalize("NFKC", text or "").strip().lower()
    if not value:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return round(float(value) * 60)
    match = re.fullmatch(r"(\d+):(\d{1,2})(?::(\d{1,2}))?", value)
    if match:
        h, m, s = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
        return h * 3600 + m * 60 + s
    parts = _UNIT_RE.findall(value)
    if parts and not _UNIT_RE.sub("", value).strip(" ,"):
        return round(sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in parts))
    return None


_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
    "%m/%d/%y, %I:%M:%S %p", "%m/%d/%y %I:%M:%S %p", "%m/%d/%Y, %I:%M:%S %p", "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
)


def parse_time(text: str) -> datetime | None:
    value = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "").strip())
    value = re.sub(r"\s*(\(.*\)|[A-Z]{2,5}|[+-]\d{2}:?\d{2})$", "", value)  # a trailing zone name or offset
    value = value.replace("午前", "AM ").replace("午後", "PM ")
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


@dataclass
class Row:
    line: int  # 1-based line of the file
    name: str
    email: str
    seconds: int | None


@dataclass
class Attendee:
    email: str  # as written in the first row
    email_normalized: str
    name: str
    seconds: int = 0
    joins: int = 0
    lines: list[int] = field(default_factory=list)
    has_time: bool = False

    @property
    def minutes(self) -> int | None:
        """Whole minutes (rounded half up); None when no row gave a time."""
        return (self.seconds + 30) // 60 if self.has_time else None


@dataclass
class Report:
    encoding: str
    delimiter: str
    platform: str  # zoom, teams, webex or unknown (a guess from the headers, for display)
    header_line: int
    headers: list[str]
    rows: list[Row]
    attendees: list[Attendee]  # one per e-mail address, in order of first appearance
    without_email: list[Row]  # rows with no usable address (guests), not matchable
    has_duration: bool


def _platform(header: list[str], delimiter: str, encoding: str) -> str:
    keys = {_key(h) for h in header}
    if keys & _keys("User Email", "ユーザーのメール", "Name (Original Name)", "名前（元の名前）", "Guest", "ゲスト"):
        return "zoom"
    if keys & _keys("Participant ID (UPN)", "In-Meeting Duration", "First Join", "Last Leave", "Full Name"):
        return "teams"
    if keys & _keys("Attendee Email", "Attendee Name", "Attendance Duration", "Attendance Duration (min)"):
        return "webex"
    if delimiter == "\t" and encoding.startswith("utf-16"):
        return "teams"
    return "unknown"


def _candidates(lines: list[str]) -> list[tuple[int, str, Columns, list[str]]]:
    """Lines that look like the header of a table with an e-mail column: (index, delimiter, columns, cells)."""
    found = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if len(found) == 0 and i >= _HEADER_SCAN_LINES:
            break
        for delimiter in ("\t", ",", ";"):
            if delimiter not in line:
                continue
            cells = _split(line, delimiter)
            cols = columns(cells)
            if cols is not None:
                found.append((i, delimiter, cols, cells))
                break
    return found


def _table_rows(lines: list[str], start: int, stop: int, delimiter: str) -> list[tuple[int, list[str]]]:
    """The rows after a header, up to the first blank line (or `stop`)."""
    out = []
    for j in range(start + 1, stop):
        if not lines[j].strip():
            if out:
                break
            continue
        cells = _split(lines[j], delimiter)
        if len(cells) <= 1:  # a section title ("3. In-Meeting Activities")
            if out:
                break
            continue
        out.append((j, cells))
    return out


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _row_seconds(cells: list[str], cols: Columns) -> int | None:
    if cols.minutes is not None:
        value = duration_seconds(_cell(cells, cols.minutes), minutes=True)
        if value is not None:
            return value
    if cols.duration is not None:
        value = duration_seconds(_cell(cells, cols.duration))
        if value is not None:
            return value
    if cols.join is not None and cols.leave is not None:
        joined, left = parse_time(_cell(cells, cols.join)), parse_time(_cell(cells, cols.leave))
        if joined is not None and left is not None and left >= joined:
            return int((left - joined).total_seconds())
    return None


_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse(data: bytes) -> Report:
    """Read one attendee report. Raises ReportError when it has no table with an e-mail column."""
    if not data or not data.strip(b"\x00\r\n\t ,\xef\xbb\xbf\xff\xfe"):
        raise ReportError("empty")
    text, encoding = decode(data)
    lines = io.StringIO(text, newline=None).read().split("\n")
    candidates = _candidates(lines)
    if not candidates:
        raise ReportError("no_header")
    best = None
    for n, (index, delimiter, cols, cells) in enumerate(candidates):
        stop = candidates[n + 1][0] if n + 1 < len(candidates) else len(lines)
        rows = _table_rows(lines, index, stop, delimiter)
        if best is None or len(rows) >= len(best[4]):
            best = (index, delimiter, cols, cells, rows)
    index, delimiter, cols, header, table = best
    if len(table) > MAX_ROWS:
        raise ReportError("too_many_rows")

    rows: list[Row] = []
    attendees: dict[str, Attendee] = {}
    without_email: list[Row] = []
    for line_index, cells in table:
        email = _cell(cells, cols.email)
        row = Row(line=line_index + 1, name=_cell(cells, cols.name), email=email, seconds=_row_seconds(cells, cols))
        rows.append(row)
        key = normalize_email(email)
        if not key or not _EMAIL_RE.match(key):
            without_email.append(row)
            continue
        person = attendees.get(key)
        if person is None:
            person = attendees[key] = Attendee(email=email, email_normalized=key, name=row.name)
        person.joins += 1
        person.lines.append(row.line)
        if row.seconds is not None:
            person.seconds += row.seconds
            person.has_time = True
        if not person.name and row.name:
            person.name = row.name
    has_duration = cols.minutes is not None or cols.duration is not None or (
        cols.join is not None and cols.leave is not None)
    return Report(encoding=encoding, delimiter=delimiter, platform=_platform(header, delimiter, encoding),
                  header_line=index + 1, headers=[h.strip() for h in header], rows=rows,
                  attendees=list(attendees.values()), without_email=without_email, has_duration=has_duration)
