"""Rules of the door check-in (受付): what staff type, what they search for, which session is now.

Pure functions, no Flask and no database.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import jaconv

from app.domain.dates import to_jst

#: Dashes people type (or their phone's keyboard gives) for the hyphen of a 受付番号.
_DASHES = re.compile("[\u2010-\u2015\u2212\u30fc\uff0d\uff70_/]")
_SPACES = re.compile(r"[\s\u3000]+")
_REFERENCE = re.compile(r"^T?(\d{1,9})-(\d{1,12})$")
_DIGITS = re.compile(r"^T?(\d{5,21})$")

#: Longest search text looked at (longer input is cut: nobody's name is longer).
SEARCH_MAX = 60


@dataclass(frozen=True)
class Reference:
    """A 受付番号 as typed: the event id and the registration id it names."""

    event_id: int
    registration_id: int


def parse_reference(text: str, event_id: int | None = None) -> Reference | None:
    """Read a typed 受付番号 (``T0012-000345``), forgiving how it was typed.

    Full-width digits and letters, lower case, spaces, any dash, a missing
    hyphen or a missing leading T are accepted. Without a hyphen the digits are
    split after the event's number (``event_id``, four digits or more), or after
    four digits when no event is given. None when it cannot be a 受付番号.
    """
    value = unicodedata.normalize("NFKC", text or "")
    value = _SPACES.sub("", _DASHES.sub("-", value)).upper()
    if len(value) > 40:
        return None
    match = _REFERENCE.match(value)
    if match:
        return Reference(int(match.group(1)), int(match.group(2)))
    match = _DIGITS.match(value)
    if not match:
        return None
    digits = match.group(1)
    prefix = f"{event_id:04d}" if event_id is not None else digits[:4]
    if not digits.startswith(prefix) or len(digits) <= len(prefix):
        return None
    return Reference(int(prefix), int(digits[len(prefix):]))


def search_forms(text: str) -> tuple[str, str]:
    """What a search box's text is compared as: (plain, katakana).

    ``plain`` is NFKC without spaces, lower case (names, companies); ``katakana``
    turns hiragana and half-width kana into full-width katakana, the way フリガナ
    are stored (app.domain.people.to_katakana), so やまだ, ﾔﾏﾀﾞ and ヤマダ all find ヤマダ.
    """
    value = unicodedata.normalize("NFKC", (text or "")[:SEARCH_MAX])
    value = _SPACES.sub("", value)
    plain = value.lower()
    katakana = jaconv.hira2kata(jaconv.h2z(value, kana=True, ascii=False, digit=False))
    return plain, katakana


def looks_like_ticket(text: str) -> bool:
    """A QR payload (TSUDOI:...) rather than something typed."""
    return (text or "").strip().upper().startswith("TSUDOI:")


def default_session(sessions: Sequence, now: datetime):
    """The session the door is most likely at: today's (Japan time) nearest to now, else the first.

    `sessions` are objects with `starts_at` (aware); None when there are none.
    """
    if not sessions:
        return None
    today = to_jst(now).date()
    todays = [s for s in sessions if to_jst(s.starts_at).date() == today]
    if todays:
        return min(todays, key=lambda s: (abs((s.starts_at - now).total_seconds()), s.starts_at))
    return min(sessions, key=lambda s: (s.starts_at, getattr(s, "id", 0)))
