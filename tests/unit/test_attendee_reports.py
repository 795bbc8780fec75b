"""Video platforms' attendee reports: each sample file of tests/data/attendee_reports is read the same way."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from app.domain import attendee_reports as ar

DATA = Path(__file__).resolve().parents[1] / "data" / "attendee_reports"

SAMPLES = {
    # file: (encoding, delimiter, platform, sato's minutes)
    "zoom_participants_ja_cp932.csv": ("cp932", ",", "zoom", 56),
    "zoom_participants_en_utf8bom.csv": ("utf-8-sig", ",", "zoom", 56),
    "teams_attendance_utf16.csv": ("utf-16-le", "\t", "teams", 55),  # 30m 29s + 24m 58s
    "webex_attendees_utf8.csv": ("utf-8", ",", "webex", 56),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_sample_gives_one_line_per_person_with_joins_summed(name):
    encoding, delimiter, platform, sato_minutes = SAMPLES[name]
    report = ar.parse((DATA / name).read_bytes())
    assert (report.encoding, report.delimiter, report.platform) == (encoding, delimiter, platform)
    people = {a.email_normalized: a for a in report.attendees}
    assert list(people) == ["sato@example.jp", "suzuki@example.jp", "takahashi@example.jp",
                            "someone@unknown.example.com"]
    assert people["sato@example.jp"].joins == 2 and people["sato@example.jp"].minutes == sato_minutes
    assert people["suzuki@example.jp"].minutes == 211
    assert people["takahashi@example.jp"].minutes == 10
    assert people["takahashi@example.jp"].email == "TAKAHASHI@Example.JP"  # shown as written
    assert people["someone@unknown.example.com"].minutes == 60
    assert report.has_duration


def test_zoom_meeting_details_preamble_is_not_taken_for_the_participants():
    report = ar.parse((DATA / "zoom_participants_ja_cp932.csv").read_bytes())
    assert report.header_line == 4
    assert report.headers[:2] == ["名前（元の名前）", "ユーザーのメール"]
    assert "host@tohoku-bureau.example.jp" not in {a.email_normalized for a in report.attendees}
    [guest] = report.without_email  # a guest without an address cannot be matched
    assert guest.name == "ｹﾞｽﾄ 参加者" and guest.seconds == 49 * 60


def test_teams_summary_preamble_and_sections():
    report = ar.parse((DATA / "teams_attendance_utf16.csv").read_bytes())
    assert report.headers[:4] == ["Name", "Join Time", "Leave Time", "Duration"]  # In-Meeting Activities
    assert report.without_email == []


@pytest.mark.parametrize("encoding,bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
                                          ("utf-8", codecs.BOM_UTF8), ("cp932", b""), ("utf-16-le", b"")])
def test_encodings(encoding, bom):
    text = "氏名\tメールアドレス\t期間（分）\r\n山田 太郎\tyamada@example.jp\t42\r\n"
    report = ar.parse(bom + text.encode(encoding))
    [person] = report.attendees
    assert (person.name, person.email_normalized, person.minutes) == ("山田 太郎", "yamada@example.jp", 42)


@pytest.mark.parametrize("cell,seconds", [
    ("62", 3720), ("1.5", 90), ("1h 2m 3s", 3723), ("2m 24s", 144), ("45s", 45), ("1h", 3600),
    ("1時間2分3秒", 3723), ("３０分", 1800), ("01:02:03", 3723), ("1:02", 3720), ("", None), ("n/a", None),
    ("12 minutes", 720),
])
def test_duration_cells(cell, seconds):
    assert ar.duration_seconds(cell) == seconds


def test_duration_from_join_and_leave_times_when_there_is_no_duration_column():
    data = (b"Name,Email,Join Time,Leave Time\n"
            b"A,a@example.jp,2021-03-16 13:00:00,2021-03-16 13:45:30\n"
            b"A,a@example.jp,03/16/2021 02:00:00 PM,03/16/2021 02:10:00 PM\n")
    [person] = ar.parse(data).attendees
    assert person.joins == 2 and person.minutes == 56  # 45m30s + 10m = 55.5 → 56


def test_header_names_are_matched_after_nfkc_and_case():
    data = "ＮＡＭＥ,  email address ,DURATION (MINUTES)\nB,b@example.jp,5\n".encode()
    [person] = ar.parse(data).attendees
    assert person.minutes == 5


def test_rows_without_a_valid_address_are_kept_apart():
    data = b"Name,Email,Duration\nA,not-an-address,5\nB,,6\nC,c@example.jp,7\n"
    report = ar.parse(data)
    assert [a.email_normalized for a in report.attendees] == ["c@example.jp"]
    assert [r.name for r in report.without_email] == ["A", "B"]


def test_no_duration_gives_no_minutes():
    [person] = ar.parse(b"Name,Email\nA,a@example.jp\n").attendees
    assert person.minutes is None


@pytest.mark.parametrize("data,code", [(b"", "empty"), (b"\xef\xbb\xbf\r\n", "empty"),
                                       (b"Name,Duration\nA,5\n", "no_header"),
                                       ("名前,時間\n山田,5\n".encode("cp932"), "no_header"),
                                       (b"\x00\x01\x02garbage", "no_header")])
def test_unreadable_files(data, code):
    with pytest.raises(ar.ReportError) as info:
        ar.parse(data)
    assert info.value.code == code
