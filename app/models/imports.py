from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class ImportFile(db.Model):
    """A past participant list uploaded for import, from upload to import.

    Between the steps (mapping, preview) the file's bytes are kept here, so
    every worker can read them; once imported, the bytes are dropped (the
    personal data now lives in the registrations) and the row remains as the
    record that a file with this SHA-256 was imported into `event_id`, so a
    second import of the same file is recognised. `target` describes the new
    event to create when the list is not for an existing event.
    """

    __tablename__ = "import_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    encoding: Mapped[str] = mapped_column(String(20), default="")  # utf-8, utf-8-sig, cp932, xlsx
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, default=b"", nullable=False))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    target: Mapped[dict] = mapped_column(JSON, default=dict)  # a new event's fields when event_id is None
    mapping: Mapped[list | None] = mapped_column(JSON)  # a field (or "") per column
    status: Mapped[str] = mapped_column(String(20), default="uploaded")  # uploaded, imported
    counts: Mapped[dict] = mapped_column(JSON, default=dict)  # imported, duplicates, errors, attended
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("organizers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImportMapping(db.Model):
    """The column mapping a series used last: the field chosen for each header text."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("event_series.id", ondelete="CASCADE"), unique=True)
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("organizers.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
