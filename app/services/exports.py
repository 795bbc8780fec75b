"""Exports of an event's filtered registrant list: one registry of formats, one way to run them.

``FORMATS`` maps a format name (the ``format=`` of the API, the organizer page's
choice) to its writer. The organizer page and the API offer exactly what is
registered here, so a new format is one ``register_format(...)`` call:

    register_format(ExportFormat(
        "roster-pdf", _l("受付名簿 (PDF)"), "pdf", "application/pdf",
        lambda ctx, stream: pdf_exports.write_roster(ctx.event, ctx.registrations(), stream),
        uses_columns=False))

A writer gets an ``ExportContext`` (the event, the filter, the columns, the rows
as display values or as objects, both streamed) and a binary stream; it returns
a ``WriteResult`` (or None: the rows are then counted by the query).

``run`` writes the file through a temporary file (bounded memory whatever the
number of rows) and logs the export (who, when, event, filter, columns, rows:
``ExportLog``) in the caller's transaction; the caller commits. Personal-data
exports are for organizers and admins (``may_export``); viewers get
``aggregates_csv`` only.
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.column_labels import column_label
from app.database import reads_first
from app.domain import spreadsheet
from app.domain.codes import PREFECTURES, QuestionKind
from app.domain.dates import to_jst
from app.domain.registrant_list import ANSWER_PREFIX, Kind, RegistrantFilter, column
from app.extensions import db
from app.i18n import current_language, prefecture_name
from app.labels import ORGANIZATION_TYPE_LABELS, REGISTRATION_STATUS_LABELS, label
from app.models import Event, ExportLog
from app.registration.display import answer_text
from app.services import registrant_query

#: Changed cells of a CP932 export kept in the log (and shown): the count is always exact.
REPORT_LIMIT = 5000


@dataclass
class WriteResult:
    row_count: int
    replaced: list[tuple[int, str, str, str]] = field(default_factory=list)  # (row, column, original, written)
    replaced_count: int = 0


@dataclass
class ExportContext:
    event: Event
    filter: RegistrantFilter
    columns: tuple[str, ...]
    wareki: bool = False

    def headers(self) -> list[str]:
        questions = {q.id: q for q in self.event.questions}
        return [column_label(key, questions) for key in self.columns]

    def raw_rows(self) -> Iterator[dict[str, Any]]:
        return registrant_query.iter_values(self.event, self.filter, self.columns)

    def rows(self) -> Iterator[list[Any]]:
        """Each row as display values: text, or an aware datetime for date columns (None: empty)."""
        show = [_shower(key, column(key).kind, self.event) for key in self.columns]
        for raw in self.raw_rows():
            yield [fn(raw[key]) for key, fn in zip(self.columns, show, strict=True)]

    def registrations(self):
        """The filtered registrations as objects, in the list's order, streamed."""
        return registrant_query.iter_registrations(self.event, self.filter)

    def count(self) -> int:
        return registrant_query.count(self.event.id, self.filter)


def _text(value: Any) -> Any:
    return None if value is None else str(value)


def _shower(key: str, kind: str, event: Event) -> Callable[[Any], Any]:
    """How a column's raw value is shown; the labels are translated once per export, not per cell."""
    if kind in (Kind.DATETIME, Kind.NUMBER):
        return lambda v: v
    if kind == Kind.LIST:
        return lambda v: None if v is None else "、".join(v)
    table = None
    if key == "status":
        table = {k: str(v) for k, v in REGISTRATION_STATUS_LABELS.items()}
    elif key == "organization_type":
        table = {k: str(v) for k, v in ORGANIZATION_TYPE_LABELS.items()}
    elif key == "prefecture":
        lang = current_language()
        table = {code: prefecture_name(code, lang) for code in PREFECTURES}
    if table is not None:
        return lambda v: None if v is None else table.get(v, str(v))
    if key.startswith(ANSWER_PREFIX):
        question = next((q for q in event.questions if str(q.id) == key[len(ANSWER_PREFIX):]), None)
        if question is None:
            return _text
        words = {True: _("Yes"), False: _("No")}
        return lambda v: None if v is None else (words.get(v, str(v)) if question.kind == QuestionKind.YESNO
                                                 else answer_text(question, v))
    return _text


def _csv_text(value: Any) -> str:
    """A cell of a CSV file: dates in ISO 8601 (Japan time), text neutralised against formulas."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_jst(value).strftime("%Y-%m-%d %H:%M")
    return spreadsheet.neutralise(str(value))


def write_csv_utf8(ctx: ExportContext, stream: BinaryIO) -> WriteResult:
    """UTF-8 with a BOM (Excel then opens it as UTF-8), CRLF line ends."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=False)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(ctx.headers())
    n = 0
    for n, row in enumerate(ctx.rows(), start=1):  # noqa: B007 - the count is read after
        writer.writerow([_csv_text(v) for v in row])
    text.flush()
    text.detach()
    return WriteResult(n)


