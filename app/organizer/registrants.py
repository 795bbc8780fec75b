"""Organizer: an event's registrants (list, search, waiting list) and actions on one registration.

Any staff member may look (personal data never leaves the staff pages); cancel,
restore and move are for editors, as POSTs with CSRF; the services audit them.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from app.auth.permissions import editor_required, staff_required
from app.db_types import utcnow
from app.domain.codes import ACTIVE_REGISTRATION_STATUSES, RegistrationStatus
from app.domain.people import normalize_email, to_katakana
from app.extensions import db
from app.labels import REGISTRATION_STATUS_LABELS
from app.models import AuditLog, Event, Registration, TicketType
from app.organizer import bp
from app.registration.display import answer_rows, detail_rows
from app.registration.forms import CancelRegistrationForm, MoveRegistrationForm, RestoreRegistrationForm
from app.services import registrations
from app.services.errors import ServiceError

PER_PAGE = 100
STATUS_FILTERS = ("active", *[s.value for s in RegistrationStatus])


def _event_or_404(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return event


def _registration_or_404(event: Event, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search_condition(q: str):
    like = f"%{_escape_like(q.lower())}%"
    kana = f"%{_escape_like(to_katakana(q))}%"
    fields = [Registration.family_name, Registration.given_name, Registration.organization]
    conditions = [func.lower(f).like(like, escape="\\") for f in fields]
    conditions.append(Registration.email_normalized.like(f"%{_escape_like(normalize_email(q))}%", escape="\\"))
    conditions += [Registration.family_name_kana.like(kana, escape="\\"),
                   Registration.given_name_kana.like(kana, escape="\\")]
    # "山田 太郎": the full name, with or without the space.
    compact = q.replace(" ", "").replace("\u3000", "")
    if compact:
        conditions.append(func.lower(Registration.family_name + Registration.given_name)
                          .like(f"%{_escape_like(compact.lower())}%", escape="\\"))
    return or_(*conditions)


def _waitlists(event: Event) -> list[tuple[TicketType, list[Registration]]]:
    out = []
    for tt in event.ticket_types:
        waiting = db.session.scalars(
            select(Registration)
            .where(Registration.ticket_type_id == tt.id, Registration.status == RegistrationStatus.WAITLISTED)
            .order_by(Registration.waitlist_seq, Registration.id)
        ).all()
        if waiting:
            out.append((tt, waiting))
    return out


@bp.route("/events/<int:event_id>/registrants")
@staff_required
def registrants(event_id: int):
    event = _event_or_404(event_id)
    status = request.args.get("status", "")
    if status not in STATUS_FILTERS:
        status = ""
    q = (request.args.get("q") or "").strip()[:100]
    try:
        ticket_type_id = int(request.args.get("ticket_type") or 0)
    except ValueError:
        ticket_type_id = 0

    stmt = select(Registration).where(Registration.event_id == event.id)
    if status == "active":
        stmt = stmt.where(Registration.status.in_(ACTIVE_REGISTRATION_STATUSES))
    elif status:
        stmt = stmt.where(Registration.status == status)
    if ticket_type_id:
        stmt = stmt.where(Registration.ticket_type_id == ticket_type_id)
    if q:
        stmt = stmt.where(_search_condition(q))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(stmt.order_by(Registration.created_at, Registration.id).limit(PER_PAGE)).all()

    counts = dict(db.session.execute(
        select(Registration.status, func.count()).where(Registration.event_id == event.id)
        .group_by(Registration.status)
    ).all())
    per_ticket = {}
    for tt_id, st, n in db.session.execute(
        select(Registration.ticket_type_id, Registration.status, func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.ticket_type_id, Registration.status)
    ).all():
        per_ticket.setdefault(tt_id, {})[st] = n

    return render_template(
        "organizer/registrants/list.html",
        event=event,
        rows=rows,
        total=total,
        per_page=PER_PAGE,
        counts=counts,
        per_ticket=per_ticket,
        statuses=list(REGISTRATION_STATUS_LABELS),
        status=status,
        q=q,
        ticket_type_id=ticket_type_id,
        waitlists=_waitlists(event),
        can_edit=current_user.can_edit,
    )


def describe_history(entry: AuditLog, ticket_names: dict[int, str]) -> tuple[str, str, str]:
    """(what happened, details, who) of one audit row, in words for the registrant's history."""
    data = entry.data or {}

    def status(value) -> str:
        return str(REGISTRATION_STATUS_LABELS.get(value, value or ""))

    details = ""
    match entry.action:
        case "registration.created":
            what, details = _("Registration made"), status(data.get("status"))
        case "registration.cancelled":
            what, details = _("Registration cancelled"), data.get("reason") or ""
        case "registration.promoted":
            what = _("Moved up from the waiting list")
        case "registration.restored":
            what, details = _("Registration restored"), status(data.get("status"))
            if data.get("override"):
                details += " " + _("(past capacity)")
        case "registration.moved":
            what = _("Moved to another 参加枠")
            details = _("%(old)s → %(new)s", old=ticket_names.get(data.get("from"), "?"),
                        new=ticket_names.get(data.get("to"), "?"))
            if data.get("override"):
                details += " " + _("(past capacity)")
        case "registration.updated":
            what = _("Details changed")
        case "registration.link_resent":
            what = _("Registration link sent again")
        case _unknown:
            what = entry.action
    who = {"registrant": _("Registrant"), "system": _("System")}.get(entry.actor_label, entry.actor_label)
    return what, details.strip(), who


