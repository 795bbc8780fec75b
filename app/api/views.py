"""The API's endpoints. Thin: read the JSON, call a service, commit, answer JSON.

Status codes (also in the OpenAPI document, `app/api/openapi.py`):
- 400 `bad_request` / `bad_json` / `bad_parameter`: not JSON, not an object, a bad query parameter;
- 401 `unauthorized` (with WWW-Authenticate) for a missing or invalid token, 403 `forbidden` for a viewer writing;
- 404 `not_found`: unknown ids, and draft events for anyone without a token;
- 409: registration refused by a rule. `error` is `full`, `already_registered` (the manage link is
  mailed again, never returned), `organization_already_registered`, or the registration window:
  `not_yet_open` (with `opens_at`), `ended`, `cancelled`, `postponed`; cancelling twice: `already_cancelled`;
- 422 `validation_error` with `errors: {field: [messages]}` (question answers as `answers.<id>`);
- 429 `too_many_requests` past RATELIMIT_REGISTRATION on the public POSTs.
"""
from __future__ import annotations

from flask import current_app, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.api import bp
from app.api import teams as api_teams
from app.api.auth import current_organizer, staff_reader, token_required
from app.api.responses import error_response, int_arg, json_body, validation_error
from app.api.serializers import (
    chosen_sessions_by_registration,
    chosen_sessions_json,
    events_json,
    iso,
    registration_json,
    waitlist_positions,
)
from app.api.validation import check_body
from app.database import reads_first
from app.db_types import utcnow
from app.domain import admission
from app.domain.admission import WindowState
from app.domain.codes import ACTIVE_REGISTRATION_STATUSES, EventStatus, RegistrationStatus
from app.domain.people import normalize_email
from app.domain.registration_input import REQUIRED, clean_registration
from app.domain.text_input import is_safe_key, parse_id
from app.extensions import db, limiter
from app.models import Event
from app.services import registrations as registration_service
from app.services import teams as team_service
from app.services.errors import ServiceError, ValidationError
from app.urls import manage_token, manage_url

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000
LIST_FIELDS = ("sessions", "ticket_types", "questions", "reminder_rules")
PUBLIC_EVENT_STATUSES = tuple(s.value for s in EventStatus if s is not EventStatus.DRAFT)


def registration_limit() -> str:
    return current_app.config.get("RATELIMIT_REGISTRATION") or "120 per minute"


def _language() -> str:
    from app.i18n import current_language

    return current_language()


def _optional_token():
    """On public endpoints a token is optional, but one that is sent must be valid."""
    if request.headers.get("Authorization") and current_organizer() is None:
        return error_response(401, "unauthorized", "auth_invalid", www_authenticate=True)
    return None


