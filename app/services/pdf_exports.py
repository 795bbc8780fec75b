"""Printable PDFs of an event's registrants: the 受付名簿 (reception roster) and name badges.

Library: fpdf2 (pure Python, installs from PyPI with no system library) with
the Noto Sans CJK JP Regular font from the PyPI package
``noto-cjk-sans-jp-regular`` (the original OpenType file, SIL Open Font
License 1.1). The whole font is installed, so any name can be printed: it
holds JIS X 0213 and the IBM extensions (髙 U+9AD9, 﨑 U+FA11, 𠮷 U+20BB7,
①, ㈱). Each PDF embeds only the glyphs it uses (fpdf2 subsets at output).
A character the font does not have (an emoji) is printed as 〓, the
Japanese mark for a character that cannot be shown.

Texts never overflow their box: they shrink to a minimum size, then wrap
onto the lines the box has, and only then are cut with "…".

- ``write_roster``: A4 portrait; each 参加枠 starts on a new page; within it,
  rows sorted by kana (normalised with jaconv: hiragana, half-width kana →
  full-width katakana), then name; a check box, the 受付番号, the name under
  its kana, the company, and a signature column. Each page has the event's
  title, date and venue, and "n / N" at its foot. ``ROWS_PER_PAGE`` rows fit
  a page.
- ``write_badges``: the label sheet ``LABEL_SHEET``: A4, 10 labels of
  86.4 × 50.8 mm (2 columns × 5 rows, no gaps, margins 18.6 mm left/right and
  21.5 mm top/bottom), the common 10面 layout of A4 label sheets. Each label:
  the event title, the 参加枠, the company, the kana and the name in large type.

Both take the registrations to print (any iterable of Registration rows, with
their 参加枠 loaded or loadable) and a binary stream to write to; labels go
through Flask-Babel (Japanese by default), so an application context is needed.
"""
from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import gettext as _
from fpdf import FPDF

from app.domain import dates
from app.domain.people import to_katakana
from app.labels import registrant_name

FONT = "NotoSansJP"
MISSING_GLYPH = "〓"
ROWS_PER_PAGE = 20


@dataclass(frozen=True)
class LabelSheet:
    """A sheet of labels in millimetres."""

    name: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    left: float
    top: float
    gap_x: float = 0.0
    gap_y: float = 0.0

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows


#: A4 10面 86.4 × 50.8 mm: 2 × 5 labels, no gaps (18.6 mm side and 21.5 mm top margins).
LABEL_SHEET = LabelSheet("A4 10面 86.4×50.8mm", 210.0, 297.0, 2, 5, 86.4, 50.8, 18.6, 21.5)


def font_path() -> str:
    """The Japanese font file (installed from PyPI with the requirements)."""
    import noto_cjk_sans_jp_regular

    return str(noto_cjk_sans_jp_regular.FONT_PATH)


@functools.cache
def _font_codepoints() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(font_path(), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def printable(text: str | None) -> str:
    """The text as the font can print it: NFC, control characters dropped, unknown glyphs as 〓."""
    text = unicodedata.normalize("NFC", text or "")
    known = _font_codepoints()
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf") or ch in "\ufe0e\ufe0f":
            continue  # controls, zero-width joiners and emoji variation selectors take no place
        out.append(ch if ord(ch) in known or ch == " " else MISSING_GLYPH)
    return "".join(out).strip()


def kana_sort_key(registration) -> tuple:
    """Kana order (full-width katakana from any script or width), then the name, then the id."""
    kana = to_katakana(f"{registration.family_name_kana}{registration.given_name_kana}")
    name = unicodedata.normalize("NFKC", f"{registration.family_name}{registration.given_name}")
    return (kana == "", kana, name, registration.id or 0)


def _ticket_type_order(registration) -> tuple:
    tt = registration.ticket_type
    return (tt.position if tt is not None else 0, registration.ticket_type_id or 0)


class _Document(FPDF):
    def __init__(self, *, header_lines: list[str] | None = None):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font(FONT, fname=font_path())
        self.set_font(FONT, size=10)
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)
        self.header_lines = header_lines or []
        self.footer_enabled = bool(header_lines)
        self.alias_nb_pages("{nb}")

    def footer(self):
        if not self.footer_enabled:
            return
        self.set_font(FONT, size=8)
        self.set_xy(12, 297 - 10)
        self.cell(186, 5, text=f"{self.page_no()} / {{nb}}", align="C")


def fit_lines(pdf: FPDF, text: str, width: float, *, size: float, min_size: float,
              max_lines: int) -> tuple[float, list[str]]:
    """Shrink `text` from `size` to `min_size` to fit `width`; then wrap onto `max_lines`; then cut with '…'."""
    text = printable(text)
    current = size
    while current >= min_size:
        pdf.set_font_size(current)
        if pdf.get_string_width(text) <= width:
            return current, [text]
        current -= 0.5
    pdf.set_font_size(min_size)
    lines: list[str] = []
    line = ""
    for ch in text:
        if pdf.get_string_width(line + ch) <= width:
            line += ch
            continue
        lines.append(line)
        line = ch.lstrip()
        if len(lines) == max_lines:
            break
    if len(lines) < max_lines:
        lines.append(line)
        return min_size, [x for x in lines if x] or [""]
    # Too long for every line at the smallest size: the last line ends with an ellipsis.
    last = lines[-1]
    while last and pdf.get_string_width(last + "…") > width:
        last = last[:-1]
    lines[-1] = last + "…"
    return min_size, lines


