"""The OpenAPI 3.1 document of API v1, served at /api/v1/openapi.json.

Kept by hand next to the views; tests/web/test_api_openapi.py checks that every
/api/v1 route of the app is documented with the right methods, and nothing more.
"""
from __future__ import annotations

from functools import cache

from flask import current_app

from app.api import bp
from app.domain import text_input as limits
from app.domain.codes import (
    PREFECTURES,
    AdmissionMode,
    ApprovalOverflow,
    EventCategory,
    EventFormat,
    EventStatus,
    OrganizationType,
    QuestionKind,
    RegistrationStatus,
)

DATETIME = {"type": "string", "format": "date-time",
            "description": "ISO 8601 with offset; answers use Japan time (+09:00)."}
NULLABLE_DATETIME = {"type": ["string", "null"], "format": "date-time"}
#: A time sent in: ISO 8601, with or without an offset (without: Japan time); years 1900-9998.
DATETIME_INPUT = {"type": "string", "format": "date-time", "pattern": r"^(19|[2-8]\d|9[0-8])\d\d-",
                  "description": "ISO 8601 (2026-07-12T13:30:00+09:00); without an offset it is read as "
                                 "Japan time. Years 1900 to 9998."}

# Characters: no control characters anywhere; no line breaks in one-line fields (app.domain.text_input).
_CONTROLS = "\\x00-\\x1f\\x7f-\\x9f\\ufffe\\uffff"
_ONE_LINE = f"[^{_CONTROLS}\\u2028\\u2029]"
ONE_LINE_PATTERN = f"^{_ONE_LINE}*$"
#: One line with at least one character that is not a space (a required name).
NON_BLANK_PATTERN = f"^{_ONE_LINE}*[^\\s{_CONTROLS}\\u2028\\u2029]{_ONE_LINE}*$"
MULTILINE_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ufffe\\uffff]*$"


def text(max_length: int, *, required: bool = False, multiline: bool = False, **extra) -> dict:
    """A text field's schema: its length (the column's) and the characters it takes (null: empty)."""
    schema = {"type": "string" if required else ["string", "null"], "maxLength": max_length,
              "pattern": MULTILINE_PATTERN if multiline else NON_BLANK_PATTERN if required else ONE_LINE_PATTERN}
    if required:
        schema["minLength"] = 1
    schema.update(extra)
    return schema


from app.domain import teams as team_limits  # noqa: E402


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str, headers: dict | None = None) -> dict:
    answer = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        answer["headers"] = headers
    return answer


def _error(description: str) -> dict:
    return _json(_ref("Error"), description)


PAGE_PARAMS = [
    {"name": "page", "in": "query", "allowEmptyValue": True,
     "description": "Pages past 1,000,000 are read as 1,000,000; empty: the first.",
     "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "per_page", "in": "query", "allowEmptyValue": True,
     "description": "Larger values than 200 are lowered to 200 (the answer's "
     "per_page says which was used).", "schema": {"type": "integer", "minimum": 1, "default": 50}},
]
EVENT_ID = {"name": "event_id", "in": "path", "required": True,
            "description": "Ids fit a 32-bit integer; larger ones are not found (404).",
            "schema": {"type": "integer", "minimum": 1}}


DATE_PATTERN = r"^(19|[2-8]\d|9[0-8])\d\d-\d\d-\d\d$"


def _registrant_filters() -> tuple[list[dict], list[dict]]:
    """The registrant list's filters (app.domain.registrant_list), and the columns of its exports."""
    from app.domain.registrant_list import BASE_COLUMN_KEYS

    def q(name: str, description: str, schema: dict) -> dict:
        return {"name": name, "in": "query", "description": description, "schema": schema}

    prefecture = "(0[1-9]|[1-3][0-9]|4[0-7])"
    org = "(" + "|".join(t.value for t in OrganizationType) + ")"
    ids = {"type": "string", "pattern": "^[0-9]{1,9}(,[0-9]{1,9})*$"}
    column_name = "([a-z_]+|answers\\.[0-9]{1,9})"
    return [
        q("q", "Search: name, kana (hiragana, katakana, half-width alike), company or email.",
          {"type": "string", "maxLength": 100}),
        q("status", "Comma-separated statuses; `active` = confirmed, waitlisted, applied and pending.",
          _status_list(["active", *[s.value for s in RegistrationStatus]])),
        q("ticket_type", "Comma-separated 参加枠 ids of the event.", ids),
        q("session", "A session id of the event: only those who attended it.",
          {"type": "integer", "minimum": 1, "maximum": 999999999}),
        q("day", "A session id of an event whose registrants choose days: those holding a seat that day.",
          {"type": "integer", "minimum": 1, "maximum": 999999999}),
        q("organization_type", "Comma-separated 組織区分.", {"type": "string", "pattern": f"^{org}(,{org})*$"}),
        q("prefecture", "Comma-separated JIS X 0401 codes.",
          {"type": "string", "pattern": f"^{prefecture}(,{prefecture})*$"}),
        q("checked_in", "Checked in (at least one session attended) or not.",
          {"type": "string", "enum": ["yes", "no"]}),
        q("created_from", "Registered on or after this day (Japan time; years 1900 to 9998).",
          {"type": "string", "format": "date", "pattern": DATE_PATTERN}),
        q("created_to", "Registered on or before this day (Japan time; years 1900 to 9998).",
          {"type": "string", "format": "date", "pattern": DATE_PATTERN}),
        q("sort", "A column name (see `columns`), `-` in front for descending; ties by id. "
          "Default: created_at.", {"type": "string", "pattern": f"^-?{column_name}$"}),
    ], [
        q("columns", "Comma-separated column names: " + ", ".join(BASE_COLUMN_KEYS) + ", and "
          "answers.<question id>. Unknown names: 400 with `available_columns`. Default: every column but "
          "the parts of the names, the days chosen (added for per-day events) and the team columns "
          "(team events add team_name and team_size; team_members, the members' names, only when asked).", {"type": "string", "pattern": f"^{column_name}(,{column_name})*$"}),
    ]


def _status_list(values: list[str]) -> dict:
    one = "(" + "|".join(values) + ")"
    return {"type": "string", "pattern": f"^{one}(,{one})*$"}
LINK_HEADERS = {
    "Link": {"description": 'RFC 8288 links rel="next" / rel="prev"', "schema": {"type": "string"}},
    "X-Total-Count": {"schema": {"type": "integer"}},
}
RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": {"schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"schema": {"type": "integer"}},
}
COMMON_ERRORS = {
    "400": _error("Not JSON, not a JSON object, or a bad query parameter (`bad_request`)."),
    "429": _error("Too many requests from this address (`too_many_requests`); see RATELIMIT_REGISTRATION."),
}


