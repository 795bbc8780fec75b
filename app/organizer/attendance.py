"""Organizer: an event's attendance — counts, per-person series table (皆勤, completion), report import.

Reading is for any staff member; importing a video platform's attendee report is for editors:
upload → preview (matched, already recorded, below the minimum, not confirmed, unmatched) →
confirm. The preview hands the confirmation a signed plan (registration ids and minutes), so
what is recorded is what was shown; app.services.online_attendance records it in one transaction.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from itsdangerous import BadSignature, URLSafeTimedSerializer
from wtforms import HiddenField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from app import labels
from app.auth.permissions import editor_required, staff_required
from app.db_types import utcnow
from app.domain import attendee_reports, dates
from app.domain.codes import AttendanceMethod
from app.extensions import db
from app.i18n import current_language
from app.labels import REQUIRED
from app.models import Event, EventSession
from app.organizer import bp
from app.services import attendance_counts, online_attendance

PLAN_SALT = "tsudoi attendee-report plan"
PLAN_MAX_AGE = 3600  # seconds between the preview and its confirmation

REPORT_ERRORS = {
    "empty": _l("The file is empty."),
    "no_header": _l("No table with an e-mail column was found. Export the participants' report (with e-mail "
                    "addresses) from Zoom, Teams or Webex as CSV."),
    "too_many_rows": _l("The file has too many rows."),
}


ATTENDANCE_METHOD_LABELS = {
    AttendanceMethod.DOOR: _l("at the door"),
    AttendanceMethod.WALK_IN: _l("walk-in"),
    AttendanceMethod.ONLINE: _l("online (join link)"),
    AttendanceMethod.REPORT: _l("platform report"),
    AttendanceMethod.IMPORT: _l("imported list"),
}


@bp.app_template_filter("attendance_method_label")
def attendance_method_label(value) -> str:
    return labels.label(ATTENDANCE_METHOD_LABELS, value)


@bp.app_template_global("event_attendance_counts")
def event_attendance_counts(event: Event):
    """The event's counts, for the event page (app.services.attendance_counts)."""
    return attendance_counts.event_counts(event)



def _session_label(session: EventSession, n: int) -> str:
    when = dates.format_datetime(session.starts_at, current_language())
    title = session.title or _("Session %(n)d", n=n)
    return f"{title} ({when})"


class ReportUploadForm(FlaskForm):
    session_id = SelectField(_l("Session"), choices=[], validators=[InputRequired(REQUIRED)])
    report = FileField(_l("Attendee report (CSV from Zoom, Microsoft Teams or Webex)"))
    min_minutes = IntegerField(_l("Minimum minutes online (blank: any)"),
                               validators=[Optional(), NumberRange(min=1, max=24 * 60)])

    def set_sessions(self, event: Event) -> None:
        self.session_id.choices = [(str(s.id), _session_label(s, i + 1)) for i, s in enumerate(event.sessions)]


class ReportConfirmForm(FlaskForm):
    plan = HiddenField(validators=[InputRequired()])


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=PLAN_SALT)


@bp.route("/events/<int:event_id>/attendance")
@staff_required
def attendance_people(event_id: int):
    event = db.get_or_404(Event, event_id)
    sessions, rows = attendance_counts.per_person(event)
    counts = attendance_counts.event_counts(event)
    return render_template("organizer/attendance/people.html", event=event, sessions=sessions, rows=rows,
                           counts=counts, full=[r for r in rows if r.full and len(sessions) > 1],
                           completed=[r for r in rows if r.completed])


@bp.route("/events/<int:event_id>/attendance/import", methods=["GET", "POST"])
@editor_required
def attendance_import(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = ReportUploadForm()
    form.set_sessions(event)
    if request.method == "GET" and request.args.get("session_id"):
        form.session_id.data = request.args["session_id"]
    if not event.sessions:
        flash(_("Add a session first."), "error")
        return redirect(url_for("organizer.event_detail", event_id=event.id))
    if form.validate_on_submit():
        upload = form.report.data
        data = upload.read(attendee_reports.MAX_BYTES + 1) if upload else b""
        if not upload or not getattr(upload, "filename", ""):
            form.report.errors = [_("Choose the report file.")]
        elif len(data) > attendee_reports.MAX_BYTES:
            form.report.errors = [_("The file is too large.")]
        else:
            try:
                report = attendee_reports.parse(data)
            except attendee_reports.ReportError as exc:
                form.report.errors = [str(REPORT_ERRORS[exc.code])]
            else:
                session = next(s for s in event.sessions if str(s.id) == form.session_id.data)
                preview = online_attendance.preview(event, session, report, min_minutes=form.min_minutes.data)
                plan = _serializer().dumps({"e": event.id, "s": session.id, "p": preview.plan})
                confirm = ReportConfirmForm(formdata=None, plan=plan)
                return render_template("organizer/attendance/preview.html", event=event, preview=preview,
                                       confirm=confirm, filename=upload.filename,
                                       session_label=_session_label(session, event.sessions.index(session) + 1))
    status = 422 if form.errors else 200
    return render_template("organizer/attendance/import.html", event=event, form=form), status


@bp.route("/events/<int:event_id>/attendance/import/confirm", methods=["POST"])
@editor_required
def attendance_import_confirm(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = ReportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        plan = _serializer().loads(form.plan.data, max_age=PLAN_MAX_AGE)
    except BadSignature:
        flash(_("The preview has expired. Upload the report again."), "error")
        return redirect(url_for("organizer.attendance_import", event_id=event.id))
    if plan.get("e") != event.id or not any(s.id == plan.get("s") for s in event.sessions):
        abort(400)
    result = online_attendance.import_report(event.id, plan["s"], [tuple(item) for item in plan["p"]],
                                             actor=current_user._get_current_object(), now=utcnow())
    db.session.commit()
    flash(_("Attendance recorded: %(recorded)d new, %(already)d already recorded, %(refused)d no longer confirmed.",
            recorded=result.recorded, already=result.already, refused=result.refused), "success")
    return redirect(url_for("organizer.event_detail", event_id=event.id, _anchor="attendance"))
