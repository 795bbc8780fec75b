"""Small helpers over already-sanitised HTML."""
from __future__ import annotations

import re

from markupsafe import Markup, escape

_HEADING_TAG = re.compile(r"<(/?)h([1-6])(?=[\s>])", re.IGNORECASE)


def shift_headings(html: str, by: int = 2) -> Markup:
    """<h1> becomes <h3> (by=2) and so on, never past <h6>.

    Only for HTML that is already sanitised (the `markdown` filter's output):
    text there is escaped, so a literal "<h1" cannot appear outside a tag.
    """
    if not isinstance(html, Markup):
        html = escape(html)  # plain text: escape it rather than trust it
    shifted = _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + by)}", str(html))
    return Markup(shifted)
