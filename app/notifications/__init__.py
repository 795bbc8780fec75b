"""Mails, written to the outbox in the caller's transaction (one function per mail).

Each function renders templates/email/<kind>.txt (+ .html when present) in the
registrant's language and adds an OutboxMessage whose `dedupe_key` makes the
same mail impossible to queue twice. Delivery is app.jobs' business.

The registrant's private links (manage, 受付票, calendar: ``/r/<token>...``) are
NOT written into the stored body: templates get placeholders
(app.domain.mail_text) that delivery replaces with app.urls' links at send
time, so staff reading the outbox never see a usable link (the team page of a team registration
too: ``team_url``). The personal join link
of online sessions (``/j/<token>``) replaces the online URL in the mails the
same way (app.services.online_attendance decides who gets one). What the send-time
check (app.domain.mail_relevance) needs is kept in the row's ``context``.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import gettext as _
from jinja2 import TemplateNotFound
from sqlalchemy import select

from app import urls
from app.domain import mail_relevance, mail_text
from app.extensions import db
from app.i18n import event_text, rendering_in
from app.models import OutboxMessage, Registration
from app.services import online_attendance, outbox, teams


def _render(kind: str, context: dict) -> tuple[str, str]:
    text = render_template(f"email/{kind}.txt", **context)
    try:
        html = render_template(f"email/{kind}.html", **context)
    except TemplateNotFound:
        html = ""
    return text, html


def _values(registration: Registration, event, links: dict, now: datetime, extra: dict | None) -> dict:
    """What a mail's templates are given (`links`: the private links' stand-ins)."""
    return {
        "registration": registration,
        "event": event,
        **links,
        "offers_join_link": online_attendance.offers_join_link(event),
        "event_url": urls.event_url(event),
        "now": now,
        "team_mail": teams.mail_facts(registration, now),  # a team registration's team (no members' names)
        **(extra or {}),
    }


def enqueue(kind: str, registration: Registration, *, dedupe_key: str, now: datetime, subject: str = "",
            extra: dict | None = None, skip_if_exists: bool = True, context: dict | None = None,
            send_at: datetime | None = None) -> OutboxMessage | None:
    """Render one mail for one registrant and add it to the outbox (flush only).

    `context` is kept for the send-time check; `send_at` (default: now) delays the first try.
    """
    if not registration.email:
        return None  # an imported past registrant without an address (services.imports): nobody to mail
    if skip_if_exists and db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    event = registration.event
    with rendering_in(registration.language or "ja"):
        # the private links are filled in at delivery (app.services.outbox.prepare): never stored in full
        values = _values(registration, event, mail_text.PLACEHOLDERS, now, extra)
        text, html = _render(kind, values)
        subject = mail_text.one_line(subject or _subject(kind, event, extra or {}), 300)
        attachments = _attachments(kind, registration, now)
    message = OutboxMessage(
        dedupe_key=dedupe_key,
        kind=kind,
        to_email=registration.email,
        subject=subject,
        body_text=text,
        body_html=html,
        attachments=attachments,
        language=registration.language or "ja",
        event_id=event.id,
        registration_id=registration.id,
        created_at=now,
        next_attempt_at=send_at or now,
        attempts=0,
        status="pending",
        context=context,
    )
    db.session.add(message)
    return message


#: Mails that carry the event's .ics (kept small: one calendar file, no images).
CALENDAR_KINDS = ("confirmed", "promoted", "approved", "lottery_won")


def _attachments(kind: str, registration: Registration, now: datetime) -> list[dict]:
    """[{filename, content_type, generate}] for the mail.

    The calendar file itself is built when the mail is sent (app.services.outbox.
    attachment_data), from the registration as it is then: building it here cost
    ~0.6 ms inside every registration request.
    """
    if kind not in CALENDAR_KINDS or registration.status != "confirmed" or not registration.event.sessions:
        return []
    return [{
        "filename": f"event-{registration.event_id}.ics",
        "content_type": "text/calendar",
        "generate": "calendar",
    }]


def _subject(kind: str, event, extra: dict) -> str:
    title = event_text(event, "title")  # the English title for an English registrant, when there is one
    subjects = {
        "confirmed": _("Registration confirmed: %(title)s", title=title),
        "waitlisted": _("You are on the waiting list: %(title)s", title=title),
        "applied": _("Application received: %(title)s", title=title),
        "pending": _("Registration received, awaiting approval: %(title)s", title=title),
        "promoted": _("A seat is now yours: %(title)s", title=title),
        "approved": _("Registration approved: %(title)s", title=title),
        "rejected": _("Registration not accepted: %(title)s", title=title),
        "cancelled": _("Registration cancelled: %(title)s", title=title),
        "manage_link": _("Your registration link: %(title)s", title=title),
        "reminder": _("Reminder: %(title)s", title=title),
        "event_cancelled": _("Cancelled: %(title)s", title=title),
        "event_postponed": _("Postponed: %(title)s", title=title),
        "schedule_changed": _("Schedule changed: %(title)s", title=title),
        "lottery_won": _("Lottery result: you have a place: %(title)s", title=title),
        "lottery_waitlisted": _("Lottery result: you are on the waiting list: %(title)s", title=title),
        "lottery_lost": _("Lottery result: %(title)s", title=title),
        "lottery_released": _("Your place has passed on: %(title)s", title=title),
    }
    if kind == "application_outcome":
        return {
            "shortlisted": _("Your application has been shortlisted: %(title)s", title=title),
            "awarded": _("Your application has won an award: %(title)s", title=title),
        }.get(extra.get("outcome"), _("Result of your application: %(title)s", title=title))
    return subjects[kind]


def registration_received(registration: Registration, *, now: datetime, restored: bool = False) -> None:
    """The first mail of a registration: confirmed, waitlisted, applied (lottery) or pending (approval)."""
    kind = registration.status
    suffix = f"restored:{now.timestamp():.0f}" if restored else "created"
    # A new registration's first mail cannot be queued yet: no need to look (the unique key still guards).
    enqueue(kind, registration, dedupe_key=f"reg:{registration.id}:{kind}:{suffix}", now=now,
            skip_if_exists=restored)


def registration_decided(registration: Registration, *, now: datetime, message: str = "") -> None:
    """An organizer's decision on a pending registration (承認制): approved, approved onto the waiting
    list, or rejected; `message` (the organizer's words, may be empty) is part of the mail."""
    kind = {"confirmed": "approved", "waitlisted": "waitlisted", "rejected": "rejected"}[registration.status]
    enqueue(kind, registration, dedupe_key=f"reg:{registration.id}:{kind}:decided:{now.timestamp():.6f}", now=now,
            extra={"message": message, "approved": True}, skip_if_exists=False)


def registration_promoted(registration: Registration, *, now: datetime) -> None:
    enqueue("promoted", registration, dedupe_key=f"reg:{registration.id}:promoted:{now.timestamp():.0f}", now=now)


def registration_cancelled(registration: Registration, *, now: datetime, by_organizer: bool = False,
                           reason: str = "") -> None:
    """`reason`: the organizer's reason, only when they chose to tell it (otherwise "")."""
    enqueue("cancelled", registration, dedupe_key=f"reg:{registration.id}:cancelled:{now.timestamp():.0f}",
            now=now, extra={"by_organizer": by_organizer, "reason": reason})


class EventAsIf:
    """An event as it would be after a change (attributes in `changes`, the rest from `event`), for a preview."""

    def __init__(self, event, **changes):
        self._event = event
        self._changes = changes

    def __getattr__(self, name):
        if name in self._changes:
            return self._changes[name]
        return getattr(self._event, name)


def preview(kind: str, registration: Registration, *, now: datetime, extra: dict | None = None,
            link_mask: str = "", event=None) -> tuple[str, str]:
    """(subject, text) of the mail `kind` as `registration` would get it now, for a confirmation page.

    Nothing is queued; the private links are shown as `link_mask`. `event`: the event as it
    would be after the change (an EventAsIf), when the mail shows what changes.
    """
    event = event if event is not None else registration.event
    with rendering_in(registration.language or "ja"):
        values = _values(registration, event, {name: link_mask for name in mail_text.LINK_NAMES}, now, extra)
        text = render_template(f"email/{kind}.txt", **values)
        subject = mail_text.one_line(_subject(kind, event, extra or {}), 300)
    return subject, text


#: The lottery's result mail for each status a draw gives (app.services.lottery).
LOTTERY_RESULT_KINDS = {"confirmed": "lottery_won", "waitlisted": "lottery_waitlisted", "lost": "lottery_lost"}


def lottery_result(registration: Registration, *, now: datetime) -> None:
    """The draw's result for one applicant: won (with the deadline to confirm), waitlisted or not drawn."""
    kind = LOTTERY_RESULT_KINDS[registration.status]
    position = None
    if kind == "lottery_waitlisted":
        from app.services.registrations import waitlist_position

        position = waitlist_position(registration)
    enqueue(kind, registration, dedupe_key=f"reg:{registration.id}:{kind}", now=now, extra={"position": position})


def lottery_released(registration: Registration, *, now: datetime) -> None:
    """A winner did not confirm in time: the seat has passed on."""
    enqueue("lottery_released", registration, dedupe_key=f"reg:{registration.id}:lottery_released", now=now)


def application_outcome(registration: Registration, *, now: datetime, awards: list[str],
                        sequence: int) -> OutboxMessage | None:
    """Tell an applicant the organizers' decision on their application (shortlisted, awarded, not
    selected); an award mail names the awards the results give this application only.

    `sequence` counts the outcome mails of the registration (1 for the first): an applicant told one
    decision is told again only when it changed (app.domain.results.outcome_to_tell decides).
    """
    outcome = registration.application_status
    return enqueue("application_outcome", registration, now=now, skip_if_exists=False,
                   dedupe_key=f"reg:{registration.id}:application_outcome:{outcome}:{sequence}",
                   extra={"outcome": outcome, "awards": awards if outcome == "awarded" else []},
                   context={"outcome": outcome})


def manage_link(registration: Registration, *, now: datetime) -> None:
    """Re-send the manage link (a second registration attempt); at most once an hour per registration."""
    hour = now.strftime("%Y%m%d%H")
    enqueue("manage_link", registration, dedupe_key=f"reg:{registration.id}:manage_link:{hour}", now=now)


def event_status_changed(event, registration: Registration, now: datetime) -> None:
    """Tell an active registrant that the event was cancelled or postponed."""
    kind = "event_cancelled" if event.status == "cancelled" else "event_postponed"
    enqueue(kind, registration, dedupe_key=f"reg:{registration.id}:{kind}:{now.timestamp():.0f}", now=now)


def reminder_key(registration_id: int, rule_id: int, session_starts_at: datetime) -> str:
    """One reminder per registration, rule and session date: a rescheduled session gets new reminders."""
    return f"reminder:{registration_id}:{rule_id}:{mail_relevance.epoch(session_starts_at)}"


def reminder(registration: Registration, rule, *, session, now: datetime,
             skip_if_exists: bool = True) -> OutboxMessage | None:
    """The reminder of `rule` for one confirmed registrant: queued once per registration, rule and session date."""
    return enqueue("reminder", registration, dedupe_key=reminder_key(registration.id, rule.id, session.starts_at),
                   now=now, extra={"rule": rule, "session": session}, skip_if_exists=skip_if_exists,
                   context={"session_id": session.id, "starts_at": mail_relevance.epoch(session.starts_at)})


# --- 日程変更 (schedule changed) ------------------------------------------------------

#: Default wait before a schedule mail goes, so that several edits in a row make one mail (MAIL_SCHEDULE_SETTLE).
SCHEDULE_SETTLE = timedelta(minutes=5)
SCHEDULE_KIND = "schedule_changed"


def _dates(event) -> list:
    return mail_relevance.dates_signature(
        mail_relevance.SessionDate(s.id, s.starts_at, s.ends_at) for s in event.sessions)


def schedule_changed(event, registrations, *, now: datetime) -> int:
    """Tell each active registrant the event's (new) dates: ONE mail per registrant per settled change.

    The mail waits MAIL_SCHEDULE_SETTLE; a newer one (another edit meanwhile)
    supersedes the older ones still waiting, so five edits in a row make one
    mail, with the final dates. Returns how many were queued.
    """
    settle = current_app.config.get("MAIL_SCHEDULE_SETTLE", SCHEDULE_SETTLE)
    if not isinstance(settle, timedelta):
        settle = timedelta(seconds=float(settle))
    dates = _dates(event)
    registrations = list(registrations)
    if not registrations:
        return 0
    ids = [r.id for r in registrations]
    previous = {}
    for rid, mid, status in db.session.execute(
        select(OutboxMessage.registration_id, OutboxMessage.id, OutboxMessage.status)
        .where(OutboxMessage.kind == SCHEDULE_KIND, OutboxMessage.registration_id.in_(ids))
    ):
        previous.setdefault(rid, []).append((mid, status))
    waiting = [mid for items in previous.values() for mid, status in items if status == "pending"]
    if waiting:
        for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(waiting))):
            outbox.mark_superseded(message, mail_relevance.NEWER_MAIL)
    for registration in registrations:
        n = len(previous.get(registration.id, [])) + 1
        enqueue(SCHEDULE_KIND, registration, dedupe_key=f"reg:{registration.id}:{SCHEDULE_KIND}:{n}", now=now,
                skip_if_exists=False, context={"dates": dates}, send_at=now + settle)
    db.session.flush()
    return len(registrations)
