"""Event management transactions: create, edit, sessions, 参加枠, publish, cancel, copy.

Every function takes the acting organizer and `now`, validates, changes the rows,
writes an AuditLog row and flushes. The caller (a view, the API, a CLI command)
commits. Bad input raises ``ValidationError`` (messages per field); a rule that
refuses the change raises ``ServiceError``.

Input is a plain mapping (or a dataclass). Datetimes may be aware datetimes or
ISO 8601 strings; a value without a time zone is read as Japan time.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from app import notifications
from app.domain import events as rules
from app.domain import join_links, session_choice, text_input
from app.domain.codes import (
    PREFECTURES,
    AdmissionMode,
    ApprovalOverflow,
    EventCategory,
    EventFormat,
    EventStatus,
    QuestionKind,
)
from app.extensions import db
from app.models import (
    Event,
    EventOldSlug,
    EventSeries,
    EventSession,
    Organizer,
    Question,
    Registration,
    ReminderRule,
    SessionChoice,
    TicketType,
)
from app.services import audit, locks, lottery, schedule_mail, session_choices
from app.services import registrations as registration_service
from app.services.errors import ServiceError, ValidationError

URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)

#: Event fields that `create_event` / `update_event` accept, with their maximum length
#: (app.domain.text_input: the same numbers as the columns, the forms and the OpenAPI document).
TEXT_FIELDS: dict[str, int | None] = {
    key: text_input.EVENT_LENGTHS[key]
    for key in ("title", "summary", "description", "title_en", "summary_en", "description_en", "venue", "address", "organizer_name", "co_organizers",
                "contact", "consent_text")
}
#: Earliest and latest year accepted in a date (a typo such as 0202 or 20266 is refused).
MIN_YEAR, MAX_YEAR = 1900, 9998
EVENT_FIELDS = (
    "slug", "title", "summary", "description", "title_en", "summary_en", "description_en", "category", "format", "venue", "address", "prefecture",
    "online_url", "organizer_name", "co_organizers", "contact", "registration_opens_at",
    "registration_closes_at", "admission_mode", "waitlist_enabled", "one_per_organization", "consent_text",
    "join_opens_minutes", "completion_min_sessions", "approval_overflow", "choose_sessions",
)
MAX_DAYS_BEFORE = 365
#: The lottery's settings (used when the event is a 抽選; app.services.lottery), accepted beside EVENT_FIELDS.
LOTTERY_FIELDS = ("lottery_draw_at", "lottery_losers", "lottery_confirm_days", "lottery_priority_prefectures",
                  "lottery_first_come")
#: Teams' settings (app.domain.teams), accepted beside EVENT_FIELDS.
TEAM_FIELDS = ("team_mode", "team_min_members", "team_max_members", "team_consent_text", "team_edit_closes_at",
               "team_erase_days")


# ---------------------------------------------------------------------------
# small helpers


def _as_mapping(data: Any) -> Mapping[str, Any]:
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        return dataclasses.asdict(data)
    if not isinstance(data, Mapping):
        raise ValidationError({"_": [_("The data must be an object.")]})
    return data


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _items(data: Mapping[str, Any], key: str, errors: _Errors) -> list[Mapping[str, Any]]:
    """A list of objects (sessions, 参加枠, ...); anything else is reported, not crashed on."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, Mapping) for v in value):
        errors.add(key, _("Give a list of objects."))
        return []
    return list(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "\n".join(text_input.as_text(v) for v in value if text_input.as_text(v))
    return text_input.as_text(value)


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on", "y"}
    return bool(value)


def _datetime(value: Any, key: str, errors: _Errors) -> datetime | None:
    """An aware UTC datetime from a datetime or an ISO string; naive means Japan time."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            errors.add(key, _("Enter a date and time like 2026-07-12T13:30."))
            return None
    if not isinstance(value, datetime):
        errors.add(key, _("Enter a date and time like 2026-07-12T13:30."))
        return None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        errors.add(key, _("Enter a year between %(min)d and %(max)d.", min=MIN_YEAR, max=MAX_YEAR))
        return None
    return rules.jst_to_utc(value)


def _int(value: Any, key: str, errors: _Errors, *, minimum: int = 0, maximum: int | None = None) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        errors.add(key, _("Enter a whole number."))
        return None
    text = str(int(value)) if isinstance(value, float) else str(value).strip()
    if len(text) > 20:  # int() of a 100,000-digit string is slow; no capacity is that large
        errors.add(key, _("Enter a number of at most %(max)d.", max=maximum or text_input.MAX_INT4))
        return None
    try:
        number = int(text)
    except (TypeError, ValueError):
        errors.add(key, _("Enter a whole number."))
        return None
    if number < minimum:
        errors.add(key, _("Enter a number of at least %(min)d.", min=minimum))
        return None
    if maximum is not None and number > maximum:
        errors.add(key, _("Enter a number of at most %(max)d.", max=maximum))
        return None
    return number


def _check_length(value: str, key: str, limit: int | None, errors: _Errors, *, multiline: bool = False) -> None:
    """Too long, or with characters no field takes (NUL, controls; line breaks in a one-line field)."""
    problem = text_input.character_error(value, multiline=multiline)
    if problem is not None:
        errors.add(key, _(problem))
    if len(value) > (limit if limit is not None else text_input.LONG_TEXT_MAX):
        errors.add(key, _("Use at most %(n)d characters.", n=limit or text_input.LONG_TEXT_MAX))


def _audit(action: str, *, actor: Organizer | None, now: datetime, event: Event | None = None,
           **data: Any) -> None:
    audit.record(action, actor=actor, now=now, event_id=event.id if event is not None else None, data=data,
                 actor_label="" if actor is not None else "system")


def _retire_slug(event: Event, new_slug: str, now: datetime) -> None:
    """Keep the event's current address so that links to it redirect to `new_slug` (the event's
    lock is held). The new address stops being anyone's old one: a slug in use always wins."""
    db.session.execute(delete(EventOldSlug).where(EventOldSlug.slug.in_([event.slug, new_slug])))
    db.session.add(EventOldSlug(slug=event.slug, event_id=event.id, retired_at=now))


