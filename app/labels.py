"""Human labels for the code lists (one place, used by every area).

Each table maps a code value (the plain string stored in the database) to a
lazily translated label; msgids are English, Japanese lives in the catalogue
(app/translations.d/public). The templates use the filters registered by
``app.public`` (``{{ event.category|category_label }}`` …); Python code can call
``label(CATEGORY_LABELS, value)`` or build form choices with ``choices(...)``.

The marker is imported as ``_`` so that the default Babel keywords (and the
catalogue test) find these strings.
"""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _

from app.domain.admission import Availability, WindowState
from app.domain.codes import (
    AdmissionMode,
    ApprovalOverflow,
    EventCategory,
    EventFormat,
    EventStatus,
    OrganizationType,
    RegistrationStatus,
)

#: One wording for a missing value in every form (WTForms' own catalogue words it differently).
REQUIRED = _("This field is required.")

CATEGORY_LABELS = {
    EventCategory.SEMINAR: _("Seminar"),
    EventCategory.WORKSHOP: _("Workshop"),
    EventCategory.AWARD: _("Award"),
    EventCategory.EXCHANGE: _("Networking event"),
    EventCategory.CONTEST: _("Contest"),
    EventCategory.SYMPOSIUM: _("Symposium"),
    EventCategory.TRAINING_SERIES: _("Training programme"),
    EventCategory.SUMMIT: _("Summit"),
    EventCategory.PITCH: _("Pitch event"),
    EventCategory.HACKATHON: _("Ideathon / hackathon"),
    EventCategory.MEETUP: _("Meetup"),
}

FORMAT_LABELS = {
    EventFormat.IN_PERSON: _("In person"),
    EventFormat.ONLINE: _("Online"),
    EventFormat.HYBRID: _("Hybrid (venue and online)"),
}

EVENT_STATUS_LABELS = {
    EventStatus.DRAFT: _("Draft"),
    EventStatus.PUBLISHED: _("Published"),
    EventStatus.CLOSED: _("Registration closed"),
    EventStatus.CANCELLED: _("Cancelled"),
    EventStatus.POSTPONED: _("Postponed"),
    EventStatus.FINISHED: _("Finished"),
}

ADMISSION_LABELS = {
    AdmissionMode.FIRST_COME: _("First come, first served"),
    AdmissionMode.LOTTERY: _("Lottery"),
    AdmissionMode.APPROVAL: _("Approval by the organizers"),
}

APPROVAL_OVERFLOW_LABELS = {
    ApprovalOverflow.REFUSE: _("Refuse the approval (the ticket type is full)"),
    ApprovalOverflow.WAITLIST: _("Approve onto the waiting list"),
}

ORGANIZATION_TYPE_LABELS = {
    OrganizationType.COMPANY: _("Company"),
    OrganizationType.MUNICIPALITY: _("Municipality"),
    OrganizationType.PUBLIC_AGENCY: _("Public agency"),
    OrganizationType.ASSOCIATION: _("Association"),
    OrganizationType.ACADEMIA: _("University or research institute"),
    OrganizationType.STUDENT: _("Student"),
    OrganizationType.OTHER: _("Other"),
}

REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: _("Confirmed"),
    RegistrationStatus.WAITLISTED: _("On the waiting list"),
    RegistrationStatus.APPLIED: _("Applied (awaiting the draw)"),
    RegistrationStatus.PENDING: _("Awaiting approval"),
    RegistrationStatus.CANCELLED: _("Registration cancelled"),
    RegistrationStatus.REJECTED: _("Not approved"),
    RegistrationStatus.LOST: _("Not drawn"),
}

#: Per 参加枠 (the remaining-seat count itself is shown by the templates).
AVAILABILITY_LABELS = {
    Availability.AVAILABLE: _("Seats available"),
    Availability.WAITLIST: _("Full: waiting list open"),
    Availability.FULL: _("Full"),
    Availability.LOTTERY: _("Lottery"),
    Availability.APPROVAL: _("Approval required"),
}

WINDOW_LABELS = {
    WindowState.OPEN: _("Registration open"),
    WindowState.NOT_PUBLISHED: _("Not published"),
    WindowState.NOT_YET_OPEN: _("Registration not yet open"),
    WindowState.ENDED: _("Registration closed"),
    WindowState.CANCELLED: _("Cancelled"),
    WindowState.POSTPONED: _("Postponed"),
}

#: The one badge on an event card (see app.public.badges.event_badge).
BADGE_LABELS = {
    "open": _("Registration open"),
    "few_left": _("Few seats left"),
    "not_yet_open": _("Registration not yet open"),
    "ended": _("Registration closed"),
    "full": _("Full"),
    "waitlist": _("Full: waiting list"),
    "lottery": _("Lottery: applications open"),
    "approval": _("Approval required"),
    "cancelled": _("Cancelled"),
    "postponed": _("Postponed"),
    "not_published": _("Not published"),
}


#: The button of each action on the event page (app.domain.event_state.Action).
ACTION_LABELS = {
    "register": _("Register for this event"),
    "join_waitlist": _("Join the waiting list"),
    "apply_lottery": _("Apply for the lottery"),
    "apply_approval": _("Apply (subject to approval)"),
}


def label(table: Mapping, value) -> str:
    """The label of `value` in `table`; unknown or empty values come back as they are."""
    if value is None:
        return ""
    found = table.get(value)
    if found is None:
        found = table.get(str(value))
    return str(found) if found is not None else str(value)


def choices(table: Mapping) -> list[tuple[str, str]]:
    """(value, label) pairs for a select field, in the table's order (labels stay lazy)."""
    return [(str(value), text) for value, text in table.items()]


#: Jinja filter name -> table, registered for every template by app.public.
FILTERS = {
    "category_label": CATEGORY_LABELS,
    "format_label": FORMAT_LABELS,
    "event_status_label": EVENT_STATUS_LABELS,
    "admission_label": ADMISSION_LABELS,
    "approval_overflow_label": APPROVAL_OVERFLOW_LABELS,
    "organization_type_label": ORGANIZATION_TYPE_LABELS,
    "registration_status_label": REGISTRATION_STATUS_LABELS,
    "availability_label": AVAILABILITY_LABELS,
    "window_label": WINDOW_LABELS,
    "badge_label": BADGE_LABELS,
    "action_label": ACTION_LABELS,
}


class ErasedName:
    """What stands in a list, an export or a page for the name of a registrant whose personal data
    was erased after the retention period (app.services.retention): the date, in the reader's
    language when it is shown (str), never a blank."""

    __slots__ = ("at",)

    def __init__(self, at) -> None:
        self.at = at

    def __str__(self) -> str:
        from app.domain.dates import format_date
        from app.i18n import current_language

        return str(_("Personal data erased on %(date)s (retention period over)",
                     date=format_date(self.at, current_language())))

    def __eq__(self, other) -> bool:
        return isinstance(other, ErasedName) and other.at == self.at

    def __hash__(self) -> int:
        return hash(self.at)


def registrant_name(registration) -> str:
    """{{ registration|registrant_name }}: the full name, or what says it was erased and when."""
    at = getattr(registration, "erased_at", None)
    return str(ErasedName(at)) if at is not None else registration.full_name