def _page_args():
    page = int_arg("page", 1, maximum=MAX_PAGE)
    per_page = int_arg("per_page", DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
    if page is None or per_page is None:
        return None, None, error_response(400, "bad_request", "bad_parameter",
                                          errors={k: [_("Enter a whole number of at least 1.")]
                                                  for k, v in (("page", page), ("per_page", per_page))
                                                  if v is None})
    return page, per_page, None


def _status_args(allowed: tuple[str, ...], default: tuple[str, ...] | None):
    raw = request.args.get("status", "")
    statuses = tuple(s.strip() for s in raw.split(",") if s.strip()) or default
    if statuses and any(s not in allowed for s in statuses):
        return None, error_response(400, "bad_request", "bad_parameter",
                                    errors={"status": [_("Use one of: %(values)s.", values=", ".join(allowed))]})
    return statuses, None


def _paginated(items: list, *, page: int, per_page: int, total: int, endpoint: str, **values):
    from flask import jsonify

    response = jsonify(items=items, page=page, per_page=per_page, total=total)
    links = []
    args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
    if page * per_page < total:
        links.append(f'<{url_for(endpoint, **values, **args, page=page + 1, per_page=per_page, _external=True)}>; '
                     'rel="next"')
    if page > 1:
        links.append(f'<{url_for(endpoint, **values, **args, page=page - 1, per_page=per_page, _external=True)}>; '
                     'rel="prev"')
    if links:
        response.headers["Link"] = ", ".join(links)
    response.headers["X-Total-Count"] = str(total)
    return response


def _event_query():
    return select(Event).options(
        selectinload(Event.sessions), selectinload(Event.ticket_types), selectinload(Event.questions)
    )


# ---------------------------------------------------------------------------
# events


@bp.get("/events")
def list_events():
    refused = _optional_token()
    if refused:
        return refused
    page, per_page, refused = _page_args()
    if refused:
        return refused
    allowed = tuple(s.value for s in EventStatus) if staff_reader() else PUBLIC_EVENT_STATUSES
    statuses, refused = _status_args(allowed, (EventStatus.PUBLISHED.value,))
    if refused:
        return refused
    where = [Event.status.in_(statuses)]
    total = db.session.scalar(select(func.count()).select_from(Event).where(*where)) or 0
    events = db.session.scalars(
        _event_query().where(*where).order_by(Event.starts_at.is_(None), Event.starts_at, Event.id)
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return _paginated(events_json(events, now=utcnow()), page=page, per_page=per_page, total=total,
                      endpoint="api.list_events")


def _visible_event(event_id: int) -> Event | None:
    event = db.session.scalar(_event_query().where(Event.id == event_id))
    if event is None or (event.status == EventStatus.DRAFT and staff_reader() is None):
        return None
    return event


@bp.get("/events/<int:event_id>")
def get_event(event_id: int):
    refused = _optional_token()
    if refused:
        return refused
    event = _visible_event(event_id)
    if event is None:
        return error_response(404, "not_found")
    return events_json([event], now=utcnow())[0]


@bp.post("/events")
@token_required(write=True)
def create_event():
    from app.services import events as event_service

    data = json_body()
    if data is None:
        return error_response(400, "bad_request", "bad_json")
    type_errors = check_body(data, "EventInput")  # the OpenAPI document's types, enums and required fields
    data = dict(data)
    status = data.pop("status", EventStatus.DRAFT.value) or EventStatus.DRAFT.value
    errors = {key: [_("Send a list.")] for key in LIST_FIELDS
              if data.get(key) is not None and not isinstance(data[key], list)}
    if not isinstance(status, str) or status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        errors["status"] = [_("Use draft or published.")]
    if errors:
        return validation_error(errors)
    actor, now = current_organizer(), utcnow()
    try:
        event = event_service.create_event(data, actor, now)
        if type_errors:  # the rules found nothing more: report the types, write nothing
            raise ValidationError({})
        if status == EventStatus.PUBLISHED:
            event = event_service.publish(event, actor, now)
    except ValidationError as exc:
        db.session.rollback()
        return validation_error({**type_errors, **exc.errors})
    except ServiceError as exc:
        db.session.rollback()
        return validation_error({"status": [exc.message]})
    db.session.commit()
    event = db.session.scalar(_event_query().where(Event.id == event.id))
    response = current_app.json.response(events_json([event], now=now)[0])
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_event", event_id=event.id, _external=True)
    return response


# ---------------------------------------------------------------------------
# registrations (public)


def _api_field(name: str) -> str:
    return f"answers.{name[2:]}" if name.startswith("q_") else name


@bp.post("/events/<int:event_id>/registrations")
@limiter.limit(registration_limit)
def register(event_id: int):
    data = json_body()
    if data is None:
        return error_response(400, "bad_request", "bad_json")
    # Refusals (not found, closed, invalid, 満席) are found by reading alone, in one or two
    # queries and without a lock; only a registration that may succeed loads the event.
    now = utcnow()
    email = data.get("email")
    # Only a value the database can compare is looked up (no NUL, no lone surrogate, no megabytes);
    # anything else is reported by the validation below.
    email = normalize_email(email) if is_safe_key(email) and len(email) <= 254 else ""
    category = data.get("category")
    if category not in (None, "") and data.get("ticket_type_id") in (None, ""):
        # A 部門 (applications) is a 参加枠 of the event: named, or by its id.
        from app.api.applications import CATEGORY_UNKNOWN, category_ticket_type_id

        found = category_ticket_type_id(event_id, category)
        if found is None:
            return validation_error({"category": [CATEGORY_UNKNOWN]})
        data = {**data, "ticket_type_id": found}
    ticket_type_id = data.get("ticket_type_id")
    if ticket_type_id not in (None, ""):
        ticket_type_id = parse_id(ticket_type_id) or -1  # 1e400, 2**40, "x": no such 参加枠
    with reads_first(db.session):
        snap = registration_service.snapshot(event_id, email)
        if snap is None or snap.status == EventStatus.DRAFT:
            return error_response(404, "not_found")
        window = snap.window(now)
        if not window.is_open:
            return _window_refusal(window)
        team, team_errors = None, {}
        if snap.team_mode or "team" in data:  # a team's division names its 参加枠
            team, team_errors = api_teams.clean_api_team(db.session.get(Event, event_id), data)
            ticket_type_id = parse_id(data.get("ticket_type_id")) or ticket_type_id
        refusal = snap.refusal(ticket_type_id)
        if refusal is not None:
            return error_response(409, refusal.code, message=_(refusal.message))
        questions = registration_service.question_specs(event_id) if snap.has_questions else []
        session_ids = registration_service.session_ids(event_id) if snap.choose_sessions else None
        clean, errors = clean_registration(data, questions=questions, ticket_type_ids=list(snap.ticket_types),
                                           session_ids=session_ids)
        # The OpenAPI document's types and required fields, then the rules' finer messages per field.
        errors = {**check_body(data, "RegistrationInput"), **{_api_field(k): v for k, v in errors.items()},
                  **team_errors}
        clean.team = team
        if errors:
            return validation_error(errors)
    event = db.session.scalars(  # one query: the mail needs its sessions and 参加枠
        select(Event).where(Event.id == event_id)
        .options(joinedload(Event.ticket_types), joinedload(Event.sessions))
    ).unique().one()
    try:
        result = registration_service.register(event, clean, now=now, language=_language(),
                                               seen=snap.probe_for(clean))
    except registration_service.RegistrationClosed as exc:
        db.session.rollback()
        return _window_refusal(exc.window)
    except ServiceError as exc:  # Full, OrganizationTaken
        db.session.rollback()
        return error_response(409, exc.code, message=_(exc.message))
    if not result.created:
        db.session.commit()  # the manage link mail is in the outbox; the token is never shown here
        return error_response(409, "already_registered")
    registration = result.registration
    position = (registration_service.waitlist_position(registration)
                if registration.status == RegistrationStatus.WAITLISTED else None)
    # Built before the commit, which expires the objects (reading them again would start a new transaction).
    body = {
        "id": registration.id,
        "reference": registration.reference,
        "status": registration.status,
        "ticket_type_id": registration.ticket_type_id,
        "waitlist_position": position,
        "sessions": chosen_sessions_json(registration) if event.choose_sessions else None,
        "team": ({"id": t.id, "name": t.name, "division": registration.ticket_type.name,
                  "member_count": len(t.members)} if (t := team_service.team_of(registration.id)) else None),
        # Derived (never stored): shown once, to the registrant who has just registered.
        "manage_token": (token := manage_token(registration)),
        "manage_url": manage_url(registration, token=token),
    }
    db.session.commit()
    response = current_app.json.response(body)
    response.status_code = 201
    return response


def _window_refusal(window: admission.Window):
    if window.state is WindowState.NOT_PUBLISHED:
        return error_response(404, "not_found")
    extra = {}
    if window.state is WindowState.NOT_YET_OPEN:
        extra["opens_at"] = iso(window.opens_at)
    if window.state is WindowState.ENDED and window.closes_at is not None:
        extra["closed_at"] = iso(window.closes_at)
    return error_response(409, window.state.value, message=_(registration_service.WINDOW_MESSAGES[window.state]),
                          **extra)


@bp.post("/registrations/cancel")
@limiter.limit(registration_limit)
def cancel_registration():
    data = json_body()
    if data is None:
        return error_response(400, "bad_request", "bad_json")
    token = data.get("manage_token")
    if not isinstance(token, str) or not token.strip():
        return validation_error({"manage_token": [REQUIRED]})
    if not is_safe_key(token):
        return error_response(404, "not_found", "unknown_token")
    registration = registration_service.get_by_token(token.strip())
    if registration is None:
        return error_response(404, "not_found", "unknown_token")
    if registration.status not in ACTIVE_REGISTRATION_STATUSES:
        code = "already_cancelled" if registration.status == RegistrationStatus.CANCELLED else "not_active"
        return error_response(409, code)
    try:
        registration = registration_service.cancel(registration, now=utcnow())
    except ServiceError:  # cancelled meanwhile by a concurrent request
        db.session.rollback()
        return error_response(409, "already_cancelled")
    days = chosen_sessions_by_registration([registration]) if registration.event.choose_sessions else {}
    body = registration_json(registration, None, days.get(registration.id))
    db.session.commit()
    return body


# ---------------------------------------------------------------------------
# registrations (organizers)


#: The query parameters of the registrant list and its export (documented in app.api.openapi), and `lang`.
LIST_PARAMETERS = frozenset({
    "q", "status", "ticket_type", "session", "day", "organization_type", "prefecture", "checked_in", "created_from",
    "created_to", "sort", "columns", "page", "per_page", "format", "wareki", "lang",
})


def _list_filter(event: Event, *, default_columns=None):
    """The registrant list's filter from the query (app.domain.registrant_list), or a 400 answer."""
    from app.domain import registrant_list

    question_ids = [q.id for q in event.questions]
    unknown_params = sorted(set(request.args) - LIST_PARAMETERS)
    if unknown_params:  # a misspelt filter must not silently list everyone
        return None, error_response(400, "bad_request", "bad_parameter",
                                    errors={name: [_("Unknown parameter.")] for name in unknown_params})
    kwargs = {"default_columns": default_columns} if default_columns else {}
    f, errors = registrant_list.parse(
        request.args.getlist, ticket_type_ids=[tt.id for tt in event.ticket_types],
        session_ids=[s.id for s in event.sessions], question_ids=question_ids, strict=True, **kwargs)
    if not errors:
        return f, None
    unknown = registrant_list.unknown_columns(request.args.getlist, question_ids)
    messages = {name: [_(m, **registrant_list.error_values(name, question_ids=question_ids,
                                                             unknown_columns=unknown)) for m in msgs]
                for name, msgs in errors.items()}
    extra = {"available_columns": list(registrant_list.available_columns(question_ids))} if unknown else {}
    return None, error_response(400, "bad_request", "bad_parameter", errors=messages, **extra)


@bp.get("/events/<int:event_id>/registrations")
@token_required()
def list_registrations(event_id: int):
    from app.services import registrant_query

    event = db.session.scalar(_event_query().where(Event.id == event_id))
    if event is None:
        return error_response(404, "not_found")
    page, per_page, refused = _page_args()
    if refused:
        return refused
    f, refused = _list_filter(event)
    if refused:
        return refused
    result = registrant_query.page(event, f, page=page, per_page=per_page, with_attendance=False)
    items = result.registrations
    positions = waitlist_positions(items)
    days = chosen_sessions_by_registration(items) if event.choose_sessions else {}
    teams = api_teams.teams_by_registration(items) if event.team_mode else {}
    return _paginated([{**registration_json(r, positions.get(r.id), days.get(r.id)), "team": teams.get(r.id)}
                       for r in items],
                      page=page, per_page=per_page,
                      total=result.total, endpoint="api.list_registrations", event_id=event_id)


@bp.get("/events/<int:event_id>/registrations/export")
@token_required()
def export_registrations(event_id: int):
    import os

    from flask import send_file

    from app.domain.registrant_list import default_export_columns
    from app.services import exports

    event = db.session.scalar(_event_query().where(Event.id == event_id))
    if event is None:
        return error_response(404, "not_found")
    organizer = current_organizer()
    if not exports.may_export(organizer):
        return error_response(403, "forbidden", "export_forbidden")
    fmt_key = request.args.get("format", "csv")
    if fmt_key not in exports.FORMATS:
        return error_response(400, "bad_request", "bad_parameter", errors={
            "format": [_("Use one of: %(values)s.", values=", ".join(exports.FORMATS))]})
    f, refused = _list_filter(event, default_columns=default_export_columns(event.choose_sessions, event.team_mode))
    if refused:
        return refused
    wareki = request.args.get("wareki", "no")
    if wareki not in ("yes", "no"):
        return error_response(400, "bad_request", "bad_parameter", errors={"wareki": [_("Use yes or no.")]})
    now = utcnow()
    fmt = exports.FORMATS[fmt_key]
    db.session.commit()  # the export's reads begin their own transaction (see exports.run)
    log, path = exports.run(event, f, fmt_key, actor=organizer, now=now, via="api", wareki=wareki == "yes")
    headers = {"X-Export-Id": str(log.id), "X-Export-Rows": str(log.row_count),
               "X-Export-Replaced-Cells": str(log.replaced_cells)}
    name = exports.download_name(event, fmt, now)
    db.session.commit()
    stream = open(path, "rb")  # noqa: SIM115 - sent, then closed by the server
    os.unlink(path)  # the open file stays readable; nothing is left on disk
    response = send_file(stream, mimetype=fmt.mimetype, as_attachment=True, download_name=name)
    response.headers.update(headers)
    return response
