"""Every marked string reads in both languages, and no template hides Japanese from the catalogue.

- Every entry of every catalogue (the main one and each area's, Japanese and English) has
  a translation: not empty, not fuzzy (a fuzzy entry is not used by gettext).
- Every msgid the code marks has a Japanese translation (tests/unit/test_catalogue.py), and
  every msgid that carries Japanese words (参加枠, 受付票...) has an English wording, so an
  English page reads in English. On the registrant's pages and in mails that wording holds no
  Japanese at all.
- No template holds Japanese text outside {{ }}, {% %} and {# #}: Japanese on a page comes
  from a catalogue or from data. The exceptions are elements marked lang="ja" (the language
  switch's 日本語) and the door's search example, written the three ways staff type it.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.domain.people import has_japanese_script
from tests.unit.test_catalogue import _extracted_ids

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted([*ROOT.glob("app/translations/*/LC_MESSAGES/messages.po"),
                     *ROOT.glob("app/translations.d/*/*/LC_MESSAGES/messages.po")])
#: Where the registrant reads: English wordings of these msgids hold no Japanese.
REGISTRANT_SOURCES = ("templates/public/", "templates/registration/", "templates/email/", "templates/join/",
                      "templates/base.html", "templates/errors/", "app/registration/", "app/public/",
                      "app/domain/registration_input.py", "app/notifications/")
#: Template lines that may hold Japanese: an element marked lang="ja", and the door's example search.
ALLOWED_TEMPLATE_LINES = (re.compile(r'lang="ja"'), re.compile(r'placeholder="やまだ / ﾔﾏﾀﾞ / 山田"'))
_TAGS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def _key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _read(path: Path):
    with path.open("rb") as fh:
        return read_po(fh, locale=path.parts[-3])


def _english() -> dict[str, str]:
    out: dict[str, str] = {}
    for path in CATALOGUES:
        if path.parts[-3] == "en":
            for message in _read(path):
                if message.id and message.string and not message.fuzzy:
                    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
                    out[_key(message)] = " ".join(strings)
    return out


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_entry_of_every_catalogue_is_translated(path):
    problems = []
    for message in _read(path):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {_key(message)!r}")
        elif not all(s and s.strip() for s in strings):
            problems.append(f"empty: {_key(message)!r}")
    assert not problems, problems


def test_every_catalogue_has_a_japanese_side():
    areas = {p.parts[-4] for p in CATALOGUES}
    japanese = {p.parts[-4] for p in CATALOGUES if p.parts[-3] == "ja"}
    assert areas == japanese


def test_every_marked_string_with_japanese_words_has_an_english_wording():
    english = _english()
    missing = {msgid: where for msgid, where in _extracted_ids().items()
               if has_japanese_script(msgid) and msgid not in english}
    assert not missing, "add an English wording to an en messages.po: " + repr(missing)


def test_what_registrants_read_in_english_holds_no_japanese():
    english = _english()
    found = {msgid: where for msgid, where in _extracted_ids().items()
             if where.startswith(REGISTRANT_SOURCES) and has_japanese_script(english.get(msgid, msgid))}
    assert not found, found


def test_english_pages_translate_the_japanese_terms(app):
    from flask_babel import force_locale, gettext

    with app.test_request_context("/?lang=en"), force_locale("en"):
        assert gettext("受付票 (ticket)") == "Ticket"
    with app.test_request_context("/?lang=ja"), force_locale("ja"):
        assert gettext("Title in English") == "タイトル（英語）"


def _template_lines():
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.is_file() and path.suffix in (".html", ".txt"):
            text = _TAGS.sub("", path.read_text(encoding="utf-8"))
            for number, line in enumerate(text.splitlines(), start=1):
                yield path.relative_to(ROOT), number, line


def test_no_template_holds_unmarked_japanese_text():
    found = [f"{path}: {line.strip()}" for path, _n, line in _template_lines()
             if has_japanese_script(line) and not any(p.search(line) for p in ALLOWED_TEMPLATE_LINES)]
    assert not found, "mark it for translation (_()) or take it from data: " + repr(found)


def test_the_template_scan_finds_japanese_text():
    """The scan itself: Japanese outside the tags is found, inside them it is not."""
    sample = '<p>受付</p>{{ _("Ticket") }}{% if x %}{{ "山田" }}{% endif %}{# 日本語 #}'
    assert has_japanese_script(_TAGS.sub("", sample))
    assert not has_japanese_script(_TAGS.sub("", sample.replace("<p>受付</p>", "")))
