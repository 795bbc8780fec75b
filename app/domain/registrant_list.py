"""The registrant list's rules: its filters, columns and sort keys, and the search key.

Pure (no Flask, no database): the organizer page, the API and every export parse
their query parameters here (``parse``) and hand the result to
``app.services.registrant_query``, which turns it into SQL. Parameter names are
the same everywhere:

``q``                 search: name, kana (any width or script), company or email
``status``            comma-separated statuses, or ``active`` (confirmed, waitlisted, applied, pending)
``ticket_type``       参加枠 ids (comma-separated)
``session``           a session id: only those who attended it
``day``               a session id of an event whose registrants choose days: those with a seat that day
``organization_type`` 組織区分 codes (comma-separated)
``prefecture``        JIS X 0401 codes 01-47 (comma-separated)
``checked_in``        ``yes`` or ``no``
``created_from``, ``created_to``  dates (YYYY-MM-DD, Japan time, both inclusive)
``sort``              a column name, ``-`` in front for descending (ties: by id)
``columns``           comma-separated column names (``answers.<question id>`` for answers)
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import jaconv

from app.domain.codes import (
    ACTIVE_REGISTRATION_STATUSES,
    PREFECTURES,
    OrganizationType,
    RegistrationStatus,
)
from app.domain.registration_input import N_
from app.domain.text_input import has_bad_characters

# ---------------------------------------------------------------------------
# the search key


def search_key(text: str | None) -> str:
    """One spelling for matching: NFKC (full-width ASCII, half-width kana), katakana, lower case, no spaces.

    Applied to the stored fields (``Registration.search_text``, kept on every write) and to
    what is typed, so that 「ﾔﾏﾀﾞ」, 「やまだ」 and 「ヤマダ」 all find ヤマダ, and 「ＡＢＣ」 finds abc.
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = jaconv.hira2kata(text).lower()
    return re.sub(r"\s+", "", text)


#: Separates the fields in the stored search text, so that a search never matches across two fields.
SEARCH_SEPARATOR = "\x1f"


def search_text(*, family_name: str, given_name: str, family_name_kana: str, given_name_kana: str,
                organization: str, email: str) -> str:
    """The stored search text of a registration: full name, full kana, organisation, email."""
    parts = [family_name + given_name, family_name_kana + given_name_kana, organization, email]
    return SEARCH_SEPARATOR + SEARCH_SEPARATOR.join(search_key(p) for p in parts) + SEARCH_SEPARATOR


# ---------------------------------------------------------------------------
# columns


class Kind:
    TEXT = "text"  # free text
    DIGITS = "digits"  # phone, 法人番号: text that must keep its leading zeros
    CODE = "code"  # a code shown with its label (status, 組織区分, 都道府県)
    DATETIME = "datetime"
    LIST = "list"  # several values (sessions attended, multiple-choice answers)
    NUMBER = "number"  # a count (a team's members): a number cell in XLSX
    ANSWER = "answer"


@dataclass(frozen=True)
class Column:
    key: str
    kind: str = Kind.TEXT
    width: int = 16  # a sensible spreadsheet width, in characters


BASE_COLUMNS: tuple[Column, ...] = (
    Column("reference", width=15),
    Column("status", Kind.CODE, 10),
    Column("ticket_type", width=14),
    Column("full_name", width=16),
    Column("full_name_kana", width=18),
    Column("family_name", width=10),
    Column("given_name", width=10),
    Column("family_name_kana", width=12),
    Column("given_name_kana", width=12),
    Column("email", width=30),
    Column("phone", Kind.DIGITS, 14),
    Column("organization", width=28),
    Column("department", width=18),
    Column("job_title", width=14),
    Column("organization_type", Kind.CODE, 14),
    Column("prefecture", Kind.CODE, 10),
    Column("corporate_number", Kind.DIGITS, 16),
    Column("created_at", Kind.DATETIME, 20),
    Column("confirmed_at", Kind.DATETIME, 20),
    Column("cancelled_at", Kind.DATETIME, 20),
    Column("checked_in_at", Kind.DATETIME, 20),
    Column("attended_sessions", Kind.LIST, 24),
    Column("chosen_sessions", Kind.LIST, 24),  # per-day registration: the days chosen
    Column("note", width=24),
    Column("team_name", width=24),  # team events: the team (registered, or joined at a hackathon)
    Column("team_size", Kind.NUMBER, 8),  # its number of members
    Column("team_members", Kind.LIST, 40),  # a team registration's members' names: organizers only
)
BASE_COLUMN_KEYS = tuple(c.key for c in BASE_COLUMNS)
_BY_KEY = {c.key: c for c in BASE_COLUMNS}
ANSWER_PREFIX = "answers."

