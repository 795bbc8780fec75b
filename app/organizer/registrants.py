"""Organizer: an event's registrants (list, search, waiting list) and actions on one registration or many.

Any staff member may look (personal data never leaves the staff pages); cancel,
restore and move are for editors, as POSTs with CSRF; the services audit them.
The list is the one query of app.services.registrant_query (filters parsed by
app.domain.registrant_list), shared with the API and the exports.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from app import notifications
from app.auth.permissions import editor_required, staff_required
from app.column_labels import column_label
from app.confirmations import confirmed_or_ask
from app.db_types import utcnow
from app.domain import registrant_list
from app.domain.codes import (
    ACTIVE_REGISTRATION_STATUSES,
    PREFECTURES,
    AdmissionMode,
    AttendanceMethod,
    RegistrationStatus,
)
from app.domain.dates import format_datetime
from app.domain.language import LANGUAGE_NAMES
from app.domain.registrant_list import DEFAULT_LIST_COLUMNS
from app.domain.session_choice import day_label
from app.extensions import db
from app.flow import attempt
from app.i18n import current_language
from app.labels import ORGANIZATION_TYPE_LABELS, REGISTRATION_STATUS_LABELS, registrant_name
from app.models import AuditLog, Event, Registration, TicketType
from app.organizer import bp
from app.organizer.list_forms import APPROVAL_ACTIONS, BASE_ACTIONS, BulkActionForm, DecisionForm, ExportForm
from app.organizer.outbox import PRIVATE_LINK_MASK
from app.registration.display import answer_rows, answer_text, detail_rows
from app.registration.forms import CancelRegistrationForm, MoveRegistrationForm, RestoreRegistrationForm
from app.services import checkin, exports, registrant_query, registrations, retention
from app.services.errors import ServiceError

PER_PAGE = 100
MAX_PER_PAGE = 500
PER_PAGE_CHOICES = (50, 100, 200, 500)



def _registration_or_404(event: Event, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


def list_filter(event: Event, args, *, default_columns=DEFAULT_LIST_COLUMNS):
    """The registrant list's filter from the query string, and its errors in words (per parameter)."""
    question_ids = [q.id for q in event.questions]
    # the members' names of team registrations (minors): organizers and admins only
    withheld = () if getattr(current_user, "can_edit", False) else registrant_list.MEMBER_NAME_COLUMNS
    f, errors = registrant_list.parse(
        args.getlist, ticket_type_ids=[tt.id for tt in event.ticket_types],
        session_ids=[s.id for s in event.sessions], question_ids=question_ids, default_columns=default_columns,
        withheld_columns=withheld)
    unknown = registrant_list.unknown_columns(args.getlist, question_ids) if "columns" in errors else []
    messages = {name: [_(m, **registrant_list.error_values(name, question_ids=question_ids,
                                                             unknown_columns=unknown)) for m in msgs]
                for name, msgs in errors.items()}
    return f, messages


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


MAX_PENDING_DAYS = 365
STALE_SHOWN = 200  # the oldest; more are counted (the list's status filter shows them all)


def _takes_decisions(event: Event) -> bool:
    """承認制, or registrations still pending (the mode changed since): approve and reject are offered."""
    if event.admission_mode == AdmissionMode.APPROVAL:
        return True
    return db.session.scalar(select(Registration.id).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.PENDING).limit(1)) is not None


def _bulk_form(event: Event, decisions: bool) -> BulkActionForm:
    form = BulkActionForm()
    form.action.choices = (APPROVAL_ACTIONS if decisions else []) + BASE_ACTIONS
    form.ticket_type_id.choices = [(0, "")] + [(tt.id, tt.name) for tt in event.ticket_types]
    return form


