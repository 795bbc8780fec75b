from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class ExportLog(db.Model):
    """One export of an event's registrant list with personal data: who, when, what, how many rows.

    ``filter`` holds the query parameters of the list (app.domain.registrant_list), ``columns``
    the column names. A CP932 export records the cells it changed (``replaced_cells``) and,
    up to ``app.services.exports.REPORT_LIMIT`` of them, where and what they were (``report``:
    ``[[row, column, original, written], ...]``; row 1 is the first row after the header).
    ``file_name`` names the file kept for the organizer page's download (None: given at once,
    or removed when it expired).
    """

    __tablename__ = "export_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    organizer_id: Mapped[int | None] = mapped_column(ForeignKey("organizers.id", ondelete="SET NULL"), index=True)
    actor_label: Mapped[str] = mapped_column(String(254), default="")  # the account's email at the time
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    format: Mapped[str] = mapped_column(String(20))
    via: Mapped[str] = mapped_column(String(10), default="web")  # web | api
    filter: Mapped[dict] = mapped_column(JSON, default=dict)
    columns: Mapped[list] = mapped_column(JSON, default=list)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    replaced_cells: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[list] = mapped_column(JSON, default=list)
    file_name: Mapped[str | None] = mapped_column(String(80))

    organizer: Mapped[Organizer | None] = relationship()  # noqa: F821
