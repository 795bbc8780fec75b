"""Forms of the registration pages and of the organizer's registrant actions.

The registration form only renders and carries the values (and CSRF): the
rules live in app.domain.registration_input (shared with the JSON API), so the
fields have no WTForms validators beyond a marker of which ones are required.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.domain.codes import PREFECTURES, QuestionKind
from app.domain.people import format_phone
from app.labels import ORGANIZATION_TYPE_LABELS, choices


class Marker:
    """Marks a field as required (the `required` flag and attribute) without validating it."""

    def __init__(self, required: bool = True):
        self.field_flags = {"required": True} if required else {}

    def __call__(self, form, field) -> None:  # the domain validator does the checking
        return None


REQUIRED = Marker(True)

#: The plain fields, in the order of the form (answers are added per event).
BASE_FIELDS = (
    "family_name", "given_name", "family_name_kana", "given_name_kana", "email", "email_confirm",
    "phone", "organization", "department", "job_title", "organization_type", "prefecture",
    "corporate_number", "ticket_type_id", "consent", "opt_in_announcements", "public_name_consent",
)
#: What a registrant may change later (not the email, the 参加枠 or the consent).
EDIT_FIELDS = (
    "family_name", "given_name", "family_name_kana", "given_name_kana", "phone", "organization",
    "department", "job_title", "organization_type", "prefecture", "corporate_number", "opt_in_announcements",
    "public_name_consent",
)


def prefecture_choices(lang: str) -> list[tuple[str, str]]:
    from app.domain.codes import PREFECTURES_EN

    table = PREFECTURES_EN if lang == "en" else PREFECTURES
    return [("", _l("Choose…"))] + [(code, table[code]) for code in PREFECTURES]


class RegistrationForm(FlaskForm):
    family_name = StringField(_l("Family name"), validators=[REQUIRED], render_kw={"autocomplete": "family-name"})
    given_name = StringField(_l("Given name"), validators=[REQUIRED], render_kw={"autocomplete": "given-name"})
    family_name_kana = StringField(_l("Family name (kana)"),
                                   render_kw={"autocomplete": "off"})
    given_name_kana = StringField(_l("Given name (kana)"), render_kw={"autocomplete": "off"})
    email = EmailField(_l("Email address"), validators=[REQUIRED],
                       render_kw={"autocomplete": "email", "inputmode": "email"})
    email_confirm = EmailField(_l("Email address (again, to check)"), validators=[REQUIRED],
                               render_kw={"autocomplete": "off", "inputmode": "email"})
    phone = TelField(_l("Phone number"), render_kw={"autocomplete": "tel", "inputmode": "tel"})
    organization = StringField(_l("Company or organisation"), validators=[REQUIRED],
                               render_kw={"autocomplete": "organization"})
    department = StringField(_l("Department"))
    job_title = StringField(_l("Job title"), render_kw={"autocomplete": "organization-title"})
    organization_type = SelectField(_l("Organisation type"), validators=[REQUIRED], validate_choice=False,
                                    choices=[("", _l("Choose…"))] + choices(ORGANIZATION_TYPE_LABELS))
    prefecture = SelectField(_l("Prefecture"), validators=[REQUIRED], validate_choice=False, choices=[])
    corporate_number = StringField(_l("Corporate number (法人番号)"),
                                   render_kw={"inputmode": "numeric", "autocomplete": "off"})
    ticket_type_id = RadioField(_l("Ticket type"), validators=[REQUIRED], validate_choice=False, choices=[])
    consent = BooleanField(_l("I agree to the handling of my personal data described above."),
                           validators=[REQUIRED])
    opt_in_announcements = BooleanField(_l("Send me announcements of future events by email."))
    # Only on the form of an event that publishes results (registration_form(results_consent=True)).
    public_name_consent = BooleanField(_l("If we receive an award, our name (organisation) may be published "
                                          "with the results."))


def _question_field(question):
    marker = Marker(question.required)
    kw = {"description": question.help_text or ""}
    label = question.label
    if question.kind == QuestionKind.TEXTAREA:
        return TextAreaField(label, validators=[marker], **kw)
    if question.kind == QuestionKind.SINGLE:
        return RadioField(label, validators=[marker], validate_choice=False,
                          choices=[(c, c) for c in question.choices or []], **kw)
    if question.kind == QuestionKind.MULTIPLE:
        return SelectMultipleField(label, validators=[marker], validate_choice=False,
                                   choices=[(c, c) for c in question.choices or []],
                                   widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(), **kw)
    if question.kind == QuestionKind.YESNO:
        return RadioField(label, validators=[marker], validate_choice=False,
                          choices=[("yes", _l("Yes")), ("no", _l("No"))], **kw)
    return StringField(label, validators=[marker], **kw)


def days_field():
    """The days a registrant attends (events whose registrants choose sessions); choices set per event."""
    return SelectMultipleField(_l("Days to attend"), validators=[REQUIRED], validate_choice=False, choices=[],
                               widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class DaysForm(FlaskForm):
    """The registrant changes their days (the manage page)."""

    sessions = days_field()


def add_member_fields(form_class, rows: int) -> None:
    """Rows of team members (m<i>_family_name, ...): name, kana, grade or role; never contact data."""
    labels = {"family_name": _l("Family name"), "given_name": _l("Given name"),
              "family_name_kana": _l("Family name (kana)"), "given_name_kana": _l("Given name (kana)"),
              "grade": _l("Grade or role")}
    for i in range(rows):
        for name, label in labels.items():
            setattr(form_class, f"m{i}_{name}", StringField(label, render_kw={"autocomplete": "off"}))
    form_class.team_members = HiddenField()  # carries the errors of the member list as a whole


def team_raw(form, rows: int) -> list[dict]:
    from app.domain.teams import MEMBER_FIELDS

    return [{name: form[f"m{i}_{name}"].data for name in MEMBER_FIELDS} for i in range(rows)]


class TeamMembersForm(FlaskForm):
    """The registrant (or an organizer) changes a team's members; rows added per event."""


