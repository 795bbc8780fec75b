"""The public event list: filters, their parsing, and the query they build.

Nothing here reads the request or needs an application context, so the rules
(what "upcoming" means, how a search term is matched) are unit-testable.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import abort, redirect, request, url_for
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from app.domain.codes import PREFECTURES, EventCategory, EventFormat, EventStatus
from app.domain.dates import jst_datetime, to_jst
from app.models import Event, EventSession

PER_PAGE = 20
MAX_QUERY_LENGTH = 100
UPCOMING, PAST = "upcoming", "past"

#: Statuses the public may see: everything but drafts.
PUBLIC_STATUSES = tuple(s.value for s in EventStatus if s is not EventStatus.DRAFT)

#: The place filter's own choice beside the prefectures: events one can join online, from anywhere.
ONLINE = "online"
JOINABLE_ONLINE = (EventFormat.ONLINE.value, EventFormat.HYBRID.value)

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Filters:
    when: str = UPCOMING
    q: str = ""
    category: str = ""
    prefecture: str = ""
    format: str = ""
    month: str = ""  # YYYY-MM, Japan time

    @property
    def active(self) -> bool:
        return bool(self.q or self.category or self.prefecture or self.format or self.month)


def parse_month(value: str) -> tuple[int, int] | None:
    """(year, month) for a valid 'YYYY-MM', else None."""
    m = _MONTH_RE.match((value or "").strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return None
    return year, month


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The start of the month and of the next one, Japan time, as aware UTC datetimes."""
    nxt = (year + 1, 1) if month == 12 else (year, month + 1)
    return jst_datetime(year, month, 1), jst_datetime(nxt[0], nxt[1], 1)


def month_key(value: datetime) -> str:
    local = to_jst(value)
    return f"{local.year:04d}-{local.month:02d}"


def is_valid_category(value: str) -> bool:
    return value in {c.value for c in EventCategory}


def is_valid_format(value: str) -> bool:
    return value in {f.value for f in EventFormat}


def is_valid_prefecture(value: str) -> bool:
    return value in PREFECTURES


def is_valid_place(value: str) -> bool:
    """The place filter: a prefecture code, or ONLINE (events one can join from anywhere)."""
    return value == ONLINE or is_valid_prefecture(value)


def escape_like(term: str, escape: str = "\\") -> str:
    """Make `%`, `_` and the escape character itself match literally in LIKE."""
    return term.replace(escape, escape * 2).replace("%", escape + "%").replace("_", escape + "_")


def search_terms(q: str) -> list[str]:
    """Words of a search (split on ASCII and full-width spaces), each at most once."""
    words = []
    for word in (q or "").split():  # str.split() also splits on U+3000
        if word and word not in words:
            words.append(word)
    return words[:10]


def _word_variants(word: str) -> list[str]:
    """The word as typed and its NFKC form (ＤＸ → DX, ｾﾐﾅｰ → セミナー)."""
    variants = [word]
    folded = unicodedata.normalize("NFKC", word)
    if folded != word:
        variants.append(folded)
    return variants


SEARCHED_COLUMNS = (
    Event.title,
    Event.summary,
    Event.description,
    Event.venue,
    Event.address,
    Event.organizer_name,
    Event.co_organizers,
)


def search_condition(q: str):
    """Every word must appear (case-insensitively) in one of the searched columns."""
    conditions = []
    for word in search_terms(q):
        patterns = [f"%{escape_like(v)}%" for v in _word_variants(word)]
        conditions.append(or_(*(col.ilike(p, escape="\\") for col in SEARCHED_COLUMNS for p in patterns)))
    return and_(*conditions) if conditions else None


def upcoming_condition(now: datetime):
    """Upcoming: not started yet, still running (a session not over), or registration still open."""
    session_not_over = exists(
        select(EventSession.id).where(
            EventSession.event_id == Event.id,
            func.coalesce(EventSession.ends_at, EventSession.starts_at) > now,
        )
    )
    registration_open = and_(
        Event.status == EventStatus.PUBLISHED.value,
        or_(Event.registration_opens_at.is_(None), Event.registration_opens_at <= now),
        Event.registration_closes_at > now,
    )
    return or_(Event.starts_at.is_(None), Event.starts_at > now, session_not_over, registration_open)


def base_conditions(filters: Filters, now: datetime, *, with_month: bool = True) -> list:
    conditions = [Event.status.in_(PUBLIC_STATUSES)]
    upcoming = upcoming_condition(now)
    conditions.append(upcoming if filters.when != PAST else ~upcoming)
    if filters.category:
        conditions.append(Event.category == filters.category)
    if filters.prefecture == ONLINE:
        conditions.append(Event.format.in_(JOINABLE_ONLINE))
    elif filters.prefecture:
        # An online event is open to every prefecture: it is listed under each of them.
        conditions.append(or_(Event.prefecture == filters.prefecture, Event.format == EventFormat.ONLINE.value))
    if filters.format:
        conditions.append(Event.format == filters.format)
    if with_month and (ym := parse_month(filters.month)):
        start, end = month_bounds(*ym)
        conditions.append(and_(Event.starts_at >= start, Event.starts_at < end))
    if filters.q and (cond := search_condition(filters.q)) is not None:
        conditions.append(cond)
    return conditions


def event_list_query(filters: Filters, now: datetime) -> Select:
    """Visible events matching `filters`, with sessions and 参加枠 loaded (no N+1)."""
    stmt = select(Event).where(*base_conditions(filters, now)).options(
        selectinload(Event.sessions), selectinload(Event.ticket_types)
    )
    if filters.when == PAST:
        return stmt.order_by(Event.starts_at.desc().nulls_last(), Event.id.desc())
    return stmt.order_by(Event.starts_at.asc().nulls_last(), Event.id)


def month_choices(starts: Iterable[datetime | None], *, newest_first: bool = False) -> list[str]:
    """Distinct 'YYYY-MM' months (Japan time) of the given first-session starts."""
    months = sorted({month_key(s) for s in starts if s is not None}, reverse=newest_first)
    return months


def public_event_query(slug: str) -> Select:
    """One visible event by slug (drafts are never public), ready for its page."""
    return (
        select(Event)
        .where(Event.slug == slug, Event.status.in_(PUBLIC_STATUSES))
        .options(selectinload(Event.sessions), selectinload(Event.ticket_types))
    )


def redirect_if_moved(slug: str, endpoint: str):
    """A permanent redirect to `endpoint` at the event's current address when `slug` is one the
    event had before (its organizer changed it; old mails and posters keep working), else 404."""
    from app.services.events import moved_event

    moved = moved_event(slug)
    if moved is None or moved.status not in PUBLIC_STATUSES:
        abort(404)
    return redirect(url_for(endpoint, slug=moved.slug, **request.args), code=301)
