"""Hypothesis feeds the registration form and the API arbitrary text (NUL, lone surrogates, line
breaks, megabyte-ish strings): never a 5xx, and never a partial write — every registration has its
audit row and its mail, and a refused one writes nothing at all.

Bounded and reproducible: derandomized, no example database, a fixed number of examples.
"""
from __future__ import annotations

import itertools
import json
from urllib.parse import urlencode

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.domain.text_input import has_bad_characters
from app.extensions import db
from app.models import AuditLog, OutboxMessage, Question, Registration
from tests import factories

SPECIAL = ["\x00", "\ud800", "\udfff", "\n", "\r\n", "\t", "\x7f", "\x85", "\u2028", "\ufeff", "\uffff",
           "１", "－", "ア", "あ", "ｱ", " ", "\u3000", "@", "x" * 300, "9" * 40, "1e400"]
TEXT = st.lists(st.one_of(st.characters(), st.sampled_from(SPECIAL)), max_size=12).map("".join)
FIELDS = ["family_name", "given_name", "family_name_kana", "given_name_kana", "email", "phone", "organization",
          "department", "job_title", "organization_type", "prefecture", "corporate_number", "ticket_type_id"]
# JSON may also carry other types where text is expected.
JSON_VALUE = st.one_of(TEXT, st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                       st.floats(allow_nan=False), st.lists(TEXT, max_size=3))
SETTINGS = settings(max_examples=60, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
_n = itertools.count(1000)


def _event():
    event = factories.create_event(capacity=1000, commit=False)
    event.questions.append(Question(kind="single", label="参加方法", choices=["会場", "オンライン"], position=0))
    event.questions.append(Question(kind="multiple", label="関心", choices=["DX", "GX"], position=1))
    event.questions.append(Question(kind="text", label="ご質問", position=2))
    event.questions.append(Question(kind="textarea", label="ご要望", position=3))
    db.session.commit()
    return event.id, event.slug, event.ticket_types[0].id, [q.id for q in event.questions]


def _counts() -> tuple[int, int, int]:
    db.session.rollback()
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Registration, AuditLog,
                                                                                   OutboxMessage))


def _assert_whole():
    """Every registration has its audit row and its mail (nothing half written)."""
    db.session.rollback()
    without_audit = db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(~select(AuditLog.id).where(AuditLog.registration_id == Registration.id).exists()))
    without_mail = db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(~select(OutboxMessage.id).where(OutboxMessage.registration_id == Registration.id).exists()))
    assert without_audit == 0 and without_mail == 0


def _base(ticket_type_id: int) -> dict:
    n = next(_n)
    return {"family_name": "山田", "given_name": "太郎", "family_name_kana": "ヤマダ", "given_name_kana": "タロウ",
            "email": f"fuzz{n}@example.jp", "phone": "022-221-4876", "organization": f"株式会社ファズ{n}",
            "organization_type": "company", "prefecture": "04", "ticket_type_id": ticket_type_id}


TEXT_COLUMNS = ("family_name", "given_name", "family_name_kana", "given_name_kana", "email", "phone",
                "organization", "department", "job_title", "corporate_number")


def _check(response, before, created_status, outcomes: list):
    assert response.status_code < 500, response.data[:300]
    outcomes.append(response.status_code)
    after = _counts()
    if response.status_code == created_status:
        assert after[0] == before[0] + 1
        stored = db.session.scalars(select(Registration).order_by(Registration.id.desc())).first()
        for column in TEXT_COLUMNS:  # no control character or line break was stored
            assert not has_bad_characters(getattr(stored, column)), (column, getattr(stored, column))
        for value in stored.answers.values():
            if isinstance(value, str):
                assert not has_bad_characters(value, multiline=True)
    else:
        assert after == before, (response.status_code, response.data[:300])
    _assert_whole()


def test_api_registration_with_arbitrary_values(app, client):
    event_id, _slug, ticket_type_id, question_ids = _event()
    outcomes: list[int] = []

    @SETTINGS
    @given(overrides=st.dictionaries(st.sampled_from(FIELDS), JSON_VALUE, max_size=4),
           answers=st.dictionaries(st.sampled_from([str(q) for q in question_ids] + ["999"]), JSON_VALUE,
                                   max_size=3))
    # Always tried first: the cases that were 500s or silent losses.
    @example(overrides={"department": "DX\x00"}, answers={})
    @example(overrides={"family_name": "\ud800"}, answers={})
    @example(overrides={"ticket_type_id": float("inf")}, answers={})
    @example(overrides={"ticket_type_id": 2**40}, answers={})
    @example(overrides={"organization": "株式会社\nテスト"}, answers={})
    @example(overrides={"phone": "1" * 10_000}, answers={})
    @example(overrides={}, answers={str(question_ids[0]): "x" * 100_000})
    def run(overrides, answers):
        body = {**_base(ticket_type_id), **overrides, "answers": answers, "consent": True}
        before = _counts()
        response = client.post(f"/api/v1/events/{event_id}/registrations",
                               data=json.dumps(body).encode("ascii"),  # lone surrogates as \\ud800 escapes
                               content_type="application/json")
        _check(response, before, 201, outcomes)

    run()
    assert 201 in outcomes and 422 in outcomes  # both paths were exercised


def test_form_registration_with_arbitrary_text(app, client):
    event_id, slug, ticket_type_id, question_ids = _event()
    outcomes: list[int] = []

    @SETTINGS
    @given(overrides=st.dictionaries(st.sampled_from(FIELDS + ["email_confirm"]), TEXT, max_size=4),
           answers=st.dictionaries(st.sampled_from(question_ids), TEXT, max_size=3))
    @example(overrides={"job_title": "課長\x00"}, answers={})
    @example(overrides={"given_name": "太郎\ud800"}, answers={})
    @example(overrides={"organization": "株式会社\r\nテスト"}, answers={})
    @example(overrides={"phone": "電話なし"}, answers={})
    @example(overrides={}, answers={question_ids[2]: "一行目\n二行目"})
    def run(overrides, answers):
        data = {**_base(ticket_type_id), "consent": "y"}
        data["email_confirm"] = data["email"]
        data.update(overrides)
        data.update({f"q_{q}": v for q, v in answers.items()})
        # What a browser cannot send (lone surrogates) arrives as invalid UTF-8 bytes.
        body = urlencode({k: str(v).encode("utf-8", "surrogatepass") for k, v in data.items()})
        before = _counts()
        review = client.post(f"/events/{slug}/register", data=body,
                             content_type="application/x-www-form-urlencoded")
        assert review.status_code < 500
        assert _counts() == before  # the review page writes nothing
        response = client.post(f"/events/{slug}/register/confirm", data=body + "&action=register",
                               content_type="application/x-www-form-urlencoded")
        _check(response, before, 303, outcomes)

    run()
    assert 303 in outcomes and 200 in outcomes  # registered, and sent back with errors