#: What the organizer's list shows until other columns are chosen.
DEFAULT_LIST_COLUMNS = ("reference", "full_name", "organization", "email", "ticket_type", "status", "created_at")
#: What an export holds when no columns are given: every column but the parts of the names, and the answers.
#: Columns that mean something only for events whose registrants choose days.
PER_DAY_COLUMNS = ("chosen_sessions",)
#: Columns that mean something only for events that take teams (Event.team_mode).
TEAM_COLUMNS = ("team_name", "team_size", "team_members")
#: The members' names (minors): chosen by an organizer, never by default, never offered to viewers,
#: and only for team registrations (a hackathon's members are registrants of their own).
MEMBER_NAME_COLUMNS = ("team_members",)
DEFAULT_EXPORT_COLUMNS = tuple(k for k in BASE_COLUMN_KEYS
                               if k not in ("family_name", "given_name", "family_name_kana", "given_name_kana",
                                            *PER_DAY_COLUMNS, *TEAM_COLUMNS))


def default_export_columns(choose_sessions: bool = False, team_mode: str = "") -> tuple[str, ...]:
    """An export's columns when none are given: per-day events add the days chosen after the 参加枠,
    team events the team's name and number of members (not the members' names)."""
    i = DEFAULT_EXPORT_COLUMNS.index("ticket_type") + 1
    extra = (PER_DAY_COLUMNS if choose_sessions else ()) + (("team_name", "team_size") if team_mode else ())
    return DEFAULT_EXPORT_COLUMNS[:i] + extra + DEFAULT_EXPORT_COLUMNS[i:]


def team_export_columns(team_mode: str) -> tuple[str, ...]:
    """The teams page's export: each active registration with its team, the members' names for team
    registrations (the page offers it to organizers only, as every personal-data export)."""
    names = MEMBER_NAME_COLUMNS if team_mode == "team" else ()
    return ("reference", "ticket_type", "team_name", "team_size", *names, "full_name", "organization", "email",
            "phone", "status")


def offered_columns(available: Iterable[str], *, choose_sessions: bool, team_mode: str,
                    member_names: bool) -> list[str]:
    """The columns the list's column choice offers for an event (`member_names`: the user may see them)."""
    out = []
    for key in available:
        if key in PER_DAY_COLUMNS and not choose_sessions:
            continue
        if key in TEAM_COLUMNS and not team_mode:
            continue
        if key in MEMBER_NAME_COLUMNS and (team_mode != "team" or not member_names):
            continue
        out.append(key)
    return out


def answer_key(question_id: int) -> str:
    return f"{ANSWER_PREFIX}{question_id}"


def column(key: str) -> Column:
    """The column of a valid key (see ``available_columns``)."""
    if key.startswith(ANSWER_PREFIX):
        return Column(key, Kind.ANSWER, 20)
    return _BY_KEY[key]


def available_columns(question_ids: Iterable[int]) -> tuple[str, ...]:
    return BASE_COLUMN_KEYS + tuple(answer_key(q) for q in question_ids)


# ---------------------------------------------------------------------------
# the filter

CHECKED_IN_VALUES = {"yes": True, "no": False}
STATUS_VALUES = ("active", *[s.value for s in RegistrationStatus])
ORGANIZATION_TYPE_VALUES = tuple(t.value for t in OrganizationType)
MAX_SEARCH = 100