def write_csv_cp932(ctx: ExportContext, stream: BinaryIO) -> WriteResult:
    """CP932 (Windows Japanese): what it cannot hold becomes 〓, and every changed cell is reported."""
    text = io.TextIOWrapper(stream, encoding="cp932", newline="", write_through=False)
    writer = csv.writer(text, lineterminator="\r\n")
    result = WriteResult(0)
    writer.writerow([spreadsheet.to_cp932_text(h)[0] for h in ctx.headers()])
    n = 0
    for n, row in enumerate(ctx.rows(), start=1):  # noqa: B007
        cells = []
        for key, value in zip(ctx.columns, row, strict=True):
            cell = _csv_text(value)
            written, changed = spreadsheet.to_cp932_text(cell)
            if changed:
                result.replaced_count += 1
                if len(result.replaced) < REPORT_LIMIT:
                    result.replaced.append((n, key, cell, written))
            cells.append(written)
        writer.writerow(cells)
    text.flush()
    text.detach()
    result.row_count = n
    return result


def write_xlsx(ctx: ExportContext, stream: BinaryIO) -> WriteResult:
    """XLSX (app.services.xlsx): text cells for digits, dates shown the Japanese way, frozen header, filter."""
    from app.services.xlsx import Text, XlsxSheet

    headers = ctx.headers()
    kinds = [column(key).kind for key in ctx.columns]
    widths = [max(column(key).width, min(40, _display_width(headers[i]) + 2)) for i, key in enumerate(ctx.columns)]
    sheet = XlsxSheet(stream, _("Registrants"), headers, widths,
                      datetime_format=spreadsheet.DATETIME_FORMAT_WAREKI if ctx.wareki else spreadsheet.DATETIME_FORMAT)
    n = 0
    for n, row in enumerate(ctx.rows(), start=1):  # noqa: B007
        cells = []
        for kind, value in zip(kinds, row, strict=True):
            if value is None:
                cells.append(None)
            elif isinstance(value, datetime):
                cells.append(to_jst(value))
            elif kind == Kind.DIGITS:
                cells.append(Text(value))  # text: the leading zeros stay
            elif kind == Kind.NUMBER and isinstance(value, int):
                cells.append(value)  # a count (a team's members): a number
            else:
                cells.append(str(value))  # a str is a text cell; neutralised, it never starts a formula
        sheet.append(cells)
    sheet.close()
    return WriteResult(n)


def _display_width(text: str) -> int:
    """Width in half-width characters (a full-width character counts 2)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: Any  # lazily translated
    extension: str
    mimetype: str
    write: Callable[[ExportContext, BinaryIO], WriteResult | int | None]
    uses_columns: bool = True  # False: a fixed layout (the column choice does not apply)


FORMATS: dict[str, ExportFormat] = {}


def register_format(fmt: ExportFormat) -> None:
    FORMATS[fmt.key] = fmt


register_format(ExportFormat("csv", _l("CSV (UTF-8 with BOM, for Excel)"), "csv", "text/csv; charset=utf-8",
                             write_csv_utf8))
register_format(ExportFormat("csv-cp932", _l("CSV (Shift_JIS / CP932)"), "csv", "text/csv; charset=cp932",
                             write_csv_cp932))
register_format(ExportFormat("xlsx", _l("Excel (XLSX)"), "xlsx",
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write_xlsx))


def write_roster_pdf(ctx: ExportContext, stream: BinaryIO) -> None:
    """受付名簿 (services.pdf_exports): its own layout; the rows are counted by the query for the log.
    Filtered by a day (per-day registration), the list is that day's: its date and venue head it."""
    from app.services import pdf_exports

    day = next((s for s in ctx.event.sessions if s.id == ctx.filter.day_id), None) if ctx.filter.day_id else None
    pdf_exports.write_roster(ctx.event, ctx.registrations(), stream, session=day)


def write_badges_pdf(ctx: ExportContext, stream: BinaryIO) -> None:
    from app.services import pdf_exports

    pdf_exports.write_badges(ctx.event, ctx.registrations(), stream)


register_format(ExportFormat("roster-pdf", _l("Reception list (PDF, A4)"), "pdf", "application/pdf",
                             write_roster_pdf, uses_columns=False))
register_format(ExportFormat("badges-pdf", _l("Name badges (PDF, A4 10 labels)"), "pdf", "application/pdf",
                             write_badges_pdf, uses_columns=False))


def may_export(user) -> bool:
    """Personal data leaves Tsudoi only with organizers and admins."""
    return bool(user is not None and getattr(user, "can_edit", False))


def export_dir() -> str:
    path = current_app.config["EXPORT_DIR"]
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def download_name(event: Event, fmt: ExportFormat, now: datetime, suffix: str = "") -> str:
    return f"registrants-{event.id}-{to_jst(now):%Y%m%d-%H%M}{suffix}.{fmt.extension}"


