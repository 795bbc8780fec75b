"""Organizer: an event's applications (応募) — settings, counts per 部門, decisions, files, reviewers —
its results (受賞結果), and the reviewers' own pages.

Who may do what:
- admins and organizers: everything here (settings, decisions, files, reviewers, results);
- viewers: read the counts, the list and the results, but never open applicants' files;
- reviewers (role ``reviewer``): only /organizer/reviews, and only the applications assigned to
  them (their answers and files, and their own scores);
- applicants: add and remove their files from their private page, never download them.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.permissions import editor_required, staff_required
from app.db_types import utcnow
from app.domain import results as result_rules
from app.domain.application_files import KINDS
from app.domain.codes import ACTIVE_REGISTRATION_STATUSES, ApplicationStatus
from app.extensions import db
from app.flow import attempt
from app.models import ApplicationFile, Event, Organizer, Registration
from app.organizer import bp
from app.organizer.application_forms import (
    ApplicationSettingsForm,
    AssignForm,
    CriterionForm,
    DecisionForm,
    ResultForm,
    ScoreForm,
)
from app.registration.display import answer_rows
from app.services import applications as service
from app.services import audit
from app.services import results as results_service
from app.services.errors import ServiceError, ValidationError

APPLICATION_STATUS_LABELS = {
    ApplicationStatus.SHORTLISTED: _l("Shortlisted"),
    ApplicationStatus.AWARDED: _l("Awarded"),
    ApplicationStatus.NOT_SELECTED: _l("Not selected"),
}


@bp.app_template_filter("application_status_label")
def application_status_label(value) -> str:
    return str(APPLICATION_STATUS_LABELS.get(value, _l("Not decided"))) if value else str(_l("Not decided"))


def _decision_choices():
    return [("", _("Not decided"))] + [(k.value, str(v)) for k, v in APPLICATION_STATUS_LABELS.items()]


def _event(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


def _application(event: Event, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


def reviewer_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_reviewer:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


# --- the list, with counts per 部門 -----------------------------------------------------


@bp.route("/events/<int:event_id>/applications")
@staff_required
def applications(event_id: int):
    event = _event(event_id)
    status = request.args.get("status", "")
    category = request.args.get("category", type=int)
    query = (select(Registration).where(Registration.event_id == event.id,
                                        Registration.status.in_(ACTIVE_REGISTRATION_STATUSES))
             .order_by(Registration.ticket_type_id, Registration.created_at, Registration.id))
    if category:
        query = query.where(Registration.ticket_type_id == category)
    if status == "undecided":
        query = query.where(Registration.application_status.is_(None))
    elif status in {s.value for s in ApplicationStatus}:
        query = query.where(Registration.application_status == status)
    rows = list(db.session.scalars(query))
    form = DecisionForm()
    form.status.choices = _decision_choices()
    return render_template(
        "organizer/applications/list.html", event=event, rows=rows, counts=service.counts_per_category(event),
        file_counts=service.file_counts(event.id), can_edit=current_user.can_edit, form=form,
        status=status, category=category, decision_choices=_decision_choices(),
        results=results_service.results_of(event.id), published=results_service.is_published(event),
    )


@bp.route("/events/<int:event_id>/applications/settings", methods=["GET", "POST"])
@editor_required
def application_settings(event_id: int):
    event = _event(event_id)
    form = ApplicationSettingsForm(obj=event if request.method == "GET" else None)
    if request.method == "GET":
        form.application_file_types.data = list(event.application_file_types or [])
    cap = int(current_app.config.get("APPLICATION_FILE_MAX_MB", 20))
    if request.method == "POST" and form.validate():
        if form.application_file_max_mb.data > cap:
            form.application_file_max_mb.errors = [_("At most %(mb)d MB (APPLICATION_FILE_MAX_MB).", mb=cap)]
        elif form.application_files_allowed.data and not form.application_file_types.data:
            form.application_file_types.errors = [_("Choose at least one kind of file.")]
        elif form.application_files_allowed.data and not current_app.config.get("APPLICATION_FILES_DIR"):
            form.application_files_allowed.errors = [_(service.UNAVAILABLE)]
        else:
            changed = {}
            for name in ("accepts_applications", "application_files_allowed", "application_file_max_mb",
                         "application_file_max_count", "publishes_results"):
                value = form[name].data
                if getattr(event, name) != value:
                    changed[name] = value
                    setattr(event, name, value)
            types = list(form.application_file_types.data or [])
            if list(event.application_file_types or []) != types:
                changed["application_file_types"] = types
                event.application_file_types = types
            if changed:
                audit.record("event.applications_settings", actor=current_user, now=utcnow(), event_id=event.id,
                             data=changed)
            db.session.commit()
            flash(_("The application settings have been saved."), "success")
            return redirect(url_for("organizer.applications", event_id=event.id), code=303)
    return render_template("organizer/applications/settings.html", event=event, form=form, cap=cap,
                           has_errors=any(f.errors for f in form))


# --- one application -----------------------------------------------------------------------


@bp.route("/events/<int:event_id>/applications/<int:registration_id>")
@staff_required
def application(event_id: int, registration_id: int):
    event = _event(event_id)
    registration = _application(event, registration_id)
    form = DecisionForm(data={"status": registration.application_status or ""})
    form.status.choices = _decision_choices()
    assign_form = AssignForm()
    assign_form.reviewer_id.choices = [(r.id, f"{r.display_name} <{r.email}>") for r in service.reviewers()]
    return render_template(
        "organizer/applications/detail.html", event=event, registration=registration, form=form,
        assign_form=assign_form, answers=answer_rows(event, registration.answers),
        files=service.files_of(registration.id), assignments=service.assignments_of(registration.id),
        criteria=service.criteria(event.id), can_edit=current_user.can_edit,
        can_download=current_user.can_edit, total_score=service.total_score,
    )


@bp.route("/events/<int:event_id>/applications/<int:registration_id>/decision", methods=["POST"])
@editor_required
def application_decision(event_id: int, registration_id: int):
    event = _event(event_id)
    registration = _application(event, registration_id)
    form = DecisionForm()
    form.status.choices = _decision_choices()
    if not form.validate():
        flash(_("Choose a decision from the list."), "error")
    else:
        attempt(lambda: service.set_status(registration, form.status.data or None, now=utcnow(), actor=current_user),
                lambda: _("The decision on %(ref)s has been saved: %(decision)s.", ref=registration.reference,
                          decision=application_status_label(registration.application_status)))
    target = request.form.get("next") or ""
    if target == "list":
        return redirect(url_for("organizer.applications", event_id=event.id) + f"#application-{registration.id}",
                        code=303)
    return redirect(url_for("organizer.application", event_id=event.id, registration_id=registration.id), code=303)


@bp.route("/events/<int:event_id>/applications/notify", methods=["GET", "POST"])
@editor_required
def applications_notify(event_id: int):
    """Tell the applicants the outcome: a confirmation page (who gets which mail), then one press queues them."""
    event = _event(event_id)
    back = url_for("organizer.applications", event_id=event.id)
    if request.method == "POST":
        outcome = {}

        def notify():
            outcome["plan"] = service.notify_outcomes(event, now=utcnow(), actor=current_user)

        def told() -> str:
            counts = outcome["plan"].counts
            if not outcome["plan"].total:
                return _("No applicant needed a new mail: nothing was queued.")
            return _("Outcome mails queued (they are in the outbox): shortlisted %(shortlisted)d, awarded "
                     "%(awarded)d, not selected %(not_selected)d.", **counts)

        attempt(notify, told)
        return redirect(back, code=303)
    plan = service.outcome_plan(event)
    effects = [_("%(decision)s: %(n)d applicant(s) get this mail.", decision=application_status_label(outcome), n=n)
               for outcome, n in plan.counts.items()]
    if plan.already_told:
        effects.append(_("%(n)d applicant(s) were already told their current decision: no new mail.",
                         n=plan.already_told))
    if plan.no_address:
        effects.append(_("%(n)d applicant(s) have no email address: no mail.", n=plan.no_address))
    effects += [_("Applications not decided yet get no mail."),
                _("Each mail is in the applicant's language. An award mail names only the award of that "
                  "application, nothing about other applicants."),
                _("A mail whose decision changes before it is sent is not sent.")]
    return render_template("organizer/applications/confirm.html", event=event,
                           title=_("Notify the applicants of the outcome?"), effects=effects,
                           action=url_for("organizer.applications_notify", event_id=event.id),
                           button=_("Send %(n)d mail(s)", n=plan.total), back=back)


@bp.route("/applications/files/<int:file_id>")
@login_required
def application_file(file_id: int):
    """An application's file, as an attachment: organizers (admin, organizer) and the reviewers assigned to it."""
    user = current_user
    if not (user.can_edit or user.is_reviewer):  # viewers, door staff: 403 before anything is looked up
        abort(403)
    item = db.session.get(ApplicationFile, file_id)
    if item is None:
        abort(404)
    if not user.can_edit and not any(a.reviewer_id == user.id for a in service.assignments_of(item.registration_id)):
        abort(403)
    try:
        path = service.file_path(item)
    except service.FilesUnavailable:
        abort(503)
    service.logged_download(item, now=utcnow(), actor=user)
    db.session.commit()
    return file_response(item, path)


