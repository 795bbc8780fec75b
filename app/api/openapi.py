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
          "the parts of the names.", {"type": "string", "pattern": f"^{column_name}(,{column_name})*$"}),
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
            },
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
                "status": {"enum": [s.value for s in EventStatus]},
                "category": {"enum": [c.value for c in EventCategory]},
                "format": {"enum": [f.value for f in EventFormat]},
                "venue": {"type": "string"},
                "prefecture": {"type": ["string", "null"], "description": "JIS X 0401 code, e.g. \"04\" (宮城県)"},
                "admission_mode": {"enum": [m.value for m in AdmissionMode]},
                "waitlist_enabled": {"type": "boolean"}, "one_per_organization": {"type": "boolean"},
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
                "status": {"enum": ["draft", "published"], "default": "draft",
                           "description": "published: publish at once (422 if the event is not complete)"},
                "sessions": {"type": "array", "maxItems": 100, "items": {
                    "type": "object", "required": ["starts_at"],
                    "properties": {"title": text(limits.SESSION_LENGTHS["title"]), "starts_at": DATETIME_INPUT,
                                   "ends_at": DATETIME_INPUT, "venue": text(limits.SESSION_LENGTHS["venue"]),
                                   "is_online": {"type": "boolean"}}}},
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
                                                                          "pattern": "^([01]\\d|2[0-3]):[0-5]\\d$"}}}},
            },
        },
        "RegistrationInput": {
            "type": "object",
            "required": ["family_name", "given_name", "family_name_kana", "given_name_kana", "email",
                         "organization", "organization_type", "prefecture", "consent"],
            "properties": {
                "ticket_type_id": {"type": ["integer", "null"],
                                   "description": "May be left out (or null) when the event has one 参加枠."},
                "family_name": text(limits.REGISTRATION_LENGTHS["family_name"], required=True, description="姓"),
                "given_name": text(limits.REGISTRATION_LENGTHS["given_name"], required=True, description="名"),
                "family_name_kana": text(limits.REGISTRATION_LENGTHS["family_name_kana"], required=True,
                                         description="セイ (hiragana or half-width kana accepted)"),
                "given_name_kana": text(limits.REGISTRATION_LENGTHS["given_name_kana"], required=True, description="メイ"),
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
            },
        },
        "RegistrationCreated": {
            "type": "object",
            "required": ["id", "status", "waitlist_position", "manage_token", "manage_url"],
            "properties": {
                "id": {"type": "integer"}, "reference": {"type": "string"},
                "status": {"enum": ["confirmed", "waitlisted", "applied", "pending"]},
                "ticket_type_id": {"type": "integer"},
                "waitlist_position": {"type": ["integer", "null"]},
                "manage_token": {"type": "string", "description": "Secret: lets its holder see and cancel."},
                "manage_url": {"type": "string", "format": "uri"},
            },
        },
        "Registration": {
            "type": "object",
            "required": ["id", "status", "ticket_type_id", "email", "family_name", "given_name",
                         "family_name_kana", "given_name_kana", "phone", "organization", "organization_type",
                         "prefecture", "created_at", "waitlist_position"],
            "properties": {
                "id": {"type": "integer"}, "reference": {"type": "string"}, "event_id": {"type": "integer"},
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
                "created_at": DATETIME, "confirmed_at": NULLABLE_DATETIME, "cancelled_at": NULLABLE_DATETIME,
                "checked_in_at": NULLABLE_DATETIME,
                "waitlist_position": {"type": ["integer", "null"], "description": "1 = first in line"},
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
                              "400": _json(_ref("ParameterError"), "A filter is not valid (`bad_request`, "
                                           "`errors` per parameter)"),
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
                    "409": _error("Refused: `full` (no waiting list), `already_registered` (the manage link "
                                  "was mailed again; no token is returned), `organization_already_registered`, "
                                  "or the registration window: `not_yet_open` (with opens_at), `ended`, "
                                  "`cancelled`, `postponed`."),
                    "422": _json(_ref("ValidationError"), "Invalid fields"),
                    "429": COMMON_ERRORS["429"],
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
