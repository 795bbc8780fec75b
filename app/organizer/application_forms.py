"""Forms of the organizer's application and results pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

FILE_GROUP_CHOICES = [("pdf", _l("PDF")), ("image", _l("Images (PNG, JPEG)")),
                      ("office", _l("Office documents (Word, Excel, PowerPoint)"))]


class ApplicationSettingsForm(FlaskForm):
    accepts_applications = BooleanField(_l("This event takes applications (each registration is an application "
                                           "to one division, its ticket type)"))
    application_files_allowed = BooleanField(_l("Applicants may attach files"))
    application_file_max_mb = IntegerField(_l("Largest file (MB)"), validators=[InputRequired(), NumberRange(1)])
    application_file_max_count = IntegerField(_l("Files per application"),
                                              validators=[InputRequired(), NumberRange(1, 20)])
    application_file_types = SelectMultipleField(_l("Kinds of file accepted"), choices=FILE_GROUP_CHOICES,
                                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    publishes_results = BooleanField(_l("Results will be published: ask registrants whether their name may be "
                                        "shown"))


class DecisionForm(FlaskForm):
    status = SelectField(_l("Selection result"), choices=[], validate_choice=True)


class CriterionForm(FlaskForm):
    name = StringField(_l("Criterion"), validators=[InputRequired(), Length(max=100)])
    max_score = IntegerField(_l("Highest score"), default=10, validators=[InputRequired(), NumberRange(1, 100)])


class AssignForm(FlaskForm):
    reviewer_id = SelectField(_l("Reviewer"), coerce=int, choices=[], validate_choice=True)


class ResultForm(FlaskForm):
    ticket_type_id = SelectField(_l("Division"), choices=[], validate_choice=True)
    award = StringField(_l("Award or placement"), validators=[Length(max=100)],
                        description=_l("Choose one or type your own (e.g. 審査員特別賞)."))
    registration_id = SelectField(_l("Entry"), choices=[], validate_choice=True, validators=[Optional()])
    title = StringField(_l("Title of the entry (optional)"), validators=[Length(max=200)])


class ScoreForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])
