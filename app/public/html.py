"""Small helpers over already-sanitised HTML."""
from __future__ import annotations

import re

from markupsafe import Markup, escape

_HEADING_TAG = re.compile(r"<(/?)h([1-6])(?=[\s>])", re.IGNORECASE)


def outline_levels(levels: list[int], under: int = 2) -> list[int]:
    """The level each heading gets when the text is placed under an h`under`.

    Nesting is kept and gaps are closed: the first heading (and any heading no deeper than
    the first) becomes h`under+1`, and each heading is at most one level below the one it
    sits under, so an h2 written in a description never rises above the page's own h2 and
    an h4 never follows an h2 directly. Capped at h6.
    """
    out: list[int] = []
    stack: list[int] = []  # source levels of the headings the current one sits under
    for level in levels:
        while stack and stack[-1] >= level:
            stack.pop()
        out.append(min(6, under + 1 + len(stack)))
        stack.append(level)
    return out


def shift_headings(html: str, under: int = 2) -> Markup:
    """Move the headings of sanitised HTML under the page's h`under` (see outline_levels).

    Only for HTML that is already sanitised (the `markdown` filter's output):
    text there is escaped, so a literal "<h1" cannot appear outside a tag.
    """
    if not isinstance(html, Markup):
        html = escape(html)  # plain text: escape it rather than trust it
    text = str(html)
    opening = [int(m.group(2)) for m in _HEADING_TAG.finditer(text) if not m.group(1)]
    new_levels = iter(outline_levels(opening, under))
    current: list[int] = []

    def _one(m: re.Match) -> str:
        if not m.group(1):
            current.append(next(new_levels))
            return f"<h{current[-1]}"
        return f"</h{current[-1] if current else m.group(2)}"

    return Markup(_HEADING_TAG.sub(_one, text))
