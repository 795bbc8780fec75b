"""Results (受賞結果) of an event: the awards offered, and the name a result is published under.

Pure rules, no Flask. A result names the registration (an application, a team) that
won it; its public name is shown only when the registrant agreed
(``Registration.public_name_consent``).
"""
from __future__ import annotations

#: The awards offered on the organizer's form (the organizer may type others).
AWARDS: tuple[str, ...] = ("優勝", "準優勝", "最優秀賞", "優秀賞", "特別賞")

AWARD_MAX = 100
TITLE_MAX = 200


def public_name(registration) -> str:
    """The name a registration is published under: its team's name (a team
    registration or a hackathon member: app.domain.teams.team_public_name), else its organisation, else the person's name.
    """
    from app.domain.teams import team_public_name

    team = team_public_name(registration)
    if team:
        return team
    organization = (getattr(registration, "organization", "") or "").strip()
    if organization:
        return organization
    return f"{registration.family_name} {registration.given_name}".strip()


def shown_name(registration) -> str | None:
    """The public name when the registrant agreed to it; None otherwise (shown as 非公開)."""
    if registration is None or not getattr(registration, "public_name_consent", False):
        return None
    return public_name(registration) or None  # a name erased after the retention period: 非公開


def clean_award(value) -> tuple[str, str | None]:
    """(the award, an error message id or None)."""
    text = " ".join(str(value or "").split())
    if not text:
        return "", "required"
    if len(text) > AWARD_MAX:
        return text[:AWARD_MAX], "too_long"
    return text, None


# --- telling applicants the outcome (app.services.applications.notify_outcomes) -----------------

#: The organizers' decisions an applicant is told of by mail, in the order they are shown
#: (app.domain.codes.ApplicationStatus values; undecided applications are told nothing).
OUTCOMES: tuple[str, ...] = ("shortlisted", "awarded", "not_selected")

#: The outcome mail's kind (templates/email/application_outcome.*; checked at send time by
#: app.domain.mail_relevance).
OUTCOME_MAIL_KIND = "application_outcome"


def outcome_to_tell(application_status: str | None, active: bool, last_told: tuple[str, str] | None) -> str | None:
    """The outcome an application's applicant must be told now, or None.

    `active`: the application is not cancelled; `last_told`: (outcome, outbox status) of the
    latest outcome mail queued for it, or None. An applicant is told their decision once: not
    again while the latest mail tells that same decision (waiting or sent), but anew when the
    decision changed since, or when that mail was never sent because it was no longer true then.
    """
    if not active or application_status not in OUTCOMES:
        return None
    if last_told is not None and last_told[0] == application_status and last_told[1] != "superseded":
        return None
    return application_status


def awards_of(registration_id: int, results) -> list[str]:
    """The awards the results give one application (its own results only, never another's), in order."""
    return [r.award for r in results if r.registration_id == registration_id and r.award]
