"""Which language a text is shown in: the event's English texts and their Japanese fallback.

Pure rules (no Flask): app.i18n wraps them for templates and mails.
"""
from __future__ import annotations

from app.domain.people import has_japanese_script

#: The event texts that may have an English version (``<field>_en`` on the event).
EVENT_TEXT_FIELDS = ("title", "summary", "description")


def pick(japanese: str | None, english: str | None, lang: str) -> tuple[str, str]:
    """(text, its language) to show a reader of `lang`: the English text in English when there is one,
    else the Japanese one (which a page marks lang="ja")."""
    english = (english or "").strip()
    if lang == "en" and english:
        return english, "en"
    return japanese or "", "ja"


def event_text(event, field: str, lang: str) -> tuple[str, str]:
    """(text, language) of an event's title, summary or description for a reader of `lang`."""
    if field not in EVENT_TEXT_FIELDS:
        raise ValueError(field)
    return pick(getattr(event, field, ""), getattr(event, f"{field}_en", ""), lang)


def needs_ja_mark(text: str | None, page_lang: str) -> bool:
    """Whether `text`, shown on a page in `page_lang`, must be marked lang="ja" (Japanese inside an
    English page, so that a screen reader reads it with a Japanese voice)."""
    return page_lang != "ja" and has_japanese_script(text)


#: Each language by its own name (a language menu shows endonyms, whatever the page's language).
LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}