@cache
def schemas() -> dict:
    """The components' schemas (also used to check request bodies: app.api.validation)."""
    return {
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {"type": "string", "description": "Stable code: unauthorized, forbidden, not_found, "
                          "bad_request, full, already_registered, organization_already_registered, not_yet_open, "
                          "ended, cancelled, postponed, already_cancelled, not_active, too_many_requests, ..."},
                "message": {"type": "string", "description": "For people, in the request's language "
                            "(?lang=ja|en, else Accept-Language, else Japanese)."},
                "opens_at": {**DATETIME, "description": "With not_yet_open: when registration opens."},
                "closed_at": {**DATETIME, "description": "With ended: when registration closed."},
            },
        },
        "ValidationError": {
            "type": "object",
            "required": ["error", "message", "errors"],
            "properties": {
                "error": {"const": "validation_error"},
                "message": {"type": "string"},
                "errors": {
                    "type": "object",
                    "description": "Messages per field. Answers to questions are `answers.<question_id>`; "
                                   "nested event fields are `sessions.0.starts_at`, `ticket_types.1.capacity`.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "Session": {
            "type": "object",
            "required": ["id", "title", "starts_at", "ends_at"],
            "properties": {
                "id": {"type": "integer"}, "title": {"type": "string"}, "starts_at": DATETIME,
                "ends_at": NULLABLE_DATETIME, "venue": {"type": "string"}, "is_online": {"type": "boolean"},
                "capacity": {"type": ["integer", "null"], "description": "Per-day registration "
                             "(`choose_sessions`): the day's own capacity; null: no limit"},
                "confirmed": {"type": "integer", "description": "Per-day registration: registrants with a seat "
                              "that day"},
                "waitlisted": {"type": "integer", "description": "Per-day registration: waiting for that day"},
                "remaining": {"type": ["integer", "null"], "description": "Per-day registration; null: no limit"},
            },
        },
        "ChosenSession": {
            "type": "object",
            "description": "A day chosen by a registrant (per-day registration).",
            "required": ["session_id", "status"],
            "properties": {
                "session_id": {"type": "integer"},
                "status": {"enum": ["confirmed", "waitlisted", "pending", "cancelled"],
                           "description": "confirmed: a seat that day; waitlisted: in that day's line; pending: "
                                          "decided when the registration is confirmed; cancelled: the "
                                          "registration was cancelled"},
                "waitlist_position": {"type": ["integer", "null"], "description": "1 = first in that day's line"},
            },
        },
        "PersonDays": {
            "type": "object",
            "description": "延べ (person-days) of a per-day event: each registrant counted once per chosen day.",
            "required": ["confirmed", "waitlisted"],
            "properties": {"confirmed": {"type": "integer"}, "waitlisted": {"type": "integer"}},
        },
        "TicketType": {
            "type": "object",
            "description": "参加枠: a kind of place with its own capacity.",
            "required": ["id", "name", "capacity", "confirmed", "waitlisted", "remaining"],
            "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"}, "description": {"type": "string"},
                "capacity": {"type": ["integer", "null"], "description": "null: no limit"},
                "confirmed": {"type": "integer"}, "waitlisted": {"type": "integer"},
                "remaining": {"type": ["integer", "null"], "description": "null: no limit"},
            },
        },
        "Question": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"}, "kind": {"enum": [k.value for k in QuestionKind]},
                "label": {"type": "string"}, "help_text": {"type": "string"}, "required": {"type": "boolean"},
                "choices": {"type": "array", "items": {"type": "string"}},
            },
        },
        "Event": {
            "type": "object",
            "required": ["id", "slug", "title", "status", "admission_mode", "waitlist_enabled", "sessions",
                         "ticket_types"],
            "properties": {
                "id": {"type": "integer"}, "slug": {"type": "string"}, "title": {"type": "string"},
                "summary": {"type": "string"},
                "title_en": {"type": "string", "description": "English title (\"\": none; show `title`)"},
                "summary_en": {"type": "string", "description": "English summary (\"\": none)"},
                "description": {"type": "string", "description": "Markdown"},
                "description_en": {"type": "string", "description": "English description, Markdown (\"\": none)"},
                "status": {"enum": [s.value for s in EventStatus]},
                "category": {"enum": [c.value for c in EventCategory]},
                "format": {"enum": [f.value for f in EventFormat]},
                "venue": {"type": "string"},
                "prefecture": {"type": ["string", "null"], "description": "JIS X 0401 code, e.g. \"04\" (宮城県)"},
                "admission_mode": {"enum": [m.value for m in AdmissionMode]},
                "waitlist_enabled": {"type": "boolean"}, "one_per_organization": {"type": "boolean"},
                "approval_overflow": {"enum": [o.value for o in ApprovalOverflow],
                                      "description": "承認制: approving past capacity is refused, or waitlists"},
                "choose_sessions": {"type": "boolean", "description": "Per-day registration: registrants choose "
                                    "the sessions (days) they attend, each with its own capacity and line"},
                "person_days": {"oneOf": [_ref("PersonDays"), {"type": "null"}],
                                "description": "延べ counts of a per-day event (null otherwise)"},
                "join_opens_minutes": {"type": "integer", "description": "Personal join links open this many "
                                       "minutes before each online session"},
                "completion_min_sessions": {"type": ["integer", "null"],
                                            "description": "Completion rule: sessions to attend at least"},
                "lottery_seed_hash": {"type": ["string", "null"], "description": "抽選: SHA-256 of the draw's "
                                      "seed, published before applications close (see /lottery)"},
                "lottery_draw_at": NULLABLE_DATETIME,
                "starts_at": NULLABLE_DATETIME, "ends_at": NULLABLE_DATETIME,
                "registration_opens_at": NULLABLE_DATETIME, "registration_closes_at": NULLABLE_DATETIME,
                "registration_state": {"enum": ["open", "not_published", "not_yet_open", "ended", "cancelled",
                                                "postponed"]},
                "url": {"type": "string", "format": "uri"},
                "sessions": {"type": "array", "items": _ref("Session")},
                "ticket_types": {"type": "array", "items": _ref("TicketType")},
                "questions": {"type": "array", "items": _ref("Question")},
            },
        },
        "EventInput": {
            "type": "object",
            "required": ["title", "sessions", "ticket_types"],
            "description": "Times without an offset are read as Japan time. Fields as in the organizer pages. "
                           "One-line fields refuse line breaks; no field takes control characters.",
            "properties": {
                "title": text(limits.EVENT_LENGTHS["title"], required=True),
                "slug": {"type": "string", "maxLength": limits.EVENT_LENGTHS["slug"],
                         "pattern": "^[a-z0-9-]*$", "description": "Made from the title when left out"},
                "summary": text(limits.EVENT_LENGTHS["summary"], multiline=True),
                "description": text(limits.EVENT_LENGTHS["description"], multiline=True, description="Markdown"),
                "title_en": text(limits.EVENT_LENGTHS["title_en"],
                                 description="English title, shown in English mode (blank: the Japanese one)"),
                "summary_en": text(limits.EVENT_LENGTHS["summary_en"], multiline=True, description="English summary"),
                "description_en": text(limits.EVENT_LENGTHS["description_en"], multiline=True,
                                       description="English description (Markdown)"),
                "category": {"enum": [c.value for c in EventCategory]},
                "format": {"enum": [f.value for f in EventFormat]},
                "venue": text(limits.EVENT_LENGTHS["venue"]), "address": text(limits.EVENT_LENGTHS["address"]),
                "prefecture": {"enum": list(PREFECTURES)},
                "online_url": {"type": "string", "maxLength": limits.EVENT_LENGTHS["online_url"],
                               "pattern": "^(https?://[^\\s/$.?#][^\\s]*)?$"},
                "organizer_name": text(limits.EVENT_LENGTHS["organizer_name"]),
                "co_organizers": text(limits.EVENT_LENGTHS["co_organizers"], multiline=True,
                                      description="One per line"),
                "contact": text(limits.EVENT_LENGTHS["contact"], multiline=True),
                "consent_text": text(limits.EVENT_LENGTHS["consent_text"], multiline=True),
                "registration_opens_at": DATETIME_INPUT, "registration_closes_at": DATETIME_INPUT,
                "admission_mode": {"enum": [m.value for m in AdmissionMode]},
                "waitlist_enabled": {"type": "boolean"}, "one_per_organization": {"type": "boolean"},
                "approval_overflow": {"enum": [o.value for o in ApprovalOverflow], "default": "refuse",
                                      "description": "承認制 only: approving when the 参加枠 is full is "
                                                     "refused (`refuse`) or puts the registrant on the waiting "
                                                     "list (`waitlist`)"},
                "choose_sessions": {"type": "boolean", "description": "Per-day registration (first come only)"},
                "join_opens_minutes": {"type": ["integer", "null"], "minimum": 0, "maximum": 1440, "default": 15,
                                       "description": "Personal join links (/j/...) open this many minutes "
                                                      "before each online session"},
                "completion_min_sessions": {"type": ["integer", "null"], "minimum": 1, "maximum": 1000,
                                            "description": "For a series: attending at least this many "
                                                           "sessions completes it (e.g. 6 of 7)"},
                "lottery_draw_at": {**DATETIME_INPUT, "description": "抽選: the jobs draw at this time "
                                    "(after applications close)"},
                "lottery_losers": {"enum": ["lost", "waitlist"], "default": "lost",
                                   "description": "抽選: those not drawn are lost, or waitlisted in drawn order"},
                "lottery_confirm_days": {"type": ["integer", "null"], "minimum": 1, "maximum": 60,
                                         "description": "抽選: winners confirm within this many days"},
                "lottery_first_come": {"type": "boolean", "default": False,
                                       "description": "抽選, once every 参加枠 is drawn: seats left are offered "
                                                      "first come (the drawn waiting list first)"},
                "lottery_priority_prefectures": {"type": ["array", "null"], "items": {"enum": list(PREFECTURES)},
                                                 "description": "抽選: applicants from these prefectures "
                                                                "are drawn first"},
                "status": {"enum": ["draft", "published"], "default": "draft",
                           "description": "published: publish at once (422 if the event is not complete)"},
                "sessions": {"type": "array", "maxItems": 100, "items": {
                    "type": "object", "required": ["starts_at"],
                    "properties": {"title": text(limits.SESSION_LENGTHS["title"]), "starts_at": DATETIME_INPUT,
                                   "ends_at": DATETIME_INPUT, "venue": text(limits.SESSION_LENGTHS["venue"]),
                                   "is_online": {"type": "boolean"},
                                   "capacity": {"type": ["integer", "null"], "minimum": 0, "maximum": 1_000_000,
                                                "description": "The day's own capacity (per-day registration)"}}}},
                "ticket_types": {"type": "array", "maxItems": 50, "items": {
                    "type": "object", "required": ["name"],
                    "properties": {"name": text(limits.TICKET_TYPE_LENGTHS["name"], required=True),
                                   "description": text(limits.TICKET_TYPE_LENGTHS["description"], multiline=True),
                                   "capacity": {"type": ["integer", "null"], "minimum": 0,
                                                "maximum": 1_000_000}}}},
                "questions": {"type": "array", "maxItems": 50, "items": {
                    "type": "object", "required": ["label"],
                    "properties": {"kind": {"enum": [k.value for k in QuestionKind]},
                                   "label": text(limits.QUESTION_LENGTHS["label"], required=True),
                                   "help_text": text(limits.QUESTION_LENGTHS["help_text"]),
                                   "required": {"type": "boolean"},
                                   "choices": {"type": "array", "maxItems": limits.MAX_CHOICES,
                                               "items": text(limits.CHOICE_MAX),
                                               "description": "single / multiple: at least two"}}}},
                "reminder_rules": {"type": "array", "maxItems": 20, "description": "Default: 7 and 1 days before",
                                   "items": {"type": "object", "required": ["days_before"],
                                             "properties": {"days_before": {"type": "integer", "minimum": 0,
                                                                            "maximum": 365},
                                                            "send_time": {"type": "string",
                                                                          "description": "HH:MM Japan time (H:MM "
                                                                          "too); empty: 10:00",
                                                                          "pattern": "^(([01]?\\d|2[0-3]):[0-5]\\d)?$"}}}},
            },
        },
        "DecisionInput": {
            "type": "object",
            "description": "承認制: an optional message, put in the mail to the registrant.",
            "properties": {"message": {"type": ["string", "null"], "maxLength": 1000}},
        },
        "Edition": {
            "type": "object",
            "description": "One edition of a series: where and when, seats left, state.",
            "required": ["id", "slug", "title", "status", "prefecture", "venue", "starts_at", "seats_left",
                         "state", "url"],
            "properties": {
                "id": {"type": "integer"}, "slug": {"type": "string"}, "title": {"type": "string"},
                "status": {"enum": [s.value for s in EventStatus if s is not EventStatus.DRAFT]},
                "format": {"enum": [f.value for f in EventFormat]},
                "prefecture": {"type": ["string", "null"], "description": "JIS X 0401 code"},
                "venue": {"type": "string"}, "address": {"type": "string"},
                "starts_at": NULLABLE_DATETIME, "ends_at": NULLABLE_DATETIME,
                "admission_mode": {"enum": [m.value for m in AdmissionMode]},
                "seats_left": {"type": ["integer", "null"], "description": "null: no limit"},
                "state": {"type": "string", "description": "The event's badge: open, lottery, approval, "
                          "waitlist, full, not_yet_open, ended, cancelled, postponed"},
                "url": {"type": "string", "format": "uri"},
            },
        },
        "Series": {
            "type": "object",
            "description": "The same programme held in several places or years, and its public editions.",
            "required": ["slug", "name", "upcoming", "past"],
            "properties": {
                "slug": {"type": "string"}, "name": {"type": "string"},
                "upcoming": {"type": "array", "items": _ref("Edition"), "description": "Soonest first"},
                "past": {"type": "array", "items": _ref("Edition"), "description": "Newest first"},
            },
        },
        "RegistrationInput": {
            "type": "object",
            "required": ["family_name", "given_name", "email", "organization", "organization_type", "prefecture",
                         "consent"],
            "properties": {
                "ticket_type_id": {"type": ["integer", "null"],
                                   "description": "May be left out (or null) when the event has one 参加枠."},
                "sessions": {"type": ["array", "null"], "maxItems": 100, "items": {"type": "integer"},
                             "description": "Per-day registration (`choose_sessions`): the ids of the sessions "
                                            "(days) to attend, at least one. Ignored by other events."},
                "family_name": text(limits.REGISTRATION_LENGTHS["family_name"], required=True, description="姓"),
                "given_name": text(limits.REGISTRATION_LENGTHS["given_name"], required=True, description="名"),
                "family_name_kana": text(limits.REGISTRATION_LENGTHS["family_name_kana"],
                                         description="セイ (hiragana or half-width kana accepted). Required only "
                                                     "when the name is written in Japanese script (kanji or kana); "
                                                     "\"John Smith\" registers without it (422 otherwise)"),
                "given_name_kana": text(limits.REGISTRATION_LENGTHS["given_name_kana"],
                                        description="メイ (required as family_name_kana is)"),
                "email": {"type": "string", "format": "email", "maxLength": limits.REGISTRATION_LENGTHS["email"]},
                "phone": {"type": ["string", "null"], "maxLength": limits.PHONE_INPUT_MAX,
                          "pattern": "^[0-9０-９ ()（）+＋.．‐‑‒–—―−ー－-]*$",
                          "description": "10 or 11 digits; hyphens, spaces and brackets allowed"},
                "organization": text(limits.REGISTRATION_LENGTHS["organization"], required=True),
                "department": text(limits.REGISTRATION_LENGTHS["department"]), "job_title": text(limits.REGISTRATION_LENGTHS["job_title"]),
                "organization_type": {"enum": [t.value for t in OrganizationType]},
                "prefecture": {"enum": list(PREFECTURES), "description": "JIS X 0401, two digits (\"04\" 宮城県)"},
                "corporate_number": {"type": ["string", "null"], "maxLength": limits.CORPORATE_NUMBER_INPUT_MAX,
                                     "description": "法人番号, 13 digits (optional)"},
                "answers": {"description": "{\"<question_id>\": value}: one of the question's "
                            "choices (single), a list of them (multiple), a boolean (yes/no), or text of at most "
                            f"{limits.ANSWER_TEXT_MAX} characters ({limits.ANSWER_TEXTAREA_MAX} for a text area)",
                            "additionalProperties": True, "type": ["object", "null"]},
                "consent": {"const": True, "description": "Agreement to the event's purpose of use"},
                "opt_in_announcements": {"type": ["boolean", "null"]},
                "category": {"type": ["string", "integer", "null"], "maxLength": 200,
                             "description": "Applications (DX大賞): the 部門, by its name or id; a 部門 is one of "
                                            "the event's 参加枠 (`ticket_types`), so this is the same choice as "
                                            "`ticket_type_id` (give one of them)."},
                "public_name_consent": {"type": ["boolean", "null"],
                                        "description": "Events that publish results: the registrant agrees that "
                                                       "their name (organisation) is shown with a result."},
                "team": {**_ref("TeamInput"), "description": "A team registration (events with team_mode "
                         "`team`, where it is required): the person registering is the responsible adult."},
            },
        },
        "TeamInput": {
            "type": "object",
            "required": ["name", "members"],
            "properties": {
                "name": text(team_limits.LIMITS["team_name"], required=True, description="Team name"),
                "division": {"type": ["string", "integer"],
                             "description": "The division: a 参加枠 of the event, by its name (高校の部; 高校 "
                                            "finds 高校の部) or id. Sets ticket_type_id when that is left out."},
                "consent": {"type": ["boolean", "null"],
                            "description": "The school's or guardian's consent (required when the event "
                                           "words one: team_consent_text)"},
                "members": {"type": "array", "minItems": 1, "maxItems": team_limits.MEMBERS_MAX,
                            "description": "Between the event's team_min_members and team_max_members. No "
                                           "contact data is taken.",
                            "items": {"type": "object", "required": ["family_name", "given_name"], "properties": {
                                "family_name": text(team_limits.LIMITS["family_name"], required=True),
                                "given_name": text(team_limits.LIMITS["given_name"], required=True),
                                "family_name_kana": text(team_limits.LIMITS["family_name_kana"]),
                                "given_name_kana": text(team_limits.LIMITS["given_name_kana"]),
                                "grade": text(team_limits.LIMITS["grade"], description="Grade or role"),
                            }}},
            },
        },
        "Team": {
            "type": "object",
            "description": "A team: a team registration's (registration_id, division) or a hackathon team "
                           "(registration_id null; its members are registrations). `members` is given to "
                           "admins' and organizers' tokens only (null for viewers, who see member_count).",
            "required": ["id", "name", "member_count", "members"],
            "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"},
                "registration_id": {"type": ["integer", "null"]},
                "division": {"type": ["string", "null"]}, "ticket_type_id": {"type": ["integer", "null"]},
                "status": {"type": ["string", "null"]}, "organization": {"type": ["string", "null"]},
                "member_count": {"type": "integer"},
                "members_erased": {"type": "boolean",
                                   "description": "The members' names were erased after the retention date"},
                "members": {"type": ["array", "null"], "items": {"type": "object", "properties": {
                    "family_name": {"type": "string"}, "given_name": {"type": "string"},
                    "family_name_kana": {"type": "string"}, "given_name_kana": {"type": "string"},
                    "grade": {"type": "string"}, "registration_id": {"type": "integer"}}}},
            },
        },
        "EventTeams": {
            "type": "object",
            "required": ["event_id", "team_mode", "divisions", "items"],
            "properties": {
                "event_id": {"type": "integer"}, "team_mode": {"enum": ["team", "hackathon", None]},
                "divisions": {"type": "array", "items": {"type": "object", "properties": {
                    "ticket_type_id": {"type": "integer"}, "name": {"type": "string"},
                    "teams": {"type": "integer", "description": "Active team registrations"},
                    "members": {"type": "integer"}, "capacity": {"type": ["integer", "null"]},
                    "member_capacity": {"type": ["integer", "null"]}}}},
                "items": {"type": "array", "items": _ref("Team")},
            },
        },
        "RegistrationCreated": {
            "type": "object",
            "required": ["id", "reference", "status", "waitlist_position", "manage_token", "manage_url"],
            "properties": {
                "id": {"type": "integer"}, "reference": {"type": "string", "description": "受付番号"},
                "status": {"enum": ["confirmed", "waitlisted", "applied", "pending"]},
                "ticket_type_id": {"type": "integer"},
                "waitlist_position": {"type": ["integer", "null"]},
                "sessions": {"type": ["array", "null"], "items": _ref("ChosenSession"),
                             "description": "Per-day registration: the chosen days (null for other events)"},
                "team": {"type": ["object", "null"], "description": "A team registration's team (id, name, "
                         "division, member_count)"},
                "manage_token": {"type": "string", "description": "Secret: lets its holder see and cancel."},
                "manage_url": {"type": "string", "format": "uri"},
            },
        },
        "Registration": {
            "type": "object",
            "required": ["id", "reference", "status", "ticket_type_id", "email", "family_name", "given_name",
                         "family_name_kana", "given_name_kana", "phone", "organization", "organization_type",
                         "prefecture", "created_at", "waitlist_position"],
            "properties": {
                "id": {"type": "integer"},
                "reference": {"type": "string", "description": "受付番号, printed on the 受付票 (T0012-000345)"},
                "event_id": {"type": "integer"},
                "status": {"enum": [s.value for s in RegistrationStatus]},
                "ticket_type_id": {"type": "integer"}, "email": {"type": "string"},
                "family_name": {"type": "string"}, "given_name": {"type": "string"},
                "family_name_kana": {"type": "string"}, "given_name_kana": {"type": "string"},
                "phone": {"type": "string", "description": "digits only"},
                "organization": {"type": "string"}, "department": {"type": "string"},
                "job_title": {"type": "string"},
                "organization_type": {"enum": [t.value for t in OrganizationType]},
                "prefecture": {"type": ["string", "null"]}, "corporate_number": {"type": "string"},
                "answers": {"type": "object"},
                "confirm_by": {**NULLABLE_DATETIME, "description": "抽選: a winner confirms by then (their private page) or the seat passes on"},
                "created_at": DATETIME, "confirmed_at": NULLABLE_DATETIME, "cancelled_at": NULLABLE_DATETIME,
                "checked_in_at": NULLABLE_DATETIME,
                "erased_at": {**NULLABLE_DATETIME, "description": "When its personal data (names, contact, free-text "
                              "answers) was erased, the retention period after the event being over; the "
                              "organisation, status, dates and attendance are kept"},
                "waitlist_position": {"type": ["integer", "null"], "description": "1 = first in line"},
                "sessions": {"type": ["array", "null"], "items": _ref("ChosenSession"),
                             "description": "Per-day registration: the chosen days (null for other events)"},
                "team": {"anyOf": [_ref("Team"), {"type": "null"}],
                         "description": "Its team (team registrations, hackathon members) in the registrant "
                                        "list of a team event and in GET /registrations/{id}"},
            },
        },
        **_stats_schemas(),
        **_lottery_schemas(),
        **_application_schemas(),
        "AttendanceCounts": {
            "type": "object",
            "description": "Attendance figures. `confirmed`: confirmed registrations (every session expects them "
                           "all); `attended`: a session's recorded attendances, the event's unique attendees; "
                           "`walk_ins`: attendances recorded as walk-ins or of registrations made at the door; "
                           "`cumulative` (延べ): the sum of the sessions' attended (a session: its attended); "
                           "`rate`: attended / confirmed (null without confirmed); `no_shows`: confirmed "
                           "registrations without an attendance (the event: at no session).",
            "required": ["confirmed", "attended", "walk_ins", "cumulative", "rate", "no_shows"],
            "properties": {
                "id": {"type": "integer", "description": "The session (sessions only)"},
                "confirmed": {"type": "integer"}, "attended": {"type": "integer"},
                "walk_ins": {"type": "integer"}, "cumulative": {"type": "integer"},
                "rate": {"type": ["number", "null"]}, "no_shows": {"type": "integer"},
                "unique_attendees": {"type": "integer", "description": "Total only: people with an attendance"},
                "session_count": {"type": "integer", "description": "Total only"},
                "full_attendance": {"type": ["integer", "null"],
                                    "description": "Total only: people who attended every session (皆勤); "
                                                   "null for an event of one session"},
                "completion_min_sessions": {"type": ["integer", "null"],
                                            "description": "Total only: the event's completion rule"},
                "completed": {"type": ["integer", "null"],
                              "description": "Total only: people who attended at least "
                                             "completion_min_sessions sessions (null without a rule)"},
            },
        },
        "EventAttendance": {
            "type": "object",
            "required": ["event_id", "total", "sessions"],
            "properties": {
                "event_id": {"type": "integer"},
                "total": _ref("AttendanceCounts"),
                "sessions": {"type": "array", "items": _ref("AttendanceCounts"),
                             "description": "In the order of the sessions' start"},
            },
        },
        "CheckinInput": {
            "type": "object",
            "required": ["code"],
            "properties": {
                "code": {"type": "string", "minLength": 1, "maxLength": 200,
                         "description": "The 受付票's QR payload (TSUDOI:T0012-000345:<signature>) or its 受付番号 "
                                        "as typed: full-width digits, lower case, a missing hyphen or T are "
                                        "accepted."},
                "session_id": {"type": ["integer", "null"], "minimum": 1, "maximum": 2**31 - 1,
                               "description": "Default: the event's session of today (Japan time) nearest now, "
                                              "else its first session. A session of another event: 404."},
                "client_ref": {"type": ["string", "null"], "maxLength": 64, "pattern": "^[A-Za-z0-9_.:-]*$",
                               "description": "A phone's id for a queued scan (e.g. a UUID): a scan sent again with "
                                              "the same client_ref is recorded once and answered as the first time."},
            },
        },
        "Checkin": {
            "type": "object",
            "required": ["result", "already", "session", "registration", "checked_in_at", "checked_in_by"],
            "properties": {
                "result": {"enum": ["checked_in", "already"]},
                "already": {"type": "boolean", "description": "true: checked in before (checked_in_at and "
                                                              "checked_in_by are the earlier ones)"},
                "replayed": {"type": "boolean", "description": "A queued scan (client_ref) sent again"},
                "session": {"type": "object", "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                                                             "starts_at": DATETIME}},
                "registration": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "reference": {"type": "string", "description": "受付番号"},
                    "event_id": {"type": "integer"}, "status": {"enum": [s.value for s in RegistrationStatus]},
                    "family_name": {"type": "string"}, "given_name": {"type": "string"},
                    "family_name_kana": {"type": "string"}, "given_name_kana": {"type": "string"},
                    "organization": {"type": "string"},
                    "ticket_type": {"type": "object", "description": "参加枠",
                                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
                    "origin": {"type": "string"}}},
                "checked_in_at": DATETIME,
                "method": {"type": "string"},
                "checked_in_by": {"type": ["object", "null"], "description": "The staff member who checked in",
                                  "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
            },
        },
        "CheckinRefusal": {
            "type": "object",
            "required": ["error", "reason", "message", "session"],
            "properties": {
                "error": {"enum": ["cancelled", "waitlisted", "wrong_event", "not_found", "not_this_day"]},
                "reason": {"enum": ["cancelled", "waitlisted", "wrong_event", "not_found", "not_this_day"],
                           "description": "cancelled (or rejected, or not drawn); waitlisted (or another status "
                                          "without a seat: applied, pending); wrong_event: a real 受付票 of "
                                          "another event; not_found: unknown or forged code; not_this_day: "
                                          "per-day registration, no seat for this session (other days chosen, "
                                          "or waiting for this one)"},
                "message": {"type": "string"},
                "already": {"const": False},
                "session": {"type": "object"},
            },
        },
        "EventPage": _page_of("Event"),
        "RegistrationPage": _page_of("Registration"),
        "ParameterError": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {"type": "string"},
                "message": {"type": "string"},
                "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                "available_columns": {"type": "array", "items": {"type": "string"}},
            },
        },
    }