def file_response(item: ApplicationFile, path: str):
    """The stored file as an attachment, with the type its content was checked to be; never sniffed."""
    try:
        response = send_file(path, mimetype=KINDS[item.kind][0], as_attachment=True,
                             download_name=item.original_name, max_age=0, conditional=False, etag=False)
    except FileNotFoundError:
        abort(404)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- reviewers: criteria and assignments (organizers) ---------------------------------------


@bp.route("/events/<int:event_id>/applications/review", methods=["GET", "POST"])
@staff_required
def review_setup(event_id: int):
    event = _event(event_id)
    form = CriterionForm()
    if request.method == "POST":
        if not current_user.can_edit:
            abort(403)
        if form.validate():
            try:
                service.add_criterion(event, form.name.data, form.max_score.data, now=utcnow(), actor=current_user)
            except ServiceError as exc:
                db.session.rollback()
                form.name.errors = [_(exc.message)]
            else:
                db.session.commit()
                flash(_("The criterion has been added."), "success")
                return redirect(url_for("organizer.review_setup", event_id=event.id), code=303)
    return render_template("organizer/applications/review_setup.html", event=event, form=form,
                           criteria=service.criteria(event.id), can_edit=current_user.can_edit,
                           reviewers=service.reviewers())


@bp.route("/events/<int:event_id>/applications/review/<int:criterion_id>/remove", methods=["GET", "POST"])
@editor_required
def criterion_remove(event_id: int, criterion_id: int):
    event = _event(event_id)
    criterion = next((c for c in service.criteria(event.id) if c.id == criterion_id), None)
    if criterion is None:
        abort(404)
    if request.method == "POST":
        attempt(lambda: service.remove_criterion(event, criterion_id, now=utcnow(), actor=current_user),
                lambda: _("The criterion has been removed."))
        return redirect(url_for("organizer.review_setup", event_id=event.id), code=303)
    return render_template("organizer/applications/confirm.html", event=event,
                           title=_("Remove the criterion %(name)s?", name=criterion.name),
                           effects=[_("Scores already given on it are no longer shown.")],
                           action=url_for("organizer.criterion_remove", event_id=event.id, criterion_id=criterion.id),
                           button=_("Remove the criterion"),
                           back=url_for("organizer.review_setup", event_id=event.id))