def moved_event(slug: str) -> Event | None:
    """The event that had this address before its organizer changed it, if any."""
    return db.session.scalar(select(Event).join(EventOldSlug, EventOldSlug.event_id == Event.id)
                             .where(EventOldSlug.slug == slug))


def _slug_taken(slug: str, exclude_id: int | None = None) -> bool:
    """In use by another event, or once its address (old links to it keep leading there)."""
    query = select(Event.id).where(Event.slug == slug)
    old = select(EventOldSlug.event_id).where(EventOldSlug.slug == slug)
    if exclude_id is not None:
        query = query.where(Event.id != exclude_id)
        old = old.where(EventOldSlug.event_id != exclude_id)
    return db.session.scalar(query) is not None or db.session.scalar(old) is not None


def _lock_event(event: Event) -> Event:
    """Lock the event row exclusively and re-read it (app.services.locks, step 1)."""
    db.session.flush()
    return locks.event(event.id, exclusive=True)


def sync_starts_at(event: Event) -> None:
    """Keep `Event.starts_at` equal to the earliest session's start."""
    event.starts_at = rules.earliest(s.starts_at for s in event.sessions)


# ---------------------------------------------------------------------------
# validation


def _clean_event_fields(data: Mapping[str, Any], errors: _Errors, *, partial: bool,
                        event: Event | None = None) -> dict[str, Any]:
    """The event's own fields, checked. With `partial`, only the keys present."""
    out: dict[str, Any] = {}

    def present(key: str) -> bool:
        return not partial or key in data

    for key, limit in TEXT_FIELDS.items():
        if present(key):
            value = _text(data.get(key))
            if key == "co_organizers":
                value = "\n".join(rules.split_lines(value))
            _check_length(value, key, limit, errors, multiline=key in text_input.MULTILINE_FIELDS)
            out[key] = value
    if "title" in out and not out["title"]:
        errors.add("title", _("Enter a title."))

    if present("slug"):
        slug = _text(data.get("slug")).lower()
        if slug:
            if len(slug) > text_input.EVENT_LENGTHS["slug"] or not rules.is_valid_slug(slug):
                errors.add("slug", _("Use only lower-case letters a-z, digits and hyphens (-)."))
            elif _slug_taken(slug, exclude_id=event.id if event is not None else None):
                errors.add("slug", _("Another event already uses this URL name."))
            out["slug"] = slug
        elif partial and event is not None:
            pass  # keep the current slug
        else:
            out["slug"] = ""  # made from the title below

    for key, enum, default in (
        ("category", EventCategory, EventCategory.SEMINAR),
        ("format", EventFormat, EventFormat.IN_PERSON),
        ("admission_mode", AdmissionMode, AdmissionMode.FIRST_COME),
        ("approval_overflow", ApprovalOverflow, ApprovalOverflow.REFUSE),
    ):
        if present(key):
            value = _text(data.get(key)) or (None if partial else default.value)
            if value is None:
                continue
            if value not in {m.value for m in enum}:
                errors.add(key, _("Choose one of the options."))
            out[key] = value

    if present("prefecture"):
        code = _text(data.get("prefecture"))
        if code and code.isdigit() and len(code) == 1:
            code = "0" + code
        if code and code not in PREFECTURES:
            errors.add("prefecture", _("Choose a prefecture from the list."))
            code = ""
        out["prefecture"] = code or None

    if present("online_url"):
        url = _text(data.get("online_url"))
        if url and not URL_RE.match(url):
            errors.add("online_url", _("Enter a web address starting with https://."))
        _check_length(url, "online_url", text_input.EVENT_LENGTHS["online_url"], errors)
        out["online_url"] = url

    for key in ("registration_opens_at", "registration_closes_at"):
        if present(key):
            out[key] = _datetime(data.get(key), key, errors)
    opens = out.get("registration_opens_at", event.registration_opens_at if event is not None else None)
    closes = out.get("registration_closes_at", event.registration_closes_at if event is not None else None)
    if opens is not None and closes is not None and closes <= opens:
        errors.add("registration_closes_at", _("Registration must close after it opens."))

    if present("waitlist_enabled"):
        out["waitlist_enabled"] = _bool(data.get("waitlist_enabled", True))
    if present("one_per_organization"):
        out["one_per_organization"] = _bool(data.get("one_per_organization", False))
    if present("choose_sessions"):
        chooses = _bool(data.get("choose_sessions", False))
        mode = out.get("admission_mode", event.admission_mode if event is not None else AdmissionMode.FIRST_COME)
        if chooses and mode != AdmissionMode.FIRST_COME:
            errors.add("choose_sessions", _(session_choice.REQUIRES_FIRST_COME))
        if event is not None and chooses != bool(event.choose_sessions) and _has_registrations(event.id):
            errors.add("choose_sessions", _(session_choice.LOCKED_SETTING))
        out["choose_sessions"] = chooses
    elif event is not None and event.choose_sessions and out.get("admission_mode", AdmissionMode.FIRST_COME) \
            != AdmissionMode.FIRST_COME:
        errors.add("admission_mode", _(session_choice.REQUIRES_FIRST_COME))
    if present("join_opens_minutes"):
        minutes = _int(data.get("join_opens_minutes"), "join_opens_minutes", errors, minimum=0,
                       maximum=join_links.MAX_OPENS_MINUTES)
        out["join_opens_minutes"] = join_links.DEFAULT_OPENS_MINUTES if minutes is None else minutes
    if present("completion_min_sessions"):
        needed = _int(data.get("completion_min_sessions"), "completion_min_sessions", errors, minimum=1,
                      maximum=1000)
        if needed is not None and event is not None and event.sessions and needed > len(event.sessions):
            errors.add("completion_min_sessions", _("The event has only %(n)d sessions.", n=len(event.sessions)))
        out["completion_min_sessions"] = needed
    _clean_lottery_fields(data, errors, out, present, event)
    _clean_team_fields(data, errors, out, present, event)
    return out


