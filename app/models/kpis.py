from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class Kpi(db.Model):
    """A target the bureau reports against, by 年度: what is counted, over which events, and how many.

    ``measure`` is a domain.kpi code. ``event_ids`` and ``series_ids`` choose the events
    counted (both empty: every held event of the years). For the share of a target list,
    ``target`` is a percentage and the list is in ``kpi_targets``.
    """

    __tablename__ = "kpis"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    fiscal_year_from: Mapped[int] = mapped_column(Integer)
    fiscal_year_to: Mapped[int] = mapped_column(Integer)
    measure: Mapped[str] = mapped_column(String(30))
    target: Mapped[int] = mapped_column(Integer)
    event_ids: Mapped[list] = mapped_column(JSON, default=list)
    series_ids: Mapped[list] = mapped_column(JSON, default=list)
    target_list_name: Mapped[str] = mapped_column(String(255), default="")  # the uploaded file's name
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    targets: Mapped[list[KpiTarget]] = relationship(back_populates="kpi", cascade="all, delete-orphan",
                                                    order_by="KpiTarget.position")


class KpiTarget(db.Model):
    """One organisation of a KPI's target list (e.g. the 地域未来牽引企業), as uploaded."""

    __tablename__ = "kpi_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # the row in the uploaded file
    name: Mapped[str] = mapped_column(String(200), default="")
    corporate_number: Mapped[str] = mapped_column(String(13), default="")

    kpi: Mapped[Kpi] = relationship(back_populates="targets")
