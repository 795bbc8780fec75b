"""Importing a past participant list: upload, mapping, preview, import (one transaction).

Steps (the organizer pages call them; each view commits):

1. ``upload``: keep the file (bytes, SHA-256, encoding) and the target: an
   existing past event, or the fields of a new one.
2. ``columns`` / ``set_mapping``: a field per column, first guessed from the
   series' remembered mapping and the header words (app.domain.imports).
3. ``preview``: every row normalised, with its errors (row number, column,
   value, message), and whether it will be imported or skipped as a
   duplicate of someone already in the event (or earlier in the file).
4. ``run``: in ONE transaction, under the locking discipline of
   services.locks: create the new event if asked (finished, one session, one
   参加枠), lock the event exclusively and its 参加枠 in id order, re-read who
   is already registered, decide each row again, insert the registrations
   (status confirmed whatever the capacity: a seat past it is recorded as
   ``capacity_override`` with an audit row), record attendance through
   services.attendance (method ``import``), remember the mapping for the
   series, and mark the file imported (its bytes are dropped).

Duplicates: a row is the same person as an active registration of the event
(or an earlier row) with the same normalised email, or, when the row has no
email, the same normalised name and organisation. Importing a file again
therefore adds nobody; the SHA-256 of each imported file is kept per event and
the preview says when this file was imported before.

Rows without an email address: ``email`` is stored empty and
``email_normalized`` holds ``noemail:<hash of name + organisation>``
(domain.imports.no_email_key): not an address, so nothing can be mailed to it
(notifications.enqueue skips registrations without an address), and one per
person, so the unique index of active emails per event and the ``email``
invariant of `flask check` hold unchanged. Imported registrations get no mail
at all; their private links exist (every registration has one) but are never
sent. ``organization_lock_key`` stays empty: a past list is a record, not a
claim on the event's one-per-organisation rule.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.domain import imports as rules
from app.domain import manage_links
from app.domain.codes import (
    ACTIVE_REGISTRATION_STATUSES,
    AttendanceMethod,
    EventStatus,
    RegistrationOrigin,
    RegistrationStatus,
)
from app.domain.people import organization_key
from app.extensions import db
from app.models import Event, ImportFile, ImportMapping, Registration
from app.services import attendance, audit, locks
from app.services import events as event_service
from app.services.errors import ServiceError


def N_(text: str) -> str:  # noqa: N802 - gettext's "mark only" convention
    return text


IMPORTED = "imported"
UPLOADED = "uploaded"
#: Row outcomes in the preview and the import.
ROW_IMPORT, ROW_DUPLICATE, ROW_ERROR, ROW_EMPTY = "import", "duplicate", "error", "empty"


@dataclass
class RowError:
    row: int  # the row number in the file (the header is row 1)
    field: str
    value: str
    message: str  # msgid


@dataclass
class PreviewRow:
    row: int
    values: dict[str, str]  # the cells as written, by field
    clean: rules.CleanRow | None
    errors: list[RowError]
    outcome: str
    duplicate_of: str = ""  # "event" (already registered) or "file" (an earlier row)
    ticket_type_id: int | None = None


@dataclass
class Preview:
    headers: list[str]
    mapping: list[str]
    rows: list[PreviewRow]
    imported_before: list[ImportFile] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rows for e in r.errors]


@dataclass
class Result:
    event: Event
    imported: int
    duplicates: int
    errors: int
    attended: int
    over_capacity: int


def is_past(event: Event, now: datetime) -> bool:
    """A list can be imported into an event that has ended (or was closed or finished)."""
    if event.status in (EventStatus.FINISHED, EventStatus.CLOSED):
        return True
    end = event.ends_at or event.starts_at
    return end is not None and end <= now


def upload(filename: str, data: bytes, *, event: Event | None, target: dict | None, actor, now: datetime
           ) -> ImportFile:
    """Keep an uploaded list (raises rules.ImportFileError when it cannot be read)."""
    table = rules.read_table(filename, data)
    if event is not None and not is_past(event, now):
        raise ServiceError(N_("Past lists can be imported only into an event that has ended."), code="not_past")
    row = ImportFile(sha256=rules.sha256(data), filename=(filename or "")[:255], encoding=table.encoding,
                     content=data, event_id=event.id if event is not None else None, target=target or {},
                     status=UPLOADED, counts={}, created_by_id=getattr(actor, "id", None), created_at=now)
    row.mapping = rules.guess_mapping(table.headers, remembered_mapping(_series_id(row)))
    db.session.add(row)
    db.session.flush()
    return row


def _series_id(upload_row: ImportFile) -> int | None:
    if upload_row.event_id is not None:
        return db.session.scalar(select(Event.series_id).where(Event.id == upload_row.event_id))
    value = (upload_row.target or {}).get("series_id")
    return int(value) if value else None


def remembered_mapping(series_id: int | None) -> dict[str, str]:
    if not series_id:
        return {}
    found = db.session.scalar(select(ImportMapping).where(ImportMapping.series_id == series_id))
    return dict(found.mapping) if found is not None else {}


def table_of(upload_row: ImportFile) -> rules.Table:
    return rules.read_table(upload_row.filename, upload_row.content)


def set_mapping(upload_row: ImportFile, fields: list[str]) -> None:
    table = table_of(upload_row)
    cleaned = [f if f in rules.FIELDS else "" for f in fields[:len(table.headers)]]
    cleaned += [""] * (len(table.headers) - len(cleaned))
    seen: set[str] = set()
    for f in cleaned:
        if f and f in seen:
            raise ServiceError(N_("Each field can be given to one column only."), code="duplicate_field")
        seen.add(f)
    if not ({"full_name", "family_name", "given_name"} & seen):
        raise ServiceError(N_("Choose the column (or columns) with the names."), code="no_name")
    upload_row.mapping = cleaned


def _existing_keys(event_id: int) -> set[str]:
    """Identity keys of the event's active registrations (email, and name + organisation)."""
    keys: set[str] = set()
    rows = db.session.execute(
        select(Registration.email_normalized, Registration.family_name, Registration.given_name,
               Registration.organization)
        .where(Registration.event_id == event_id,
               Registration.status.in_([s.value for s in ACTIVE_REGISTRATION_STATUSES])))
    for email_normalized, family, given, organization in rows:
        if email_normalized and not email_normalized.startswith("noemail:"):
            keys.add(f"email:{email_normalized}")
        keys.add(f"name:{rules.name_key(family, given)}|{organization_key(organization)}")
    return keys