def _clean_team_fields(data, errors: _Errors, out: dict, present, event: Event | None) -> None:
    """Teams: none, team registration or hackathon; members min/max; consent wording; the members'
    edit deadline; erasure N days after the event. The mode is fixed once the event has registrations."""
    from app.domain import teams as team_rules

    if present("team_mode"):
        mode = _text(data.get("team_mode"))
        if mode not in team_rules.TeamMode.ALL:
            errors.add("team_mode", _("Choose one of the options."))
        elif event is not None and mode != (event.team_mode or "") and _has_registrations(event.id):
            errors.add("team_mode", _("The event has registrations: how it takes teams can no longer change."))
        out["team_mode"] = mode
    for key in ("team_min_members", "team_max_members"):
        if present(key):
            out[key] = _int(data.get(key), key, errors, minimum=1, maximum=team_rules.MEMBERS_MAX)
    low = out.get("team_min_members", event.team_min_members if event is not None else None)
    high = out.get("team_max_members", event.team_max_members if event is not None else None)
    if low is not None and high is not None and low > high:
        errors.add("team_max_members", _("The most members must be at least the fewest."))
    if present("team_consent_text"):
        value = _text(data.get("team_consent_text"))
        _check_length(value, "team_consent_text", text_input.LONG_TEXT_MAX, errors, multiline=True)
        out["team_consent_text"] = value
    if present("team_edit_closes_at"):
        out["team_edit_closes_at"] = _datetime(data.get("team_edit_closes_at"), "team_edit_closes_at", errors)
    if present("team_erase_days"):
        out["team_erase_days"] = _int(data.get("team_erase_days"), "team_erase_days", errors, minimum=0,
                                      maximum=3650)


def _clean_lottery_fields(data, errors: _Errors, out: dict, present, event: Event | None) -> None:
    """The lottery's settings: draw time (after applications close), losers lost or waitlisted,
    days to confirm, priority prefectures."""
    from app.domain import lottery as lottery_rules

    if present("lottery_draw_at"):
        out["lottery_draw_at"] = _datetime(data.get("lottery_draw_at"), "lottery_draw_at", errors)
        closes = out.get("registration_closes_at", event.registration_closes_at if event is not None else None)
        if out["lottery_draw_at"] is not None and closes is not None and out["lottery_draw_at"] < closes:
            errors.add("lottery_draw_at", _("The draw must come after applications close."))
    if present("lottery_losers"):
        losers = _text(data.get("lottery_losers")) or lottery_rules.LOSERS_LOST
        if losers not in lottery_rules.LOSERS_CHOICES:
            errors.add("lottery_losers", _("Choose one of the options."))
        out["lottery_losers"] = losers
    if present("lottery_confirm_days"):
        out["lottery_confirm_days"] = _int(data.get("lottery_confirm_days"), "lottery_confirm_days", errors,
                                           minimum=1, maximum=lottery_rules.MAX_CONFIRM_DAYS)
    if present("lottery_priority_prefectures"):
        raw = data.get("lottery_priority_prefectures") or []
        if isinstance(raw, str):
            raw = [p for p in re.split(r"[\s,]+", raw) if p]
        if not isinstance(raw, list | tuple):
            raw = [raw]
        codes = []
        for code in raw:
            code = _text(code)
            if code.isdigit() and len(code) == 1:
                code = "0" + code
            if code not in PREFECTURES:
                errors.add("lottery_priority_prefectures", _("Choose a prefecture from the list."))
            elif code not in codes:
                codes.append(code)
        out["lottery_priority_prefectures"] = sorted(codes)
    if present("lottery_first_come"):
        first_come = _bool(data.get("lottery_first_come", False))
        if first_come and not (event is not None and lottery.all_drawn(event)):
            errors.add("lottery_first_come", _("Seats can be opened first come once every 参加枠 has been drawn."))
        out["lottery_first_come"] = first_come