@bp.route("/events/<int:event_id>/registrants/<int:registration_id>")
@staff_required
def registrant(event_id: int, registration_id: int):
    event = _event_or_404(event_id)
    registration = _registration_or_404(event, registration_id)
    move_form = MoveRegistrationForm()
    move_form.ticket_type_id.choices = [(tt.id, tt.name) for tt in event.ticket_types
                                        if tt.id != registration.ticket_type_id]
    history = db.session.scalars(
        select(AuditLog).where(AuditLog.registration_id == registration.id).order_by(AuditLog.created_at, AuditLog.id)
    ).all()
    return render_template(
        "organizer/registrants/detail.html",
        event=event,
        registration=registration,
        position=registrations.waitlist_position(registration),
        rows=detail_rows(registration),
        answers=answer_rows(event, registration.answers),
        history=[(h, *describe_history(h, {tt.id: tt.name for tt in event.ticket_types})) for h in history],
        cancel_form=CancelRegistrationForm(),
        restore_form=RestoreRegistrationForm(),
        move_form=move_form,
        can_edit=current_user.can_edit,
        active=registration.status in ACTIVE_REGISTRATION_STATUSES,
    )


def _back(event: Event, registration: Registration):
    return redirect(url_for("organizer.registrant", event_id=event.id, registration_id=registration.id), code=303)


@bp.route("/events/<int:event_id>/registrants/<int:registration_id>/cancel", methods=["POST"])
@editor_required
def registrant_cancel(event_id: int, registration_id: int):
    event = _event_or_404(event_id)
    registration = _registration_or_404(event, registration_id)
    form = CancelRegistrationForm()
    if not form.validate_on_submit():
        flash(_("The reason is too long (500 characters at most)."), "error")
        return _back(event, registration)
    try:
        registrations.cancel(registration, now=utcnow(), actor=current_user, reason=(form.reason.data or "").strip())
    except ServiceError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
    else:
        db.session.commit()
        flash(_("The registration of %(name)s has been cancelled.", name=registration.full_name), "success")
    return _back(event, registration)


@bp.route("/events/<int:event_id>/registrants/<int:registration_id>/restore", methods=["POST"])
@editor_required
def registrant_restore(event_id: int, registration_id: int):
    event = _event_or_404(event_id)
    registration = _registration_or_404(event, registration_id)
    form = RestoreRegistrationForm()
    form.validate_on_submit()
    try:
        registrations.restore(registration, now=utcnow(), actor=current_user, override=bool(form.override.data))
    except ServiceError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
    else:
        db.session.commit()
        flash(_("The registration of %(name)s has been restored (%(status)s).", name=registration.full_name,
                status=str(REGISTRATION_STATUS_LABELS.get(registration.status, registration.status))), "success")
    return _back(event, registration)


@bp.route("/events/<int:event_id>/registrants/<int:registration_id>/move", methods=["POST"])
@editor_required
def registrant_move(event_id: int, registration_id: int):
    event = _event_or_404(event_id)
    registration = _registration_or_404(event, registration_id)
    form = MoveRegistrationForm()
    form.ticket_type_id.choices = [(tt.id, tt.name) for tt in event.ticket_types]
    if not form.validate_on_submit():
        flash(_("Choose a ticket type of this event."), "error")
        return _back(event, registration)
    target = db.session.get(TicketType, form.ticket_type_id.data)
    try:
        registrations.move(registration, target, now=utcnow(), actor=current_user, override=bool(form.override.data))
    except registrations.Full:
        db.session.rollback()
        flash(_("%(name)s is full. Tick “override capacity” to move the registrant anyway.", name=target.name),
              "error")
    except ServiceError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
    else:
        db.session.commit()
        flash(_("%(person)s has been moved to %(name)s.", person=registration.full_name, name=target.name), "success")
    return _back(event, registration)