@bp.route("/events/<int:event_id>/applications/<int:registration_id>/reviewers", methods=["POST"])
@editor_required
def application_assign(event_id: int, registration_id: int):
    event = _event(event_id)
    registration = _application(event, registration_id)
    form = AssignForm()
    form.reviewer_id.choices = [(r.id, r.email) for r in service.reviewers()]
    if form.validate():
        reviewer = db.session.get(Organizer, form.reviewer_id.data)
        attempt(lambda: service.assign(registration, reviewer, now=utcnow(), actor=current_user),
                lambda: _("%(name)s will review this application.", name=reviewer.display_name))
    else:
        flash(_("Choose a reviewer from the list."), "error")
    return redirect(url_for("organizer.application", event_id=event.id, registration_id=registration.id)
                    + "#reviewers", code=303)


@bp.route("/events/<int:event_id>/applications/<int:registration_id>/reviewers/<int:assignment_id>/remove",
          methods=["POST"])
@editor_required
def application_unassign(event_id: int, registration_id: int, assignment_id: int):
    event = _event(event_id)
    registration = _application(event, registration_id)
    attempt(lambda: service.unassign(registration, assignment_id, now=utcnow(), actor=current_user),
            lambda: _("The reviewer no longer sees this application."))
    return redirect(url_for("organizer.application", event_id=event.id, registration_id=registration.id)
                    + "#reviewers", code=303)


# --- results ---------------------------------------------------------------------------------


def _result_form(event: Event, formdata=None) -> ResultForm:
    form = ResultForm(formdata=formdata) if formdata is not None else ResultForm()
    form.ticket_type_id.choices = [("", _("Whole event"))] + [(str(tt.id), tt.name) for tt in event.ticket_types]
    entries = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status.in_(ACTIVE_REGISTRATION_STATUSES))
        .order_by(Registration.ticket_type_id, Registration.id))
    form.registration_id.choices = [("", _("None (title only)"))] + [
        (str(r.id), f"{r.reference} {result_rules.public_name(r)}（{r.ticket_type.name}）") for r in entries]
    return form


