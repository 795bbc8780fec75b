"""Who is told which outcome, and when an outcome mail is still true at send time (pure rules)."""
from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from app.domain import mail_relevance
from app.domain.results import awards_of, outcome_to_tell

NOW = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(("status", "active", "last", "told"), [
    ("shortlisted", True, None, "shortlisted"),
    ("awarded", True, None, "awarded"),
    ("not_selected", True, None, "not_selected"),
    (None, True, None, None),  # undecided: nothing to tell
    ("awarded", False, None, None),  # withdrawn
    ("awarded", True, ("awarded", "pending"), None),  # already queued
    ("awarded", True, ("awarded", "sent"), None),  # already told
    ("awarded", True, ("awarded", "failed"), None),  # retried from the outbox, not queued again
    ("awarded", True, ("shortlisted", "sent"), "awarded"),  # the decision changed since
    ("shortlisted", True, ("shortlisted", "superseded"), "shortlisted"),  # the earlier mail never went
])
def test_outcome_to_tell(status, active, last, told):
    assert outcome_to_tell(status, active, last) == told


def test_awards_of_one_application_only():
    results = [SimpleNamespace(registration_id=1, award="最優秀賞"), SimpleNamespace(registration_id=2, award="優秀賞"),
               SimpleNamespace(registration_id=None, award="特別賞"), SimpleNamespace(registration_id=1, award="特別賞")]
    assert awards_of(1, results) == ["最優秀賞", "特別賞"]
    assert awards_of(3, results) == []


def _why(application_status, registration_status="confirmed", newer=False, told="awarded"):
    return mail_relevance.why_not_relevant(
        "application_outcome", {"outcome": told}, registration_status=registration_status, event_status="closed",
        sessions=[], now=NOW, newer_same_kind=newer, application_status=application_status)


def test_an_outcome_mail_is_true_while_the_decision_stands():
    assert _why("awarded") is None
    assert _why("not_selected") == mail_relevance.OUTCOME_CHANGED
    assert _why(None) == mail_relevance.OUTCOME_CHANGED
    assert _why("awarded", registration_status="cancelled") == mail_relevance.REGISTRATION_CHANGED
    assert _why("awarded", registration_status=None) == mail_relevance.REGISTRATION_GONE
    assert _why("awarded", newer=True) == mail_relevance.NEWER_MAIL
    assert mail_relevance.OUTCOME_CHANGED in mail_relevance.REASONS
