"""Cells for spreadsheets: formula neutralisation and CP932 (Windows Japanese) text.

Pure functions shared by every CSV and XLSX writer (app.services.exports).
"""
from __future__ import annotations

#: A cell starting with one of these is read as a formula (or a DDE call) by Excel and its kin.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Make a cell that would start a formula plain text: a leading apostrophe (OWASP's advice).

    The one neutralisation of the CSV and XLSX writers: 「=HYPERLINK(...)」 becomes 「'=HYPERLINK(...)」.
    """
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


#: Characters CP932 has no code for but a twin of the same look: written as the twin (and reported).
#: (Python's cp932 codec already writes 〜 as ～, − as －, ¢ as ￠ and the like, as Windows does.)
CP932_EQUIVALENTS = {
    "\u2014": "\u2015",  # — EM DASH -> ― HORIZONTAL BAR
    "\u00a0": " ",  # no-break space -> space
}
#: What stands for a character CP932 cannot hold (geta mark, 下駄記号).
CP932_REPLACEMENT = "〓"


def _cp932_holds(ch: str) -> bool:
    try:
        ch.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def to_cp932_text(value: str) -> tuple[str, bool]:
    """The text as CP932 can hold it, and whether it changed.

    Characters with a CP932 twin (— as ―) are written as the twin; any other character CP932
    cannot hold (𠮷, emoji, ...) becomes 〓. CP932 holds ①, ㈱, 髙 and 﨑 (NEC and IBM
    extensions), which plain Shift_JIS does not: they are kept.
    """
    if value.isascii():
        return value, False
    try:
        value.encode("cp932")
        return value, False
    except UnicodeEncodeError:
        pass
    out = []
    for ch in value:
        if _cp932_holds(ch):
            out.append(ch)
        elif ch in CP932_EQUIVALENTS:
            out.append(CP932_EQUIVALENTS[ch])
        else:
            out.append(CP932_REPLACEMENT)
    return "".join(out), True


#: Excel number formats for dates shown the Japanese way, in the Gregorian calendar or in 和暦.
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'
DATETIME_FORMAT_WAREKI = '[$-411]ggge"年"m"月"d"日" hh:mm'  # 令和8年7月12日 13:30
TEXT_FORMAT = "@"