def _ticket_types(event: Event | None, target: dict) -> tuple[dict[str, int], int | None]:
    """参加枠 by name (NFKC) and the default one (the first)."""
    if event is None:
        return {}, None
    by_name = {rules.nfkc(tt.name).strip(): tt.id for tt in event.ticket_types}
    default = event.ticket_types[0].id if event.ticket_types else None
    return by_name, default


def preview(upload_row: ImportFile, *, event: Event | None = None) -> Preview:
    """Every row with its errors and outcome, decided against the event as it is now."""
    table = table_of(upload_row)
    mapping = list(upload_row.mapping or rules.guess_mapping(table.headers))
    event = event if event is not None else (db.session.get(Event, upload_row.event_id)
                                             if upload_row.event_id else None)
    existing = _existing_keys(event.id) if event is not None else set()
    by_name, default_tt = _ticket_types(event, upload_row.target or {})
    seen: set[str] = set()
    out: list[PreviewRow] = []
    for index, cells in enumerate(table.rows):
        number = index + 2
        values = {f: cells[i] for i, f in enumerate(mapping) if f}
        if not any(cells):
            out.append(PreviewRow(number, values, None, [], ROW_EMPTY))
            continue
        clean, errs = rules.clean_row(values)
        errors = [RowError(number, f, values.get(f, values.get("full_name", "")), msg) for f, msg in errs]
        tt_id = default_tt
        if clean.ticket_type and event is not None:
            tt_id = by_name.get(clean.ticket_type)
            if tt_id is None:
                errors.append(RowError(number, "ticket_type", values.get("ticket_type", ""),
                                       N_("No 参加枠 of the event has this name.")))
        if errors:
            out.append(PreviewRow(number, values, clean, errors, ROW_ERROR))
            continue
        key = rules.identity_key(clean)  # the email, or (none given) the name and organisation
        if key in existing:
            out.append(PreviewRow(number, values, clean, [], ROW_DUPLICATE, "event", tt_id))
        elif key in seen:
            out.append(PreviewRow(number, values, clean, [], ROW_DUPLICATE, "file", tt_id))
        else:
            seen.add(key)
            out.append(PreviewRow(number, values, clean, [], ROW_IMPORT, "", tt_id))
    before = []
    if event is not None:
        before = db.session.scalars(
            select(ImportFile).where(ImportFile.sha256 == upload_row.sha256, ImportFile.event_id == event.id,
                                     ImportFile.status == IMPORTED, ImportFile.id != upload_row.id)
            .order_by(ImportFile.imported_at)).all()
    return Preview(headers=table.headers, mapping=mapping, rows=out, imported_before=list(before))


def _create_event(target: dict, actor, now: datetime) -> Event:
    """The new past event: finished, one session, one 参加枠 without a capacity."""
    data = {
        "title": target.get("title", ""), "category": target.get("category", ""),
        "format": target.get("format", ""), "venue": target.get("venue", ""),
        "prefecture": target.get("prefecture", ""),
        "sessions": [{"starts_at": target.get("starts_at"), "ends_at": target.get("ends_at") or None,
                      "is_online": target.get("format") == "online"}],
        "ticket_types": [{"name": target.get("ticket_type_name") or "一般", "capacity": None}],
        "reminder_rules": [],
    }
    event = event_service.create_event(data, actor, now)
    event.status = EventStatus.FINISHED.value
    event.series_id = int(target["series_id"]) if target.get("series_id") else None
    audit.record("event.finished", actor=actor, now=now, event_id=event.id, data={"by": "import"})
    db.session.flush()
    return event