def _clean_session(data: Mapping[str, Any], errors: _Errors, prefix: str = "") -> dict[str, Any]:
    title = _text(data.get("title"))
    _check_length(title, prefix + "title", text_input.SESSION_LENGTHS["title"], errors)
    venue = _text(data.get("venue"))
    _check_length(venue, prefix + "venue", text_input.SESSION_LENGTHS["venue"], errors)
    starts_at = _datetime(data.get("starts_at"), prefix + "starts_at", errors)
    if starts_at is None and not errors.errors.get(prefix + "starts_at"):
        errors.add(prefix + "starts_at", _("Enter when the session starts."))
    ends_at = _datetime(data.get("ends_at"), prefix + "ends_at", errors)
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        errors.add(prefix + "ends_at", _("The session must end after it starts."))
    values = {"title": title, "venue": venue, "starts_at": starts_at, "ends_at": ends_at,
              "is_online": _bool(data.get("is_online", False))}
    if "capacity" in data:  # a day's own capacity (events whose registrants choose days)
        values["capacity"] = _int(data.get("capacity"), prefix + "capacity", errors, minimum=0, maximum=1_000_000)
    return values


def _has_registrations(event_id: int) -> bool:
    return db.session.scalar(select(Registration.id).where(Registration.event_id == event_id).limit(1)) is not None


def _clean_ticket_type(data: Mapping[str, Any], errors: _Errors, prefix: str = "") -> dict[str, Any]:
    name = _text(data.get("name"))
    if not name:
        errors.add(prefix + "name", _("Enter a name for the 参加枠."))
    _check_length(name, prefix + "name", text_input.TICKET_TYPE_LENGTHS["name"], errors)
    description = _text(data.get("description"))
    _check_length(description, prefix + "description", text_input.TICKET_TYPE_LENGTHS["description"], errors,
                  multiline=True)
    capacity = _int(data.get("capacity"), prefix + "capacity", errors, minimum=0, maximum=1_000_000)
    values = {"name": name, "description": description, "capacity": capacity}
    if "member_capacity" in data:  # team events: members of confirmed teams at most (app.services.teams)
        values["member_capacity"] = _int(data.get("member_capacity"), prefix + "member_capacity", errors,
                                         minimum=0, maximum=1_000_000)
    return values


def _clean_question(data: Mapping[str, Any], errors: _Errors, prefix: str = "") -> dict[str, Any]:
    kind = _text(data.get("kind")) or QuestionKind.TEXT.value
    if kind not in {k.value for k in QuestionKind}:
        errors.add(prefix + "kind", _("Choose one of the options."))
    label = _text(data.get("label"))
    if not label:
        errors.add(prefix + "label", _("Enter the question."))
    _check_length(label, prefix + "label", text_input.QUESTION_LENGTHS["label"], errors)
    help_text = _text(data.get("help_text"))
    _check_length(help_text, prefix + "help_text", text_input.QUESTION_LENGTHS["help_text"], errors)
    raw_choices = data.get("choices")
    choices = rules.split_lines(raw_choices if isinstance(raw_choices, str) else _text(raw_choices))
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(choices) < 2:
            errors.add(prefix + "choices", _("Enter at least two choices, one per line."))
        elif len(choices) > text_input.MAX_CHOICES:
            errors.add(prefix + "choices", _("Use at most %(n)d choices.", n=text_input.MAX_CHOICES))
        for choice in choices:
            _check_length(choice, prefix + "choices", text_input.CHOICE_MAX, errors)
    else:
        choices = []
    return {"kind": kind, "label": label, "help_text": help_text, "choices": choices,
            "required": _bool(data.get("required", False))}


def _clean_reminder(data: Mapping[str, Any], errors: _Errors, prefix: str = "") -> dict[str, Any]:
    days = _int(data.get("days_before"), prefix + "days_before", errors, minimum=0, maximum=MAX_DAYS_BEFORE)
    if days is None and not errors.errors.get(prefix + "days_before"):
        errors.add(prefix + "days_before", _("Enter how many days before the event."))
    send_time = _text(data.get("send_time")) or "10:00"
    if len(send_time) == 4 and send_time[1] == ":":
        send_time = "0" + send_time
    if not rules.is_valid_time(send_time):
        errors.add(prefix + "send_time", _("Enter a time like 10:00."))
    session_id = data.get("session_id")
    if session_id in ("", None):
        session_id = None
    else:
        session_id = _int(session_id, prefix + "session_id", errors, minimum=1, maximum=text_input.MAX_INT4)
    return {"days_before": days, "send_time": send_time, "session_id": session_id}


# ---------------------------------------------------------------------------
# events


