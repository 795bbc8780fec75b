"""Summary tables for the statistics across events, kept in step with the registrations in
the same transaction as every change they reflect (services.participation).

- ``participation_facts``: one narrow row per registration of a *counted* event (held: not a
  draft, cancelled or postponed; and started), with the event's grouping attributes copied in.
  The filtered 年度 pages read these instead of joining registrations, events and attendances.
- ``participation_keys``: one row per person (kind ``p``: normalised email) and per
  organisation (kind ``o``: the one-per-organisation key), by a 64-bit key. A person's row holds
  the start of their first participation. The row is also the lock under which that person's or
  organisation's memberships are recomputed.
- ``participation_members``: for each person or organisation, the groups (年度, category,
  series, prefecture, and "all") they took part in, with how many participations there, and for
  people how many of those came after their first participation anywhere (repeats).
- ``participation_groups``: per group, the sums (applicants, participants, attendees) and the
  distinct counts (people, organisations, repeat participants) the unfiltered pages show. A
  change adds or subtracts its difference; nothing is recounted from the registrations.
- ``participation_org_names``: the names (with 法人番号) each organisation key took part under,
  so that a KPI's target list can be matched against the organisations without reading the
  registrations (written with the fact rows, under the organisation's lock; never removed).
- ``participation_events``: the counted events whose rows are all in (the jobs add an event when
  it starts; an event not yet here is shown as "still being counted").
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime
from app.extensions import db

#: What the filtered 年度 queries read, carried in each filter's index so that they are answered
#: from the index alone, in 年度 order (PostgreSQL; SQLite indexes the two key columns).
FACT_FIGURES = ["person", "organization", "participant", "attended", "repeated", "starts_at"]
FILTERED_BY = ("category", "series_id", "prefecture", "format")


class ParticipationFact(db.Model):
    __tablename__ = "participation_facts"
    __table_args__ = (
        *(Index(f"ix_participation_facts_{column}_year", column, "fiscal_year", postgresql_include=FACT_FIGURES)
          for column in FILTERED_BY),
        # The organisations that attended in a range of 年度 (KPI: share of a target list), from the index alone.
        Index("ix_participation_facts_attended_organizations", "fiscal_year", "organization",
              postgresql_where=text("attended AND organization IS NOT NULL"),
              sqlite_where=text("attended AND organization IS NOT NULL")),
    )

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    fiscal_year: Mapped[int] = mapped_column(SmallInteger, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    category: Mapped[str] = mapped_column(String(30))
    series_id: Mapped[int] = mapped_column(Integer)  # 0: none
    prefecture: Mapped[str] = mapped_column(String(2))  # "": none
    format: Mapped[str] = mapped_column(String(20))
    participant: Mapped[bool] = mapped_column()  # confirmed
    attended: Mapped[bool] = mapped_column()  # confirmed, with at least one attendance
    person: Mapped[int] = mapped_column(BigInteger, index=True)
    organization: Mapped[int | None] = mapped_column(BigInteger, index=True)  # None: none given
    #: A participant whose first participation (participation_keys) came earlier.
    repeated: Mapped[bool] = mapped_column(default=False)


class ParticipationKey(db.Model):
    __tablename__ = "participation_keys"

    kind: Mapped[str] = mapped_column(String(1), primary_key=True)  # "p" person, "o" organisation
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # people: first participation


class ParticipationMember(db.Model):
    __tablename__ = "participation_members"

    kind: Mapped[str] = mapped_column(String(1), primary_key=True)
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    dim: Mapped[str] = mapped_column(String(12), primary_key=True)
    grp: Mapped[str] = mapped_column(String(30), primary_key=True)
    participations: Mapped[int] = mapped_column(Integer)
    repeats: Mapped[int] = mapped_column(Integer)


class ParticipationGroup(db.Model):
    __tablename__ = "participation_groups"

    dim: Mapped[str] = mapped_column(String(12), primary_key=True)
    grp: Mapped[str] = mapped_column(String(30), primary_key=True)
    applicants: Mapped[int] = mapped_column(Integer, default=0)
    participants: Mapped[int] = mapped_column(Integer, default=0)
    attendees: Mapped[int] = mapped_column(Integer, default=0)
    people: Mapped[int] = mapped_column(Integer, default=0)
    organizations: Mapped[int] = mapped_column(Integer, default=0)
    repeaters: Mapped[int] = mapped_column(Integer, default=0)


class ParticipationEvent(db.Model):
    __tablename__ = "participation_events"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True,
                                          autoincrement=False)
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ParticipationOrgName(db.Model):
    __tablename__ = "participation_org_names"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    corporate_number: Mapped[str] = mapped_column(String(13), primary_key=True)
