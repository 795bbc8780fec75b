"""Schemathesis against /api/v1/openapi.json through the WSGI app: no 5xx, answers as documented.

Bounded and reproducible: a fixed seed, derandomized, a few dozen examples per operation,
run anonymously and with an organizer's API token. A failure prints the request to replay.
"""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis import checks as st_checks

from tests import factories

MAX_EXAMPLES = 25
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.response_schema_conformance,
    st_checks.content_type_conformance,
    st_checks.status_code_conformance,
    st_checks.response_headers_conformance,
    st_checks.positive_data_acceptance,  # valid per the document: never a 422
    st_checks.negative_data_rejection,  # invalid per the document: never a 2xx
]
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _seed() -> int:
    # Something to find: a published event with two 参加枠 and a registration, and a draft.
    event = factories.create_event(ticket_types=[("一般", 5), ("学生", None)])
    factories.create_event(status="draft")
    factories.register(event)
    return event.id


#: Operations where a request valid per the document may still be refused, and why.
#: Everything else (no 5xx, the answers' schemas, status codes, content types, headers, and
#: no 2xx for a request the document calls invalid) is checked everywhere.
RULES_BEYOND_THE_SCHEMA = {
    # Business rules: the 参加枠 must exist, the reading must be kana, the email deliverable-looking,
    # times in order, a published event complete... (422, documented).
    ("POST", "/api/v1/events/{event_id}/registrations"),
    ("POST", "/api/v1/events"),
    # The 年度 range: `from` after `to`, or longer than 40 years, is a 400 (documented).
    ("GET", "/api/v1/stats/fiscal-years"),
    # The registrant list's filters name this event's 参加枠, sessions, questions and columns (400, documented).
    ("GET", "/api/v1/events/{event_id}/registrations"),
    ("GET", "/api/v1/events/{event_id}/registrations/export"),
}
#: Without a token, asking for drafts is a 400 (documented on the parameter).
ANONYMOUS_ONLY = {("GET", "/api/v1/events")}


def _checks(operation, anonymous: bool) -> list:
    key = (operation.method.upper(), operation.path)
    if key in RULES_BEYOND_THE_SCHEMA or (anonymous and key in ANONYMOUS_ONLY):
        return [c for c in CHECKS if c is not st_checks.positive_data_acceptance]
    return CHECKS


def _property(strategy, checks: list, headers: dict | None):
    @SETTINGS
    @given(case=strategy)
    def check(case):
        case.call_and_validate(checks=checks, headers=headers)

    return check


def _fuzz(app, headers: dict | None = None) -> None:
    event_id = _seed()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    if headers:
        # The token is given to every request: a case "without the required Authorization header"
        # would be sent with it, valid after all (and then wrongly flagged as accepted bad data).
        schema.config.generation.update(with_security_parameters=False)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:
        checks = _checks(operation, headers is None)
        # Random ids mostly find nothing: the operations on one event also run on the real one.
        known = [{}, {"event_id": event_id}] if "{event_id}" in operation.path else [{}]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for path_parameters in known if mode is GenerationMode.POSITIVE else [{}]:
                strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None)

                check = _property(strategy, checks, headers)

                try:
                    check()
                except Unsatisfiable:
                    # Nothing of this operation can be made invalid (no parameters, the token given
                    # to every request): there is no negative case to send.
                    if mode is not GenerationMode.NEGATIVE or not headers:
                        raise
                except Exception as exc:  # name the operation in the report
                    raise AssertionError(f"{operation.method.upper()} {operation.path} ({mode.value}, "
                                         f"{path_parameters}): {exc}") from exc


def test_api_anonymous(app):
    _fuzz(app)


def test_api_with_a_token(app, create_organizer):
    token = factories.create_api_token(create_organizer(role="organizer"))
    _fuzz(app, {"Authorization": f"Bearer {token}"})