def create_event(data: Any, actor: Organizer | None, now: datetime) -> Event:
    """A new draft event, with optional sessions, 参加枠, questions and reminder rules.

    `data` holds the event fields plus lists `sessions`, `ticket_types` and
    optionally `questions` and `reminder_rules` (default: 7 and 1 days before at 10:00).
    """
    data = _as_mapping(data)
    errors = _Errors()
    fields = _clean_event_fields(data, errors, partial=False)
    sessions = [_clean_session(s, errors, f"sessions.{i}.")
                for i, s in enumerate(_items(data, "sessions", errors))]
    tickets = [_clean_ticket_type(t, errors, f"ticket_types.{i}.")
               for i, t in enumerate(_items(data, "ticket_types", errors))]
    questions = [_clean_question(q, errors, f"questions.{i}.")
                 for i, q in enumerate(_items(data, "questions", errors))]
    if data.get("reminder_rules") is None:
        reminders = [{"days_before": d, "send_time": t} for d, t in rules.DEFAULT_REMINDERS]
    else:
        reminders = [_clean_reminder(r, errors, f"reminder_rules.{i}.")
                     for i, r in enumerate(_items(data, "reminder_rules", errors))]
        for i, r in enumerate(reminders):
            if r.pop("session_id") is not None:
                errors.add(f"reminder_rules.{i}.session_id",
                           _("Reminders for one session can be added once the event exists."))
        days = [r["days_before"] for r in reminders if r["days_before"] is not None]
        if len(days) != len(set(days)):
            errors.add("reminder_rules", _("Each reminder needs a different number of days."))
    errors.raise_if_any()

    first_start = rules.earliest(s["starts_at"] for s in sessions)
    if not fields.get("slug"):
        fields["slug"] = rules.unique_slug(rules.base_slug(fields["title"], first_start, fields.get("category")), _slug_taken)
    event = Event(status=EventStatus.DRAFT, created_by_id=actor.id if actor else None,
                  created_at=now, updated_at=now, **fields)
    for s in sessions:
        event.sessions.append(EventSession(**s))
    for i, t in enumerate(tickets):
        event.ticket_types.append(TicketType(position=i, confirmed_count=0, **t))
    for i, q in enumerate(questions):
        event.questions.append(Question(position=i, **q))
    for r in reminders:
        event.reminder_rules.append(ReminderRule(**r))
    sync_starts_at(event)
    db.session.add(event)
    db.session.flush()
    _audit("event.created", actor=actor, now=now, event=event, slug=event.slug)
    lottery.commit_seed(event, now=now, actor=actor)
    db.session.flush()
    return event


def update_event(event: Event, data: Any, actor: Organizer | None, now: datetime) -> Event:
    """Change the event's own fields (those present in `data`); sessions and 参加枠 have their own calls."""
    data = _as_mapping(data)
    errors = _Errors()
    fields = _clean_event_fields(data, errors, partial=True, event=event)
    errors.raise_if_any()
    if fields.get("slug") == "":
        fields["slug"] = event.slug
    event = _lock_event(event)
    _refuse_team_sizes_outside(event, fields)
    changed = sorted(k for k, v in fields.items() if getattr(event, k) != v)
    if "slug" in changed:
        _retire_slug(event, fields["slug"], now)
    for key, value in fields.items():
        setattr(event, key, value)
    event.updated_at = now
    _audit("event.updated", actor=actor, now=now, event=event, fields=changed)
    lottery.commit_seed(event, now=now, actor=actor)
    db.session.flush()
    if "admission_mode" in changed:
        # Back to first come: free seats go to whoever waits, before any newcomer.
        registration_service.promote_all(event, now=now, actor=actor)
    return event


def _refuse_team_sizes_outside(locked_event: Event, fields: dict) -> None:
    """A team event's fewest / most members per team never leave a registered team outside them, nor
    the most a hackathon team (decided under the event's exclusive lock: a team's members change under
    its shared one, a hackathon team's under the team's lock after the event's)."""
    from app.domain.teams import TeamMode
    from app.services import teams

    mode = fields.get("team_mode", locked_event.team_mode)
    if mode not in (TeamMode.TEAM, TeamMode.HACKATHON):
        return
    low = fields.get("team_min_members", locked_event.team_min_members)
    high = fields.get("team_max_members", locked_event.team_max_members)
    if low == locked_event.team_min_members and high == locked_event.team_max_members:
        return
    sizes = teams.active_team_sizes(locked_event.id)
    errors = _Errors()
    if mode == TeamMode.HACKATHON:
        low = None  # a hackathon team grows one member at a time: only the most per team binds it
    if low is not None and (smaller := [n for n in sizes if n < low]):
        errors.add("team_min_members", _(
            "%(teams)d registered teams have fewer members than this (the smallest has %(n)d). "
            "Ask them to add members first, or keep a lower number.", teams=len(smaller), n=min(smaller)))
    if high is not None and (larger := [n for n in sizes if n > high]):
        errors.add("team_max_members", _(
            "%(teams)d registered teams have more members than this (the largest has %(n)d). "
            "Ask them to remove members first, or keep a higher number.", teams=len(larger), n=max(larger)))
    errors.raise_if_any()


def _require_editable(event: Event) -> None:
    if event.status in (EventStatus.CANCELLED, EventStatus.FINISHED):
        raise ServiceError(_("A cancelled or finished event cannot be changed."), code="event_closed")


# ---------------------------------------------------------------------------
# sessions


def add_session(event: Event, data: Any, actor: Organizer | None, now: datetime) -> EventSession:
    errors = _Errors()
    values = _clean_session(_as_mapping(data), errors)
    errors.raise_if_any()
    event = _lock_event(event)
    _require_editable(event)
    session = EventSession(**values)
    event.sessions.append(session)
    sync_starts_at(event)
    db.session.flush()
    schedule_mail.sessions_changed(event, now)
    _audit("event.session_added", actor=actor, now=now, event=event, session_id=session.id,
           starts_at=session.starts_at.isoformat())
    db.session.flush()
    return session


