"""受付 pages. Thin: read the request, call app.services.checkin, commit, answer.

The page's script (static/js/checkin.js) asks for JSON (``Accept: application/json``)
and gets the result panel rendered here (one place for the words, in the
request's language); without a script the same forms post and render the page.
"""
from __future__ import annotations

from flask import abort, current_app, jsonify, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api.checkins import clean_checkin_body
from app.auth.permissions import checkin_required, editor_required
from app.db_types import utcnow
from app.domain.registration_input import N_, clean_registration
from app.domain.text_input import parse_id
from app.door import bp
from app.door.forms import raw_input, walk_in_form
from app.extensions import db
from app.i18n import current_language
from app.models import Event, Organizer, Registration
from app.services import checkin as service
from app.services import registrations as registration_service
from app.services.errors import ServiceError
from app.web_guards import PERMISSIONS_POLICY

#: The 受付 page may use the camera (to read QR codes), for this origin only.
CAMERA_POLICY = PERMISSIONS_POLICY.replace("camera=()", "camera=(self)")

#: HTTP status per outcome (as the API's).
STATUS = {service.CHECKED_IN: 201, service.ALREADY: 200, service.NOT_FOUND: 404}


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.is_json


def _event(event_id: int) -> Event:
    event = db.session.scalar(select(Event).where(Event.id == event_id)
                              .options(selectinload(Event.sessions), selectinload(Event.ticket_types)))
    if event is None:
        abort(404)
    return event


def _session(event: Event, raw) -> object:
    """The session asked for (?session_id= / form), else the default one; 404 for another event's."""
    session_id = parse_id(raw) if raw not in (None, "") else None
    try:
        return service.session_for(event.id, session_id, utcnow())
    except service.UnknownSession:
        abort(404)


def _render_desk(event, session, *, result=None, q: str = "", hits=None, status: int = 200, undone=None,
                 code_error: str = ""):
    html = render_template("door/desk.html", event=event, session=session, sessions=event.sessions,
                           result=result, q=q, hits=hits, undone=undone, can_edit=current_user.can_edit,
                           code_error=code_error)
    response = make_response(html, status)
    response.headers["Permissions-Policy"] = CAMERA_POLICY
    return response


def _panel(result) -> dict:
    return {"result": result.status,
            "registration_id": result.registration.id if result.registration is not None else None,
            "session_id": result.session.id,
            "html": render_template("door/_result.html", result=result),
            "summary": render_template("door/_summary.txt", result=result).strip()}


@bp.route("/")
@login_required
def index():
    if not (current_user.can_edit or current_user.is_checkin_only):
        abort(403)
    return render_template("door/index.html", events=service.events_for(current_user))


@bp.route("/events/<int:event_id>")
@checkin_required
def desk(event_id: int):
    event = _event(event_id)
    session = _session(event, request.args.get("session_id"))
    q = (request.args.get("q") or "").strip()
    hits = service.search(event.id, q, session_id=session.id) if q else None
    return _render_desk(event, session, q=q, hits=hits)


@bp.route("/events/<int:event_id>/search")
@checkin_required
def search(event_id: int):
    """As-you-type search: the hits, rendered, at most SEARCH_LIMIT (JSON for the page's script)."""
    event = _event(event_id)
    session = _session(event, request.args.get("session_id"))
    q = (request.args.get("q") or "").strip()
    hits = service.search(event.id, q, session_id=session.id) if q else []
    if not _wants_json():
        return _render_desk(event, session, q=q, hits=hits)
    return jsonify(count=len(hits), html=render_template("door/_hits.html", event=event, session=session, hits=hits,
                                                         q=q))


@bp.route("/events/<int:event_id>/scan", methods=["POST"])
@checkin_required
def scan(event_id: int):
    """A scanned QR payload, a typed 受付番号, or a search hit's 受付 button (its 受付番号)."""
    event = _event(event_id)
    data = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    if not isinstance(data, dict):
        data = {}
    if data.get("session_id") in ("", None):
        data.pop("session_id", None)
    clean, errors = clean_checkin_body(data)
    if not errors:
        try:
            result = service.check_in(event.id, clean["code"], now=utcnow(), actor=current_user._get_current_object(),
                                      secret=current_app.config["SECRET_KEY"], session_id=clean["session_id"],
                                      client_ref=clean["client_ref"])
        except service.UnknownSession as exc:
            db.session.rollback()
            errors = {"session_id": [exc.message]}
    if errors:
        if _wants_json():
            return jsonify(error="validation_error",
                           errors={k: [_(m) for m in v] for k, v in errors.items()}), 422
        message = " ".join(_(m) for messages in errors.values() for m in messages)
        return _render_desk(event, _session(event, None), status=422, code_error=message)
    status = STATUS.get(result.status, 409)
    if _wants_json():
        response = jsonify(_panel(result))
        response.status_code = status
    else:
        response = _render_desk(event, result.session, result=result, status=status)
    db.session.commit()
    return response