def _draw_text(pdf: FPDF, x: float, y: float, width: float, height: float, text: str, *, size: float,
               min_size: float, max_lines: int = 1, align: str = "L") -> None:
    """Text shrunk, then wrapped, inside a box, centred vertically."""
    used, lines = fit_lines(pdf, text, width, size=size, min_size=min_size, max_lines=max_lines)
    pdf.set_font_size(used)
    line_h = used * 0.3528 * 1.2  # points to mm, with some leading
    top = y + (height - line_h * len(lines)) / 2
    for i, line in enumerate(lines):
        pdf.set_xy(x, top + i * line_h)
        pdf.cell(width, line_h, text=line, align=align)


def _event_date(event, session=None) -> str:
    if session is not None:
        return dates.format_range(session.starts_at, session.ends_at)
    sessions = sorted(event.sessions, key=lambda s: s.starts_at)
    if not sessions:
        return dates.format_date(event.starts_at) if event.starts_at else ""
    if len(sessions) == 1:
        return dates.format_range(sessions[0].starts_at, sessions[0].ends_at)
    first, last = sessions[0], sessions[-1]
    return f"{dates.format_date(first.starts_at)} – {dates.format_date(last.ends_at or last.starts_at)}"


def _venue(event, session=None) -> str:
    if session is not None and session.venue:
        return session.venue
    if event.venue:
        return event.venue
    return _("Online") if event.format == "online" else ""


# -- 受付名簿 -----------------------------------------------------------------------------------------------

LEFT, RIGHT = 12.0, 198.0
TABLE_TOP = 40.0
ROW_H = 11.5
#: (key, width in mm) of the roster's columns; the signature column takes the rest.
ROSTER_COLUMNS = (("check", 9.0), ("reference", 27.0), ("name", 50.0), ("organization", 58.0))


def _roster_page(pdf: _Document, event, session, ticket_type_name: str, continued: bool) -> float:
    pdf.add_page()
    pdf.set_text_color(0)
    title = printable(event.title)
    if session is not None and session.title:
        title = f"{title} {printable(session.title)}"
    _draw_text(pdf, LEFT, 10, RIGHT - LEFT - 40, 8, title, size=14, min_size=9)
    pdf.set_font_size(9)
    pdf.set_xy(RIGHT - 40, 10)
    pdf.cell(40, 8, text=_("Reception list"), align="R")
    detail = "  ".join(x for x in (_event_date(event, session), printable(_venue(event, session))) if x)
    _draw_text(pdf, LEFT, 18, RIGHT - LEFT, 6, detail, size=9, min_size=7)
    heading = printable(ticket_type_name) + (f" {_('(continued)')}" if continued else "")
    _draw_text(pdf, LEFT, 26, RIGHT - LEFT, 7, heading, size=11, min_size=8)
    # column headings
    pdf.set_fill_color(235, 235, 235)
    pdf.set_draw_color(80)
    pdf.set_line_width(0.2)
    x = LEFT
    labels = {"check": _("Check"), "reference": _("Registration no."), "name": _("Full name"),
              "organization": _("Company / organisation")}
    for key, width in ROSTER_COLUMNS:
        pdf.rect(x, TABLE_TOP - 6, width, 6, style="DF")
        _draw_text(pdf, x + 0.5, TABLE_TOP - 6, width - 1, 6, labels[key], size=8, min_size=6, align="C")
        x += width
    pdf.rect(x, TABLE_TOP - 6, RIGHT - x, 6, style="DF")
    _draw_text(pdf, x, TABLE_TOP - 6, RIGHT - x, 6, _("Signature"), size=8, min_size=6, align="C")
    return TABLE_TOP


def _roster_row(pdf: _Document, y: float, registration) -> None:
    x = LEFT
    for _key, width in ROSTER_COLUMNS:
        pdf.rect(x, y, width, ROW_H)
        x += width
    pdf.rect(x, y, RIGHT - x, ROW_H)
    # check box
    pdf.rect(LEFT + 2.5, y + (ROW_H - 4.5) / 2, 4.5, 4.5)
    x = LEFT + ROSTER_COLUMNS[0][1]
    _draw_text(pdf, x + 1, y, ROSTER_COLUMNS[1][1] - 2, ROW_H, registration.reference, size=8.5, min_size=6)
    x += ROSTER_COLUMNS[1][1]
    width = ROSTER_COLUMNS[2][1] - 2
    _draw_text(pdf, x + 1, y + 0.5, width, 3.5, registration.full_name_kana, size=6.5, min_size=5)
    _draw_text(pdf, x + 1, y + 4, width, ROW_H - 4.5, registrant_name(registration), size=11, min_size=7)
    x += ROSTER_COLUMNS[2][1]
    _draw_text(pdf, x + 1, y + 0.5, ROSTER_COLUMNS[3][1] - 2, ROW_H - 1, registration.organization,
               size=9, min_size=6.5, max_lines=2)


