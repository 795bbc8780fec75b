"""Text that goes into mails: header-safe one-liners and private-link placeholders (pure).

Private links (``/r/<token>`` manage, ticket, calendar and team URLs, and the
``/j/<token>`` join link of online sessions) are secrets of one registrant. Stored mail bodies hold placeholders instead; delivery fills
them in (`fill_links`) from app.urls at send time, and pages that staff read
show them masked (`mask_links`).
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from markupsafe import escape

#: The private links of a registration, by the template variable that holds them.
LINK_NAMES = ("manage_url", "ticket_url", "calendar_url", "join_url", "team_url")
_PLACEHOLDER = "[[tsudoi-private:{}]]"
PLACEHOLDERS = {name: _PLACEHOLDER.format(name) for name in LINK_NAMES}
_PLACEHOLDER_RE = re.compile(r"\[\[tsudoi-private:(manage_url|ticket_url|calendar_url|join_url|team_url)\]\]")

#: A stored private link: <anything>/r/<token>[/ticket|/calendar.ics|/team] (token: secrets.token_urlsafe).
_STORED_LINK_RE = re.compile(r"https?://[^\s\"'<>]*?/r/[A-Za-z0-9_-]{16,}(/[A-Za-z0-9_.-]*)?")
_STORED_NAMES = {"/ticket": "ticket_url", "/calendar.ics": "calendar_url", "/team": "team_url"}
#: A personal join link (/j/<registration id>.<mac>): never stored, masked should one be.
_STORED_JOIN_RE = re.compile(r"https?://[^\s\"'<>]*?/j/[0-9]+\.[A-Za-z0-9_-]{16,}")

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def one_line(value: str | None, limit: int | None = None) -> str:
    """`value` without CR, LF or other control characters (each run becomes one space), trimmed.

    For mail headers (Subject) and single-line iCalendar fields.
    """
    text = _CONTROL.sub(" ", value or "").strip()
    text = re.sub(r" {2,}", " ", text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def has_placeholders(text: str | None) -> bool:
    return bool(text) and _PLACEHOLDER_RE.search(text) is not None


def fill_links(text: str, links: Mapping[str, str], *, html: bool = False) -> str:
    """Put the real private links in place of the placeholders (escaped for HTML bodies)."""
    def _one(match: re.Match) -> str:
        url = links.get(match.group(1), "")
        return str(escape(url)) if html else url

    return _PLACEHOLDER_RE.sub(_one, text or "")


def mask_links(text: str, mask: str, *, html: bool = False) -> str:
    """Placeholders (and any private link still stored in full) replaced by `mask`, for staff pages."""
    shown = str(escape(mask)) if html else mask
    text = _PLACEHOLDER_RE.sub(lambda m: shown, text or "")
    text = _STORED_JOIN_RE.sub(lambda m: shown, text)
    return _STORED_LINK_RE.sub(lambda m: shown, text)


def redact_stored_links(text: str) -> str:
    """Full private links replaced by their placeholders (delivery fills them in again)."""
    return _STORED_LINK_RE.sub(lambda m: PLACEHOLDERS[_STORED_NAMES.get(m.group(1), "manage_url")], text or "")
