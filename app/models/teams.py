from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.domain.teams import LIMITS
from app.extensions import db


class Team(db.Model):
    """A team of an event (app.domain.teams, app.services.teams).

    Team registration (``Event.team_mode == "team"``): ``registration_id`` is the ONE
    registration the team is (the responsible adult registers, holds the manage link, gets
    the mails; it takes one seat of its 参加枠, the division), and its members are named
    people without contact data (TeamMember rows with no registration).

    Hackathon (``Event.team_mode == "hackathon"``): individuals register and group into a
    team by its ``invite_code``, or an organizer groups them; ``registration_id`` is None and
    each member is a TeamMember pointing at the member's own registration.
    """

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(LIMITS["team_name"]))
    invite_code: Mapped[str | None] = mapped_column(String(LIMITS["invite_code"]), unique=True)
    # When the members' names were erased (the retention date passed); the counts are kept.
    members_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="TeamMember.position, TeamMember.id")
    registration = relationship("Registration", foreign_keys=[registration_id])


class TeamMember(db.Model):
    """A member of a team: a named person (name, kana, grade or role: never contact data), or,
    in a hackathon, a registrant (``registration_id``; the name is the registration's)."""

    __tablename__ = "team_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    family_name: Mapped[str] = mapped_column(String(LIMITS["family_name"]), default="")
    given_name: Mapped[str] = mapped_column(String(LIMITS["given_name"]), default="")
    family_name_kana: Mapped[str] = mapped_column(String(LIMITS["family_name_kana"]), default="")
    given_name_kana: Mapped[str] = mapped_column(String(LIMITS["given_name_kana"]), default="")
    grade: Mapped[str] = mapped_column(String(LIMITS["grade"]), default="")

    team: Mapped[Team] = relationship(back_populates="members")
    registration = relationship("Registration", foreign_keys=[registration_id])

    @property
    def full_name(self) -> str:
        if self.registration_id is not None and self.registration is not None:
            return self.registration.full_name
        return f"{self.family_name} {self.given_name}".strip()