def update_session(session: EventSession, data: Any, actor: Organizer | None, now: datetime) -> EventSession:
    errors = _Errors()
    values = _clean_session(_as_mapping(data), errors)
    errors.raise_if_any()
    event = _lock_event(session.event)
    _require_editable(event)
    old_capacity = session.capacity
    if "capacity" in values:
        locks.sessions([session.id])  # the day's row, re-read (the event is held exclusively)
        new_capacity = values["capacity"]
        if new_capacity is not None and new_capacity < session.confirmed_count:
            raise ValidationError({"capacity": [_(
                "The capacity cannot be lower than the %(n)d confirmed registrations.", n=session.confirmed_count
            )]})
    for key, value in values.items():
        setattr(session, key, value)
    schedule_mail.session_updated(event, session, now)
    sync_starts_at(event)
    _audit("event.session_updated", actor=actor, now=now, event=event, session_id=session.id,
           starts_at=session.starts_at.isoformat(),
           **({"capacity": session.capacity} if session.capacity != old_capacity else {}))
    db.session.flush()
    if event.choose_sessions and session.capacity != old_capacity:
        session_choices.promote(session, now=now, actor=actor)  # more room: the day's line moves up
    return session


def delete_session(session: EventSession, actor: Organizer | None, now: datetime) -> None:
    event = _lock_event(session.event)
    _require_editable(event)
    if event.status != EventStatus.DRAFT and len(event.sessions) <= 1:
        raise ServiceError(_("A published event must keep at least one session."), code="last_session")
    if event.choose_sessions and db.session.scalar(
            select(SessionChoice.id).where(SessionChoice.session_id == session.id).limit(1)) is not None:
        raise ServiceError(_(session_choice.DAY_HAS_REGISTRANTS), code="session_chosen")
    session_id = session.id
    event.sessions.remove(session)
    sync_starts_at(event)
    schedule_mail.sessions_changed(event, now)
    _audit("event.session_deleted", actor=actor, now=now, event=event, session_id=session_id)
    db.session.flush()


# ---------------------------------------------------------------------------
# 参加枠 (ticket types)


def add_ticket_type(event: Event, data: Any, actor: Organizer | None, now: datetime) -> TicketType:
    errors = _Errors()
    values = _clean_ticket_type(_as_mapping(data), errors)
    errors.raise_if_any()
    event = _lock_event(event)
    _require_editable(event)
    position = max((t.position for t in event.ticket_types), default=-1) + 1
    ticket_type = TicketType(position=position, confirmed_count=0, **values)
    event.ticket_types.append(ticket_type)
    db.session.flush()
    _audit("event.ticket_type_added", actor=actor, now=now, event=event, ticket_type_id=ticket_type.id,
           name=ticket_type.name, capacity=ticket_type.capacity)
    db.session.flush()
    return ticket_type


def update_ticket_type(ticket_type: TicketType, data: Any, actor: Organizer | None, now: datetime) -> TicketType:
    """Rename, describe or resize a 参加枠. Never below its confirmed count, nor its member limit (team events)
    below the members of its confirmed teams; more room promotes the waiting list.

    Locks by the discipline of app.services.locks: the event (shared), then this 参加枠.
    """
    errors = _Errors()
    values = _clean_ticket_type(_as_mapping(data), errors)
    errors.raise_if_any()
    db.session.flush()
    event = locks.event(ticket_type.event_id, exclusive=False)
    _require_editable(event)
    ticket_type = locks.ticket_type(ticket_type.id)
    old_capacity = ticket_type.capacity
    new_capacity = values["capacity"]
    if new_capacity is not None and new_capacity < ticket_type.confirmed_count:
        raise ValidationError({"capacity": [_(
            "The capacity cannot be lower than the %(n)d confirmed registrations.", n=ticket_type.confirmed_count
        )]})
    members = {}
    if values.get("member_capacity") is not None:  # team events: read under this 参加枠's lock, as members change
        from app.services import teams

        taken = teams.members_confirmed(ticket_type.id)
        if values["member_capacity"] < taken:
            raise ValidationError({"member_capacity": [_(
                "The member limit cannot be lower than the %(n)d members of the confirmed teams.", n=taken)]})
    if "member_capacity" in values and values["member_capacity"] != ticket_type.member_capacity:
        members = {"member_capacity_from": ticket_type.member_capacity, "member_capacity_to": values["member_capacity"]}
    for key, value in values.items():
        setattr(ticket_type, key, value)
    _audit("event.ticket_type_updated", actor=actor, now=now, event=event,
           ticket_type_id=ticket_type.id, name=ticket_type.name, capacity_from=old_capacity,
           capacity_to=new_capacity, **members)
    db.session.flush()
    registration_service.promote_waitlist(ticket_type, now=now, actor=actor)
    db.session.flush()
    return ticket_type


def delete_ticket_type(ticket_type: TicketType, actor: Organizer | None, now: datetime) -> None:
    event = _lock_event(ticket_type.event)
    _require_editable(event)
    registrations = db.session.scalar(
        select(func.count(Registration.id)).where(Registration.ticket_type_id == ticket_type.id)
    )
    if registrations:
        raise ServiceError(_(
            "This 参加枠 has %(n)d registrations and cannot be deleted. Lower its capacity or rename it instead.",
            n=registrations,
        ), code="ticket_type_in_use")
    if event.status != EventStatus.DRAFT and len(event.ticket_types) <= 1:
        raise ServiceError(_("A published event must keep at least one 参加枠."), code="last_ticket_type")
    ticket_type_id, name = ticket_type.id, ticket_type.name
    event.ticket_types.remove(ticket_type)
    _audit("event.ticket_type_deleted", actor=actor, now=now, event=event, ticket_type_id=ticket_type_id, name=name)
    db.session.flush()