@dataclass(frozen=True)
class RegistrantFilter:
    """What the list, the API and the exports select and how they order it (all validated)."""

    q: str = ""
    statuses: tuple[str, ...] = ()
    ticket_type_ids: tuple[int, ...] = ()
    session_id: int | None = None
    day_id: int | None = None  # per-day registration: those holding a seat of this session
    organization_types: tuple[str, ...] = ()
    prefectures: tuple[str, ...] = ()
    checked_in: bool | None = None
    created_from: date | None = None
    created_to: date | None = None
    sort: str = "created_at"
    descending: bool = False
    columns: tuple[str, ...] = field(default=DEFAULT_LIST_COLUMNS)

    @property
    def search(self) -> str:
        return search_key(self.q)

    def as_params(self, *, with_columns: bool = True, with_sort: bool = True) -> dict[str, str]:
        """The query parameters that give this filter back (links, the export log)."""
        params: dict[str, str] = {}
        if self.q:
            params["q"] = self.q
        if self.statuses:
            params["status"] = ",".join(self.statuses)
        if self.ticket_type_ids:
            params["ticket_type"] = ",".join(str(i) for i in self.ticket_type_ids)
        if self.session_id:
            params["session"] = str(self.session_id)
        if self.day_id:
            params["day"] = str(self.day_id)
        if self.organization_types:
            params["organization_type"] = ",".join(self.organization_types)
        if self.prefectures:
            params["prefecture"] = ",".join(self.prefectures)
        if self.checked_in is not None:
            params["checked_in"] = "yes" if self.checked_in else "no"
        if self.created_from:
            params["created_from"] = self.created_from.isoformat()
        if self.created_to:
            params["created_to"] = self.created_to.isoformat()
        if with_sort and (self.sort != "created_at" or self.descending):
            params["sort"] = ("-" if self.descending else "") + self.sort
        if with_columns:
            params["columns"] = ",".join(self.columns)
        return params

    @property
    def status_values(self) -> tuple[str, ...]:
        """The statuses asked for, ``active`` spelled out."""
        out: list[str] = []
        for s in self.statuses:
            for value in ([a.value for a in ACTIVE_REGISTRATION_STATUSES] if s == "active" else [s]):
                if value not in out:
                    out.append(value)
        return tuple(out)


#: Parameters whose empty parts are an error in strict mode (the API); forms send empty choices.
_STRICT = ("status", "ticket_type", "session", "day", "organization_type", "prefecture", "checked_in", "created_from",
           "created_to", "sort", "columns")
_EMPTY = "\x00empty"


def _values(getlist: Callable[[str], list[str]], name: str, strict: bool = False) -> list[str]:
    """Repeated parameters and comma-separated ones alike: ?status=a&status=b == ?status=a,b."""
    out: list[str] = []
    for raw in getlist(name):
        for part in (raw or "").split(","):
            part = part.strip()
            if not part and strict:
                part = _EMPTY  # never a valid value: reported as an error
            if part and part not in out:
                out.append(part)
    return out


def _ids(values: list[str]) -> list[int] | None:
    if not all(v.isascii() and v.isdigit() and len(v) <= 9 for v in values):
        return None
    return [int(v) for v in values]