def pending_days() -> int:
    """N of "pending for more than N days": ?pending_days= on the list, else APPROVAL_PENDING_DAYS (3)."""
    default = current_app.config.get("APPROVAL_PENDING_DAYS", 3)
    raw = (request.args.get("pending_days") or "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 3:
        return min(int(raw), MAX_PENDING_DAYS)
    return default


def _page_number(name: str, default: int, maximum: int) -> int:
    raw = (request.args.get(name) or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 7:
        return default
    return max(1, min(int(raw), maximum))


@bp.route("/events/<int:event_id>/registrants")
@staff_required
def registrants(event_id: int):
    event = db.get_or_404(Event, event_id)
    f, errors = list_filter(event, request.args)
    per_page = _page_number("per_page", PER_PAGE, MAX_PER_PAGE)
    page_number = _page_number("page", 1, 1_000_000)
    result = registrant_query.page(event, f, page=page_number, per_page=per_page)
    questions = {q.id: q for q in event.questions}
    rows = [(r, _shown(registrant_query.values_of(r, f.columns, event, result.attended, result.chosen,
                                                  result.teams), questions))
            for r in result.registrations]

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

    move_choices = [(tt.id, tt.name) for tt in event.ticket_types]
    decisions = _takes_decisions(event)
    days = pending_days()
    before = utcnow() - timedelta(days=days)
    stale = registrations.pending_since(event.id, before=before, limit=STALE_SHOWN) if decisions else []
    stale_total = registrations.count_pending_since(event.id, before=before) if len(stale) == STALE_SHOWN else len(stale)
    return render_template(
        "organizer/registrants/list.html",
        event=event,
        f=f,
        errors=errors,
        rows=rows,
        result=result,
        per_page=per_page,
        per_page_choices=PER_PAGE_CHOICES,
        columns=[(key, column_label(key, questions), registrant_list.column(key).kind) for key in f.columns],
        all_columns=[(key, column_label(key, questions)) for key in registrant_list.offered_columns(
            registrant_list.available_columns(questions), choose_sessions=event.choose_sessions,
            team_mode=event.team_mode, member_names=current_user.can_edit)],
        params=f.as_params(),
        counts=counts,
        per_ticket=per_ticket,
        statuses=list(REGISTRATION_STATUS_LABELS),
        organization_types=list(ORGANIZATION_TYPE_LABELS),
        prefectures=PREFECTURES,
        waitlists=_waitlists(event),
        can_edit=current_user.can_edit,
        may_export=exports.may_export(current_user),
        formats=list(exports.FORMATS.values()),
        move_choices=move_choices,
        bulk_form=_bulk_form(event, decisions),
        decisions=decisions,
        pending_days=days,
        stale_pending=stale,
        stale_total=stale_total,
        export_form=ExportForm(),
        erased_at=retention.event_erased_at(event.id),
        retention_months=retention.retention_months(),
    )


def _shown(values: dict, questions: dict) -> dict:
    """Answers in words (the other columns are shown by the template's filters)."""
    for key, value in values.items():
        if key.startswith(registrant_list.ANSWER_PREFIX):
            question = questions.get(int(key[len(registrant_list.ANSWER_PREFIX):]))
            values[key] = answer_text(question, value) if question is not None else ""
    return values


@bp.route("/events/<int:event_id>/registrants/bulk", methods=["POST"])
@editor_required
def registrants_bulk(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = _bulk_form(event, _takes_decisions(event))
    back = url_for("organizer.registrants", event_id=event.id, **_filter_args(request.form))
    ids = [int(i) for i in request.form.getlist("ids") if i.isascii() and i.isdigit() and len(i) <= 9]
    ids = retention.not_erased(ids)  # an erased registration is never changed (and offers no checkbox)
    if not form.validate_on_submit():
        if form.reason.errors:
            flash(_("The reason is too long (500 characters at most)."), "error")
        elif form.message.errors:
            flash(_("The message is too long (1000 characters at most)."), "error")
        else:
            flash(_("Choose what to do with the selected registrants."), "error")
        return redirect(back, code=303)
    if not ids:
        flash(_("Select at least one registrant."), "error")
        return redirect(back, code=303)
    if form.action.data == "move" and not form.ticket_type_id.data:
        flash(_("Choose a ticket type of this event."), "error")
        return redirect(back, code=303)
    if form.action.data in ("cancel", "reject") and (page := confirmed_or_ask("bulk_" + form.action.data,
                                                                               back=back)):
        return page
    now = utcnow()
    message = (form.message.data or "").strip()
    if form.action.data == "approve":
        outcomes = registrations.approve_many(event.id, ids, now=now, actor=current_user, message=message)
    elif form.action.data == "reject":
        outcomes = registrations.reject_many(event.id, ids, now=now, actor=current_user, message=message)
    elif form.action.data == "cancel":
        outcomes = registrations.cancel_many(event.id, ids, now=now, actor=current_user,
                                             reason=(form.reason.data or "").strip())
    else:
        outcomes = registrations.move_many(event.id, ids, form.ticket_type_id.data, now=now, actor=current_user,
                                           override=bool(form.override.data))
    event = db.get_or_404(Event, event_id)
    return render_template("organizer/registrants/bulk_result.html", event=event, outcomes=outcomes,
                           action=form.action.data, back=back,
                           done=sum(1 for o in outcomes if o.done))


FILTER_PARAMS = ("q", "status", "ticket_type", "session", "day", "organization_type", "prefecture", "checked_in",
                 "created_from", "created_to", "sort", "columns", "per_page", "page")


def _filter_args(form) -> dict[str, str]:
    """The list's query parameters carried by a POST form (hidden fields), to go back to the same list."""
    return {k: form.get(k) for k in FILTER_PARAMS if form.get(k)}


#: How an attendance was recorded, in the registrant's history.
ATTENDANCE_METHODS = {
    AttendanceMethod.DOOR: _l("at the door"),
    AttendanceMethod.WALK_IN: _l("registered at the door"),
    AttendanceMethod.ONLINE: _l("joined online"),
    AttendanceMethod.REPORT: _l("from the video platform's attendee report"),
    AttendanceMethod.IMPORT: _l("from an imported list"),
}
#: What a scan at the door found, when it checked nobody in.
SCAN_RESULTS = {
    checkin.ALREADY: _l("already checked in"),
    checkin.CANCELLED: _l("registration cancelled"),
    checkin.WAITLISTED: _l("not confirmed"),
    checkin.NOT_THIS_DAY: _l("not registered for this day"),
}


def describe_history(entry: AuditLog, event: Event) -> tuple[str, str, str]:
    """(what happened, details, who) of one audit row, in words for the registrant's history.
    Every action recorded with a registration has its words (a test keeps it so)."""
    data = entry.data or {}
    ticket_names = {tt.id: tt.name for tt in event.ticket_types}
    locale = current_language()

    def status(value) -> str:
        return str(REGISTRATION_STATUS_LABELS.get(value, value or ""))

    def day(session_id) -> str:
        found = next((s for s in event.sessions if s.id == session_id), None)
        return day_label(found.title, found.starts_at, found.ends_at, locale) if found else ""

    def days(ids) -> str:
        return "、".join(filter(None, (day(i) for i in ids or ())))

    def when(value) -> str:
        try:
            return format_datetime(datetime.fromisoformat(value), locale) if value else ""
        except ValueError:
            return str(value)

    details = ""
    match entry.action:
        case "registration.created":
            what, details = _("Registration made"), status(data.get("status"))
        case "registration.imported":
            what, details = _("Imported from a past list"), status(data.get("status"))
        case "registration.capacity_override":
            what = _("Admitted past capacity")
        case "registration.cancelled":
            what, details = _("Registration cancelled"), data.get("reason") or ""
        case "registration.promoted":
            what = _("Moved up from the waiting list")
        case "registration.session_promoted":
            what, details = _("Moved up from a day's waiting list"), day(data.get("session_id"))
        case "registration.sessions_changed":
            what = _("Days changed")
            added, removed = days(data.get("added")), days(data.get("removed"))
            details = " / ".join(filter(None, (added and _("added: %(days)s", days=added),
                                               removed and _("removed: %(days)s", days=removed))))
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
        case "registration.approved":
            what, details = _("Approved"), status(data.get("status"))
            if data.get("message"):
                details += " / " + data["message"]
        case "registration.rejected":
            what, details = _("Rejected"), data.get("message") or ""
        case "registration.lottery_won" | "registration.lottery_waitlisted" | "registration.lottery_lost":
            what = {"registration.lottery_won": _("Lottery: won"),
                    "registration.lottery_waitlisted": _("Lottery: on the waiting list"),
                    "registration.lottery_lost": _("Lottery: not drawn")}[entry.action]
            details = _("drawn %(rank)s", rank=data["rank"]) if data.get("rank") else ""
        case "registration.lottery_accepted":
            what, details = _("Lottery seat confirmed"), ""
        case "registration.lottery_released":
            what = _("Lottery seat released: not confirmed in time")
            details = _("deadline %(when)s", when=when(data.get("deadline")))
        case "registration.updated":
            what = _("Details changed")
        case "registration.language_changed":
            what = _("Language of mails changed")
            details = _("%(old)s → %(new)s", old=LANGUAGE_NAMES.get(data.get("from"), "?"),
                        new=LANGUAGE_NAMES.get(data.get("to"), "?"))
        case "registration.link_resent":
            what = _("Registration link sent again")
        case "attendance.recorded":
            what = _("Attendance recorded")
            details = " ".join(filter(None, (day(data.get("session_id")),
                                             str(ATTENDANCE_METHODS.get(data.get("method"), "")))))
        case "attendance.undone":
            what, details = _("Attendance undone"), day(data.get("session_id"))
        case "checkin.scanned":
            what = _("Scanned at the door")
            details = " ".join(filter(None, (day(data.get("session_id")),
                                             str(SCAN_RESULTS.get(data.get("result"), "")))))
        case "team.members_changed":
            what = _("Team members changed")
            details = _("%(before)s → %(after)s members", before=data.get("members_before", "?"),
                        after=data.get("members_after", "?"))
        case "registration.erased":
            what = _("Personal data erased (retention period over)")
        case "team.members_erased":
            what = _("Members' names erased (retention period over)")
            details = _("%(n)s members kept as a count", n=data.get("members", "?"))
        case "team.formed":
            what = _("Team formed")
        case "team.joined":
            what = _("Joined a team")
        case "team.left":
            what = _("Left the team")
        case "team.assigned":
            what = _("Team changed by the organizer") if data.get("team_id") else _("Taken out of a team")
        case "application.file_added":
            what = _("File attached to the application")
        case "application.file_removed":
            what = _("File removed from the application")
        case "application.file_downloaded":
            what = _("Application file downloaded")
        case "application.status_changed":
            from app.organizer.applications import APPLICATION_STATUS_LABELS

            what = _("Selection decided")
            details = str(APPLICATION_STATUS_LABELS.get(data.get("to"), data.get("to") or ""))
        case "review.assigned":
            what = _("Reviewer assigned")
        case "review.unassigned":
            what = _("Reviewer unassigned")
        case "review.scored":
            what = _("Reviewed and scored")
        case "results.added":
            what, details = _("Result given"), data.get("award") or ""
        case "results.removed":
            what, details = _("Result taken back"), data.get("award") or ""
        case "mail.retried":
            what = _("Mail sent again after a failure")
        case _unknown:
            what = entry.action
    who = {"registrant": _("Registrant"), "system": _("System")}.get(entry.actor_label, entry.actor_label)
    return what, details.strip(), who


@bp.route("/events/<int:event_id>/registrants/<int:registration_id>")
@staff_required
def registrant(event_id: int, registration_id: int):
    event = db.get_or_404(Event, event_id)
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
        rows=_detail_rows(registration),
        answers=answer_rows(event, registration.answers),
        history=[(h, *describe_history(h, event)) for h in history],
        cancel_form=CancelRegistrationForm(),
        restore_form=RestoreRegistrationForm(),
        move_form=move_form,
        decision_form=DecisionForm(),
        can_edit=current_user.can_edit and registration.erased_at is None,
        active=registration.status in ACTIVE_REGISTRATION_STATUSES,
        retention_months=retention.retention_months(),
    )


def _status_label(registration: Registration) -> str:
    return str(REGISTRATION_STATUS_LABELS.get(registration.status, registration.status))


def _detail_rows(registration: Registration) -> list[tuple[str, str]]:
    """The registrant's details; an erased name says when it was erased instead of being blank."""
    rows = detail_rows(registration)
    if registration.erased_at is not None:
        rows[0] = (rows[0][0], registrant_name(registration))
    return rows


def _erased_refusal(event: Event, registration: Registration):
    """The cancel page of a registration whose personal data was erased (there is no mail to preview):
    the services refuse the change itself (registrations.refuse_erased), with this message."""
    flash(_(registrations.ERASED), "error")
    return _back(event, registration)


def _back(event: Event, registration: Registration):
    return redirect(url_for("organizer.registrant", event_id=event.id, registration_id=registration.id), code=303)


@bp.route("/events/<int:event_id>/registrants/<int:registration_id>/cancel", methods=["GET", "POST"])
@editor_required
def registrant_cancel(event_id: int, registration_id: int):
    """GET, or POST with action=preview: the confirmation page (what happens, the mail that goes out).
    POST with action=confirm (or none, as before): cancel."""
    event = db.get_or_404(Event, event_id)
    registration = _registration_or_404(event, registration_id)
    if registration.erased_at is not None:
        return _erased_refusal(event, registration)
    form = CancelRegistrationForm()
    if request.method == "GET" or request.form.get("action") == "preview":
        if request.method == "POST":
            form.validate()
        if registration.status not in ACTIVE_REGISTRATION_STATUSES:
            flash(_("This registration is already cancelled."), "error")
            return _back(event, registration)
        reason = (form.reason.data or "").strip()
        subject, text = notifications.preview(
            "cancelled", registration, now=utcnow(), link_mask=str(PRIVATE_LINK_MASK),
            extra={"by_organizer": True, "reason": reason if form.tell_reason.data else ""})
        return render_template("organizer/registrants/confirm_cancel.html", event=event, registration=registration,
                               form=form, mail_subject=subject, mail_text=text,
                               frees_seat=registration.status == RegistrationStatus.CONFIRMED
                               ), 422 if form.errors else 200
    if not form.validate_on_submit():
        flash(_("The reason is too long (500 characters at most)."), "error")
        return _back(event, registration)
    attempt(lambda: registrations.cancel(registration, now=utcnow(), actor=current_user,
                                         reason=(form.reason.data or "").strip(),
                                         tell_reason=bool(form.tell_reason.data)),
            lambda: _("The registration of %(name)s has been cancelled.", name=registration.full_name))
    return _back(event, registration)


@bp.route("/events/<int:event_id>/registrants/<int:registration_id>/restore", methods=["POST"])
@editor_required
def registrant_restore(event_id: int, registration_id: int):
    event = db.get_or_404(Event, event_id)
    registration = _registration_or_404(event, registration_id)
    form = RestoreRegistrationForm()
    form.validate_on_submit()
    attempt(lambda: registrations.restore(registration, now=utcnow(), actor=current_user,
                                          override=bool(form.override.data)),
            lambda: _("The registration of %(name)s has been restored (%(status)s).", name=registration.full_name,
                      status=_status_label(registration)))
    return _back(event, registration)


@bp.route("/events/<int:event_id>/registrants/<int:registration_id>/move", methods=["POST"])
@editor_required
def registrant_move(event_id: int, registration_id: int):
    event = db.get_or_404(Event, event_id)
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


@bp.route("/events/<int:event_id>/registrants/<int:registration_id>/decide", methods=["POST"])
@editor_required
def registrant_decide(event_id: int, registration_id: int):
    """承認制: approve or reject one pending registration, with an optional message for the mail."""
    event = db.get_or_404(Event, event_id)
    registration = _registration_or_404(event, registration_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("The message is too long (1000 characters at most).") if form.message.errors
              else _("Choose what to do with the selected registrants."), "error")
        return _back(event, registration)
    if form.decision.data != "approve" and (page := confirmed_or_ask("reject", back=url_for(
            "organizer.registrant", event_id=event.id, registration_id=registration.id))):
        return page
    decide = registrations.approve if form.decision.data == "approve" else registrations.reject
    attempt(lambda: decide(registration, now=utcnow(), actor=current_user, message=(form.message.data or "").strip()),
            lambda: _("%(name)s: %(status)s.", name=registration.full_name, status=_status_label(registration)))
    return _back(event, registration)
