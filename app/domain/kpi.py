"""KPI measures and target lists: pure rules (no Flask, no database).

The measures (what a KPI counts, over its events and 年度):
- ``attendees``: attendances of participants, once per person and event (the 延べ of events);
- ``people``: distinct people (emails) who attended;
- ``organizations``: distinct organisations among the participants (confirmed registrations),
  keyed like the one-per-organisation rule (法人番号, else the folded name);
- ``completers``: distinct people who completed an event by its completion rule (attended at least
  ``completion_min_sessions`` of its sessions; events without a rule have no completers);
- ``target_share``: the share (%) of an uploaded list of organisations that attended;
  matched like the one-per-organisation rule (people.same_organization).
"""
from __future__ import annotations

from dataclasses import dataclass

from app.domain import people

ATTENDEES = "attendees"
PEOPLE = "people"
ORGANIZATIONS = "organizations"
TARGET_SHARE = "target_share"
COMPLETERS = "completers"
MEASURES = (ATTENDEES, PEOPLE, COMPLETERS, ORGANIZATIONS, TARGET_SHARE)
PERCENT_MEASURES = (TARGET_SHARE,)

#: Header words that name the columns of a target list (compared after NFKC and lower-casing).
NAME_HEADERS = ("企業名", "会社名", "法人名", "団体名", "事業者名", "名称", "組織名", "name", "company", "organization")
NUMBER_HEADERS = ("法人番号", "corporate number", "corporate_number", "houjin bangou")
MAX_TARGETS = 10_000


def progress(value: float, target: float) -> float:
    """value / target (0 when there is no target): 1.0 is the target reached."""
    return round(value / target, 4) if target else 0.0


@dataclass(frozen=True)
class TargetRow:
    line: int  # 1-based line (row) in the file
    name: str
    corporate_number: str


@dataclass(frozen=True)
class TargetProblem:
    line: int
    message: str  # a code: no_columns, empty, bad_number, too_many, unreadable


def _norm_header(text) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", str(text or "")).strip().lower()


def read_table(filename: str, data: bytes) -> list[list[str]] | None:
    """The rows (header first) of a CSV or XLSX file, read as imports read them; None when unreadable."""
    from app.domain.imports import ImportFileError
    from app.domain.imports import read_table as read

    try:
        table = read(filename, data)
    except ImportFileError:
        return None
    return [table.headers, *table.rows]


def parse_targets(rows: list[list[str]]) -> tuple[list[TargetRow], list[TargetProblem]]:
    """Target organisations from a table whose header names a name and/or a 法人番号 column.

    Without a recognisable header, a first column of names is assumed. Rows with neither a
    name nor a number are skipped; a 法人番号 with a wrong check digit is reported (the name,
    if any, is still used).
    """
    if not rows:
        return [], [TargetProblem(0, "empty")]
    header = [_norm_header(h) for h in rows[0]]
    name_col = next((i for i, h in enumerate(header) if any(w in h for w in NAME_HEADERS)), None)
    number_col = next((i for i, h in enumerate(header) if any(w in h for w in NUMBER_HEADERS)), None)
    body_start = 1
    if name_col is None and number_col is None:
        name_col, body_start = 0, 0
    targets, problems = [], []
    for index, row in enumerate(rows[body_start:], start=body_start + 1):
        name = (row[name_col] if name_col is not None and name_col < len(row) else "").strip()
        raw_number = (row[number_col] if number_col is not None and number_col < len(row) else "").strip()
        number = people.normalize_corporate_number(raw_number) if raw_number else ""
        if number and not people.is_valid_corporate_number(number):
            problems.append(TargetProblem(index, "bad_number"))
            number = ""
        if not name and not number:
            continue
        if len(targets) >= MAX_TARGETS:
            problems.append(TargetProblem(index, "too_many"))
            break
        targets.append(TargetRow(index, name[:200], number))
    if not targets and not problems:
        problems.append(TargetProblem(0, "empty"))
    return targets, problems


def match_targets(targets: list[tuple[str, str]], organizations: list[tuple[str, str]]) -> list[int | None]:
    """For each target (name, 法人番号), the index of a matching organisation (name, 法人番号) or None.

    Matching is the one-per-organisation rule: the same 法人番号, or the same folded name
    unless both gave different 法人番号.
    """
    by_number: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    for i, (name, number) in enumerate(organizations):
        if number and people.is_valid_corporate_number(number):
            by_number.setdefault(number, i)
        key = people.organization_key(name)
        if key:
            by_name.setdefault(key, []).append(i)
    found: list[int | None] = []
    for name, number in targets:
        hit = by_number.get(number) if number else None
        if hit is None:
            for i in by_name.get(people.organization_key(name), []) if name else []:
                if people.same_organization(name, number, *organizations[i]):
                    hit = i
                    break
        found.append(hit)
    return found