# ---------------------------------------------------------------------------
# status


def publish_problems(event: Event) -> list[str]:
    """Human messages: why this event cannot be published yet (empty when it can)."""
    messages = {
        "title": _("Give the event a title."),
        "sessions": _("Add at least one session (date and time)."),
        "ticket_types": _("Add at least one 参加枠."),
    }
    codes = rules.publish_problems(title=event.title, session_count=len(event.sessions),
                                   ticket_type_count=len(event.ticket_types))
    return [messages[c] for c in codes]


def publish(event: Event, actor: Organizer | None, now: datetime) -> Event:
    """Open a draft (or a postponed event with its new dates) to the public."""
    event = _lock_event(event)
    if event.status not in (EventStatus.DRAFT, EventStatus.POSTPONED):
        raise ServiceError(_("Only a draft or a postponed event can be published."), code="bad_status")
    problems = publish_problems(event)
    if problems:
        raise ServiceError(_("The event cannot be published yet: %(why)s", why=" ".join(problems)),
                           code="not_ready")
    previous = event.status
    event.status = EventStatus.PUBLISHED
    if previous == EventStatus.POSTPONED:
        event.status_reason = ""
    event.updated_at = now
    _audit("event.published", actor=actor, now=now, event=event, previous=previous)
    lottery.commit_seed(event, now=now, actor=actor)
    schedule_mail.published(event, previous, now)
    db.session.flush()
    if previous == EventStatus.POSTPONED:
        # Seats freed while it was postponed go to the waiting list now.
        registration_service.promote_all(event, now=now, actor=actor)
    return event


def unpublish(event: Event, actor: Organizer | None, now: datetime) -> Event:
    """Back to draft: only while nobody has registered (otherwise cancel or postpone)."""
    event = _lock_event(event)
    if event.status != EventStatus.PUBLISHED:
        raise ServiceError(_("Only a published event can be unpublished."), code="bad_status")
    if registration_service.active_registrations(event.id):
        raise ServiceError(_("People have registered for this event: cancel or postpone it instead, "
                             "so that they are told."), code="has_registrations")
    event.status = EventStatus.DRAFT
    event.updated_at = now
    _audit("event.unpublished", actor=actor, now=now, event=event)
    db.session.flush()
    return event


def _notify_status_changed(event: Event, now: datetime) -> int:
    """Tell every active registrant that the event was cancelled or postponed."""
    registrations = registration_service.active_registrations(event.id)
    for registration in registrations:
        notifications.event_status_changed(event, registration, now)
    return len(registrations)


def _change_status(event: Event, status: EventStatus, reason: str, allowed: tuple[EventStatus, ...],
                   action: str, actor: Organizer | None, now: datetime) -> Event:
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": [_("Enter the reason; it is shown on the event page and in the mail.")]})
    errors = _Errors()
    _check_length(reason, "reason", text_input.LONG_TEXT_MAX, errors, multiline=True)
    errors.raise_if_any()
    event = _lock_event(event)
    if event.status not in allowed:
        raise ServiceError(_("This cannot be done to an event in its current state."), code="bad_status")
    previous = event.status
    event.status = status
    event.status_reason = reason
    event.updated_at = now
    db.session.flush()
    told = _notify_status_changed(event, now)
    _audit(action, actor=actor, now=now, event=event, previous=previous, reason=reason, notified=told)
    db.session.flush()
    return event


def cancel(event: Event, reason: str, actor: Organizer | None, now: datetime) -> Event:
    """中止: the event will not take place. Every active registrant is told."""
    return _change_status(event, EventStatus.CANCELLED, reason,
                          (EventStatus.DRAFT, EventStatus.PUBLISHED, EventStatus.CLOSED, EventStatus.POSTPONED),
                          "event.cancelled", actor, now)


def postpone(event: Event, reason: str, actor: Organizer | None, now: datetime) -> Event:
    """延期: the event will take place later. Every active registrant is told."""
    return _change_status(event, EventStatus.POSTPONED, reason, (EventStatus.PUBLISHED, EventStatus.CLOSED),
                          "event.postponed", actor, now)


# ---------------------------------------------------------------------------
# copy


#: What a new edition may change besides its dates (copy_event's `place`).
EDITION_PLACE_FIELDS = ("title", "title_en", "prefecture", "venue", "address")


