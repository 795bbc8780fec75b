"""The registrant's team pages (private link): a team registration's members until the deadline;
a hackathon registrant forms a team, joins one by its invite code, or leaves it.

The rules are app.domain.teams and app.services.teams; views validate, call, commit, redirect.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from app.confirmations import confirmed_or_ask
from app.db_types import utcnow
from app.domain import teams as team_rules
from app.domain.teams import TeamMode
from app.extensions import db, limiter
from app.flow import attempt
from app.registration import bp
from app.registration.forms import REQUIRED, team_members_form
from app.registration.views import _actor, _is_active, _rate_limit, _registration_or_404, save_team_members
from app.services import teams as team_service
from app.services.errors import ServiceError


class FormTeamForm(FlaskForm):
    name = StringField(_l("Team name"), validators=[REQUIRED])


class JoinTeamForm(FlaskForm):
    code = StringField(_l("Invite code"), validators=[REQUIRED],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters"})


def member_data(team) -> dict:
    data = {}
    for i, m in enumerate(team.members):
        for name in team_rules.MEMBER_FIELDS:
            data[f"m{i}_{name}"] = getattr(m, name)
    return data


@bp.route("/r/<token>/team", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def team(token: str):
    """A team registration's members (team mode), or the hackathon team (form / join / leave)."""
    registration = _registration_or_404(token)
    event = registration.event
    if event.team_mode == TeamMode.HACKATHON:
        return _hackathon(token, registration, event)
    current = team_service.team_of(registration.id)
    if event.team_mode != TeamMode.TEAM or current is None:
        abort(404)
    rules = team_rules.rules_of(event)
    rows = rules.upper
    editable = _is_active(registration) and team_service.may_edit(event, current, utcnow())
    form = team_members_form(rows, data=member_data(current))
    if request.method == "POST":
        if not editable:
            flash(_(team_rules.EDIT_CLOSED), "error")
            return redirect(url_for("registration.team", token=token), code=303)
        if form.validate() and save_team_members(form, registration, rules, actor=_actor()):  # CSRF
            return redirect(url_for("registration.manage", token=token), code=303)
    deadline = event.team_edit_closes_at or event.starts_at
    return render_template("registration/team.html", registration=registration, event=event, token=token,
                           team=current, form=form, rows=rows, editable=editable, deadline=deadline,
                           has_errors=any(f.errors for f in form))


def _hackathon(token, registration, event):
    current = team_service.team_of(registration.id)
    create, join = FormTeamForm(prefix="form"), JoinTeamForm(prefix="join")
    if request.method == "POST" and _is_active(registration):
        action = request.form.get("action")
        now = utcnow()
        if action == "leave":
            if page := confirmed_or_ask("team_leave", back=url_for("registration.team", token=token)):
                return page
            attempt(lambda: team_service.leave_team(registration, now=now, actor=_actor()),
                    lambda: _("You have left the team."))
            return redirect(url_for("registration.team", token=token), code=303)
        chosen = create if action == "form" else join
        field = chosen.name if action == "form" else chosen.code
        if chosen.validate():
            try:
                if action == "form":
                    team_service.form_team(registration, field.data or "", now=now, actor=_actor())
                else:
                    team_service.join_team(registration, field.data or "", now=now, actor=_actor())
            except ServiceError as exc:
                db.session.rollback()
                field.errors = [_(exc.message)]
            else:
                db.session.commit()
                flash(_("You are in the team now.") if action == "join" else
                      _("Your team has been formed: give its invite code to the others."), "success")
                return redirect(url_for("registration.team", token=token), code=303)
    return render_template("registration/hackathon_team.html", registration=registration, event=event,
                           token=token, team=current, create=create, join=join, active=_is_active(registration))