def _counts(description: str) -> dict:
    return {"type": "object", "description": description, "additionalProperties": {"type": "integer"}}


RATE = {"type": ["number", "null"], "description": "0–1; null when the whole is 0"}
_FIGURES = {
    "events": {"type": "integer"}, "applicants": {"type": "integer", "description": "registrations ever made"},
    "participants": {"type": "integer", "description": "confirmed registrations"},
    "attendees": {"type": "integer", "description": "participants with a recorded attendance"},
    "attendance_rate": RATE,
    "distinct_people": {"type": "integer", "description": "participants, once per email"},
    "distinct_organizations": {"type": "integer", "description": "participants' organisations, once each"},
}


def _lottery_schemas() -> dict:
    ids = {"type": "array", "items": {"type": "integer"}}
    return {
        "LotteryDraw": {
            "type": "object",
            "description": "One 参加枠's draw. Re-run it: sort `applicants` ([registration id, priority group]) "
                           "by (group, HMAC-SHA256(key=seed, msg=str(id)).hexdigest(), id); SHA-256(seed) is "
                           "`seed_hash`, published before the draw.",
            "required": ["ticket_type_id", "seed", "seed_hash", "algorithm", "applicants", "order", "winners"],
            "properties": {
                "ticket_type_id": {"type": "integer"}, "seed": {"type": "string"},
                "seed_hash": {"type": "string"}, "algorithm": {"type": "string"},
                "applicants": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
                "order": ids, "winners": ids, "seats": {"type": ["integer", "null"]},
                "losers": {"enum": ["lost", "waitlist"]}, "drawn_at": NULLABLE_DATETIME,
            },
        },
        "LotteryResult": {
            "type": "object",
            "required": ["event_id", "seed", "order", "winners", "draws"],
            "properties": {
                "event_id": {"type": "integer"}, "seed": {"type": "string"},
                "order": {**ids, "description": "Applicant registration ids in drawn order (参加枠 by id)"},
                "winners": ids, "draws": {"type": "array", "items": _ref("LotteryDraw")},
            },
        },
        "LotteryRecord": {
            "type": "object",
            "required": ["event_id", "seed_hash", "algorithm", "drawn", "seed", "order", "winners", "draws"],
            "properties": {
                "event_id": {"type": "integer"},
                "seed_hash": {"type": ["string", "null"], "description": "SHA-256 of the seed, published before "
                              "the draw"},
                "algorithm": {"type": "string"}, "draw_at": NULLABLE_DATETIME, "drawn": {"type": "boolean"},
                "seed": {"type": ["string", "null"], "description": "null until the draw"},
                "order": ids, "winners": ids, "draws": {"type": "array", "items": _ref("LotteryDraw")},
            },
        },
    }


