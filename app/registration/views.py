"""Registration pages.

/events/<slug>/register          the form (GET) and its check (POST → review page)
/events/<slug>/register/confirm  POST from the review page: register, or back to edit
/events/<slug>/register/done     what happens next
/r/<token>                       the registrant's private page (no login), and its
/r/<token>/edit, /cancel, /ticket, /calendar.ics

The rules are app.domain.registration_input (shared with the API) and
app.services.registrations; views validate, call, commit and redirect.
"""
from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import urls
from app.db_types import utcnow
from app.domain import session_choice
from app.domain import teams as team_rules
from app.domain.admission import Availability, event_window, ticket_availability
from app.domain.codes import ACTIVE_REGISTRATION_STATUSES, EventStatus, RegistrationStatus
from app.domain.language import LANGUAGE_NAMES
from app.domain.registration_input import QuestionSpec, clean_registration
from app.domain.session_choice import day_availability, day_label
from app.extensions import db, limiter
from app.flow import attempt
from app.i18n import current_language
from app.models import Event, Registration
from app.public import listing
from app.registration import bp
from app.registration.display import answer_rows, detail_rows
from app.registration.forms import EDIT_FIELDS, DaysForm, initial_data, raw_input, registration_form
from app.services import applications, registrations, session_choices, tickets
from app.services.errors import ServiceError
from app.services.registrations import Full, OrganizationTaken, RegistrationClosed
from app.web_guards import keep_private, registration_rate_limit

DONE_KEY = "registration_done"


# As the private links' pages that change something: RATELIMIT_REGISTRATION per client address.
_rate_limit = registration_rate_limit
keep_private(bp)  # pages with personal data or a private link: never cached, never a referrer


# --- helpers --------------------------------------------------------------------------


