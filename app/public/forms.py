"""The event list's filter form (a GET form: no CSRF token, values kept in the URL)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, HiddenField, SearchField, SelectField
from wtforms.validators import ValidationError

from app.labels import CATEGORY_LABELS, FORMAT_LABELS, choices
from app.public import listing


def _check(predicate, message):
    def _validator(form, field):
        if field.data and not predicate(field.data):
            raise ValidationError(message)

    return _validator


class EventFilterForm(Form):
    when = HiddenField(default=listing.UPCOMING)
    q = SearchField(_l("Keyword"))
    category = SelectField(_l("Category"), validate_choice=False)
    prefecture = SelectField(_l("Prefecture"), validate_choice=False)
    format = SelectField(_l("Format"), validate_choice=False)
    month = SelectField(_l("Month"), validate_choice=False)

    def __init__(self, formdata, *, prefectures: list[tuple[str, str]], months: list[tuple[str, str]]):
        super().__init__(formdata)
        anything = ("", _l("All"))
        self.category.choices = [anything, *choices(CATEGORY_LABELS)]
        self.format.choices = [anything, *choices(FORMAT_LABELS)]
        self.prefecture.choices = [anything, *prefectures]
        self.month.choices = [anything, *months]
        # A valid value typed into the URL stays selected even when no event has it.
        self._keep_choice(self.prefecture, listing.is_valid_place)
        self._keep_choice(self.month, lambda v: listing.parse_month(v) is not None)

    @staticmethod
    def _keep_choice(field, valid) -> None:
        values = {value for value, _label in field.choices}
        if field.data and field.data not in values and valid(field.data):
            field.choices.append((field.data, field.data))

    def validate_q(self, field):
        if field.data and len(field.data) > listing.MAX_QUERY_LENGTH:
            raise ValidationError(_l("Use at most %(n)d characters.", n=listing.MAX_QUERY_LENGTH))

    def validate_category(self, field):
        _check(listing.is_valid_category, _l("Choose a category from the list."))(self, field)

    def validate_prefecture(self, field):
        _check(listing.is_valid_place, _l("Choose a prefecture from the list."))(self, field)

    def validate_format(self, field):
        _check(listing.is_valid_format, _l("Choose a format from the list."))(self, field)

    def validate_month(self, field):
        _check(lambda v: listing.parse_month(v) is not None, _l("Choose a month from the list."))(self, field)

    def filters(self) -> listing.Filters:
        """The filters to apply: valid values only (an invalid one is reported, then ignored)."""

        def ok(field):
            return "" if field.errors else (field.data or "").strip()

        when = listing.PAST if self.when.data == listing.PAST else listing.UPCOMING
        return listing.Filters(
            when=when,
            q=ok(self.q),
            category=ok(self.category),
            prefecture=ok(self.prefecture),
            format=ok(self.format),
            month=ok(self.month),
        )
