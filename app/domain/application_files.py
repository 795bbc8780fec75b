"""What an application's file is, decided by its content (never by its name or the client's header).

Pure rules, no Flask: `sniff(head, path_or_stream)` names the kind of a file from its
first bytes (PDF, PNG, JPEG) or, for a ZIP, from the parts an Office Open XML
document must hold (Word, Excel, PowerPoint); anything else (an .exe renamed .pdf,
a plain ZIP, a macro-enabled document) is None and refused.
"""
from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from typing import BinaryIO

N_ = lambda text: text  # noqa: E731 - gettext's "mark only" convention (translated where shown)

#: Each kind: (MIME type sent with the download, file extension).
KINDS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jpeg": ("image/jpeg", "jpg"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}

#: What an organizer allows per event, and the kinds each stands for.
FILE_GROUPS: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",),
    "image": ("png", "jpeg"),
    "office": ("docx", "xlsx", "pptx"),
}

#: The main part each Office document must have (and a macro-free content type).
_OFFICE_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
_MACRO_MARK = b"macroEnabled"

TOO_LARGE = N_("The file is too large: at most %(mb)d MB.")
WRONG_TYPE = N_("This kind of file is not accepted. Accepted: %(kinds)s.")
TOO_MANY = N_("No more files can be added: at most %(n)d.")
EMPTY = N_("Choose a file to upload.")

ORIGINAL_NAME_MAX = 200


def allowed_kinds(groups) -> set[str]:
    """The kinds of file an event's setting (a list of FILE_GROUPS keys) accepts."""
    return {kind for group in (groups or []) for kind in FILE_GROUPS.get(group, ())}


def _office_kind(stream: BinaryIO) -> str | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                return None
            if len(names) > 10_000:
                return None
            with archive.open("[Content_Types].xml") as types:
                content_types = types.read(1_000_000)
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError, NotImplementedError):
        return None
    if _MACRO_MARK in content_types:
        return None
    kinds = {kind for part, kind in _OFFICE_PARTS.items() if part in names}
    return kinds.pop() if len(kinds) == 1 else None


def sniff(stream: BinaryIO) -> str | None:
    """The kind of the file in `stream` (a seekable binary stream), or None when it is none we accept."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        kind = _office_kind(stream)
        stream.seek(0)
        return kind
    return None


def clean_file_name(name: str | None, kind: str) -> str:
    """A name to show and to offer on download: no path, no control characters, the extension of its kind."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = re.sub(r"\s+", " ", base).strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    extension = KINDS[kind][1]
    stem = stem[: ORIGINAL_NAME_MAX - len(extension) - 1] or "file"
    return f"{stem}.{extension}"