def roster_groups(registrations: Iterable) -> list[tuple[str, list]]:
    """The registrations by 参加枠 (in the event's order), each sorted by kana."""
    groups: dict[tuple, tuple[str, list]] = {}
    for reg in registrations:
        key = _ticket_type_order(reg)
        name = reg.ticket_type.name if reg.ticket_type is not None else ""
        groups.setdefault(key, (name, []))[1].append(reg)
    return [(name, sorted(regs, key=kana_sort_key)) for _key, (name, regs) in sorted(groups.items())]


def roster_page_count(registrations: Iterable) -> int:
    """Pages `write_roster` prints: each 参加枠 from a new page, ROWS_PER_PAGE rows a page (at least one page)."""
    return max(1, sum(-(-len(regs) // ROWS_PER_PAGE) for _name, regs in roster_groups(registrations)))


def write_roster(event, registrations: Iterable, stream: BinaryIO, *, session=None) -> int:
    """Write the 受付名簿 PDF to `stream`; returns the number of pages.

    `session`, when given, is the day (EventSession) the list is for: its date
    and venue head the pages instead of the event's.
    """
    pdf = _Document(header_lines=[event.title])
    pdf.set_title(f"{event.title} {_('Reception list')}")
    pdf.set_creator("Tsudoi")
    groups = roster_groups(registrations)
    if not groups:
        _roster_page(pdf, event, session, "", False)
        _draw_text(pdf, LEFT, TABLE_TOP + 4, RIGHT - LEFT, 8, _("No registrants."), size=10, min_size=8)
    for name, regs in groups:
        for start in range(0, len(regs), ROWS_PER_PAGE):
            y = _roster_page(pdf, event, session, name, continued=start > 0)
            for reg in regs[start:start + ROWS_PER_PAGE]:
                _roster_row(pdf, y, reg)
                y += ROW_H
    stream.write(bytes(pdf.output()))
    return pdf.page_no()


# -- Name badges ---------------------------------------------------------------------------------------------

def _badge(pdf: _Document, x: float, y: float, sheet: LabelSheet, event, registration) -> None:
    pad = 4.0
    width = sheet.label_width - 2 * pad
    # a thin guide line: cut marks for plain paper, invisible under a label's edge
    pdf.set_draw_color(200)
    pdf.set_line_width(0.1)
    pdf.rect(x, y, sheet.label_width, sheet.label_height)
    pdf.set_text_color(90)
    _draw_text(pdf, x + pad, y + 2.5, width * 0.62, 4.5, event.title, size=7, min_size=5)
    tt_name = registration.ticket_type.name if registration.ticket_type is not None else ""
    pdf.set_fill_color(40, 40, 40)
    band_w = width * 0.36
    pdf.rect(x + pad + width - band_w, y + 2.5, band_w, 5, style="F")
    pdf.set_text_color(255)
    _draw_text(pdf, x + pad + width - band_w + 1, y + 2.5, band_w - 2, 5, tt_name, size=8, min_size=5,
               align="C")
    pdf.set_text_color(0)
    _draw_text(pdf, x + pad, y + 9, width, 9, registration.organization, size=10, min_size=7, max_lines=2,
               align="C")
    _draw_text(pdf, x + pad, y + 19, width, 5, registration.full_name_kana, size=9, min_size=6, align="C")
    _draw_text(pdf, x + pad, y + 24, width, 16, registrant_name(registration), size=26, min_size=12, max_lines=2,
               align="C")
    pdf.set_text_color(110)
    _draw_text(pdf, x + pad, y + sheet.label_height - 7, width, 4, registration.reference, size=6.5, min_size=5,
               align="R")
    pdf.set_text_color(0)


def write_badges(event, registrations: Iterable, stream: BinaryIO, *, sheet: LabelSheet = LABEL_SHEET) -> int:
    """Write name badges on `sheet` (A4 10面 86.4 × 50.8 mm) to `stream`; returns the number of pages.

    Same order as the roster: by 参加枠, then kana.
    """
    pdf = _Document()
    pdf.set_title(f"{event.title} {_('Name badges')}")
    pdf.set_creator("Tsudoi")
    ordered = [reg for _name, regs in roster_groups(registrations) for reg in regs]
    if not ordered:
        pdf.add_page()
    for i, reg in enumerate(ordered):
        slot = i % sheet.per_sheet
        if slot == 0:
            pdf.add_page()
        row, col = divmod(slot, sheet.columns)
        x = sheet.left + col * (sheet.label_width + sheet.gap_x)
        y = sheet.top + row * (sheet.label_height + sheet.gap_y)
        _badge(pdf, x, y, sheet, event, reg)
    stream.write(bytes(pdf.output()))
    return pdf.page_no()
