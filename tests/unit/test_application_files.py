"""What an application's file is, by its content (app.domain.application_files) and the results' names."""
from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace

from app.domain import application_files as rules
from app.domain import results


def office(main_part: str, content_types: bytes = b"<Types/>") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr(main_part, "<x/>")
    return buffer.getvalue()


def kind(data: bytes):
    return rules.sniff(io.BytesIO(data))


def test_kinds_are_told_by_content():
    assert kind(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") == "pdf"
    assert kind(b"\x89PNG\r\n\x1a\n" + b"\0" * 20) == "png"
    assert kind(b"\xff\xd8\xff\xe0" + b"\0" * 20) == "jpeg"
    assert kind(office("word/document.xml")) == "docx"
    assert kind(office("xl/workbook.xml")) == "xlsx"
    assert kind(office("ppt/presentation.xml")) == "pptx"


def test_a_program_a_plain_zip_and_macros_are_refused_whatever_their_name():
    assert kind(b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 100) is None  # an .exe, named .pdf or not
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert kind(plain.getvalue()) is None
    assert kind(office("word/document.xml", b"<Types>application/vnd.ms-word.document.macroEnabled</Types>")) is None
    assert kind(b"PK\x03\x04 not really a zip") is None
    assert kind(b"") is None


def test_allowed_kinds_and_names():
    assert rules.allowed_kinds(["pdf", "image"]) == {"pdf", "png", "jpeg"}
    assert rules.allowed_kinds([]) == set()
    assert rules.clean_file_name("../../etc/応募書類.exe", "pdf") == "応募書類.pdf"
    assert rules.clean_file_name("C:\\Users\\a\\資料\x00.docx", "docx") == "資料.docx"
    assert rules.clean_file_name("", "png") == "file.png"


def test_public_name_is_the_organisation_and_shown_only_with_consent():
    r = SimpleNamespace(organization="株式会社みちのくDX", family_name="山田", given_name="太郎",
                        public_name_consent=False)
    assert results.public_name(r) == "株式会社みちのくDX"
    assert results.shown_name(r) is None
    r.public_name_consent = True
    assert results.shown_name(r) == "株式会社みちのくDX"
    r.organization = ""
    assert results.public_name(r) == "山田 太郎"
    assert results.shown_name(None) is None
    assert results.clean_award("  最優秀賞 ") == ("最優秀賞", None)
    assert results.clean_award("")[1] == "required"
