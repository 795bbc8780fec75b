"""Forms of the organizer's event pages (labels: app.labels; rules: app.services.events)."""
from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app import labels
from app.domain import text_input as limits
from app.domain.codes import PREFECTURES, QuestionKind
from app.domain.events import SLUG_RE
from app.labels import REQUIRED

DATETIME_FORMAT = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]

QUESTION_KIND_LABELS = {
    QuestionKind.TEXT: _l("Short text"),
    QuestionKind.TEXTAREA: _l("Long text"),
    QuestionKind.SINGLE: _l("One choice"),
    QuestionKind.MULTIPLE: _l("Several choices"),
    QuestionKind.YESNO: _l("Yes / no"),
}


def prefecture_choices() -> list[tuple[str, str]]:
    return [("", _l("(none)"))] + [(code, f"{code} {name}") for code, name in PREFECTURES.items()]


class EventForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=limits.EVENT_LENGTHS["title"])])
    slug = StringField(
        _l("URL name"),
        validators=[Optional(), Length(max=limits.EVENT_LENGTHS["slug"]),
                    Regexp(SLUG_RE, message=_l("Use only lower-case letters a-z, digits and hyphens (-)."))],
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
    )
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=limits.EVENT_LENGTHS["summary"])], render_kw={"rows": 2})
    description = TextAreaField(_l("Description (Markdown)"), validators=[Length(max=limits.EVENT_LENGTHS["description"])],
                                render_kw={"rows": 10})
    # Optional English texts: shown in English mode; blank shows the Japanese ones (marked lang="ja").
    title_en = StringField(_l("Title in English"),
                           validators=[Optional(), Length(max=limits.EVENT_LENGTHS["title_en"])],
                           render_kw={"lang": "en", "spellcheck": "true"})
    summary_en = TextAreaField(_l("Summary in English"),
                               validators=[Optional(), Length(max=limits.EVENT_LENGTHS["summary_en"])],
                               render_kw={"rows": 2, "lang": "en"})
    description_en = TextAreaField(_l("Description in English (Markdown)"),
                                   validators=[Length(max=limits.EVENT_LENGTHS["description_en"])],
                                   render_kw={"rows": 8, "lang": "en"})
    category = SelectField(_l("Category"), choices=labels.choices(labels.CATEGORY_LABELS))
    format = SelectField(_l("Format"), choices=labels.choices(labels.FORMAT_LABELS))
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=limits.EVENT_LENGTHS["venue"])])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=limits.EVENT_LENGTHS["address"])])
    prefecture = SelectField(_l("Prefecture"), choices=prefecture_choices, validators=[Optional()])
    online_url = URLField(_l("Online URL (shown to confirmed registrants only)"),
                          validators=[Optional(), Length(max=limits.EVENT_LENGTHS["online_url"])])
    join_opens_minutes = IntegerField(_l("Join link opens (minutes before a session)"), default=15,
                                      validators=[Optional(), NumberRange(min=0, max=1440)])
    organizer_name = StringField(_l("Organiser"), validators=[Optional(), Length(max=limits.EVENT_LENGTHS["organizer_name"])])
    co_organizers = TextAreaField(_l("Co-organisers (one per line)"),
                                  validators=[Length(max=limits.EVENT_LENGTHS["co_organizers"])], render_kw={"rows": 3})
    contact = TextAreaField(_l("Contact"), validators=[Length(max=limits.EVENT_LENGTHS["contact"])], render_kw={"rows": 3})
    registration_opens_at = DateTimeLocalField(_l("Registration opens (Japan time)"), format=DATETIME_FORMAT,
                                               validators=[Optional()])
    registration_closes_at = DateTimeLocalField(_l("Registration closes (Japan time)"), format=DATETIME_FORMAT,
                                                validators=[Optional()])
    admission_mode = SelectField(_l("Admission"), choices=labels.choices(labels.ADMISSION_LABELS))
    approval_overflow = SelectField(_l("Approving when the ticket type is full"),
                                    choices=labels.choices(labels.APPROVAL_OVERFLOW_LABELS), default="refuse")
    waitlist_enabled = BooleanField(_l("Waiting list when full"), default=True)
    one_per_organization = BooleanField(_l("One registration per organisation"))
    choose_sessions = BooleanField(_l("Registrants choose the days (sessions) they attend"),
                                   description=_l("Each session can then have its own capacity and waiting list."))
    consent_text = TextAreaField(_l("Purpose of use of personal data (shown before consent)"),
                                 render_kw={"rows": 4})
    completion_min_sessions = IntegerField(_l("Completion: sessions to attend at least"),
                                           validators=[Optional(), NumberRange(min=1, max=1000)])
    # 抽選 only (shown when the lottery is chosen; app.services.lottery)
    lottery_draw_at = DateTimeLocalField(_l("Draw the lottery at (Japan time)"), format=DATETIME_FORMAT,
                                         validators=[Optional()])
    lottery_losers = SelectField(_l("Applicants not drawn"), choices=[
        ("lost", _l("are told they were not drawn")),
        ("waitlist", _l("are put on the waiting list in drawn order")),
    ], default="lost")
    lottery_confirm_days = IntegerField(_l("Winners confirm within (days)"),
                                        validators=[Optional(), NumberRange(min=1, max=60)])
    lottery_first_come = BooleanField(_l("Offer the seats left after the draw first come"))
    lottery_priority_prefectures = SelectMultipleField(
        _l("Drawn first: applicants from"), choices=[(code, name) for code, name in PREFECTURES.items()],
        validators=[Optional()])


    # Teams (app.domain.teams)
    team_mode = SelectField(_l("Teams"), choices=[
        ("", _l("No teams: people register one by one")),
        ("team", _l("Team registration: a teacher or guardian registers a team (each 参加枠 is a division)")),
        ("hackathon", _l("Hackathon: people register alone and form or join teams with an invite code")),
    ], default="")
    team_min_members = IntegerField(_l("Members per team: at least"), validators=[Optional(), NumberRange(min=1, max=30)])
    team_max_members = IntegerField(_l("Members per team: at most"), validators=[Optional(), NumberRange(min=1, max=30)])
    team_consent_text = TextAreaField(_l("Consent of the school or guardian (wording; a required check box)"),
                                      render_kw={"rows": 3})
    team_edit_closes_at = DateTimeLocalField(_l("Members can be changed until (Japan time)"), format=DATETIME_FORMAT,
                                             validators=[Optional()])
    team_erase_days = IntegerField(_l("Erase the members' names this many days after the event"),
                                   validators=[Optional(), NumberRange(min=0, max=3650)])