def _lottery_paths(unauthorized: dict) -> dict:
    return {
        "/api/v1/events/{event_id}/lottery/draw": {
            "post": {
                "operationId": "drawLottery", "tags": ["lottery"],
                "summary": "Draw the lottery (every 参加枠 not drawn yet, or one) after applications closed",
                "security": [{"bearerAuth": []}], "parameters": [EVENT_ID],
                "requestBody": {"required": False, "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"ticket_type_id": {"type": "integer"}}}}}},
                "responses": {
                    "200": _json(_ref("LotteryResult"), "Drawn: the seed, the order and the winners"),
                    "400": COMMON_ERRORS["400"], "401": unauthorized,
                    "403": _error("The token's account is a viewer (`forbidden`)."),
                    "404": _error("Unknown event (`not_found`)."),
                    "409": _error("`already_drawn`, `not_drawable` (not a lottery, applications still open, "
                                  "event not published) or `invalid_ticket_type`."),
                },
            },
        },
        "/api/v1/events/{event_id}/lottery": {
            "get": {
                "operationId": "getLottery", "tags": ["lottery"],
                "summary": "The lottery's public record: the seed hash before the draw; seed, applicants and "
                           "order after it",
                "security": [{}, {"bearerAuth": []}], "parameters": [EVENT_ID],
                "responses": {"200": _json(_ref("LotteryRecord"), "The record"), "401": unauthorized,
                              "404": _error("Unknown, not a lottery, or a draft and no token (`not_found`).")},
            },
        },
    }


def _application_schemas() -> dict:
    """Applications' files, counts per 部門, and published results (app/api/applications.py)."""
    return {
        "ApplicationFile": {
            "type": "object",
            "required": ["id", "registration_id", "name", "kind", "size", "sha256", "uploaded_at", "download_url"],
            "properties": {
                "id": {"type": "integer"}, "registration_id": {"type": "integer"},
                "name": {"type": "string", "description": "The name it was sent with (path removed), with the "
                                                          "extension of its checked kind"},
                "kind": {"enum": ["pdf", "png", "jpeg", "docx", "xlsx", "pptx"],
                         "description": "What its content is (checked by content, never by name)"},
                "size": {"type": "integer"}, "sha256": {"type": "string"}, "uploaded_at": DATETIME,
                "download_url": {"type": "string", "description": "Organizers only"},
            },
        },
        "ApplicationFileList": {
            "type": "object", "required": ["registration_id", "files"],
            "properties": {"registration_id": {"type": "integer"},
                           "files": {"type": "array", "items": _ref("ApplicationFile")}},
        },
        "EventApplications": {
            "type": "object", "required": ["event_id", "accepts_applications", "categories", "applications"],
            "properties": {
                "event_id": {"type": "integer"}, "accepts_applications": {"type": "boolean"},
                "categories": {"type": "array", "items": {
                    "type": "object",
                    "required": ["ticket_type_id", "category", "applications", "shortlisted", "awarded",
                                 "not_selected"],
                    "properties": {"ticket_type_id": {"type": "integer"},
                                   "category": {"type": "string", "description": "部門 (the 参加枠's name)"},
                                   "applications": {"type": "integer", "description": "active applications"},
                                   "shortlisted": {"type": "integer"}, "awarded": {"type": "integer"},
                                   "not_selected": {"type": "integer"}}}},
                "applications": {"type": "array", "items": {
                    "type": "object",
                    "required": ["id", "reference", "ticket_type_id", "category", "status", "decision", "files"],
                    "properties": {"id": {"type": "integer"}, "reference": {"type": "string"},
                                   "ticket_type_id": {"type": "integer"}, "category": {"type": "string"},
                                   "status": {"type": "string"},
                                   "decision": {"enum": ["shortlisted", "awarded", "not_selected", None]},
                                   "files": {"type": "integer"}}}},
            },
        },
        "EventResults": {
            "type": "object", "required": ["event_id", "published_at", "divisions"],
            "properties": {
                "event_id": {"type": "integer"}, "published_at": DATETIME,
                "divisions": {"type": "array", "items": {
                    "type": "object", "required": ["division", "ticket_type_id", "results"],
                    "properties": {
                        "division": {"type": ["string", "null"], "description": "部門 or division; null: the "
                                                                              "whole event"},
                        "ticket_type_id": {"type": ["integer", "null"]},
                        "results": {"type": "array", "items": {
                            "type": "object", "required": ["award", "name", "name_public", "title"],
                            "properties": {
                                "award": {"type": "string", "description": "優勝, 準優勝, 最優秀賞, 優秀賞, 特別賞 "
                                                                           "or the organizer's words"},
                                "name": {"type": ["string", "null"],
                                         "description": "The public name; null when the registrant did not agree"},
                                "name_public": {"type": "boolean"},
                                "title": {"type": "string", "description": "The entry's title (may be empty)"},
                            }}},
                    }}},
            },
        },
    }


def _application_paths(unauthorized: dict) -> dict:
    registration_id = {"name": "registration_id", "in": "path", "required": True,
                       "schema": {"type": "integer", "minimum": 1}}
    file_id = {"name": "file_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    organizers_only = _error("The token's account may not open applicants' files (viewers, door staff, "
                             "reviewers): `forbidden`.")
    return {
        "/api/v1/registrations/{registration_id}/files": {
            "post": {
                "operationId": "uploadApplicationFile", "tags": ["applications"],
                "summary": "Attach a file to an application (the applicant until the deadline, or an organizer)",
                "description": "Multipart: the field `file`, and `manage_token` (the applicant's manage token) "
                               "unless an organizer's token is sent. The file is checked by its content against "
                               "the event's settings (PDF, PNG/JPEG, Word/Excel/PowerPoint; a program renamed "
                               ".pdf is refused), its size and the number of files.",
                "security": [{}, {"bearerAuth": []}], "parameters": [registration_id],
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"},
                                   "manage_token": {"type": "string"}}}}}},
                "responses": {
                    "201": _json(_ref("ApplicationFile"), "Kept"),
                    "401": _error("Neither a valid manage token nor a valid API token (`unauthorized`)."),
                    "403": _error("The token's account may not change data (`forbidden`)."),
                    "404": _error("Unknown registration (`not_found`)."),
                    "409": _error("`files_not_allowed` (the event takes no files), `closed` (after the deadline, "
                                  "or the application is cancelled), `too_many_files` or `erased` (the "
                                  "registrant's personal data was erased after the retention period)."),
                    "413": _error("Larger than the event allows (`file_too_large`), or than any file may be "
                                  "(`too_large`)."),
                    "415": _error("Not a kind of file the event accepts, judged by its content "
                                  "(`file_type_refused`)."),
                    "422": _json(_ref("ValidationError"), "No file, or an empty one (`empty_file`)"),
                    "429": COMMON_ERRORS["429"],
                    "503": _error("No place to keep files is configured (`files_unavailable`)."),
                },
            },
            "get": {
                "operationId": "listApplicationFiles", "tags": ["applications"],
                "summary": "An application's files (organizers: admin, organizer)",
                "security": [{"bearerAuth": []}], "parameters": [registration_id],
                "responses": {"200": _json(_ref("ApplicationFileList"), "The files"), "401": unauthorized,
                              "403": organizers_only, "404": _error("Unknown registration (`not_found`).")},
            },
        },
        "/api/v1/registrations/{registration_id}/files/{file_id}": {
            "get": {
                "operationId": "downloadApplicationFile", "tags": ["applications"],
                "summary": "Download one file of an application (organizers: admin, organizer); logged",
                "description": "An attachment with the type its content was checked to be, "
                               "`X-Content-Type-Options: nosniff`.",
                "security": [{"bearerAuth": []}], "parameters": [registration_id, file_id],
                "responses": {
                    "200": {"description": "The file", "content": {
                        "application/pdf": {}, "image/png": {}, "image/jpeg": {},
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                        "application/vnd.openxmlformats-officedocument.presentationml.presentation": {}}},
                    "401": unauthorized, "403": organizers_only,
                    "404": _error("Unknown registration or file (`not_found`)."),
                    "503": _error("No place to keep files is configured (`files_unavailable`)."),
                },
            },
        },
        "/api/v1/events/{event_id}/applications": {
            "get": {
                "operationId": "getEventApplications", "tags": ["applications"],
                "summary": "Applications per 部門 (参加枠) with the organizers' decisions (any staff token)",
                "security": [{"bearerAuth": []}], "parameters": [EVENT_ID],
                "responses": {"200": _json(_ref("EventApplications"), "Counts and applications"),
                              "401": unauthorized,
                              "403": _error("Door staff tokens (`forbidden_checkin`)."),
                              "404": _error("Unknown event (`not_found`).")},
            },
        },
        "/api/v1/events/{event_id}/results": {
            "get": {
                "operationId": "getEventResults", "tags": ["results"],
                "summary": "The published results (awards, placements) per division or 部門",
                "description": "Public once the organizers publish the results; `404` before. A name is "
                               "given only when the registrant agreed to it (`name_public`).",
                "security": [{}, {"bearerAuth": []}], "parameters": [EVENT_ID],
                "responses": {"200": _json(_ref("EventResults"), "The results"), "401": unauthorized,
                              "404": _error("Unknown event, a draft, or results not published (`not_found`).")},
            },
        },
    }


