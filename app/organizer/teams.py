"""Organizer: an event's teams. Counts per division for every staff member; the members' names
for editors only (viewers see counts). Editors change a team registration's members at any time
before the erasure, and form or adjust hackathon teams."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from app.auth.permissions import editor_required, staff_required
from app.db_types import utcnow
from app.domain import teams as team_rules
from app.domain.codes import ACTIVE_REGISTRATION_STATUSES
from app.domain.registrant_list import team_export_columns
from app.domain.teams import TeamMode
from app.extensions import db
from app.models import Event, Registration, Team, TeamMember
from app.organizer import bp
from app.registration.forms import team_members_form
from app.services import exports as export_service
from app.services import teams as team_service
from app.services.errors import ServiceError


class AssignForm(FlaskForm):
    registrations = SelectMultipleField(_l("Registrants"), coerce=int, choices=[], validate_choice=False,
                                        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    team_id = SelectField(_l("Put them in"), coerce=str, choices=[], validate_choice=False)
    new_name = StringField(_l("Name of the new team"))


def _event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not event.team_mode:
        abort(404)
    return event


@bp.route("/events/<int:event_id>/teams", methods=["GET", "POST"])
@staff_required
def teams(event_id: int):
    event = _event(event_id)
    names = current_user.can_edit  # members' names: organizers only; viewers see counts
    form = None
    unassigned = []
    if event.team_mode == TeamMode.HACKATHON and names:
        form = AssignForm()
        in_team = select(TeamMember.registration_id).where(TeamMember.registration_id.is_not(None))
        active = list(db.session.scalars(select(Registration).where(
            Registration.event_id == event.id, Registration.status.in_(ACTIVE_REGISTRATION_STATUSES))
            .order_by(Registration.family_name_kana, Registration.id)))
        form.registrations.choices = [(r.id, f"{r.full_name}（{r.organization}）") for r in active]
        form.team_id.choices = ([("new", _("A new team (name below)")), ("none", _("No team"))]
                                + [(str(t.id), t.name) for t in team_service.event_teams(event.id)])
        taken = set(db.session.scalars(in_team))
        unassigned = [r for r in active if r.id not in taken]
        if request.method == "POST" and form.validate():
            chosen = form.team_id.data
            if not form.registrations.data:
                form.registrations.errors = [_("Choose at least one registrant.")]
            elif chosen == "new" and not (form.new_name.data or "").strip():
                form.new_name.errors = [_("Enter a team name (up to 100 characters).")]
            else:
                try:
                    team_service.organizer_assign(
                        event.id, form.registrations.data,
                        team_id=int(chosen) if chosen.isdigit() else None,
                        new_name=(form.new_name.data or "") if chosen == "new" else "",
                        now=utcnow(), actor=current_user._get_current_object())
                except ServiceError as exc:
                    db.session.rollback()
                    form.team_id.errors = [_(exc.message)]
                else:
                    db.session.commit()
                    flash(_("The teams have been changed."), "success")
                    return redirect(url_for("organizer.teams", event_id=event.id), code=303)
    elif request.method == "POST":
        abort(403)
    exports = [fmt for fmt in export_service.FORMATS.values() if fmt.uses_columns] \
        if export_service.may_export(current_user) else []
    return render_template("organizer/teams/page.html", event=event, names=names, form=form,
                           export_formats=exports, export_columns=",".join(team_export_columns(event.team_mode)),
                           unassigned=unassigned, divisions=team_service.division_counts(event.id),
                           teams=team_service.event_teams(event.id),
                           erase_at=team_rules.erase_due_at(event.ends_at, event.team_erase_days))


@bp.route("/events/<int:event_id>/teams/<int:team_id>/members", methods=["GET", "POST"])
@editor_required
def team_members(event_id: int, team_id: int):
    event = _event(event_id)
    team = db.session.get(Team, team_id)
    if team is None or team.event_id != event.id or team.registration_id is None:
        abort(404)
    rules = team_rules.rules_of(event)
    form = team_members_form(rules.upper, data={f"m{i}_{n}": getattr(m, n) for i, m in enumerate(team.members)
                                                for n in team_rules.MEMBER_FIELDS})
    if request.method == "POST" and form.validate():
        from app.registration.views import save_team_members

        if save_team_members(form, team.registration, rules, actor=current_user._get_current_object()):
            return redirect(url_for("organizer.teams", event_id=event.id), code=303)
    return render_template("organizer/teams/members.html", event=event, team=team, form=form, rows=rules.upper,
                           has_errors=any(f.errors for f in form))
