"""Forms of the registrant list: bulk actions and exports (the filters are a GET form, parsed by the domain)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length


class BulkActionForm(FlaskForm):
    action = RadioField(_l("Action"), choices=[("cancel", _l("Cancel the registrations")),
                                               ("move", _l("Move to another 参加枠"))],
                        validators=[InputRequired()], default="cancel")
    reason = TextAreaField(_l("Reason (kept in the audit log)"), validators=[Length(max=500)])
    ticket_type_id = SelectField(_l("Move to"), coerce=int, choices=[], validate_choice=False)
    override = BooleanField(_l("Allow past the capacity of the new ticket type (override capacity)"))


class ExportForm(FlaskForm):
    """What to export; the filter and the columns come as the list's own parameters."""

    format = RadioField(_l("Format"), choices=[], validators=[InputRequired()], default="csv")
    wareki = BooleanField(_l("Dates in the Japanese era (和暦, XLSX)"))