class NewEventForm(EventForm):
    """The event fields plus, optionally, its first session and first 参加枠."""

    first_date = DateField(_l("Date of the first session"), validators=[Optional()])
    first_start = TimeField(_l("Start time"), validators=[Optional()])
    first_end = TimeField(_l("End time"), validators=[Optional()])
    first_ticket_name = StringField(_l("Name of the first 参加枠"), validators=[Optional(), Length(max=limits.TICKET_TYPE_LENGTHS["name"])])
    first_ticket_capacity = IntegerField(_l("Capacity (blank: no limit)"),
                                         validators=[Optional(), NumberRange(min=0, max=1_000_000)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.first_date.data and not self.first_start.data:
            self.first_start.errors.append(_l("Enter the start time of the first session."))
            ok = False
        if (self.first_start.data or self.first_end.data) and not self.first_date.data:
            self.first_date.errors.append(_l("Enter the date of the first session."))
            ok = False
        if self.first_ticket_capacity.data is not None and not (self.first_ticket_name.data or "").strip():
            self.first_ticket_name.errors.append(_l("Enter a name for the 参加枠."))
            ok = False
        return ok


class SessionForm(FlaskForm):
    title = StringField(_l("Session title (e.g. Day 1)"),
                        validators=[Optional(), Length(max=limits.SESSION_LENGTHS["title"])])
    date = DateField(_l("Date"), validators=[InputRequired(REQUIRED)])
    start_time = TimeField(_l("Start time"), validators=[InputRequired(REQUIRED)])
    end_time = TimeField(_l("End time"), validators=[Optional()])
    venue = StringField(_l("Place (blank: the event's venue)"), validators=[Optional(), Length(max=limits.SESSION_LENGTHS["venue"])])
    is_online = BooleanField(_l("Held online"))
    capacity = IntegerField(_l("Capacity of this day (blank: no limit)"),
                            validators=[Optional(), NumberRange(min=0, max=1_000_000)])


class TicketTypeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=limits.TICKET_TYPE_LENGTHS["name"])])
    description = TextAreaField(_l("Description"), render_kw={"rows": 2})
    capacity = IntegerField(_l("Capacity (blank: no limit)"),
                            validators=[Optional(), NumberRange(min=0, max=1_000_000)])
    member_capacity = IntegerField(_l("Team events: members at most, in all its teams (blank: no limit)"),
                                   validators=[Optional(), NumberRange(min=0, max=1_000_000)])


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind of answer"), choices=labels.choices(QUESTION_KIND_LABELS))
    label = StringField(_l("Question"), validators=[DataRequired(REQUIRED), Length(max=limits.QUESTION_LENGTHS["label"])])
    help_text = StringField(_l("Help text"), validators=[Optional(), Length(max=limits.QUESTION_LENGTHS["help_text"])])
    choices = TextAreaField(_l("Choices (one per line)"), render_kw={"rows": 3})
    required = BooleanField(_l("An answer is required"))


class ReminderRuleForm(FlaskForm):
    days_before = IntegerField(_l("Days before the event"), validators=[InputRequired(REQUIRED), NumberRange(min=0, max=365)])
    send_time = TimeField(_l("Time (Japan time)"), validators=[InputRequired(REQUIRED)], default=time(10, 0))
    # "" = before the event's first session; a session id = before that session (series).
    session_id = SelectField(_l("Before"), choices=[], validate_choice=True, default="")

    def set_sessions(self, event, labeller) -> None:
        self.session_id.choices = [("", _l("The event (its first session)"))] + [
            (str(s.id), labeller(s)) for s in event.sessions
        ]


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason (shown on the event page and in the mail to registrants)"),
                           validators=[DataRequired(REQUIRED), Length(max=2000)], render_kw={"rows": 4})


class CopyForm(FlaskForm):
    """A new edition of an event: where and when (everything else is copied)."""

    title = StringField(_l("Title"), validators=[Optional(), Length(max=limits.EVENT_LENGTHS["title"])])
    title_en = StringField(_l("Title in English"),
                           validators=[Optional(), Length(max=limits.EVENT_LENGTHS["title_en"])],
                           render_kw={"lang": "en"})
    prefecture = SelectField(_l("Prefecture"), choices=prefecture_choices, validators=[Optional()])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=limits.EVENT_LENGTHS["venue"])])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=limits.EVENT_LENGTHS["address"])])
    first_start = DateTimeLocalField(_l("First session of the new edition starts (Japan time)"),
                                     format=DATETIME_FORMAT, validators=[InputRequired(REQUIRED)])