@bp.route("/events/<int:event_id>/results", methods=["GET", "POST"])
@staff_required
def results(event_id: int):
    event = _event(event_id)
    form = _result_form(event, request.form if request.method == "POST" else None)
    if request.method == "POST":
        if not current_user.can_edit:
            abort(403)
        if form.validate():
            try:
                results_service.add(
                    event, award=form.award.data, title=form.title.data, now=utcnow(), actor=current_user,
                    ticket_type_id=int(form.ticket_type_id.data) if form.ticket_type_id.data else None,
                    registration_id=int(form.registration_id.data) if form.registration_id.data else None)
            except ValidationError as exc:
                db.session.rollback()
                for name, messages in exc.errors.items():
                    form[name].errors = [_(m) for m in messages]
            else:
                db.session.commit()
                flash(_("The result has been added."), "success")
                return redirect(url_for("organizer.results", event_id=event.id), code=303)
    return render_template("organizer/applications/results.html", event=event, form=form,
                           results=results_service.results_of(event.id), awards=result_rules.AWARDS,
                           published=results_service.is_published(event), can_edit=current_user.can_edit,
                           shown_name=result_rules.shown_name, public_name=result_rules.public_name,
                           has_errors=any(f.errors for f in form))


@bp.route("/events/<int:event_id>/results/<int:result_id>/remove", methods=["GET", "POST"])
@editor_required
def result_remove(event_id: int, result_id: int):
    event = _event(event_id)
    item = next((r for r in results_service.results_of(event.id) if r.id == result_id), None)
    if item is None:
        abort(404)
    if request.method == "POST":
        attempt(lambda: results_service.remove(event, result_id, now=utcnow(), actor=current_user),
                lambda: _("The result has been removed."))
        return redirect(url_for("organizer.results", event_id=event.id), code=303)
    effects = [_("It is removed from the list of results.")]
    if results_service.is_published(event):
        effects.append(_("The results are published: it disappears from the public event page at once."))
    return render_template("organizer/applications/confirm.html", event=event,
                           title=_("Remove the result %(award)s?", award=item.award), effects=effects,
                           action=url_for("organizer.result_remove", event_id=event.id, result_id=item.id),
                           button=_("Remove the result"), back=url_for("organizer.results", event_id=event.id))


@bp.route("/events/<int:event_id>/results/publish", methods=["POST"])
@editor_required
def results_publish(event_id: int):
    event = _event(event_id)
    attempt(lambda: results_service.publish(event, now=utcnow(), actor=current_user),
            lambda: _("The results are published on the event page."))
    return redirect(url_for("organizer.results", event_id=event.id), code=303)


@bp.route("/events/<int:event_id>/results/unpublish", methods=["POST"])
@editor_required
def results_unpublish(event_id: int):
    event = _event(event_id)
    attempt(lambda: results_service.unpublish(event, now=utcnow(), actor=current_user),
            lambda: _("The results are no longer public."))
    return redirect(url_for("organizer.results", event_id=event.id), code=303)


# --- the reviewer's own pages ----------------------------------------------------------------


@bp.route("/reviews")
@reviewer_required
def reviews():
    return render_template("organizer/applications/reviews.html", assignments=service.assigned_to(current_user),
                           total_score=service.total_score)


@bp.route("/reviews/<int:assignment_id>", methods=["GET", "POST"])
@reviewer_required
def review(assignment_id: int):
    assignment = service.assignment_for(current_user, assignment_id)
    if assignment is None:
        abort(404)  # never another reviewer's: they see only what is assigned to them
    registration = assignment.registration
    event = registration.event
    criteria = service.criteria(event.id)
    form = ScoreForm(data={"comment": assignment.comment})
    errors: dict[str, str] = {}
    values = {k: str(v) for k, v in (assignment.scores or {}).items()}
    if request.method == "POST" and form.validate():
        values = {str(c.id): request.form.get(f"score_{c.id}", "") for c in criteria}
        done, errors = service.score(assignment, values, form.comment.data, now=utcnow(), actor=current_user)
        if done is not None:
            db.session.commit()
            flash(_("Your scores have been saved."), "success")
            return redirect(url_for("organizer.reviews"), code=303)
        db.session.rollback()
        if "comment" in errors:
            form.comment.errors = [_(errors.pop("comment"))]
    return render_template("organizer/applications/review.html", assignment=assignment, registration=registration,
                           event=event, criteria=criteria, form=form, values=values,
                           errors={k: _(v) for k, v in errors.items()},
                           answers=answer_rows(event, registration.answers),
                           files=service.files_of(registration.id))
