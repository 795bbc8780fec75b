"""Organizer outbox page: every mail Tsudoi wrote, its delivery state, and retrying failed ones.

Any staff member may read (with MAIL_SUPPRESS_SEND this is where the mails are
read); retrying is for editors. The HTML body is shown in a sandboxed iframe
(``srcdoc``, no scripts, no same origin), the text body as escaped text.
A registrant's private links (manage, 受付票, calendar) are never shown: stored
bodies hold placeholders (filled in only when the mail is sent), and the page
shows a masked note in their place (also for any link still stored in full).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from app.auth.permissions import editor_required, staff_required
from app.db_types import utcnow
from app.domain import mail_relevance, mail_text
from app.domain import retention as retention_rules
from app.extensions import db
from app.models import Event, OutboxMessage
from app.organizer import bp
from app.services import outbox as service
from app.services.errors import ServiceError

PER_PAGE = 50

STATUS_LABELS = {
    "pending": _l("Waiting to be sent"),
    "sending": _l("Being sent"),
    "sent": _l("Delivered"),
    "failed": _l("Not delivered"),
    "superseded": _l("Not needed any more"),
}
#: Why a mail was not sent (app.domain.mail_relevance reason codes).
SUPERSEDED_LABELS = {
    mail_relevance.REGISTRATION_GONE: _l("The registration no longer exists."),
    mail_relevance.REGISTRATION_CHANGED: _l("The registration changed before the mail was sent."),
    mail_relevance.EVENT_CHANGED: _l("The event changed (cancelled, postponed or published again) before the mail was sent."),
    mail_relevance.SESSION_GONE: _l("The session was removed."),
    mail_relevance.SESSION_STARTED: _l("The session had already started."),
    mail_relevance.SESSION_MOVED: _l("The session moved to another date; a reminder for the new date is sent instead."),
    mail_relevance.NEWER_MAIL: _l("A newer mail of the same kind replaces it."),
    mail_relevance.DATES_CHANGED: _l("The dates changed again; a newer mail tells the final dates."),
    mail_relevance.OUTCOME_CHANGED: _l("The decision on the application changed before the mail was sent."),
    retention_rules.MAIL_ERASED: _l("The registrant's personal data was erased (retention period over)."),
}
#: Shown instead of a registrant's private link: staff never see a usable one.
PRIVATE_LINK_MASK = _l("(personal link: inserted when the mail is sent)")
KIND_LABELS = {
    "confirmed": _l("Registration confirmation"),
    "waitlisted": _l("Waiting list notice"),
    "applied": _l("Lottery application receipt"),
    "pending": _l("Approval request receipt"),
    "promoted": _l("Seat offered from the waiting list"),
    "approved": _l("Approval notice"),
    "rejected": _l("Rejection notice"),
    "cancelled": _l("Cancellation notice"),
    "manage_link": _l("Registration link"),
    "reminder": _l("Reminder"),
    "event_cancelled": _l("Event cancellation notice"),
    "event_postponed": _l("Postponement notice"),
    "schedule_changed": _l("Schedule change notice"),
    "lottery_won": _l("Lottery result: won"),
    "lottery_waitlisted": _l("Lottery result: waiting list"),
    "lottery_lost": _l("Lottery result: not drawn"),
    "lottery_released": _l("Unconfirmed seat passed on"),
    "application_outcome": _l("Application outcome"),
}


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _registrant_url(message: OutboxMessage) -> str | None:
    if not message.registration_id or not message.event_id:
        return None
    return url_for("organizer.registrant", event_id=message.event_id, registration_id=message.registration_id)


@bp.app_template_filter("outbox_status_label")
def _status_label(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


@bp.app_template_filter("outbox_kind_label")
def _kind_label(value: str) -> str:
    return str(KIND_LABELS.get(value, value))


@bp.app_template_filter("outbox_superseded_label")
def _superseded_label(message: OutboxMessage) -> str:
    reason = (message.context or {}).get("superseded", "")
    return str(SUPERSEDED_LABELS.get(reason, reason))


@bp.app_template_filter("mail_masked")
def _mail_masked(body: str, html: bool = False) -> str:
    """A stored body as staff may read it: private links masked."""
    return mail_text.mask_links(body or "", str(PRIVATE_LINK_MASK), html=html)


@bp.route("/outbox")
@staff_required
def outbox():
    event_id = _int_arg("event_id")
    status = request.args.get("status", "")
    status = status if status in service.STATUSES else ""
    page = max(_int_arg("page") or 1, 1)

    stmt = select(OutboxMessage)
    if event_id is not None:
        stmt = stmt.where(OutboxMessage.event_id == event_id)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    messages = db.session.scalars(
        stmt.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    events = db.session.execute(
        select(Event.id, Event.title).order_by(Event.starts_at.desc().nulls_first(), Event.id.desc())
    ).all()
    event = db.session.get(Event, event_id) if event_id is not None else None
    return render_template(
        "organizer/outbox/list.html",
        messages=messages,
        counts=service.counts(event_id),
        events=events,
        event=event,
        event_id=event_id,
        status=status,
        statuses=service.STATUSES,
        page=page,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        total=total,
        can_edit=current_user.can_edit,
    )


@bp.route("/outbox/<int:message_id>")
@staff_required
def outbox_message(message_id: int):
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    event = db.session.get(Event, message.event_id) if message.event_id else None
    from flask import make_response

    from app.web_guards import allow_inline_style_attributes

    # The mail's HTML (inline style="" attributes, as mail clients need) is shown in a sandboxed
    # srcdoc frame, which inherits this page's Content-Security-Policy.
    return allow_inline_style_attributes(make_response(render_template(
        "organizer/outbox/detail.html",
        message=message,
        event=event,
        registrant_url=_registrant_url(message),
        can_edit=current_user.can_edit,
    )))


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@editor_required
def outbox_retry(message_id: int):
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    try:
        service.retry(message, actor=current_user, now=utcnow())
    except ServiceError:
        db.session.rollback()
        flash(_("Only a failed mail can be sent again."), "error")
    else:
        db.session.commit()
        flash(_("The mail will be sent again in a moment."), "success")
    return redirect(url_for("organizer.outbox_message", message_id=message_id))


@bp.route("/outbox/retry-failed", methods=["POST"])
@editor_required
def outbox_retry_failed():
    event_id = request.form.get("event_id", "")
    event_id = int(event_id) if event_id.isdigit() and len(event_id) < 10 else None
    count = service.retry_all_failed(event_id=event_id, actor=current_user, now=utcnow())
    db.session.commit()
    flash(_("%(n)d failed mails will be sent again in a moment.", n=count), "success")
    return redirect(url_for("organizer.outbox", event_id=event_id) if event_id else url_for("organizer.outbox"))
