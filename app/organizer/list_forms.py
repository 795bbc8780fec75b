"""Forms of the registrant list: bulk actions and exports (the filters are a GET form, parsed by the domain)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

MESSAGE_LABEL = _l("Message to the registrant (included in the mail)")
BASE_ACTIONS = [("cancel", _l("Cancel the registrations")), ("move", _l("Move to another 参加枠"))]
#: 承認制: offered first on the list of an event whose registrations await approval.
APPROVAL_ACTIONS = [("approve", _l("Approve")), ("reject", _l("Reject"))]


class BulkActionForm(FlaskForm):
    action = RadioField(_l("Action"), choices=BASE_ACTIONS, validators=[InputRequired()], default="cancel")
    message = TextAreaField(MESSAGE_LABEL, validators=[Length(max=1000)])
    reason = TextAreaField(_l("Reason (kept in the audit log)"), validators=[Length(max=500)])
    ticket_type_id = SelectField(_l("Move to"), coerce=int, choices=[], validate_choice=False)
    override = BooleanField(_l("Allow past the capacity of the new ticket type (override capacity)"))


class DecisionForm(FlaskForm):
    """承認制: approve or reject one pending registration (the button pressed says which)."""

    decision = RadioField(_l("Decision"), choices=APPROVAL_ACTIONS, validators=[InputRequired()])
    message = TextAreaField(MESSAGE_LABEL, validators=[Length(max=1000)])


class ExportForm(FlaskForm):
    """What to export; the filter and the columns come as the list's own parameters."""

    format = RadioField(_l("Format"), choices=[], validators=[InputRequired()], default="csv")
    wareki = BooleanField(_l("Dates in the Japanese era (和暦, XLSX)"))