@bp.route("/events/<int:event_id>/undo", methods=["POST"])
@checkin_required
def undo(event_id: int):
    event = _event(event_id)
    data = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    data = data if isinstance(data, dict) else {}
    registration_id = parse_id(data.get("registration_id"))
    session = _session(event, data.get("session_id"))
    undone = registration_id is not None and service.undo(
        event.id, registration_id, now=utcnow(), actor=current_user._get_current_object(), session_id=session.id)
    registration = db.session.get(Registration, registration_id) if undone else None
    html = render_template("door/_undone.html", undone=undone, registration=registration, session=session)
    if undone:
        db.session.commit()
    else:
        db.session.rollback()
    if _wants_json():
        return jsonify(undone=bool(undone), html=html), (200 if undone else 404)
    return _render_desk(_event(event_id), session, undone=html, status=200 if undone else 404)


@bp.route("/events/<int:event_id>/walk-in", methods=["GET", "POST"])
@checkin_required
def walk_in(event_id: int):
    """当日参加: register at the door and check in; past capacity only by an organizer's recorded override."""
    event = _event(event_id)
    session = _session(event, request.values.get("session_id"))
    form = walk_in_form(event, lang=current_language(), formdata=request.form if request.method == "POST" else None)
    form.session_id.data = str(session.id)
    full = False
    if request.method == "POST" and form.validate_on_submit():
        override = bool(form.override.data) and current_user.can_edit
        clean, errors = clean_registration(raw_input(form), questions=[],
                                           ticket_type_ids=[tt.id for tt in event.ticket_types])
        for name, messages in errors.items():
            if name in form:
                form[name].errors = list(form[name].errors) + [_(m) for m in messages]
        if not errors:
            try:
                outcome = service.walk_in(event, clean, session=session, now=utcnow(),
                                          actor=current_user._get_current_object(), override=override,
                                          language=current_language())
            except registration_service.Full:
                db.session.rollback()
                full = True
            except ServiceError as exc:
                db.session.rollback()
                form.consent.errors = list(form.consent.errors) + [_(exc.message)]
            else:
                result = outcome.result
                response = _render_desk(event, session, result=result, status=201 if outcome.created else 200)
                db.session.commit()
                return response
    status = 422 if request.method == "POST" else 200
    return render_template("door/walk_in.html", event=event, session=session, form=form, full=full,
                           can_override=current_user.can_edit), status


def desk_url(event_id: int, session_id: int | None = None) -> str:
    return url_for("door.desk", event_id=event_id, session_id=session_id)


# ---------------------------------------------------------------------------
# door staff of an event (on the organizer's event page)


@bp.app_template_global()
def door_staff(event_id: int) -> dict:
    """For the organizer's event page: the door staff assigned to the event and those who could be."""
    assigned = service.assigned_staff(event_id)
    taken = {o.id for o in assigned}
    return {"assigned": assigned, "available": [o for o in service.door_staff_accounts() if o.id not in taken]}


def _staff_change(event_id: int, change, success: str):
    from flask import flash, redirect

    event = _event(event_id)
    staff = db.session.get(Organizer, parse_id(request.form.get("organizer_id")) or 0)
    if staff is None:
        flash(_("Choose a door staff account."), "error")
        return redirect(url_for("organizer.event_detail", event_id=event.id, _anchor="door-staff"))
    try:
        change(staff, event, actor=current_user._get_current_object(), now=utcnow())
    except ServiceError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
    else:
        db.session.commit()
        flash(_(success, name=staff.display_name), "success")
    return redirect(url_for("organizer.event_detail", event_id=event.id, _anchor="door-staff"))


@bp.route("/events/<int:event_id>/staff", methods=["POST"])
@editor_required
def staff_assign(event_id: int):
    return _staff_change(event_id, service.assign, N_("%(name)s can now check people in for this event."))


@bp.route("/events/<int:event_id>/staff/remove", methods=["POST"])
@editor_required
def staff_unassign(event_id: int):
    return _staff_change(event_id, service.unassign, N_("%(name)s no longer checks people in for this event."))
