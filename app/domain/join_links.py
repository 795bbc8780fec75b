"""Personal join links (/j/<token>) of online sessions: the token and the time window (pure).

The token is derived like the manage link (app.domain.manage_links), from the
same per-registration salt but with its own purpose label, so it is never
stored and cannot be computed from a copy of the database:

    key   = HMAC-SHA256(SECRET_KEY, "tsudoi join-link key")
    mac   = HMAC-SHA256(key, "join:<registration id>:<salt>")
    token = "<registration id>.<urlsafe-base64(mac)>"

The registration id in front says which salt to check against; the MAC (256
bits) is what cannot be guessed. The salt is the manage link's: when the
manage link is given a new one, the join link changes with it and the old one
stops working. The join link is checked with the current SECRET_KEY (a key
change ends the join links already mailed; reminders carry the new ones).

The window: a link opens `opens_minutes` before a session starts and stays
open until the session ends (a session without an end: until the next
session's opening, or 12 hours after its start). The session it records is the
one whose window holds `now`; overlapping windows go to the session that
started last.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_KEY_PURPOSE = b"tsudoi join-link key"
_TOKEN_RE = re.compile(r"^([1-9][0-9]{0,9})\.([A-Za-z0-9_-]{43})$")
MAX_TOKEN_LENGTH = 64
#: How long a session without an end time stays open to its link.
OPEN_ENDED = timedelta(hours=12)
DEFAULT_OPENS_MINUTES = 15
MAX_OPENS_MINUTES = 24 * 60


def _key(secret_key: str | bytes) -> bytes:
    if isinstance(secret_key, str):
        secret_key = secret_key.encode("utf-8")
    return hmac.new(secret_key, _KEY_PURPOSE, hashlib.sha256).digest()


def derive_token(secret_key: str | bytes, registration_id: int, salt: str) -> str:
    mac = hmac.new(_key(secret_key), f"join:{registration_id}:{salt}".encode(), hashlib.sha256).digest()
    return f"{registration_id}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode('ascii')}"


def registration_id(token: str | None) -> int | None:
    """The registration a well-formed token names (None: not worth a lookup)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    match = _TOKEN_RE.match(token)
    return int(match.group(1)) if match else None


def verify(secret_key: str | bytes, token: str, registration_id: int, salt: str | None) -> bool:
    if not salt:
        return False
    return hmac.compare_digest(derive_token(secret_key, registration_id, salt).encode(), token.encode())


def is_online_session(event_format: str, session_is_online: bool) -> bool:
    """Whether a session is attended online: marked online, or of an online event."""
    return bool(session_is_online) or event_format == "online"


def offers_join_link(event_format: str, online_url: str, sessions_online: list[bool]) -> bool:
    """Whether the event's registrants get a join link: an online URL and at least one session to join
    (an online or hybrid event, or an online session of an in-person one)."""
    if not online_url:
        return False
    if event_format in ("online", "hybrid"):
        return bool(sessions_online)
    return any(sessions_online)


@dataclass(frozen=True)
class SessionSpan:
    id: int
    starts_at: datetime
    ends_at: datetime | None


@dataclass(frozen=True)
class Window:
    session_id: int
    opens_at: datetime
    closes_at: datetime


def windows(sessions: list[SessionSpan], opens_minutes: int) -> list[Window]:
    """Each session's window, in start order."""
    ordered = sorted(sessions, key=lambda s: (s.starts_at, s.id))
    before = timedelta(minutes=max(0, opens_minutes))
    out = []
    for i, s in enumerate(ordered):
        if s.ends_at is not None:
            closes = s.ends_at
        else:
            closes = s.starts_at + OPEN_ENDED
            if i + 1 < len(ordered):
                closes = min(closes, max(ordered[i + 1].starts_at - before, s.starts_at))
        out.append(Window(s.id, s.starts_at - before, closes))
    return out


# Why a link does not open (codes the page turns into words).
OPEN = "open"
NOT_YET = "not_yet"  # before the next window (the answer says when it opens)
BETWEEN = "between"  # between two sessions: same as not_yet, with the next session's time
ENDED = "ended"  # the last session is over
CANCELLED = "cancelled"  # the registration is cancelled (or rejected, lost)
NOT_CONFIRMED = "not_confirmed"  # waitlisted, applied, pending
EVENT_CANCELLED = "event_cancelled"
EVENT_POSTPONED = "event_postponed"
NO_ONLINE = "no_online"  # the event has no online session or no online URL


@dataclass(frozen=True)
class Decision:
    state: str
    window: Window | None = None  # OPEN: the window it opens in; NOT_YET/BETWEEN: the next one

    @property
    def is_open(self) -> bool:
        return self.state == OPEN


def decide(*, registration_status: str, event_status: str, online_url: str, sessions: list[SessionSpan],
           opens_minutes: int, now: datetime) -> Decision:
    """Whether a join link opens now, and for which session. `sessions`: the online ones."""
    if registration_status in ("cancelled", "rejected", "lost"):
        return Decision(CANCELLED)
    if event_status == "cancelled":
        return Decision(EVENT_CANCELLED)
    if event_status == "postponed":
        return Decision(EVENT_POSTPONED)
    if registration_status != "confirmed":
        return Decision(NOT_CONFIRMED)
    if not online_url or not sessions or event_status == "draft":
        return Decision(NO_ONLINE)
    spans = windows(sessions, opens_minutes)
    inside = [w for w in spans if w.opens_at <= now < w.closes_at]
    if inside:
        return Decision(OPEN, max(inside, key=lambda w: w.opens_at))
    upcoming = [w for w in spans if w.opens_at > now]
    if not upcoming:
        return Decision(ENDED)
    nxt = min(upcoming, key=lambda w: w.opens_at)
    started = any(w.closes_at <= now for w in spans)
    return Decision(BETWEEN if started else NOT_YET, nxt)
