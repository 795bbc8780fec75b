"""KPI pages: everyone on the staff reads them; admins define them and upload target lists."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.auth.permissions import admin_required, staff_required
from app.confirmations import confirmed_or_ask
from app.db_types import utcnow
from app.domain import dates
from app.domain import kpi as rules
from app.extensions import db
from app.i18n import current_language
from app.labels import REQUIRED
from app.models import Event, EventSeries, Kpi
from app.services import kpis as service
from app.stats import bp

MEASURE_LABELS = {
    rules.ATTENDEES: _l("Attendees of the chosen events (once per person and event)"),
    rules.PEOPLE: _l("Distinct people who attended"),
    rules.COMPLETERS: _l("People who completed (by each event's completion rule)"),
    rules.ORGANIZATIONS: _l("Distinct organisations that took part"),
    rules.TARGET_SHARE: _l("Share (%) of a list of organisations that attended"),
}
TARGET_PROBLEMS = {
    "empty": _l("The file has no organisations."),
    "bad_number": _l("This corporate number's check digit is wrong; the name is used instead."),
    "too_many": _l("The list is too long; only the first 10,000 organisations are used."),
    "unreadable": _l("The file could not be read. Upload a CSV (UTF-8 or Shift_JIS) or an XLSX file."),
}


class KpiForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField(_l("How it is reported (optional)"), validators=[Optional(), Length(max=2000)],
                                render_kw={"rows": 2})
    fiscal_year_from = SelectField(_l("First fiscal year"), coerce=int)
    fiscal_year_to = SelectField(_l("Last fiscal year"), coerce=int)
    measure = SelectField(_l("What is counted"), choices=list(MEASURE_LABELS.items()))
    target = IntegerField(_l("Target (a number; a percentage for a share)"),
                          validators=[DataRequired(REQUIRED), NumberRange(min=1, max=10_000_000)])
    series_ids = SelectMultipleField(_l("Series counted"), coerce=int, validators=[Optional()])
    event_ids = SelectMultipleField(_l("Events counted"), coerce=int, validators=[Optional()])
    target_file = FileField(_l("List of organisations (CSV or XLSX with a 企業名 and/or 法人番号 column)"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.fiscal_year_from.data and self.fiscal_year_to.data and self.fiscal_year_from.data > self.fiscal_year_to.data:
            self.fiscal_year_to.errors.append(_("The last fiscal year must not come before the first."))
            ok = False
        if self.measure.data == rules.TARGET_SHARE and self.target.data and self.target.data > 100:
            self.target.errors.append(_("A share is at most 100 (%)."))
            ok = False
        return ok


def _form(kpi: Kpi | None) -> KpiForm:
    form = KpiForm(obj=kpi)
    lang = current_language()
    current = dates.fiscal_year(utcnow())
    years = [(y, dates.fiscal_year_label(y, lang)) for y in range(current - 15, current + 6)]
    form.fiscal_year_from.choices = years
    form.fiscal_year_to.choices = years
    if kpi is None and request.method == "GET":
        form.fiscal_year_from.data = form.fiscal_year_to.data = current
    form.series_ids.choices = [(i, n) for i, n in db.session.execute(select(EventSeries.id, EventSeries.name).order_by(EventSeries.name))]
    events = db.session.execute(select(Event.id, Event.title, Event.starts_at).where(Event.starts_at.is_not(None))
                                .order_by(Event.starts_at.desc())).all()
    form.event_ids.choices = [(i, f"{dates.format_date(s, lang)} {t}") for i, t, s in events]
    return form


@bp.get("/kpis")
@staff_required
def kpis():
    measured = [service.measure(k, detail=False) for k in service.all_kpis()]
    return render_template("stats/kpis.html", measured=measured, measure_labels=MEASURE_LABELS,
                           can_define=current_user.is_admin)


@bp.get("/kpis/<int:kpi_id>")
@staff_required
def kpi(kpi_id: int):
    k = db.get_or_404(Kpi, kpi_id)
    return render_template("stats/kpi.html", m=service.measure(k), k=k, measure_labels=MEASURE_LABELS,
                           can_define=current_user.is_admin, percent=k.measure in rules.PERCENT_MEASURES)


@bp.route("/kpis/new", methods=["GET", "POST"])
@bp.route("/kpis/<int:kpi_id>/edit", methods=["GET", "POST"])
@admin_required
def kpi_form(kpi_id: int | None = None):
    k = db.session.get(Kpi, kpi_id) if kpi_id else None
    if kpi_id and k is None:
        abort(404)
    form = _form(k)
    problems: list[rules.TargetProblem] = []
    if request.method == "POST":
        valid = form.validate_on_submit()
        targets, filename = None, ""
        upload = form.target_file.data
        if upload and getattr(upload, "filename", ""):
            table = rules.read_table(upload.filename, upload.read())
            if table is None:
                form.target_file.errors.append(TARGET_PROBLEMS["unreadable"])
            else:
                targets, problems = rules.parse_targets(table)
                filename = upload.filename
                if not targets:
                    form.target_file.errors.append(TARGET_PROBLEMS["empty"])
        if form.measure.data == rules.TARGET_SHARE and not targets and not (k and k.targets) \
                and not form.target_file.errors:
            form.target_file.errors.append(_("Upload the list of organisations this share is measured against."))
        if valid and not form.target_file.errors:
            data = {name: getattr(form, name).data for name in service.FIELDS}
            data["description"] = data["description"] or ""
            data["event_ids"], data["series_ids"] = list(data["event_ids"] or []), list(data["series_ids"] or [])
            k = service.save(k, data, actor=current_user, now=utcnow(), targets=targets, target_list_name=filename)
            db.session.commit()
            flash(_("The KPI was saved."), "success")
            for p in problems:
                flash(_("Line %(line)s: %(problem)s", line=p.line, problem=TARGET_PROBLEMS[p.message]), "warning")
            return redirect(url_for("stats.kpi", kpi_id=k.id))
    has_errors = any(f.errors for f in form)
    return render_template("stats/kpi_form.html", form=form, kpi=k), (422 if has_errors else 200)


@bp.post("/kpis/<int:kpi_id>/delete")
@admin_required
def kpi_delete(kpi_id: int):
    k = db.get_or_404(Kpi, kpi_id)
    if page := confirmed_or_ask("kpi_delete", back=url_for("stats.kpi", kpi_id=k.id)):
        return page
    service.delete(k, actor=current_user, now=utcnow())
    db.session.commit()
    flash(_("The KPI was deleted."), "success")
    return redirect(url_for("stats.kpis"))