def team_members_form(rows: int, *, data=None) -> TeamMembersForm:
    class EventTeamMembersForm(TeamMembersForm):
        pass

    add_member_fields(EventTeamMembersForm, rows)
    return EventTeamMembersForm(data=data)


def registration_form(questions, *, lang: str, edit: bool = False, formdata=None, data=None,
                      sessions=None, team_rows: int = 0, results_consent: bool = False) -> RegistrationForm:
    """The form for one event: the fixed fields plus one `q_<id>` field per question.

    `sessions`: [(id, label)] of an event whose registrants choose days (a `sessions` field).
    """

    class EventRegistrationForm(RegistrationForm):
        pass

    if sessions is not None and not edit:
        EventRegistrationForm.sessions = days_field()
    if team_rows and not edit:  # a team registration (app.domain.teams)
        EventRegistrationForm.team_name = StringField(_l("Team name"), validators=[REQUIRED])
        EventRegistrationForm.team_consent = BooleanField(
            _l("The school or guardian consents to the members taking part and to their names being given."),
            validators=[REQUIRED])
        add_member_fields(EventRegistrationForm, team_rows)

    for q in questions:
        setattr(EventRegistrationForm, f"q_{q.id}", _question_field(q))
    kwargs = {} if formdata is None else {"formdata": formdata}
    form = EventRegistrationForm(data=data, **kwargs)
    form.prefecture.choices = prefecture_choices(lang)
    if "sessions" in form:
        form.sessions.choices = [(str(i), label) for i, label in sessions]
    if edit:
        for name in ("email", "email_confirm", "ticket_type_id", "consent"):
            del form[name]
    if not results_consent:
        del form["public_name_consent"]
    return form


def raw_input(form: RegistrationForm, questions) -> dict:
    """The form's values as the raw dict the domain validator (and the API) take."""
    raw = {name: form[name].data for name in BASE_FIELDS if name in form}
    if "sessions" in form:
        raw["sessions"] = list(form.sessions.data or [])
    answers = {}
    for q in questions:
        value = form[f"q_{q.id}"].data
        if q.kind == QuestionKind.YESNO and value not in ("yes", "no"):
            value = None
        answers[str(q.id)] = value
    raw["answers"] = answers
    if "team_name" in form:
        rows = sum(1 for f in form if f.name.endswith("_grade") and f.name.startswith("m"))
        raw["team"] = {"name": form.team_name.data, "members": team_raw(form, rows),
                       "consent": bool(form.team_consent.data)}
    return raw


def initial_data(registration, questions) -> dict:
    """Form data of an existing registration (the edit page)."""
    data = {name: getattr(registration, name) for name in EDIT_FIELDS}
    data["prefecture"] = registration.prefecture or ""
    data["phone"] = format_phone(registration.phone)  # shown as 022-221-4876; stored again as digits
    answers = registration.answers or {}
    for q in questions:
        value = answers.get(str(q.id))
        if q.kind == QuestionKind.YESNO:
            value = "" if value is None else ("yes" if value else "no")
        elif q.kind == QuestionKind.MULTIPLE:
            value = list(value or [])
        data[f"q_{q.id}"] = value
    return data


# --- organizer actions on one registration -------------------------------------------


class CancelRegistrationForm(FlaskForm):
    reason = TextAreaField(_l("Reason (kept in the audit log)"), validators=[Length(max=500)])
    tell_reason = BooleanField(_l("Include the reason in the mail to the registrant"))


class RestoreRegistrationForm(FlaskForm):
    override = BooleanField(_l("Confirm even if the ticket type is full (override capacity)"))


class MoveRegistrationForm(FlaskForm):
    ticket_type_id = SelectField(_l("Move to"), coerce=int, choices=[], validate_choice=True)
    override = BooleanField(_l("Allow past the capacity of the new ticket type (override capacity)"))
