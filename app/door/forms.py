"""The walk-in (当日参加) form: the short form filled in at the door.

Like the registration form it only renders and carries the values; the rules
are app.domain.registration_input's (shared with the form and the API).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TelField

from app.labels import ORGANIZATION_TYPE_LABELS, choices
from app.registration.forms import REQUIRED, prefecture_choices

FIELDS = ("family_name", "given_name", "family_name_kana", "given_name_kana", "email", "phone", "organization",
          "organization_type", "prefecture", "ticket_type_id", "consent")


class WalkInForm(FlaskForm):
    family_name = StringField(_l("Family name"), validators=[REQUIRED], render_kw={"autocomplete": "off"})
    given_name = StringField(_l("Given name"), validators=[REQUIRED], render_kw={"autocomplete": "off"})
    family_name_kana = StringField(_l("Family name (kana)"), render_kw={"autocomplete": "off"})
    given_name_kana = StringField(_l("Given name (kana)"), render_kw={"autocomplete": "off"})
    email = EmailField(_l("Email address"), validators=[REQUIRED],
                       render_kw={"autocomplete": "off", "inputmode": "email"})
    phone = TelField(_l("Phone number"), render_kw={"autocomplete": "off", "inputmode": "tel"})
    organization = StringField(_l("Company or organisation"), validators=[REQUIRED], render_kw={"autocomplete": "off"})
    organization_type = SelectField(_l("Organisation type"), validators=[REQUIRED], validate_choice=False,
                                    choices=[("", _l("Choose…"))] + choices(ORGANIZATION_TYPE_LABELS))
    prefecture = SelectField(_l("Prefecture"), validators=[REQUIRED], validate_choice=False, choices=[])
    ticket_type_id = SelectField(_l("Ticket type"), validators=[REQUIRED], validate_choice=False, choices=[])
    consent = BooleanField(_l("The person agrees to the handling of their personal data for this event."),
                           validators=[REQUIRED])
    override = BooleanField(_l("Admit past capacity (an organizer's decision, recorded)"))
    session_id = HiddenField()


def walk_in_form(event, *, lang: str, formdata=None) -> WalkInForm:
    kwargs = {} if formdata is None else {"formdata": formdata}
    form = WalkInForm(data={"prefecture": event.prefecture or ""}, **kwargs)
    form.prefecture.choices = prefecture_choices(lang)
    form.ticket_type_id.choices = [(str(tt.id), tt.name) for tt in event.ticket_types]
    return form


def raw_input(form: WalkInForm) -> dict:
    raw = {name: form[name].data for name in FIELDS}
    raw["answers"] = {}
    return raw