def _stats_schemas() -> dict:
    return {
        "EventStats": {
            "type": "object",
            "required": ["applied", "confirmed", "waitlisted", "cancelled", "attended", "by_organization_type",
                         "by_prefecture", "by_ticket_type"],
            "properties": {
                "event_id": {"type": "integer"},
                "applied": {"type": "integer", "description": "every registration made, whatever its status"},
                "confirmed": {"type": "integer"}, "waitlisted": {"type": "integer"},
                "pending": {"type": "integer", "description": "lottery entries and approvals not decided yet"},
                "lost": {"type": "integer"}, "rejected": {"type": "integer"}, "cancelled": {"type": "integer"},
                "attended": {"type": "integer", "description": "confirmed registrations with an attendance"},
                "attendance_rate": RATE, "confirmation_rate": RATE,
                "distinct_people": {"type": "integer"}, "distinct_organizations": {"type": "integer"},
                "returning": {"type": "integer", "description": "confirmed registrations whose email or "
                              "organisation took part in an earlier event"},
                "new": {"type": "integer"},
                "by_status": _counts("registrations by status"),
                "by_organization_type": _counts("confirmed registrations by 組織区分 code"),
                "by_prefecture": _counts("confirmed registrations by JIS X 0401 code; \"\" = not given"),
                "by_ticket_type": _counts("confirmed registrations by 参加枠 id"),
                "attended_by_organization_type": _counts("attendees by 組織区分 code"),
                "attended_by_prefecture": _counts("attendees by prefecture code"),
                "attended_by_ticket_type": _counts("attendees by 参加枠 id"),
                "by_session": _counts("attendees by session id"),
                "cumulative": {"type": "integer", "description": "延べ: the sum of the sessions' attendees"},
                "ticket_type_names": {"type": "object", "additionalProperties": {"type": "string"}},
                "over_time": {"type": "array", "items": {"type": "object", "properties": {
                    "days_before": {"type": "integer"}, "registrations": {"type": "integer"},
                    "cumulative": {"type": "integer"}}}},
                "editions": {"type": "array", "description": (
                    "This event and the earlier held editions of its series (at most six, oldest first), each with "
                    "its registrations over time; empty outside a series or for its first edition."),
                    "items": {"type": "object", "properties": {
                        "event_id": {"type": "integer"}, "title": {"type": "string"},
                        "prefecture": {"type": ["string", "null"]}, "starts_at": {"type": "string", "format": "date-time"},
                        "over_time": {"type": "array", "items": {"type": "object", "properties": {
                            "days_before": {"type": "integer"}, "registrations": {"type": "integer"},
                            "cumulative": {"type": "integer"}}}}}}},
                "questions": {"type": "array", "items": {"type": "object", "properties": {
                    "question_id": {"type": "integer"}, "label": {"type": "string"}, "kind": {"type": "string"},
                    "answers": {"type": "array", "items": {"type": "object", "properties": {
                        "choice": {"type": "string"}, "count": {"type": "integer"}}}}}}},
            },
        },
        "FiscalYearStats": {
            "type": "object",
            "required": ["fiscal_year", "label", "events", "applicants", "attendees", "distinct_organizations",
                         "repeat_participants"],
            "properties": {
                "fiscal_year": {"type": "integer", "description": "the 年度's starting 西暦 year (April–March)"},
                "label": {"type": "string", "description": "令和N年度 (FY2021 (Reiwa 3) in English)"},
                **_FIGURES,
                "repeat_participants": {"type": "integer", "description": "distinct people who had taken "
                                        "part in an earlier event"},
            },
        },
        "Kpi": {
            "type": "object",
            "required": ["id", "name", "measure", "target", "value", "progress"],
            "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"},
                "measure": {"enum": ["attendees", "people", "completers", "organizations", "target_share"],
                            "description": "attendees: attendances, once per person and event; people: distinct "
                            "people who attended; completers: distinct people who completed an event by its "
                            "completion rule; organizations: distinct organisations of confirmed "
                            "registrations; target_share: % of an uploaded list of organisations that attended"},
                "fiscal_year_from": {"type": "integer"}, "fiscal_year_to": {"type": "integer"},
                "label": {"type": "string"}, "unit": {"enum": ["count", "percent"]},
                "target": {"type": "integer"}, "value": {"type": "number"},
                "progress": {"type": "number", "description": "value / target; 1 = reached"},
                "event_ids": {"type": "array", "items": {"type": "integer"}},
                "series_ids": {"type": "array", "items": {"type": "integer"}},
                "events": {"type": "array", "items": {"type": "object"}, "description": "(one KPI) events counted"},
                "matches": {"type": "array", "items": {"type": "object"},
                            "description": "(one KPI) organisations counted or matched"},
                "list_size": {"type": "integer"},
                "unmatched": {"type": "array", "items": {"type": "object"},
                              "description": "(target_share) list entries that matched nothing"},
            },
        },
        "FiscalYearReport": {
            "type": "object", "required": ["fiscal_years", "total", "filters"],
            "properties": {
                "fiscal_years": {"type": "array", "items": _ref("FiscalYearStats")},
                "total": {"type": "object", "properties": _FIGURES,
                          "description": "the whole range (distinct counts across all its years)"},
                "filters": {"type": "object"},
                "uncounted_events": {"type": "integer", "description": (
                    "held events that have started but are not yet in the figures (the jobs count them "
                    "on their next pass)")},
            },
        },
    }


