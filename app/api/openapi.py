"""The OpenAPI 3.1 document of API v1, served at /api/v1/openapi.json.

Kept by hand next to the views; tests/web/test_api_openapi.py checks that every
/api/v1 route of the app is documented with the right methods, and nothing more.
"""
from __future__ import annotations

from flask import current_app

from app.api import bp
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
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "per_page", "in": "query", "description": "At most 200 (larger values are lowered to 200).",
     "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
]
EVENT_ID = {"name": "event_id", "in": "path", "required": True, "schema": {"type": "integer"}}
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


def _schemas() -> dict:
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
            "description": "Times without an offset are read as Japan time. Fields as in the organizer pages.",
            "properties": {
                "title": {"type": "string", "maxLength": 200}, "slug": {"type": "string"},
                "summary": {"type": "string"}, "description": {"type": "string", "description": "Markdown"},
                "category": {"enum": [c.value for c in EventCategory]},
                "format": {"enum": [f.value for f in EventFormat]},
                "venue": {"type": "string"}, "address": {"type": "string"},
                "prefecture": {"enum": list(PREFECTURES)}, "online_url": {"type": "string"},
                "organizer_name": {"type": "string"}, "co_organizers": {"type": "string"},
                "contact": {"type": "string"}, "consent_text": {"type": "string"},
                "registration_opens_at": DATETIME, "registration_closes_at": DATETIME,
                "admission_mode": {"enum": [m.value for m in AdmissionMode]},
                "waitlist_enabled": {"type": "boolean"}, "one_per_organization": {"type": "boolean"},
                "status": {"enum": ["draft", "published"], "default": "draft",
                           "description": "published: publish at once (422 if the event is not complete)"},
                "sessions": {"type": "array", "items": {
                    "type": "object", "required": ["starts_at"],
                    "properties": {"title": {"type": "string"}, "starts_at": DATETIME, "ends_at": DATETIME,
                                   "venue": {"type": "string"}, "is_online": {"type": "boolean"}}}},
                "ticket_types": {"type": "array", "items": {
                    "type": "object", "required": ["name"],
                    "properties": {"name": {"type": "string"}, "description": {"type": "string"},
                                   "capacity": {"type": ["integer", "null"], "minimum": 0}}}},
                "questions": {"type": "array", "items": {
                    "type": "object", "required": ["label"],
                    "properties": {"kind": {"enum": [k.value for k in QuestionKind]}, "label": {"type": "string"},
                                   "help_text": {"type": "string"}, "required": {"type": "boolean"},
                                   "choices": {"type": "array", "items": {"type": "string"}}}}},
            },
        },
        "RegistrationInput": {
            "type": "object",
            "required": ["family_name", "given_name", "family_name_kana", "given_name_kana", "email",
                         "organization", "organization_type", "prefecture", "consent"],
            "properties": {
                "ticket_type_id": {"type": "integer", "description": "May be left out when the event has one 参加枠."},
                "family_name": {"type": "string", "maxLength": 100, "description": "姓"},
                "given_name": {"type": "string", "maxLength": 100, "description": "名"},
                "family_name_kana": {"type": "string", "description": "セイ (hiragana or half-width kana accepted)"},
                "given_name_kana": {"type": "string", "description": "メイ"},
                "email": {"type": "string", "format": "email"},
                "phone": {"type": "string", "description": "10 or 11 digits; hyphens allowed"},
                "organization": {"type": "string", "maxLength": 200},
                "department": {"type": "string"}, "job_title": {"type": "string"},
                "organization_type": {"enum": [t.value for t in OrganizationType]},
                "prefecture": {"enum": list(PREFECTURES), "description": "JIS X 0401, two digits (\"04\" 宮城県)"},
                "corporate_number": {"type": "string", "description": "法人番号, 13 digits (optional)"},
                "answers": {"type": "object", "description": "{\"<question_id>\": value}; a list for multiple "
                            "choice, a boolean for yes/no", "additionalProperties": True},
                "consent": {"const": True, "description": "Agreement to the event's purpose of use"},
                "opt_in_announcements": {"type": "boolean"},
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
    }


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
                    "name": "status", "in": "query", "description": "Comma-separated; default published",
                    "schema": {"type": "string"}}],
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
                "summary": "The event's registrations, oldest first (any staff token)",
                "security": [{"bearerAuth": []}],
                "parameters": [EVENT_ID, *PAGE_PARAMS, {
                    "name": "status", "in": "query", "description": "Comma-separated, e.g. confirmed,waitlisted",
                    "schema": {"type": "string"}}],
                "responses": {"200": _json(_ref("RegistrationPage"), "A page of registrations", LINK_HEADERS),
                              "400": COMMON_ERRORS["400"], "401": unauthorized,
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
        "/api/v1/registrations/cancel": {
            "post": {
                "operationId": "cancelRegistration", "tags": ["registrations"],
                "summary": "Cancel with the manage token (public); the seat goes to the first on the waiting list",
                "security": [{}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["manage_token"],
                    "properties": {"manage_token": {"type": "string"}}}}}},
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
            "schemas": _schemas(),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "`flask organizers token EMAIL` prints a new token."},
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    return document()
