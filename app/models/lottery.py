from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class LotteryDraw(db.Model):
    """The record of one 参加枠's draw: enough for anyone to re-run it (app.domain.lottery.verify).

    One per 参加枠 (the unique key refuses a second draw). ``applicants`` is
    ``[[registration id, priority group], ...]`` in id order, ``order`` the ids
    in drawn order, ``winners`` those given a seat (in drawn order).
    """

    __tablename__ = "lottery_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_types.id", ondelete="CASCADE"), unique=True)
    seed: Mapped[str] = mapped_column(String(64))
    seed_hash: Mapped[str] = mapped_column(String(64))
    algorithm: Mapped[str] = mapped_column(String(200))
    applicants: Mapped[list] = mapped_column(JSON, default=list)
    order: Mapped[list] = mapped_column(JSON, default=list)
    winners: Mapped[list] = mapped_column(JSON, default=list)
    seats: Mapped[int | None] = mapped_column(Integer)  # free seats at the draw (None: no limit)
    losers: Mapped[str] = mapped_column(String(20))  # lost or waitlist
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("organizers.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(254), default="")  # an email, "system" (the jobs), "cli"

    ticket_type = relationship("TicketType")