def _stats_paths(unauthorized: dict) -> dict:
    return {
        "/api/v1/kpis": {
            "get": {
                "operationId": "listKpis", "tags": ["stats"], "summary": "Every KPI with its progress (any staff token)",
                "security": [{"bearerAuth": []}],
                "responses": {"200": _json({"type": "object", "required": ["kpis"], "properties": {
                    "kpis": {"type": "array", "items": _ref("Kpi")}}}, "The KPIs"), "401": unauthorized},
            },
        },
        "/api/v1/kpis/{kpi_id}": {
            "get": {
                "operationId": "getKpi", "tags": ["stats"],
                "summary": "One KPI: progress, the events counted, matches and unmatched list entries",
                "security": [{"bearerAuth": []}],
                "parameters": [{"name": "kpi_id", "in": "path", "required": True,
                                "schema": {"type": "integer", "minimum": 1}}],
                "responses": {"200": _json(_ref("Kpi"), "The KPI"), "401": unauthorized,
                              "404": _error("Unknown KPI (`not_found`).")},
            },
        },
        "/api/v1/events/{event_id}/stats": {
            "get": {
                "operationId": "eventStats", "tags": ["stats"],
                "summary": "One event's funnel and breakdowns (any staff token)",
                "security": [{"bearerAuth": []}], "parameters": [EVENT_ID],
                "responses": {"200": _json(_ref("EventStats"), "The figures"), "401": unauthorized,
                              "404": _error("Unknown event (`not_found`).")},
            },
        },
        "/api/v1/stats/fiscal-years": {
            "get": {
                "operationId": "fiscalYearStats", "tags": ["stats"],
                "summary": "Figures by 年度 (April–March), every year of the range (any staff token)",
                "description": "An empty parameter means its default (no filter, or the default years).",
                "security": [{"bearerAuth": []}],
                "parameters": [
                    {"name": "from", "in": "query", "allowEmptyValue": True, "description": "First 年度 (西暦); default: the first held "
                     "event's", "schema": {"type": "integer", "minimum": 1900, "maximum": 2200}},
                    {"name": "to", "in": "query", "allowEmptyValue": True, "description": "Last 年度; default: the current one",
                     "schema": {"type": "integer", "minimum": 1900, "maximum": 2200}},
                    {"name": "category", "in": "query", "allowEmptyValue": True, "schema": {"enum": [c.value for c in EventCategory]}},
                    {"name": "series", "in": "query", "allowEmptyValue": True, "description": "A series id",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}},
                    {"name": "prefecture", "in": "query", "allowEmptyValue": True, "description": "JIS X 0401 code of the event's prefecture",
                     "schema": {"enum": sorted(PREFECTURES)}},
                    {"name": "format", "in": "query", "allowEmptyValue": True, "schema": {"enum": [f.value for f in EventFormat]}},
                ],
                "responses": {"200": _json(_ref("FiscalYearReport"), "One row per 年度"),
                              "400": _error("A parameter is unknown or not one of its values, `from` comes "
                                            "after `to`, or the range is longer than 40 years (`bad_request`, "
                                            "with `errors` by parameter)."),
                              "401": unauthorized},
            },
        },
    }