def _date(value: str) -> date | None:
    if not re.fullmatch(r"(19|[2-8]\d|9[0-8])\d\d-\d{2}-\d{2}", value):  # years 1900-9998
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse(getlist: Callable[[str], list[str]], *, ticket_type_ids: Iterable[int], session_ids: Iterable[int],
          question_ids: Iterable[int], default_columns: tuple[str, ...] = DEFAULT_LIST_COLUMNS,
          strict: bool = False, withheld_columns: Iterable[str] = ()) -> tuple[RegistrantFilter, dict[str, list[str]]]:
    """Read the filter from query parameters (``getlist(name) -> [values]``).

    ``strict`` (the API): an empty value is an error; forms send empty choices for "all".
    ``withheld_columns``: columns this user may not have (a viewer: the members' names); asked
    for, they are unknown columns.

    Returns the filter and the errors per parameter (messages to translate; ``%(values)s``
    is filled by ``error_values``). A parameter in error is left out of the filter.
    """
    errors: dict[str, list[str]] = {}
    kwargs: dict = {}
    _raw_getlist = getlist

    def values(name: str) -> list[str]:
        return _values(_raw_getlist, name, strict and name in _STRICT)

    q = " ".join(getlist("q")).strip()
    if len(q) > MAX_SEARCH:
        errors["q"] = [N_("Search for 100 characters at most.")]
    elif has_bad_characters(q):
        errors["q"] = [N_("Remove the control characters.")]
    elif q:
        kwargs["q"] = q

    def codes(name: str, allowed: Iterable[str], key: str) -> None:
        found = values(name)
        allowed = tuple(allowed)
        if any(v not in allowed for v in found):
            errors[name] = [N_("Use one of: %(values)s.")]
        elif found:
            kwargs[key] = tuple(found)

    codes("status", STATUS_VALUES, "statuses")
    codes("organization_type", ORGANIZATION_TYPE_VALUES, "organization_types")
    codes("prefecture", PREFECTURES, "prefectures")

    tt_values = values("ticket_type")
    tt_ids = _ids(tt_values)
    known_tt = set(ticket_type_ids)
    if tt_ids is None or any(i not in known_tt for i in tt_ids):
        errors["ticket_type"] = [N_("Use the id of one of this event's ticket types.")]
    elif tt_ids:
        kwargs["ticket_type_ids"] = tuple(tt_ids)

    session_values = values("session")
    session = _ids(session_values)
    if session is None or len(session) > 1 or (session and session[0] not in set(session_ids)):
        errors["session"] = [N_("Use the id of one of this event's sessions.")]
    elif session:
        kwargs["session_id"] = session[0]

    day = _ids(values("day"))
    if day is None or len(day) > 1 or (day and day[0] not in set(session_ids)):
        errors["day"] = [N_("Use the id of one of this event's sessions.")]
    elif day:
        kwargs["day_id"] = day[0]

    checked_in = values("checked_in")
    if len(checked_in) > 1 or (checked_in and checked_in[0].lower() not in CHECKED_IN_VALUES):
        errors["checked_in"] = [N_("Use yes or no.")]
    elif checked_in:
        kwargs["checked_in"] = CHECKED_IN_VALUES[checked_in[0].lower()]

    for name in ("created_from", "created_to"):
        found = values(name)
        parsed = _date(found[0]) if len(found) == 1 else None
        if found and parsed is None:
            errors[name] = [N_("Enter a date as YYYY-MM-DD.")]
        elif parsed:
            kwargs[name] = parsed
    if kwargs.get("created_from") and kwargs.get("created_to") and kwargs["created_from"] > kwargs["created_to"]:
        errors["created_to"] = [N_("The end date is before the start date.")]
        del kwargs["created_to"]

    withheld = set(withheld_columns)
    available = tuple(c for c in available_columns(question_ids) if c not in withheld)
    sort = values("sort")
    if sort:
        key = sort[0].lstrip("-")
        if len(sort) > 1 or key not in available:
            errors["sort"] = [N_("Use one of: %(values)s.")]
        else:
            kwargs["sort"], kwargs["descending"] = key, sort[0].startswith("-")

    columns = values("columns")
    unknown = [c for c in columns if c not in available]
    if unknown:
        errors["columns"] = [N_("Unknown columns: %(unknown)s. Use some of: %(values)s.")]
    kwargs["columns"] = tuple(c for c in columns if c in available) or tuple(
        c for c in default_columns if c in available)
    return RegistrantFilter(**kwargs), errors


def error_values(name: str, *, question_ids: Iterable[int], unknown_columns: Iterable[str] = ()) -> dict[str, str]:
    """The values to fill into a parameter's error message."""
    allowed = {
        "status": STATUS_VALUES,
        "organization_type": ORGANIZATION_TYPE_VALUES,
        "prefecture": ("01", "…", "47"),
        "sort": available_columns(question_ids),
        "columns": available_columns(question_ids),
    }.get(name, ())
    return {"values": ", ".join(allowed), "unknown": ", ".join(unknown_columns)}


def unknown_columns(getlist: Callable[[str], list[str]], question_ids: Iterable[int]) -> list[str]:
    available = available_columns(question_ids)
    return [c for c in _values(getlist, "columns", True) if c not in available and c != _EMPTY]
