"""Pure helpers of the public pages: months, LIKE escaping, search words, badges, labels, headings."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from markupsafe import Markup

from app.domain.admission import Availability, Window, WindowState
from app.domain.codes import (
    AdmissionMode,
    EventCategory,
    EventFormat,
    EventStatus,
    OrganizationType,
    RegistrationStatus,
)
from app.labels import (
    ADMISSION_LABELS,
    AVAILABILITY_LABELS,
    BADGE_LABELS,
    CATEGORY_LABELS,
    EVENT_STATUS_LABELS,
    FORMAT_LABELS,
    ORGANIZATION_TYPE_LABELS,
    REGISTRATION_STATUS_LABELS,
    WINDOW_LABELS,
)
from app.public import listing
from app.public.badges import BADGE_CLASSES, badge_for
from app.public.html import shift_headings


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-07", (2026, 7)), ("2026-12", (2026, 12)), (" 2026-01 ", (2026, 1)), ("2026-13", None),
     ("2026-00", None), ("2026-7", None), ("26-07", None), ("", None), ("July", None), ("1999-05", None)],
)
def test_parse_month(value, expected):
    assert listing.parse_month(value) == expected


def test_month_bounds_are_japan_time():
    start, end = listing.month_bounds(2026, 8)
    assert start == datetime(2026, 7, 31, 15, 0, tzinfo=UTC)
    assert end == datetime(2026, 8, 31, 15, 0, tzinfo=UTC)
    start, end = listing.month_bounds(2026, 12)
    assert end == datetime(2026, 12, 31, 15, 0, tzinfo=UTC)


def test_month_key_and_choices():
    just_after_midnight_jst = datetime(2026, 7, 31, 15, 30, tzinfo=UTC)
    assert listing.month_key(just_after_midnight_jst) == "2026-08"
    starts = [datetime(2026, 9, 1, 3, tzinfo=UTC), None, just_after_midnight_jst, datetime(2026, 8, 20, tzinfo=UTC)]
    assert listing.month_choices(starts) == ["2026-08", "2026-09"]
    assert listing.month_choices(starts, newest_first=True) == ["2026-09", "2026-08"]


@pytest.mark.parametrize(
    ("term", "escaped"),
    [("DX", "DX"), ("100%", "100\\%"), ("a_b", "a\\_b"), ("x\\y", "x\\\\y"), ("%_\\", "\\%\\_\\\\")],
)
def test_escape_like(term, escaped):
    assert listing.escape_like(term) == escaped


def test_search_terms_split_on_any_space_and_drop_repeats():
    assert listing.search_terms("  DX\u3000セミナー  DX ") == ["DX", "セミナー"]
    assert listing.search_terms("") == []
    assert len(listing.search_terms(" ".join(f"w{i}" for i in range(30)))) == 10


def test_filters_active():
    assert not listing.Filters().active
    assert not listing.Filters(when="past").active
    assert listing.Filters(q="DX").active
    assert listing.Filters(month="2026-07").active


def test_validators():
    assert listing.is_valid_category("seminar") and not listing.is_valid_category("party")
    assert listing.is_valid_format("hybrid") and not listing.is_valid_format("phone")
    assert listing.is_valid_prefecture("04") and not listing.is_valid_prefecture("48")
    assert "draft" not in listing.PUBLIC_STATUSES and "cancelled" in listing.PUBLIC_STATUSES


OPEN = Window(WindowState.OPEN)


@pytest.mark.parametrize(
    ("window", "availabilities", "badge"),
    [
        (OPEN, [Availability.AVAILABLE], "open"),
        (OPEN, [], "open"),
        (OPEN, [Availability.FULL, Availability.AVAILABLE], "open"),  # one 参加枠 still has seats
        (OPEN, [Availability.FULL, Availability.WAITLIST], "waitlist"),
        (OPEN, [Availability.FULL, Availability.FULL], "full"),
        (OPEN, [Availability.LOTTERY], "lottery"),
        (OPEN, [Availability.APPROVAL], "approval"),
        (Window(WindowState.NOT_YET_OPEN), [Availability.AVAILABLE], "not_yet_open"),
        (Window(WindowState.ENDED), [Availability.AVAILABLE], "ended"),
        (Window(WindowState.CANCELLED), [Availability.AVAILABLE], "cancelled"),
        (Window(WindowState.POSTPONED), [Availability.FULL], "postponed"),
    ],
)
def test_badge_for(window, availabilities, badge):
    assert badge_for(window, availabilities) == badge
    assert badge in BADGE_LABELS


@pytest.mark.parametrize(
    ("table", "codes"),
    [
        (CATEGORY_LABELS, EventCategory),
        (FORMAT_LABELS, EventFormat),
        (EVENT_STATUS_LABELS, EventStatus),
        (ADMISSION_LABELS, AdmissionMode),
        (ORGANIZATION_TYPE_LABELS, OrganizationType),
        (REGISTRATION_STATUS_LABELS, RegistrationStatus),
        (AVAILABILITY_LABELS, Availability),
        (WINDOW_LABELS, WindowState),
    ],
)
def test_every_code_has_a_label(table, codes):
    assert set(table) == set(codes)


def test_every_badge_has_a_style_or_the_plain_one():
    assert set(BADGE_CLASSES) <= set(BADGE_LABELS)


def test_shift_headings():
    html = Markup('<h1>A</h1><p>x</p><h2 id="b">B</h2><h5>C</h5><h6>D</h6><hr>')
    shifted = shift_headings(html, 2)
    # Under the page's h2: the outline is kept, without gaps (h2 → h4 → h6 would skip levels).
    assert shifted == Markup('<h3>A</h3><p>x</p><h4 id="b">B</h4><h5>C</h5><h6>D</h6><hr>')
    assert isinstance(shifted, Markup)
    # Plain (untrusted) text is escaped, never turned into markup.
    assert shift_headings("<h1>x</h1><script>") == Markup("&lt;h1&gt;x&lt;/h1&gt;&lt;script&gt;")


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([2, 3, 3, 2], [3, 4, 4, 3]),  # a description written with ## and ###
        ([1, 2], [3, 4]),
        ([2, 4], [3, 4]),  # an h4 right under an h2 skipped h3: closed up
        ([4, 4], [3, 3]),  # starting deep: still right under the page's h2
        ([3, 1, 2], [3, 3, 4]),  # a higher heading later never rises above h3
        ([1, 2, 3, 4, 5, 6], [3, 4, 5, 6, 6, 6]),
    ],
)
def test_outline_levels_never_rise_above_nor_skip(levels, expected):
    from app.public.html import outline_levels

    assert outline_levels(levels, under=2) == expected


def test_markdown_description_headings_sit_under_the_details_heading():
    html = shift_headings(Markup("<h2>概要</h2><p>a</p><h4>講師</h4>"), 2)
    assert html == Markup("<h3>概要</h3><p>a</p><h4>講師</h4>")


@pytest.mark.parametrize(
    ("title", "category", "slug"),
    [
        ("DXセミナー", "seminar", "2027-01-12-dx-seminar"),
        ("TOHOKU DXセミナー", "seminar", "2027-01-12-tohoku-dx-seminar"),
        ("MaaS シンポジウム", "symposium", "2027-01-12-maas-symposium"),
        ("IoT アイデアソン＆ハッカソン", "hackathon", "2027-01-12-iot-ideathon-hackathon"),
        ("三陸水産イノベーションサミット", "summit", "2027-01-12-summit"),
        ("東北の集い", "training_series", "2027-01-12-training-series"),  # nothing known: the category
        ("東北の集い", None, "2027-01-12-event"),
    ],
)
def test_default_slug_is_the_date_and_readable_words(title, category, slug):
    from app.domain.dates import jst_datetime
    from app.domain.events import base_slug, is_valid_slug

    made = base_slug(title, jst_datetime(2027, 1, 12, 13, 30), category)
    assert made == slug and is_valid_slug(made)


def test_copy_slug_moves_the_date():
    from app.domain.dates import jst_datetime
    from app.domain.events import copy_slug

    new = jst_datetime(2027, 7, 11, 10, 0)
    assert copy_slug("2026-07-12-dx-juku", new) == "2027-07-11-dx-juku"
    assert copy_slug("2026-07-12-dx-juku-2", new) == "2027-07-11-dx-juku"
    assert copy_slug("dx-juku-2025", new) == "2027-07-11-dx-juku"