def _export_formats() -> list[str]:
    from app.services.exports import FORMATS

    return list(FORMATS)


def _export_mimetypes() -> list[str]:
    from app.services.exports import FORMATS

    return sorted({f.mimetype for f in FORMATS.values()})


def _page_of(name: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {"items": {"type": "array", "items": _ref(name)}, "page": {"type": "integer"},
                       "per_page": {"type": "integer"}, "total": {"type": "integer"}},
    }


def _paths() -> dict:
    unauthorized = _error("No token, or an invalid, revoked or disabled one (`unauthorized`).")
    return {
        **_stats_paths(unauthorized),
        **_lottery_paths(unauthorized),
        **_application_paths(unauthorized),
        "/api/v1/openapi.json": {
            "get": {"operationId": "openapi", "summary": "This document", "tags": ["meta"],
                    "responses": {"200": {"description": "OpenAPI 3.1 document",
                                          "content": {"application/json": {"schema": {"type": "object"}}}}}},
        },
        "/api/v1/events": {
            "get": {
                "operationId": "listEvents", "tags": ["events"],
                "summary": "Published events, soonest first",
                "description": "Without a token only events that are not drafts can be asked for. "
                               "A token that is sent must be valid.",
                "security": [{}, {"bearerAuth": []}],
                "parameters": PAGE_PARAMS + [{
                    "name": "status", "in": "query", "description": "Comma-separated; default published. "
                    "Drafts only with a token.", "schema": _status_list([s.value for s in EventStatus])}],
                "responses": {"200": _json(_ref("EventPage"), "A page of events", LINK_HEADERS),
                              "400": COMMON_ERRORS["400"], "401": unauthorized},
            },
            "post": {
                "operationId": "createEvent", "tags": ["events"],
                "summary": "Create an event with its sessions and 参加枠 (organizer or admin token)",
                "security": [{"bearerAuth": []}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("EventInput")}}},
                "responses": {
                    "201": _json(_ref("Event"), "Created", {"Location": {"schema": {"type": "string"}}}),
                    "400": COMMON_ERRORS["400"], "401": unauthorized,
                    "403": _error("The token's account is a viewer (`forbidden`)."),
                    "422": _json(_ref("ValidationError"), "Invalid fields, or cannot be published yet"),
                },
            },
        },
        "/api/v1/events/{event_id}": {
            "get": {
                "operationId": "getEvent", "tags": ["events"], "summary": "One event",
                "security": [{}, {"bearerAuth": []}],
                "parameters": [EVENT_ID],
                "responses": {"200": _json(_ref("Event"), "The event"), "401": unauthorized,
                              "404": _error("Unknown, or a draft and no token (`not_found`).")},
            },
        },
        "/api/v1/events/{event_id}/registrations": {
            "get": {
                "operationId": "listRegistrations", "tags": ["registrations"],
                "summary": "The event's registrations, filtered and sorted like the organizer's list "
                           "(oldest first by default; any staff token)",
                "security": [{"bearerAuth": []}],
                "parameters": [EVENT_ID, *PAGE_PARAMS, *_registrant_filters()[0]],
                "responses": {"200": _json(_ref("RegistrationPage"), "A page of registrations", LINK_HEADERS),
                              "400": _json(_ref("ParameterError"), "A filter is not valid, or a parameter "
                                           "is unknown (`bad_request`, `errors` per parameter)"),
                              "401": unauthorized,
                              "404": _error("Unknown event (`not_found`).")},
            },
            "post": {
                "operationId": "register", "tags": ["registrations"],
                "summary": "Register one person (public; same rules as the form)",
                "description": "Rate limited per client address (RATELIMIT_REGISTRATION). The confirmation "
                               "mail is queued in the same transaction.",
                "security": [{}],
                "parameters": [EVENT_ID],
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": _ref("RegistrationInput")}}},
                "responses": {
                    "201": _json(_ref("RegistrationCreated"), "Registered (confirmed, waitlisted, applied for "
                                 "the lottery, or pending approval)", RATE_LIMIT_HEADERS),
                    "400": COMMON_ERRORS["400"],
                    "404": _error("Unknown event or a draft (`not_found`)."),
                    "409": _error("Refused: `full` (no waiting list), `session_full` (a chosen day is full and "
                                  "the event has no waiting list), `already_registered` (the manage link "
                                  "was mailed again; no token is returned), `organization_already_registered`, "
                                  "or the registration window: `not_yet_open` (with opens_at), `ended`, "
                                  "`cancelled`, `postponed`."),
                    "422": _json(_ref("ValidationError"), "Invalid fields"),
                    "429": COMMON_ERRORS["429"],
                },
            },
        },
        "/api/v1/events/{event_id}/attendance": {
            "get": {
                "operationId": "getEventAttendance", "tags": ["attendance"],
                "summary": "Attendance counts of the event and of each session (any staff token)",
                "security": [{"bearerAuth": []}],
                "parameters": [EVENT_ID],
                "responses": {"200": _json(_ref("EventAttendance"), "The counts"), "401": unauthorized,
                              "404": _error("Unknown event (`not_found`).")},
            },
        },
        "/api/v1/events/{event_id}/checkins": {
            "post": {
                "operationId": "checkIn", "tags": ["check-in"],
                "summary": "Check a registrant in at the door by QR payload or 受付番号",
                "description": "Tokens of admins and organizers (every event) or of door staff (role checkin, "
                               "the events assigned to them). Idempotent: a repeat answers 200 with the earlier "
                               "time and staff member; two phones at once record one check-in.",
                "security": [{"bearerAuth": []}],
                "parameters": [EVENT_ID],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("CheckinInput")}}},
                "responses": {
                    "201": _json(_ref("Checkin"), "Checked in now (name, company, 参加枠, 受付番号, session, time)"),
                    "200": _json(_ref("Checkin"), "Already checked in (`already: true`, the earlier time and who)"),
                    "400": COMMON_ERRORS["400"], "401": unauthorized,
                    "403": _error("A viewer, or door staff not assigned to this event (`forbidden`)."),
                    "404": _json({"anyOf": [_ref("CheckinRefusal"), _ref("Error")]},
                                 "Unknown or forged code (`not_found`, with `reason` and `session`), unknown "
                                 "event, or a session_id that is not one of the event's (`reason`: "
                                 "`unknown_session`)"),
                    "409": _json(_ref("CheckinRefusal"), "Refused: `cancelled`, `waitlisted` (not confirmed), "
                                 "`wrong_event` (a 受付票 of another event) or `not_this_day` (per-day "
                                 "registration: no seat for this session)"),
                    "422": _json(_ref("ValidationError"), "code missing or longer than 200 characters, or "
                                 "client_ref not as described"),
                },
            },
        },
        "/api/v1/events/{event_id}/checkins/{registration_id}": {
            "delete": {
                "operationId": "undoCheckIn", "tags": ["check-in"],
                "summary": "Undo a check-in (recorded with the staff member and the time)",
                "security": [{"bearerAuth": []}],
                "parameters": [EVENT_ID, {"name": "registration_id", "in": "path", "required": True,
                                          "schema": {"type": "integer", "minimum": 1}},
                               {"name": "session_id", "in": "query", "required": False,
                                "description": "Default as for checking in",
                                "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}],
                "responses": {
                    "204": {"description": "Undone"},
                    "400": COMMON_ERRORS["400"], "401": unauthorized,
                    "403": _error("A viewer, or door staff not assigned to this event (`forbidden`)."),
                    "404": _error("Unknown event, a session_id that is not the event's, or nothing to undo "
                                  "(`not_found`)."),
                },
            },
        },
        "/api/v1/events/{event_id}/registrations/export": {
            "get": {
                "operationId": "exportRegistrations", "tags": ["registrations"],
                "summary": "The filtered list as a file (organizer or admin token); every export is logged",
                "description": "The same filters as the list, the columns chosen with `columns`. `csv`: UTF-8 "
                               "with a BOM; `csv-cp932`: Windows Japanese, characters it cannot hold written as "
                               "〓 (X-Export-Replaced-Cells counts the cells changed; organizers read the report "
                               "on the event's export log); `xlsx`: text cells for phone and 法人番号, dates as "
                               "Japanese dates (和暦 with wareki=yes). Cells starting with = + - @ tab or CR "
                               "are written with a leading apostrophe.",
                "security": [{"bearerAuth": []}],
                "parameters": [EVENT_ID, {
                    "name": "format", "in": "query", "description": "Default csv.",
                    "schema": {"type": "string", "enum": _export_formats()}},
                    *_registrant_filters()[0], *_registrant_filters()[1], {
                    "name": "wareki", "in": "query", "description": "XLSX: dates in the Japanese era (令和).",
                    "schema": {"type": "string", "enum": ["yes", "no"]}}],
                "responses": {
                    "200": {"description": "The file (Content-Disposition: attachment)",
                            "headers": {"X-Export-Id": {"schema": {"type": "integer"}},
                                        "X-Export-Rows": {"schema": {"type": "integer"}},
                                        "X-Export-Replaced-Cells": {"schema": {"type": "integer"}}},
                            "content": {mimetype.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                                        for mimetype in _export_mimetypes()}},
                    "400": _json(_ref("ParameterError"), "A filter, the format or a column is not valid "
                                 "(`bad_request`; unknown columns come with `available_columns`)"),
                    "401": unauthorized,
                    "403": _error("The token's account is a viewer: personal data is for organizers "
                                  "(`forbidden`)."),
                    "404": _error("Unknown event (`not_found`)."),
                },
            },
        },
        **{f"/api/v1/registrations/{{registration_id}}/{verb}": {
            "post": {
                "operationId": f"{verb}Registration", "tags": ["registrations"],
                "summary": summary,
                "description": "承認制. Locks like every change of a registration (event, 参加枠, registration); "
                               "the registrant is mailed, with the message when one is given. Any body must "
                               "be a JSON object.",
                "security": [{"bearerAuth": []}],
                "parameters": [{"name": "registration_id", "in": "path", "required": True,
                                "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}],
                "requestBody": {"required": False,
                                "content": {"application/json": {"schema": _ref("DecisionInput")}}},
                "responses": {
                    "200": _json(_ref("Registration"), done),
                    "400": COMMON_ERRORS["400"], "401": unauthorized,
                    "403": _error("The token's account is a viewer (`forbidden`)."),
                    "404": _error("Unknown registration (`not_found`)."),
                    "409": _error(conflicts),
                    "422": _json(_ref("ValidationError"), "The message is not text or too long"),
                },
            },
        } for verb, summary, done, conflicts in (
            ("approve", "Approve a pending registration (organizer or admin token)",
             "Approved: `confirmed`, or `waitlisted` when the 参加枠 is full and the event waitlists approvals",
             "Not pending (`not_pending`), the 参加枠 is full and the event refuses approvals past capacity "
             "(`full`), or the event is not published (`event_not_live`)."),
            ("reject", "Reject a pending registration (organizer or admin token)", "Rejected: `rejected`",
             "Not pending (`not_pending`)."),
        )},
        "/api/v1/series/{slug}": {
            "get": {
                "operationId": "getSeries", "tags": ["events"],
                "summary": "A series and its public editions (upcoming and past)",
                "security": [{}, {"bearerAuth": []}],
                "parameters": [{"name": "slug", "in": "path", "required": True,
                                "schema": {"type": "string", "maxLength": 100}}],
                "responses": {"200": _json(_ref("Series"), "The series"), "401": unauthorized,
                              "404": _error("Unknown series, or none of its editions is public (`not_found`).")},
            },
        },
        "/api/v1/registrations/{registration_id}": {
            "get": {
                "operationId": "getRegistration", "tags": ["registrations"],
                "summary": "One registration with its team (any staff token; members' names for editors only)",
                "security": [{"bearerAuth": []}],
                "parameters": [{"name": "registration_id", "in": "path", "required": True,
                                "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}],
                "responses": {"200": _json(_ref("Registration"), "The registration"), "401": unauthorized,
                              "403": _error("Door staff (`forbidden_checkin`)."),
                              "404": _error("Unknown registration (`not_found`).")},
            },
        },
        "/api/v1/events/{event_id}/teams": {
            "get": {
                "operationId": "listEventTeams", "tags": ["registrations"],
                "summary": "An event's teams and the counts per division (any staff token; members' names "
                           "for admins and organizers only, viewers see counts)",
                "security": [{"bearerAuth": []}],
                "parameters": [EVENT_ID],
                "responses": {"200": _json(_ref("EventTeams"), "The teams"), "401": unauthorized,
                              "403": _error("Door staff (`forbidden_checkin`)."),
                              "404": _error("Unknown event (`not_found`).")},
            },
        },
        "/api/v1/registrations/cancel": {
            "post": {
                "operationId": "cancelRegistration", "tags": ["registrations"],
                "summary": "Cancel with the manage token (public); the seat goes to the first on the waiting list",
                "security": [{}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["manage_token"],
                    "properties": {"manage_token": {"type": "string", "minLength": 1, "pattern": "\\S",
                                                    "description": "From the manage link (/r/<token>)"}}}}}},
                "responses": {
                    "200": _json(_ref("Registration"), "Cancelled"),
                    "400": COMMON_ERRORS["400"],
                    "404": _error("No registration has this token (`not_found`)."),
                    "409": _error("Already cancelled (`already_cancelled`) or otherwise not active (`not_active`)."),
                    "422": _json(_ref("ValidationError"), "manage_token missing"),
                    "429": COMMON_ERRORS["429"],
                },
            },
        },
    }


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tsudoi API",
            "version": "1.0.0",
            "description": "Events and registrations of Tsudoi (集い). Errors are JSON: "
                           "`{\"error\": code, \"message\": text}`. Times are ISO 8601 with an offset.",
        },
        "servers": [{"url": current_app.config["BASE_URL"]}],
        "paths": _paths(),
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "`flask organizers token EMAIL` prints a new token."},
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    return document()