def run(upload_row: ImportFile, *, actor, now: datetime) -> Result:
    """Import the rows that the preview would import, in the caller's transaction (the view commits)."""
    upload_row = db.session.scalars(select(ImportFile).where(ImportFile.id == upload_row.id)
                                    .with_for_update().execution_options(populate_existing=True)).one()
    if upload_row.status == IMPORTED:
        raise ServiceError(N_("This upload was already imported."), code="already_imported")
    if upload_row.event_id is None:
        event = _create_event(upload_row.target or {}, actor, now)
        upload_row.event_id = event.id
    else:
        event = db.session.get(Event, upload_row.event_id)
        if event is None:
            raise ServiceError(N_("The event no longer exists."), code="not_found")
    # The locking discipline: the event exclusively (rows across every 参加枠 are compared),
    # then its 参加枠 in id order; re-read; decide; write.
    event = locks.event(event.id, exclusive=True)
    if not is_past(event, now):
        raise ServiceError(N_("Past lists can be imported only into an event that has ended."), code="not_past")
    ticket_types = locks.ticket_types(tt.id for tt in event.ticket_types)
    decided = preview(upload_row, event=event)
    first_session = min(event.sessions, key=lambda s: (s.starts_at, s.id)) if event.sessions else None
    secret = current_app.config["SECRET_KEY"]
    imported, attended_ids, over = [], [], 0
    for row in decided.rows:
        if row.outcome != ROW_IMPORT:
            continue
        clean, tt = row.clean, ticket_types[row.ticket_type_id]
        override = tt.capacity is not None and tt.confirmed_count >= tt.capacity
        reg = Registration(
            event_id=event.id, ticket_type_id=tt.id, status=RegistrationStatus.CONFIRMED.value,
            origin=RegistrationOrigin.IMPORT.value, **manage_links.new_link_columns(secret),
            email=clean.email, email_normalized=clean.email_normalized or rules.no_email_key(clean),
            family_name=clean.family_name, given_name=clean.given_name,
            family_name_kana=clean.family_name_kana, given_name_kana=clean.given_name_kana,
            phone=clean.phone, organization=clean.organization, organization_key=clean.organization_key,
            organization_lock_key=None, department=clean.department, job_title=clean.job_title,
            organization_type=clean.organization_type, prefecture=clean.prefecture,
            corporate_number=clean.corporate_number, answers={}, consent_at=None, language="ja",
            confirmed_at=event.starts_at or now, created_at=now, updated_at=now, capacity_override=override,
            note="",
        )
        tt.confirmed_count += 1
        db.session.add(reg)
        imported.append((reg, row, override, tt))
    db.session.flush()  # one batch of INSERTs; the ids are known from here on
    for reg, row, override, tt in imported:
        data = {"import_id": upload_row.id, "row": row.row, "ticket_type_id": tt.id}
        audit.record("registration.imported", actor=actor, now=now, event_id=event.id, registration_id=reg.id,
                     data=data)
        if override:
            over += 1
            audit.record("registration.capacity_override", actor=actor, now=now, event_id=event.id,
                         registration_id=reg.id, data={**data, "capacity": tt.capacity})
        if row.clean.attended:
            attended_ids.append(reg.id)
    db.session.flush()
    n_attended = 0
    if first_session is not None:
        when = first_session.starts_at
        for reg_id in attended_ids:
            outcome = attendance.record(reg_id, first_session.id, method=AttendanceMethod.IMPORT.value, now=when,
                                        actor=actor, event_id=event.id)
            n_attended += outcome.created
    counts = {"imported": len(imported), "duplicates": decided.count(ROW_DUPLICATE),
              "errors": decided.count(ROW_ERROR), "attended": n_attended, "over_capacity": over}
    series_id = event.series_id
    if series_id:
        remember(series_id, decided.headers, decided.mapping, actor=actor, now=now)
    upload_row.status = IMPORTED
    upload_row.imported_at = now
    upload_row.counts = counts
    upload_row.content = b""  # the personal data now lives in the registrations only
    audit.record("import.completed", actor=actor, now=now, event_id=event.id,
                 data={"import_id": upload_row.id, "sha256": upload_row.sha256, "filename": upload_row.filename,
                       **counts})
    db.session.flush()
    return Result(event=event, imported=len(imported), duplicates=counts["duplicates"], errors=counts["errors"],
                  attended=n_attended, over_capacity=over)


def remember(series_id: int, headers: list[str], mapping: list[str], *, actor, now: datetime) -> None:
    row = db.session.scalar(select(ImportMapping).where(ImportMapping.series_id == series_id).with_for_update())
    if row is None:
        row = ImportMapping(series_id=series_id)
        db.session.add(row)
    merged = dict(row.mapping or {})
    merged.update(rules.mapping_to_remember(headers, mapping))
    row.mapping = merged
    row.updated_by_id = getattr(actor, "id", None)
    row.updated_at = now
