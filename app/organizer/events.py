"""Organizer pages for one event: create, edit, sessions, 参加枠, questions, reminders, status, copy.

Views stay thin: validate the form, call app.services.events, commit, flash, redirect.
Reading is for any staff member; every change is for editors (viewers get 403).
"""
from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import editor_required, staff_required
from app.confirmations import confirmed_or_ask
from app.db_types import utcnow
from app.domain import dates
from app.domain import events as rules
from app.domain.teams import TeamMode
from app.extensions import db
from app.i18n import current_language
from app.models import Event, EventSession, Question, ReminderRule, TicketType
from app.organizer import bp
from app.organizer.forms import (
    QUESTION_KIND_LABELS,
    CopyForm,
    EventForm,
    NewEventForm,
    QuestionForm,
    ReasonForm,
    ReminderRuleForm,
    SessionForm,
    TicketTypeForm,
)
from app.services import events as service
from app.services import registrations as registration_service
from app.services import session_choices
from app.services import teams as team_service
from app.services.errors import ServiceError, ValidationError


def public_event_url(event: Event) -> str:
    """The public page of an event."""
    return url_for("public.event", slug=event.slug)


@bp.app_context_processor
def _organizer_helpers():
    return {"public_event_url": public_event_url}


def _get(model, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def _child(model, event: Event, object_id: int):
    obj = _get(model, object_id)
    if obj.event_id != event.id:
        abort(404)
    return obj


def _apply_errors(form, error: ValidationError, mapping: dict[str, str] | None = None) -> None:
    """Put a service's per-field messages next to the matching form fields (others: flashed)."""
    mapping = mapping or {}
    for key, messages in error.errors.items():
        field = getattr(form, mapping.get(key, key), None)
        if field is not None and hasattr(field, "errors"):
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.extend(messages)
        else:
            for message in messages:
                flash(message, "error")


def _submit(form, call, mapping: dict[str, str] | None = None):
    """Run a service call for a validated form in one transaction.

    Returns (True, result) after committing; on a refusal rolls back, puts the
    messages next to the fields (or flashes them) and returns (False, None).
    """
    try:
        result = call(utcnow())
    except ValidationError as err:
        db.session.rollback()
        _apply_errors(form, err, mapping)
        return False, None
    except ServiceError as err:
        db.session.rollback()
        flash(err.message, "error")
        return False, None
    db.session.commit()
    return True, result


def _event_data(form: EventForm) -> dict:
    data = {name: form[name].data for name in service.EVENT_FIELDS}
    data["registration_opens_at"] = rules.jst_to_utc(form.registration_opens_at.data)
    data["registration_closes_at"] = rules.jst_to_utc(form.registration_closes_at.data)
    for name in service.LOTTERY_FIELDS:
        data[name] = form[name].data
    data["lottery_draw_at"] = rules.jst_to_utc(form.lottery_draw_at.data)
    for name in service.TEAM_FIELDS:
        data[name] = form[name].data
    data["team_edit_closes_at"] = rules.jst_to_utc(form.team_edit_closes_at.data)
    return data


def _fill_event_form(form: EventForm, event: Event) -> None:
    for name in service.EVENT_FIELDS:
        form[name].data = getattr(event, name)
    form.prefecture.data = event.prefecture or ""
    form.registration_opens_at.data = rules.utc_to_jst_naive(event.registration_opens_at)
    form.registration_closes_at.data = rules.utc_to_jst_naive(event.registration_closes_at)
    for name in service.LOTTERY_FIELDS:
        form[name].data = getattr(event, name)
    form.lottery_draw_at.data = rules.utc_to_jst_naive(event.lottery_draw_at)
    form.lottery_priority_prefectures.data = list(event.lottery_priority_prefectures or [])
    for name in service.TEAM_FIELDS:
        form[name].data = getattr(event, name)
    form.team_edit_closes_at.data = rules.utc_to_jst_naive(event.team_edit_closes_at)


# ---------------------------------------------------------------------------
# the event page


def _session_label(session: EventSession) -> str:
    when = dates.format_datetime(session.starts_at, current_language())
    return f"{session.title} ({when})" if session.title else when


def _render_event(event: Event, *, question_form: QuestionForm | None = None,
                  reminder_form: ReminderRuleForm | None = None, status: int = 200):
    question_form = question_form or QuestionForm(prefix="q", formdata=None)
    reminder_form = reminder_form or ReminderRuleForm(prefix="rr", formdata=None)
    reminder_form.set_sessions(event, _session_label)
    return render_template(
        "organizer/events/detail.html",
        event=event,
        question_form=question_form,
        reminder_form=reminder_form,
        question_kinds=QUESTION_KIND_LABELS,
        publish_problems=service.publish_problems(event),
        awaiting=_awaiting_approval(event),
        can_edit=current_user.can_edit,
        day_totals=session_choices.day_totals(event) if event.choose_sessions else None,
    ), status


def _awaiting_approval(event: Event) -> tuple[int, int, int] | None:
    """(pending, pending for more than N days, N) for the event page's note; None when nothing awaits."""
    pending = registration_service.count_pending_since(event.id, before=utcnow() + timedelta(days=1))
    if not pending:
        return None
    days = current_app.config.get("APPROVAL_PENDING_DAYS", 3)
    old = registration_service.count_pending_since(event.id, before=utcnow() - timedelta(days=days))
    return pending, old, days


@bp.route("/events/<int:event_id>")
@staff_required
def event_detail(event_id: int):
    return _render_event(_get(Event, event_id))


# ---------------------------------------------------------------------------
# create / edit


NEW_EVENT_ERRORS = {"sessions.0.starts_at": "first_start", "sessions.0.ends_at": "first_end",
                    "ticket_types.0.name": "first_ticket_name", "ticket_types.0.capacity": "first_ticket_capacity"}


@bp.route("/events/new", methods=["GET", "POST"])
@editor_required
def event_new():
    form = NewEventForm()
    if request.method == "GET":
        form.waitlist_enabled.data = True
    if form.validate_on_submit():
        data = _event_data(form)
        data["sessions"] = []
        if form.first_date.data and form.first_start.data:
            starts_at, ends_at = rules.session_span(form.first_date.data, form.first_start.data, form.first_end.data)
            data["sessions"].append({"starts_at": starts_at, "ends_at": ends_at})
        data["ticket_types"] = []
        if (form.first_ticket_name.data or "").strip():
            data["ticket_types"].append({"name": form.first_ticket_name.data,
                                         "capacity": form.first_ticket_capacity.data})
        ok, event = _submit(form, lambda now: service.create_event(data, current_user, now), NEW_EVENT_ERRORS)
        if ok:
            flash(_("The event was created as a draft. Add sessions and 参加枠, then publish it."), "success")
            return redirect(url_for("organizer.event_detail", event_id=event.id))
    status = 422 if form.errors else 200
    return render_template("organizer/events/form.html", form=form, event=None), status


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@editor_required
def event_edit(event_id: int):
    event = _get(Event, event_id)
    form = EventForm()
    if request.method == "GET":
        _fill_event_form(form, event)
    if form.validate_on_submit():
        ok = _submit(form, lambda now: service.update_event(event, _event_data(form), current_user, now))[0]
        if ok:
            flash(_("The event was saved."), "success")
            return redirect(url_for("organizer.event_detail", event_id=event.id))
    status = 422 if form.errors else 200
    return render_template("organizer/events/form.html", form=form, event=event), status


# ---------------------------------------------------------------------------
# sessions


def _session_data(form: SessionForm) -> dict:
    starts_at, ends_at = rules.session_span(form.date.data, form.start_time.data, form.end_time.data)
    return {"title": form.title.data, "starts_at": starts_at, "ends_at": ends_at, "venue": form.venue.data,
            "is_online": form.is_online.data, "capacity": form.capacity.data}


SESSION_ERRORS = {"starts_at": "start_time", "ends_at": "end_time"}


@bp.route("/events/<int:event_id>/sessions/new", methods=["GET", "POST"])
@editor_required
def session_new(event_id: int):
    event = _get(Event, event_id)
    form = SessionForm()
    if form.validate_on_submit():
        ok = _submit(form, lambda now: service.add_session(event, _session_data(form), current_user, now), SESSION_ERRORS)[0]
        if ok:
            flash(_("The session was added."), "success")
            return redirect(url_for("organizer.event_detail", event_id=event.id) + "#sessions")
    status = 422 if form.errors else 200
    return render_template("organizer/events/session_form.html", form=form, event=event, session=None), status


@bp.route("/events/<int:event_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@editor_required
def session_edit(event_id: int, session_id: int):
    event = _get(Event, event_id)
    session = _child(EventSession, event, session_id)
    form = SessionForm()
    if request.method == "GET":
        start = rules.utc_to_jst_naive(session.starts_at)
        end = rules.utc_to_jst_naive(session.ends_at)
        form.title.data, form.venue.data, form.is_online.data = session.title, session.venue, session.is_online
        form.capacity.data = session.capacity
        form.date.data, form.start_time.data = start.date(), start.time()
        form.end_time.data = end.time() if end else None
    if form.validate_on_submit():
        ok = _submit(form, lambda now: service.update_session(session, _session_data(form), current_user, now), SESSION_ERRORS)[0]
        if ok:
            flash(_("The session was saved."), "success")
            return redirect(url_for("organizer.event_detail", event_id=event.id) + "#sessions")
    status = 422 if form.errors else 200
    return render_template("organizer/events/session_form.html", form=form, event=event, session=session), status


def _mail_preview(kind: str, event: Event, as_if=None, extra: dict | None = None):
    """(recipients, subject, text): who gets mail `kind` and what the first of them reads (None: nobody)."""
    from app import notifications
    from app.organizer.outbox import PRIVATE_LINK_MASK
    from app.services import registrations

    recipients = registrations.active_registrations(event.id)
    if not recipients:
        return 0, None, None
    subject, text = notifications.preview(kind, recipients[0], now=utcnow(), extra=extra,
                                          link_mask=str(PRIVATE_LINK_MASK), event=as_if)
    return len(recipients), subject, text


@bp.route("/events/<int:event_id>/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@editor_required
def session_delete(event_id: int, session_id: int):
    """GET: the confirmation page (what is removed, who is told and the mail they get). POST: delete."""
    event = _get(Event, event_id)
    session = _child(EventSession, event, session_id)
    if request.method == "GET":
        from app import notifications
        from app.domain.codes import EventStatus
        from app.domain.mail_relevance import LIVE_EVENT_STATUSES

        refusal = None
        if event.status != EventStatus.DRAFT and len(event.sessions) <= 1:
            refusal = _("A published event must keep at least one session.")
        tells = event.status in LIVE_EVENT_STATUSES
        remaining = [s for s in event.sessions if s.id != session.id]
        recipients, subject, text = (_mail_preview("schedule_changed", event,
                                                   as_if=notifications.EventAsIf(event, sessions=remaining))
                                     if tells and refusal is None else (0, None, None))
        return render_template("organizer/events/confirm_delete.html", event=event, kind="session", item=session,
                               refusal=refusal, tells=tells, recipients=recipients, mail_subject=subject,
                               mail_text=text,
                               action_url=url_for("organizer.session_delete", event_id=event.id, session_id=session.id))
    return _simple_action(event, lambda now: service.delete_session(session, current_user, now),
                          _("The session was deleted."), "#sessions")


# ---------------------------------------------------------------------------
# 参加枠


@bp.route("/events/<int:event_id>/tickets/new", methods=["GET", "POST"])
@editor_required
def ticket_new(event_id: int):
    event = _get(Event, event_id)
    form = TicketTypeForm()
    if form.validate_on_submit():
        ok = _submit(form, lambda now: service.add_ticket_type(event, form.data, current_user, now))[0]
        if ok:
            flash(_("The 参加枠 was added."), "success")
            return redirect(url_for("organizer.event_detail", event_id=event.id) + "#tickets")
    status = 422 if form.errors else 200
    return render_template("organizer/events/ticket_form.html", form=form, event=event, ticket=None), status


@bp.route("/events/<int:event_id>/tickets/<int:ticket_id>/edit", methods=["GET", "POST"])
@editor_required
def ticket_edit(event_id: int, ticket_id: int):
    event = _get(Event, event_id)
    ticket = _child(TicketType, event, ticket_id)
    form = TicketTypeForm(obj=ticket if request.method == "GET" else None)
    if form.validate_on_submit():
        ok = _submit(form, lambda now: service.update_ticket_type(ticket, form.data, current_user, now))[0]
        if ok:
            flash(_("The 参加枠 was saved."), "success")
            return redirect(url_for("organizer.event_detail", event_id=event.id) + "#tickets")
    status = 422 if form.errors else 200
    members = None
    if event.team_mode == TeamMode.TEAM:  # the member limit's floor, told beside the confirmed registrations
        members = team_service.members_confirmed(ticket.id)
    return render_template("organizer/events/ticket_form.html", form=form, event=event, ticket=ticket,
                           members_confirmed=members), status


@bp.route("/events/<int:event_id>/tickets/<int:ticket_id>/delete", methods=["GET", "POST"])
@editor_required
def ticket_delete(event_id: int, ticket_id: int):
    """GET: the confirmation page (or why it cannot be deleted). POST: delete."""
    event = _get(Event, event_id)
    ticket = _child(TicketType, event, ticket_id)
    if request.method == "GET":
        from sqlalchemy import func, select

        from app.domain.codes import EventStatus
        from app.models import Registration

        count = db.session.scalar(select(func.count(Registration.id)).where(Registration.ticket_type_id == ticket.id))
        refusal = None
        if count:
            refusal = _("This 参加枠 has %(n)d registrations and cannot be deleted. Lower its capacity or rename it "
                        "instead.", n=count)
        elif event.status != EventStatus.DRAFT and len(event.ticket_types) <= 1:
            refusal = _("A published event must keep at least one 参加枠.")
        return render_template("organizer/events/confirm_delete.html", event=event, kind="ticket", item=ticket,
                               refusal=refusal, tells=False, recipients=0, mail_subject=None, mail_text=None,
                               action_url=url_for("organizer.ticket_delete", event_id=event.id, ticket_id=ticket.id))
    return _simple_action(event, lambda now: service.delete_ticket_type(ticket, current_user, now),
                          _("The 参加枠 was deleted."), "#tickets")


# ---------------------------------------------------------------------------
# questions and reminder rules (forms on the event page)


@bp.route("/events/<int:event_id>/questions", methods=["POST"])
@editor_required
def question_add(event_id: int):
    event = _get(Event, event_id)
    form = QuestionForm(prefix="q")
    if form.validate_on_submit():
        ok = _submit(form, lambda now: service.add_question(event, form.data, current_user, now))[0]
        if ok:
            flash(_("The question was added."), "success")
            return redirect(url_for("organizer.event_detail", event_id=event.id) + "#questions")
    return _render_event(event, question_form=form, status=422)


@bp.route("/events/<int:event_id>/questions/<int:question_id>/delete", methods=["POST"])
@editor_required
def question_delete(event_id: int, question_id: int):
    event = _get(Event, event_id)
    question = _child(Question, event, question_id)
    back = url_for("organizer.event_detail", event_id=event.id) + "#questions"
    if page := confirmed_or_ask("question_delete", back=back, label=question.label):
        return page
    return _simple_action(event, lambda now: service.delete_question(question, current_user, now),
                          _("The question was deleted."), "#questions")


@bp.route("/events/<int:event_id>/reminders", methods=["POST"])
@editor_required
def reminder_add(event_id: int):
    event = _get(Event, event_id)
    form = ReminderRuleForm(prefix="rr")
    form.set_sessions(event, _session_label)
    if form.validate_on_submit():
        data = {"days_before": form.days_before.data, "send_time": form.send_time.data.strftime("%H:%M"),
                "session_id": int(form.session_id.data) if form.session_id.data else None}
        ok = _submit(form, lambda now: service.add_reminder_rule(event, data, current_user, now))[0]
        if ok:
            flash(_("The reminder was added."), "success")
            return redirect(url_for("organizer.event_detail", event_id=event.id) + "#reminders")
    return _render_event(event, reminder_form=form, status=422)


@bp.route("/events/<int:event_id>/reminders/<int:rule_id>/delete", methods=["POST"])
@editor_required
def reminder_delete(event_id: int, rule_id: int):
    event = _get(Event, event_id)
    rule = _child(ReminderRule, event, rule_id)
    if page := confirmed_or_ask("reminder_delete", back=url_for("organizer.event_detail", event_id=event.id)
                                + "#reminders"):
        return page
    return _simple_action(event, lambda now: service.delete_reminder_rule(rule, current_user, now),
                          _("The reminder was deleted."), "#reminders")


# ---------------------------------------------------------------------------
# status: publish, unpublish, cancel, postpone


def _simple_action(event: Event, action, success: str, anchor: str = ""):
    """Run a service call without a form; refusals are flashed."""
    event_id = event.id
    try:
        action(utcnow())
    except ServiceError as err:
        db.session.rollback()
        messages = [m for ms in err.errors.values() for m in ms] if isinstance(err, ValidationError) else [err.message]
        for message in messages:
            flash(message, "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for("organizer.event_detail", event_id=event_id) + anchor)


@bp.route("/events/<int:event_id>/publish", methods=["POST"])
@editor_required
def event_publish(event_id: int):
    event = _get(Event, event_id)
    return _simple_action(event, lambda now: service.publish(event, current_user, now),
                          _("The event is published: it is on the public list now."))


@bp.route("/events/<int:event_id>/unpublish", methods=["POST"])
@editor_required
def event_unpublish(event_id: int):
    event = _get(Event, event_id)
    if page := confirmed_or_ask("unpublish", back=url_for("organizer.event_detail", event_id=event.id)):
        return page
    return _simple_action(event, lambda now: service.unpublish(event, current_user, now),
                          _("The event is a draft again and no longer public."))


def _reason_page(event_id: int, kind: str):
    """The confirmation page of 中止 / 延期: the reason, who is told, the mail they get (action=preview
    shows it with the reason typed); the button on it acts."""
    from app import notifications

    event = _get(Event, event_id)
    form = ReasonForm()
    preview_only = request.method == "POST" and request.form.get("action") == "preview"
    if preview_only:
        form.validate()
    elif form.validate_on_submit():
        call = service.cancel if kind == "cancel" else service.postpone
        ok = _submit(form, lambda now: call(event, form.reason.data, current_user, now))[0]
        if ok:
            if kind == "cancel":
                flash(_("The event is cancelled. Registrants are being told by mail."), "success")
            else:
                flash(_("The event is postponed. Registrants are being told by mail."), "success")
            return redirect(url_for("organizer.event_detail", event_id=event.id))
    status = 422 if form.errors else 200
    reason = (form.reason.data or "").strip() or _("(your reason)")
    recipients, subject, text = _mail_preview(
        "event_cancelled" if kind == "cancel" else "event_postponed", event,
        as_if=notifications.EventAsIf(event, status_reason=reason,
                                      status="cancelled" if kind == "cancel" else "postponed"))
    return render_template("organizer/events/reason_form.html", form=form, event=event, kind=kind,
                           recipients=recipients, mail_subject=subject, mail_text=text), status


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@editor_required
def event_cancel(event_id: int):
    return _reason_page(event_id, "cancel")


@bp.route("/events/<int:event_id>/postpone", methods=["GET", "POST"])
@editor_required
def event_postpone(event_id: int):
    return _reason_page(event_id, "postpone")


# ---------------------------------------------------------------------------
# copy


@bp.route("/events/<int:event_id>/copy", methods=["GET", "POST"])
@editor_required
def event_copy(event_id: int):
    source = _get(Event, event_id)
    form = CopyForm()
    if request.method == "GET":
        for name in service.EDITION_PLACE_FIELDS:
            form[name].data = getattr(source, name) or ""
    if form.validate_on_submit():
        # The fields sent (all of them from the page, prefilled with this edition's); a blank title keeps it.
        place = {name: form[name].data for name in service.EDITION_PLACE_FIELDS if name in request.form}
        if not (place.get("title") or "").strip():
            place.pop("title", None)
        ok, copy = _submit(form, lambda now: service.copy_event(source, rules.jst_to_utc(form.first_start.data),
                                                                current_user, now, place=place))
        if ok:
            flash(_("The copy was created as a draft. Check its dates and texts, then publish it."), "success")
            return redirect(url_for("organizer.event_detail", event_id=copy.id))
    status = 422 if form.errors else 200
    return render_template("organizer/events/copy_form.html", form=form, event=source), status
