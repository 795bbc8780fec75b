"""Every string marked for translation has a Japanese translation (Japanese is the default)."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def _catalogue_ids() -> dict[str, str]:
    translated: dict[str, str] = {}
    paths = [ROOT / "app/translations/ja/LC_MESSAGES/messages.po"]
    paths += sorted((ROOT / "app/translations.d").glob("*/ja/LC_MESSAGES/messages.po"))
    for path in paths:
        with path.open("rb") as fh:
            for message in read_po(fh, locale="ja"):
                if message.id and message.string:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    translated[key] = message.string if isinstance(message.string, str) else message.string[0]
    return translated


def _extracted_ids() -> dict[str, str]:
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
    found: dict[str, str] = {}
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords,
        options_map={"templates/**.html": {}, "templates/**.txt": {}},
    ):
        if filename.startswith((".venv", "tests")):
            continue
        key = message if isinstance(message, str) else message[0]
        found.setdefault(key, filename)
    return found


def test_every_marked_string_has_a_japanese_translation():
    translated = _catalogue_ids()
    missing = {msgid: where for msgid, where in _extracted_ids().items() if msgid not in translated}
    assert not missing, "untranslated (add to a ja messages.po): " + repr(missing)


def test_no_two_areas_translate_one_msgid_differently():
    """Flask-Babel merges the areas' catalogues: a msgid translated twice gets one of them, unpredictably.

    (「Checked in」 was 受付完了 at the door and 受付済み in the exports: the door said 受付済み.)
    A msgid whose meaning differs by area needs its own wording.
    """
    seen: dict[str, dict[str, str]] = {}
    paths = [ROOT / "app/translations/ja/LC_MESSAGES/messages.po"]
    paths += sorted((ROOT / "app/translations.d").glob("*/ja/LC_MESSAGES/messages.po"))
    for path in paths:
        with path.open("rb") as fh:
            for message in read_po(fh, locale="ja"):
                if message.id and message.string:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    text = message.string if isinstance(message.string, str) else message.string[0]
                    seen.setdefault(key, {})[path.parts[-4]] = text
    clashes = {key: areas for key, areas in seen.items() if len(set(areas.values())) > 1}
    assert not clashes, f"one msgid, different translations: {clashes}"