def run(event: Event, f: RegistrantFilter, fmt_key: str, *, actor, now: datetime, via: str,
        wareki: bool = False, keep: bool = False) -> tuple[ExportLog, str]:
    """Write the export to a file and log it; returns the log row and the file's path.

    Call it at the start of a transaction (commit before): on SQLite its reads end their
    own transaction. The caller commits the log.

    ``keep``: the file stays in EXPORT_DIR for the organizer page's download (removed after
    EXPORT_FILE_MINUTES); otherwise it is a temporary file the caller sends and removes.
    """
    fmt = FORMATS[fmt_key]
    columns = f.columns if fmt.uses_columns else ()
    directory = export_dir() if keep else None
    handle, path = tempfile.mkstemp(prefix="export-", suffix="." + fmt.extension, dir=directory)
    try:
        # SQLite: the rows are read in a deferred transaction, ended before the log is written, so a
        # long export never holds the write lock (start `run` at the beginning of a transaction).
        with reads_first(db.session), os.fdopen(handle, "wb") as stream:
            event_id, actor_id, actor_label = event.id, getattr(actor, "id", None), getattr(actor, "email", "")
            event = db.session.get(Event, event_id)
            ctx = ExportContext(event, f, tuple(columns), wareki=wareki)
            result = fmt.write(ctx, stream)
            if result is None:
                result = WriteResult(ctx.count())
    except BaseException:
        os.unlink(path)
        raise
    if isinstance(result, int):
        result = WriteResult(result)
    log = ExportLog(
        event_id=event_id, organizer_id=actor_id, actor_label=actor_label,
        created_at=now, format=fmt.key, via=via, filter=f.as_params(with_columns=False),
        columns=list(columns), row_count=result.row_count, replaced_cells=result.replaced_count,
        report=[list(r) for r in result.replaced], file_name=os.path.basename(path) if keep else None,
    )
    db.session.add(log)
    db.session.flush()
    return log, path


def kept_file(log: ExportLog, now: datetime) -> str | None:
    """The path of an export kept for download, while it has not expired."""
    if not log.file_name or now - log.created_at > timedelta(minutes=current_app.config["EXPORT_FILE_MINUTES"]):
        return None
    path = os.path.join(current_app.config["EXPORT_DIR"], log.file_name)
    return path if os.path.exists(path) else None


def _drop_kept_file(log: ExportLog) -> None:
    """Remove an export's kept file (if it has one); its log row stays."""
    if log.file_name:
        try:
            os.unlink(os.path.join(current_app.config["EXPORT_DIR"], log.file_name))
        except FileNotFoundError:
            pass
        log.file_name = None


def remove_expired(now: datetime) -> int:
    """Delete the kept files past EXPORT_FILE_MINUTES (the log rows stay); the caller commits."""
    limit = now - timedelta(minutes=current_app.config["EXPORT_FILE_MINUTES"])
    removed = 0
    for log in db.session.scalars(select(ExportLog).where(ExportLog.file_name.is_not(None),
                                                          ExportLog.created_at < limit)):
        _drop_kept_file(log)
        removed += 1
    db.session.flush()
    return removed


def forget_member_names(event_id: int) -> int:
    """When a team's members' names are erased (app.services.teams.erase_members): the event's exports
    that held them lose them too: the CP932 report's cells of that column (they hold the originals)
    and the kept files (removed before their time). The log rows stay; the caller commits."""
    from app.domain.registrant_list import MEMBER_NAME_COLUMNS

    touched = 0
    for log in db.session.scalars(select(ExportLog).where(ExportLog.event_id == event_id)):
        if not set(log.columns or ()) & set(MEMBER_NAME_COLUMNS):
            continue
        kept = [row for row in log.report or [] if row[1] not in MEMBER_NAME_COLUMNS]
        if kept != (log.report or []):
            log.report = kept
        _drop_kept_file(log)
        touched += 1
    db.session.flush()
    return touched


def report_csv(log: ExportLog) -> bytes:
    """The CP932 export's report as a file (UTF-8 with BOM: it holds the characters CP932 could not)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    questions = {q.id: q for q in log_event(log).questions}
    writer.writerow([_("Row"), _("Column"), _("Original"), _("Written as")])
    for row, key, original, written in log.report:
        writer.writerow([row, spreadsheet.neutralise(column_label(key, questions)),
                         spreadsheet.neutralise(original), spreadsheet.neutralise(written)])
    return out.getvalue().encode("utf-8-sig")


def log_event(log: ExportLog) -> Event:
    return db.session.get(Event, log.event_id)


def aggregates_csv(event: Event, f: RegistrantFilter) -> bytes:
    """Counts of the filtered list by status, 参加枠, 組織区分 and 都道府県: for every staff member."""
    counts = registrant_query.aggregates(event, f)
    ticket_names = {tt.id: tt.name for tt in event.ticket_types}
    names = {
        "status": (_("Status"), lambda v: str(label(REGISTRATION_STATUS_LABELS, v))),
        "ticket_type": (_("Ticket type"), lambda v: ticket_names.get(v, str(v))),
        "organization_type": (_("Organisation type"), lambda v: str(label(ORGANIZATION_TYPE_LABELS, v))),
        "prefecture": (_("Prefecture"), lambda v: prefecture_name(v) if v else _("Not given")),
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Breakdown"), _("Breakdown value"), _("Number of registrations")])
    for key, rows in counts.items():
        title, show = names[key]
        for value, n in rows:
            writer.writerow([spreadsheet.neutralise(title), spreadsheet.neutralise(show(value)), n])
    return out.getvalue().encode("utf-8-sig")
