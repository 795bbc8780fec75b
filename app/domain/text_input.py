"""What text the application accepts, and how long it may be: one source of truth.

The lengths below are used by the models' columns, the forms (``maxlength``),
the domain and service validation (forms and API alike) and the OpenAPI
document's ``maxLength``. Over-long input is refused with a message, never
truncated or emptied.

Characters: no field accepts NUL, other C0/C1 control characters or lone
surrogates (which JSON can carry as ``"\\ud800"`` but no database can store).
Single-line fields (names, titles, organisation...) also refuse line breaks
(CR, LF, U+2028/U+2029); multi-line fields (descriptions, free-text answers)
keep LF and TAB and turn CRLF / CR into LF.
"""
from __future__ import annotations

import re
from typing import Any

# --- lengths (characters) -------------------------------------------------------------

#: Registration fields (`registrations` columns of the same names).
REGISTRATION_LENGTHS: dict[str, int] = {
    "family_name": 100, "given_name": 100, "family_name_kana": 100, "given_name_kana": 100,
    "organization": 200, "department": 200, "job_title": 100, "email": 254,
}
#: What may be typed into the phone and corporate-number fields before normalisation
#: (hyphens, spaces, brackets, full-width digits); the stored values are shorter.
PHONE_INPUT_MAX = 30
PHONE_MAX = 20
CORPORATE_NUMBER_INPUT_MAX = 30
CORPORATE_NUMBER_MAX = 13
#: Answers to an event's questions: free text, and one choice.
ANSWER_TEXT_MAX = 500
ANSWER_TEXTAREA_MAX = 4000
CHOICE_MAX = 200
MAX_CHOICES = 50

#: Event fields (`events` columns); None: a Text column, bounded by LONG_TEXT_MAX.
EVENT_LENGTHS: dict[str, int] = {
    "title": 200,
    "summary": 500,
    "description": 20_000,
    # The optional English texts (shown in English mode; the Japanese ones when blank).
    "title_en": 200,
    "summary_en": 500,
    "description_en": 20_000,
    "venue": 200,
    "address": 300,
    "organizer_name": 200,
    "co_organizers": 2000,
    "contact": 2000,
    "consent_text": 5000,
    "online_url": 500,
    "slug": 120,
}
#: Fields that may hold several lines; every other text field is single-line.
MULTILINE_FIELDS = frozenset({"summary", "description", "summary_en", "description_en", "co_organizers", "contact",
                              "consent_text", "status_reason", "note", "reason"})
SESSION_LENGTHS = {"title": 200, "venue": 200}
TICKET_TYPE_LENGTHS = {"name": 100, "description": 2000}
QUESTION_LENGTHS = {"label": 300, "help_text": 500}
#: Any other free text (reasons, notes): generous, but bounded.
LONG_TEXT_MAX = 20_000
#: Raw text of one form or JSON field before any other check (a guard against megabytes).
FIELD_MAX = 50_000

# --- characters --------------------------------------------------------------------------

# C0 controls but TAB/LF/CR, DEL, C1 controls, lone surrogates, non-characters U+FFFE/U+FFFF.
_BAD_ANYWHERE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Single-line fields also refuse TAB, line breaks, and the Unicode line/paragraph separators.
_BAD_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def N_(text: str) -> str:  # noqa: N802 - gettext's "mark only" convention
    return text


CONTROL_CHARACTERS = N_("Remove the control characters (such as NUL) from this text.")
LINE_BREAK = N_("Write this on one line (no line breaks).")
TOO_LONG_N = N_("Use at most %(n)d characters.")


def has_bad_characters(value: str, *, multiline: bool = False) -> bool:
    return (_BAD_ANYWHERE if multiline else _BAD_SINGLE_LINE).search(value) is not None


def character_error(value: str, *, multiline: bool = False) -> str | None:
    """The msgid of what is wrong with the characters of `value`, or None."""
    if _BAD_ANYWHERE.search(value):
        return CONTROL_CHARACTERS
    if not multiline and _BAD_SINGLE_LINE.search(value):
        return LINE_BREAK
    return None


def normalise_newlines(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


def as_text(value: Any) -> str:
    """A raw value as stripped text (None: empty); multi-line values keep their inner newlines."""
    if value is None:
        return ""
    return normalise_newlines(str(value)).strip()


def is_safe_key(value: Any) -> bool:
    """Can `value` be used in a database lookup as it is (a slug, a token, an email)?"""
    return isinstance(value, str) and not has_bad_characters(value) and len(value) <= FIELD_MAX


MAX_INT4 = 2**31 - 1


def parse_id(value: Any) -> int | None:
    """A database id (1 .. 2^31-1) from an int or a string of digits; None for anything else.

    Floats (1.0, 1e400), booleans, huge numbers and text are refused rather than
    crashing a conversion or overflowing PostgreSQL's integer column.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not text.isascii() or not text.isdigit() or len(text) > 10:
            return None
        number = int(text)
    else:
        return None
    return number if 1 <= number <= MAX_INT4 else None
