"""Measuring a page's layout in the browser tests."""
from __future__ import annotations


def scroll_width(page) -> int:
    """The page's full width in CSS px, measured once the page has loaded (its stylesheet applied).

    A click that navigates returns before the new page's stylesheet is in; measured then, a
    page shows its unstyled width (a test once saw 502 px on a 390 px phone)."""
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth")
