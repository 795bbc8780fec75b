"""Phrase-aware line breaking for Japanese titles (BudouX).

A phone breaks Japanese anywhere, even inside a word (「セミ|ナー」). BudouX splits a
text into phrases; we join them with <wbr> (a place where a line may break) inside a
span styled `word-break: keep-all` (static/style.css .phrases), so lines break only
between phrases. Browsers that know `word-break: auto-phrase` would do the same;
BudouX gives it to every browser. Words too long for the line still wrap
(`overflow-wrap: anywhere`), so nothing overflows.
"""
from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape


@lru_cache(maxsize=1)
def _parser():
    import budoux

    return budoux.load_default_japanese_parser()


@lru_cache(maxsize=4096)
def phrases(text: str) -> tuple[str, ...]:
    """The phrases of `text` (BudouX's Japanese model); a text without Japanese is one phrase per word."""
    if not text:
        return ()
    return tuple(_parser().parse(text))


def phrase_wrap(text: str | None) -> Markup:
    """{{ event.title|phrase_wrap }}: the escaped text, <wbr> between phrases, in <span class="phrases">."""
    if not text:
        return Markup("")
    parts = phrases(str(text))
    if len(parts) <= 1:
        return Markup('<span class="phrases">{}</span>').format(text)
    inner = Markup("<wbr>").join(escape(p) for p in parts)
    return Markup('<span class="phrases">{}</span>').format(inner)