def _event_or_404(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or event.status == EventStatus.DRAFT:
        abort(404)
    return event


def _specs(event: Event) -> list[QuestionSpec]:
    return [QuestionSpec(q.id, q.kind, q.required, list(q.choices or [])) for q in event.questions]


def _ticket_options(event: Event) -> list[tuple]:
    return [(tt, ticket_availability(event, tt)) for tt in event.ticket_types]


def _day_options(event: Event) -> list[tuple]:
    """[(session, availability)] of an event whose registrants choose days, by date."""
    if not event.choose_sessions:
        return []
    return [(s, day_availability(capacity=s.capacity, confirmed=s.confirmed_count,
                                 waitlist_enabled=event.waitlist_enabled))
            for s in sorted(event.sessions, key=lambda s: (s.starts_at, s.id))]


def _day_choices(event: Event):
    if not event.choose_sessions:
        return None
    return [(s.id, day_label(s.title, s.starts_at, s.ends_at, current_language()))
            for s, _avail in _day_options(event)]


def _team_rows(event: Event) -> int:
    """How many member rows a team registration's form has (none for other events)."""
    return team_rules.rules_of(event).upper if event.team_mode == team_rules.TeamMode.TEAM else 0


def _form(event: Event, **kwargs):
    form = registration_form(event.questions, lang=current_language(), sessions=_day_choices(event),
                             team_rows=_team_rows(event), results_consent=event.publishes_results, **kwargs)
    if "ticket_type_id" in form:
        form.ticket_type_id.choices = [(str(tt.id), tt.name) for tt in event.ticket_types]
    return form


def _apply_errors(form, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        if name in form:
            # team errors come translated (with their numbers); gettext of a translated text is itself
            form[name].errors = [_(m) for m in messages]


def team_form_errors(errors: dict[str, str], rules) -> dict[str, list[str]]:
    """The domain's team error keys as the form's fields (team.members.2.grade → m2_grade)."""
    out = {}
    for key, message in errors.items():
        parts = key.split(".")
        if key == "team.name":
            name = "team_name"
        elif key == "team.consent":
            name = "team_consent"
        elif len(parts) == 4:
            name = f"m{parts[2]}_{parts[3]}"
        else:
            name = "team_members"
        out[name] = [_(message, **team_rules.members_message_args(message, rules))]
    return out


def save_team_members(form, registration: Registration, rules, *, actor) -> bool:
    """Clean the members typed in a team members' form and save them (committed, said by a flash);
    False with the errors put on the form's fields (the registrant's team page and the organizer's)."""
    from app.registration.forms import team_raw
    from app.services import teams as team_service

    members, errors = team_rules.clean_members(team_raw(form, rules.upper), rules)
    if not errors:
        try:
            team_service.update_members(registration, members, now=utcnow(), actor=actor)
        except ServiceError as exc:
            db.session.rollback()
            errors = {"members": exc.message}
        else:
            db.session.commit()
            flash(_("The team's members have been saved."), "success")
            return True
    for name, messages in team_form_errors({"team." + k: v for k, v in errors.items()}, rules).items():
        form[name].errors = messages
    return False


def _clean(event: Event, form, *, edit: bool = False):
    raw = raw_input(form, event.questions)
    clean, errors = _clean_person(event, raw, edit=edit)
    if "team" in raw and not edit:
        rules = team_rules.rules_of(event)
        clean.team, team_errors = team_rules.clean_team(raw["team"], rules)
        errors.update({k: list(v) for k, v in team_form_errors(team_errors, rules).items()})
    return clean, errors


def _clean_person(event: Event, raw: dict, *, edit: bool):
    return clean_registration(
        raw,
        questions=_specs(event),
        ticket_type_ids=[tt.id for tt in event.ticket_types],
        require_email_confirmation=not edit,
        partial=edit,
        session_ids=[s.id for s in event.sessions] if event.choose_sessions and not edit else None,
    )


def _all_full(options) -> bool:
    return bool(options) and all(avail is Availability.FULL for _tt, avail in options)


def _render_form(event: Event, form, *, window, notice: str | None = None, status: int = 200):
    options = _ticket_options(event)
    has_errors = any(f.errors for f in form)
    return render_template(
        "registration/form.html",
        event=event,
        form=form,
        window=window,
        ticket_options=options,
        day_options=_day_options(event),
        # A fresh visit to a full event gets the 満席 notice instead of the form; someone who
        # has typed everything keeps their values (a seat may come free again).
        all_full=_all_full(options) and request.method == "GET",
        notice=notice,
        has_errors=has_errors,
        team_rows=_team_rows(event),
    ), status


def _render_closed(event: Event, window, status: int = 200):
    return render_template("registration/closed.html", event=event, window=window), status


# --- the form, the review, the done page -----------------------------------------------


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def register(slug: str):
    if request.method == "GET" and db.session.scalar(select(Event.id).where(Event.slug == slug)) is None:
        return listing.redirect_if_moved(slug, "registration.register")
    event = _event_or_404(slug)
    window = event_window(event, utcnow())
    if not window.is_open:
        return _render_closed(event, window)
    form = _form(event)
    if request.method == "GET":
        return _render_form(event, form, window=window)

    clean, errors = _clean(event, form)
    if not errors:
        chosen = next((tt for tt in event.ticket_types if tt.id == clean.ticket_type_id), None)
        if chosen is not None and ticket_availability(event, chosen) is Availability.FULL:
            errors["ticket_type_id"] = [registrations.FULL_MESSAGE]
        full_days = [s for s, avail in _day_options(event) if s.id in clean.session_ids and avail is Availability.FULL]
        if full_days:
            errors["sessions"] = [session_choice.DAY_FULL]
    if errors:
        _apply_errors(form, errors)
        return _render_form(event, form, window=window)

    ticket_type = next(tt for tt in event.ticket_types if tt.id == clean.ticket_type_id)
    # Only the form's own fields go on to the review page (never whatever else was posted).
    # Check boxes go on as "y" (their raw value is never checked, so never echoed).
    fields = {field.name: field.type == "BooleanField" for field in form if field.name != "csrf_token"}
    carried = [(k, "y" if fields[k] else v) for k, values in request.form.lists() if k in fields for v in values]
    return render_template(
        "registration/confirm.html",
        event=event,
        rows=detail_rows(clean),
        answers=answer_rows(event, clean.answers),
        ticket_type=ticket_type,
        availability=ticket_availability(event, ticket_type),
        chosen_days=[(s, avail) for s, avail in _day_options(event) if s.id in clean.session_ids],
        team=clean.team,
        opt_in=clean.opt_in_announcements,
        name_consent=clean.public_name_consent if event.publishes_results else None,
        carried=carried,
    )


@bp.route("/events/<slug>/register/confirm", methods=["POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def confirm(slug: str):
    event = _event_or_404(slug)
    now = utcnow()
    window = event_window(event, now)
    if not window.is_open:
        return _render_closed(event, window)
    form = _form(event)
    if request.form.get("action") == "edit":
        return _render_form(event, form, window=window)
    clean, errors = _clean(event, form)
    if errors:
        _apply_errors(form, errors)
        return _render_form(event, form, window=window)

    try:
        result = registrations.register(event, clean, now=now, language=current_language())
    except RegistrationClosed as exc:
        db.session.rollback()
        return _render_closed(event, exc.window)
    except session_choices.DayFull:
        db.session.rollback()
        form.sessions.errors = [_(session_choice.DAY_FULL)]
        return _render_form(event, form, window=window, notice=_("Sorry, a day you chose is now full."))
    except Full:
        db.session.rollback()
        form.ticket_type_id.errors = [_(registrations.FULL_MESSAGE)]
        return _render_form(event, form, window=window, notice=_("Sorry, this event is now full."))
    except OrganizationTaken:
        db.session.rollback()
        form.organization.errors = [_(registrations.ORG_TAKEN_MESSAGE)]
        return _render_form(event, form, window=window)
    except ServiceError as exc:
        db.session.rollback()
        if exc.code == "invalid_sessions" and "sessions" in form:
            form.sessions.errors = [_(exc.message)]
        else:
            form.ticket_type_id.errors = [_(exc.message)]
        return _render_form(event, form, window=window)
    registration_id = result.registration.id
    db.session.commit()
    session[DONE_KEY] = {"event": event.id, "id": registration_id, "created": result.created}
    return redirect(url_for("registration.done", slug=event.slug), code=303)


@bp.route("/events/<slug>/register/done")
def done(slug: str):
    event = _event_or_404(slug)
    info = session.get(DONE_KEY)
    if not info or info.get("event") != event.id:
        return redirect(url_for("registration.register", slug=event.slug))
    if not info.get("created"):
        # The address was already registered: the link went to that address, never to this page.
        return render_template("registration/done.html", event=event, already=True, registration=None)
    registration = db.session.get(Registration, info.get("id"))
    if registration is None or registration.event_id != event.id:
        return redirect(url_for("registration.register", slug=event.slug))
    return render_template(
        "registration/done.html",
        event=event,
        already=False,
        registration=registration,
        position=registrations.waitlist_position(registration),
        window=event_window(event, utcnow()),
        days=_chosen_days(registration),
    )


# --- the registrant's private pages ---------------------------------------------------


def _registration_or_404(token: str) -> Registration:
    registration = registrations.get_by_token(token)
    if registration is None:
        abort(404)
    return registration


def _actor():
    """Who acts through the private link: a signed-in staff member is recorded as themselves
    in the audit log, never as the registrant (None: the registrant)."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def _is_active(registration: Registration) -> bool:
    return registration.status in ACTIVE_REGISTRATION_STATUSES


def _shows_online_url(registration: Registration) -> bool:
    event = registration.event
    return (registration.status == RegistrationStatus.CONFIRMED and event.format in ("online", "hybrid")
            and bool(event.online_url) and event.status != EventStatus.CANCELLED)


def _join_url(registration: Registration) -> str | None:
    """The personal join link (/j/...) shown instead of the online URL, which it leads to in its window.

    None when the link cannot be derived without writing (a row migrated from plain-text
    tokens: its mails carry the link once delivery has given it a new one).
    """
    if not _shows_online_url(registration):
        return None
    if registration.derived_manage_token(current_app.config["SECRET_KEY"]) is None:
        return None
    return urls.join_url(registration)


@bp.route("/r/<token>")
def manage(token: str):
    registration = _registration_or_404(token)
    event = registration.event
    return render_template(
        "registration/manage.html",
        registration=registration,
        event=event,
        token=token,
        position=registrations.waitlist_position(registration),
        rows=detail_rows(registration),
        answers=answer_rows(event, registration.answers),
        active=_is_active(registration),
        join_url=_join_url(registration),
        days=_chosen_days(registration),
        application_open=event.accepts_applications and applications.may_change(event, registration, utcnow()),
        language_names={code: LANGUAGE_NAMES[code] for code in current_app.config["LANGUAGES"]},
    )


@bp.route("/r/<token>/edit", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def edit(token: str):
    registration = _registration_or_404(token)
    event = registration.event
    if not _is_active(registration):
        flash(_("A cancelled registration cannot be changed."), "error")
        return redirect(url_for("registration.manage", token=token))
    if event.accepts_applications and not applications.may_change(event, registration, utcnow()):
        flash(_(applications.CLOSED), "error")  # an application is changed until the deadline only
        return redirect(url_for("registration.manage", token=token))
    form = registration_form(event.questions, lang=current_language(), edit=True,
                             data=initial_data(registration, event.questions),
                             results_consent=event.publishes_results)
    if request.method == "POST":
        clean, errors = _clean(event, form, edit=True)
        if not errors:
            fields = (set(EDIT_FIELDS) & {f.name for f in form}) | {"organization_key", "answers"}
            try:
                registrations.update_details(registration, clean, fields, now=utcnow(), actor=_actor())
            except OrganizationTaken:
                db.session.rollback()
                errors = {"organization": [registrations.ORG_TAKEN_MESSAGE]}
            else:
                db.session.commit()
                flash(_("Your details have been saved."), "success")
                return redirect(url_for("registration.manage", token=token), code=303)
        _apply_errors(form, errors)
    return render_template("registration/edit.html", registration=registration, event=event, form=form,
                           token=token, has_errors=any(f.errors for f in form))


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def cancel(token: str):
    registration = _registration_or_404(token)
    if not _is_active(registration):
        flash(_("This registration is already cancelled."), "info")
        return redirect(url_for("registration.manage", token=token))
    if request.method == "POST":
        # CSRF: checked for every POST by CSRFProtect
        attempt(lambda: registrations.cancel(registration, now=utcnow(), actor=_actor()),
                lambda: _("Your registration has been cancelled. We have sent you a confirmation email."))
        return redirect(url_for("registration.manage", token=token), code=303)
    return render_template("registration/cancel.html", registration=registration, event=registration.event,
                           token=token)


@bp.route("/r/<token>/language", methods=["POST"])
@limiter.limit(_rate_limit)
def mail_language(token: str):
    """The language of the registrant's future mails (CSRF: checked for every POST by CSRFProtect)."""
    registration = _registration_or_404(token)
    chosen = request.form.get("language", "")
    attempt(lambda: registrations.set_mail_language(registration, chosen, now=utcnow(), actor=_actor(),
                                                    supported=current_app.config["LANGUAGES"]),
            lambda: _("From now on we write to you in %(language)s.", language=LANGUAGE_NAMES[chosen]))
    return redirect(url_for("registration.manage", token=token), code=303)


@bp.route("/r/<token>/lottery/confirm", methods=["POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def lottery_confirm(token: str):
    """A lottery winner confirms their seat before the deadline (app.services.lottery)."""
    from app.services import lottery

    registration = _registration_or_404(token)
    # CSRF: checked for every POST by CSRFProtect
    attempt(lambda: lottery.accept(registration, now=utcnow(), actor=_actor()),
            lambda: _("Thank you: your place is confirmed."))
    return redirect(url_for("registration.manage", token=token), code=303)


@bp.route("/r/<token>/ticket")
def ticket(token: str):
    registration = _registration_or_404(token)
    event = registration.event
    code = qr = None
    if registration.status == RegistrationStatus.CONFIRMED:
        code = tickets.ticket_code(registration, current_app.config["SECRET_KEY"])
        qr = tickets.qr_svg(code, title=_("QR code of registration %(ref)s", ref=registration.reference))
    return render_template("registration/ticket.html", registration=registration, event=event, token=token,
                           qr=qr, join_url=_join_url(registration), days=_chosen_days(registration))


def _chosen_days(registration: Registration) -> list[tuple]:
    """[(session, choice, place in the day's line)] of a registration of a per-day event."""
    if not registration.event.choose_sessions:
        return []
    return [(s, c, session_choices.day_position(c)) for s, c in session_choices.chosen(registration)]


@bp.route("/r/<token>/days", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def days(token: str):
    """The registrant changes the days they attend (per-day events)."""
    registration = _registration_or_404(token)
    event = registration.event
    if not event.choose_sessions:
        abort(404)
    if not _is_active(registration):
        flash(_("A cancelled registration cannot be changed."), "error")
        return redirect(url_for("registration.manage", token=token))
    current = [c.session_id for _s, c in session_choices.chosen(registration)]
    # The posted form as it is (unticking every day posts no `sessions` at all: that is an answer too).
    form = DaysForm(formdata=request.form if request.method == "POST" else None,
                    data={"sessions": [str(i) for i in current]})
    form.sessions.choices = [(str(i), label) for i, label in _day_choices(event)]
    adding_open = event_window(event, utcnow()).is_open
    if request.method == "POST" and form.validate():
        wanted, error = session_choice.clean_session_ids(list(form.sessions.data or []), [s.id for s in event.sessions])
        if not adding_open and set(wanted) - set(current):
            error = error or session_choice.N_("Registration has closed: days can no longer be added.")
        if error:
            form.sessions.errors = [_(error)]
        else:
            try:
                change = session_choices.change(registration, wanted, now=utcnow(), actor=_actor())
            except session_choices.DayFull:
                db.session.rollback()
                form.sessions.errors = [_(session_choice.DAY_FULL)]
            except ServiceError as exc:
                db.session.rollback()
                form.sessions.errors = [_(exc.message)]
            else:
                db.session.commit()
                if change.waitlisted:
                    flash(_("Your days have been saved. A day you added is full: you are on its waiting list."),
                          "success")
                else:
                    flash(_("Your days have been saved."), "success")
                return redirect(url_for("registration.manage", token=token), code=303)
    return render_template("registration/days.html", registration=registration, event=event, token=token,
                           form=form, day_options=_day_options(event), adding_open=adding_open,
                           current=current, days=_chosen_days(registration))


@bp.route("/r/<token>/calendar.ics")
def calendar(token: str):
    registration = _registration_or_404(token)
    body = tickets.calendar_ics(registration, now=utcnow(), manage_url=urls.manage_url(registration, token=token),
                                join_url=_join_url(registration), lang=current_language())
    response = make_response(body)
    response.mimetype = "text/calendar"
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{registration.event.slug}.ics"'
    return response