def copy_event(source: Event, new_first_start: datetime, actor: Organizer | None, now: datetime,
               place: Mapping[str, Any] | None = None) -> Event:
    """A new draft edition of `source`, every date moved so that the first session starts at `new_first_start`.

    Sessions and the registration window move by the same amount. `place` may give the
    edition's prefecture, venue and address (another prefecture of a series held in
    several places), and its title; sessions that named the old venue get the new one.
    """
    errors = _Errors()
    if new_first_start is None or new_first_start.tzinfo is None:
        errors.add("first_start", _("Enter when the first session of the new edition starts."))
    fields = _clean_event_fields({k: v for k, v in (place or {}).items() if k in EDITION_PLACE_FIELDS},
                                 errors, partial=True)
    errors.raise_if_any()
    offset = rules.copy_offset(source.starts_at or rules.earliest(s.starts_at for s in source.sessions),
                               new_first_start)
    if source.series_id is None:
        series_slug = rules.unique_slug(
            rules.copy_slug(source.slug, None),
            lambda s: db.session.scalar(select(EventSeries.id).where(EventSeries.slug == s)) is not None,
        )
        series = EventSeries(slug=series_slug[:100], name=source.title, created_at=now)
        db.session.add(series)
        source.series = series
        db.session.flush()
    slug = rules.unique_slug(rules.copy_slug(source.slug, new_first_start), _slug_taken)
    copy = Event(
        slug=slug,
        status=EventStatus.DRAFT,
        status_reason="",
        copied_from_id=source.id,
        series_id=source.series_id,
        created_by_id=actor.id if actor else None,
        created_at=now,
        updated_at=now,
        registration_opens_at=rules.shift(source.registration_opens_at, offset),
        registration_closes_at=rules.shift(source.registration_closes_at, offset),
        **{k: fields.get(k, getattr(source, k)) for k in EVENT_FIELDS
           if k not in ("slug", "registration_opens_at", "registration_closes_at")},
        # the lottery's settings, but a new draw time to choose and a new seed of its own (committed below)
        **{k: getattr(source, k) for k in LOTTERY_FIELDS if k not in ("lottery_draw_at", "lottery_first_come")},
        **{k: getattr(source, k) for k in TEAM_FIELDS if k != "team_edit_closes_at"},
    )
    session_map: dict[int, EventSession] = {}
    for s in source.sessions:
        venue = fields["venue"] if "venue" in fields and s.venue == source.venue else s.venue
        new = EventSession(title=s.title, starts_at=s.starts_at + offset, ends_at=rules.shift(s.ends_at, offset),
                           venue=venue, is_online=s.is_online, capacity=s.capacity)
        copy.sessions.append(new)
        session_map[s.id] = new
    for t in source.ticket_types:
        copy.ticket_types.append(TicketType(position=t.position, name=t.name, description=t.description,
                                            capacity=t.capacity, confirmed_count=0))
    for q in source.questions:
        copy.questions.append(Question(position=q.position, kind=q.kind, label=q.label, help_text=q.help_text,
                                       choices=list(q.choices or []), required=q.required))
    for r in source.reminder_rules:
        copy.reminder_rules.append(ReminderRule(days_before=r.days_before, send_time=r.send_time,
                                                session=session_map.get(r.session_id) if r.session_id else None))
    sync_starts_at(copy)
    db.session.add(copy)
    db.session.flush()
    _audit("event.copied", actor=actor, now=now, event=copy, source_id=source.id,
           offset_days=offset / timedelta(days=1), place=sorted(k for k in fields if fields[k] != getattr(source, k)))
    lottery.commit_seed(copy, now=now, actor=actor)
    db.session.flush()
    return copy


# ---------------------------------------------------------------------------
# questions and reminder rules


def add_question(event: Event, data: Any, actor: Organizer | None, now: datetime) -> Question:
    errors = _Errors()
    values = _clean_question(_as_mapping(data), errors)
    errors.raise_if_any()
    event = _lock_event(event)
    _require_editable(event)
    position = max((q.position for q in event.questions), default=-1) + 1
    question = Question(position=position, **values)
    event.questions.append(question)
    db.session.flush()
    _audit("event.question_added", actor=actor, now=now, event=event, question_id=question.id, label=question.label)
    db.session.flush()
    return question


def delete_question(question: Question, actor: Organizer | None, now: datetime) -> None:
    event = _lock_event(question.event)
    _require_editable(event)
    question_id, label = question.id, question.label
    event.questions.remove(question)
    _audit("event.question_deleted", actor=actor, now=now, event=event, question_id=question_id, label=label)
    db.session.flush()


def add_reminder_rule(event: Event, data: Any, actor: Organizer | None, now: datetime) -> ReminderRule:
    errors = _Errors()
    values = _clean_reminder(_as_mapping(data), errors)
    errors.raise_if_any()
    event = _lock_event(event)
    _require_editable(event)
    if values["session_id"] is not None and values["session_id"] not in {s.id for s in event.sessions}:
        raise ValidationError({"session_id": [_("Choose a session of this event.")]})
    if any(r.days_before == values["days_before"] and r.session_id == values["session_id"]
           for r in event.reminder_rules):
        raise ValidationError({"days_before": [_("There is already a reminder that many days before.")]})
    rule = ReminderRule(**values)
    event.reminder_rules.append(rule)
    db.session.flush()
    _audit("event.reminder_added", actor=actor, now=now, event=event, reminder_rule_id=rule.id,
           days_before=rule.days_before, send_time=rule.send_time)
    db.session.flush()
    return rule


def delete_reminder_rule(rule: ReminderRule, actor: Organizer | None, now: datetime) -> None:
    event = _lock_event(rule.event)
    _require_editable(event)
    rule_id, days = rule.id, rule.days_before
    event.reminder_rules.remove(rule)
    _audit("event.reminder_deleted", actor=actor, now=now, event=event, reminder_rule_id=rule_id, days_before=days)
    db.session.flush()
