"""Forms of the import pages (past participant lists)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TimeField
from wtforms.validators import Length, Optional

from app import labels
from app.domain import text_input as limits
from app.labels import REQUIRED
from app.organizer.forms import prefecture_choices

NEW = "new"


class ImportUploadForm(FlaskForm):
    file = FileField(_l("Participant list (CSV in UTF-8 or Shift_JIS/CP932, or XLSX)"),
                     validators=[FileRequired(REQUIRED)], render_kw={"accept": ".csv,.txt,.xlsx"})
    target = SelectField(_l("Import into"), choices=[], validate_choice=True, default=NEW)
    # a new past event
    title = StringField(_l("Title"), validators=[Optional(), Length(max=limits.EVENT_LENGTHS["title"])])
    date = DateField(_l("Date held"), validators=[Optional()])
    start_time = TimeField(_l("Start time"), validators=[Optional()])
    end_time = TimeField(_l("End time"), validators=[Optional()])
    category = SelectField(_l("Category"), choices=labels.choices(labels.CATEGORY_LABELS))
    format = SelectField(_l("Format"), choices=labels.choices(labels.FORMAT_LABELS))
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=limits.EVENT_LENGTHS["venue"])])
    prefecture = SelectField(_l("Prefecture"), choices=prefecture_choices, validators=[Optional()])
    series = SelectField(_l("Series"), choices=[], validate_choice=True, default="")
    ticket_type_name = StringField(_l("Name of the 参加枠"), default="一般",
                                   validators=[Optional(), Length(max=limits.TICKET_TYPE_LENGTHS["name"])])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.target.data == NEW:
            for f in (self.title, self.date, self.start_time):
                if not (f.data.strip() if isinstance(f.data, str) else f.data) and not f.errors:
                    f.errors.append(REQUIRED)
                    ok = False
            if self.start_time.data and self.end_time.data and self.end_time.data <= self.start_time.data:
                self.end_time.errors.append(_l("The session must end after it starts."))
                ok = False
        return ok
