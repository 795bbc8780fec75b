"""All models, importable from one place (and seen by Alembic)."""
from app.models.applications import ApplicationFile, EventResult, ReviewAssignment, ReviewCriterion
from app.models.attendance import Attendance
from app.models.audit import AuditLog
from app.models.checkin import CheckinAssignment
from app.models.events import Event, EventOldSlug, EventSeries, EventSession, Question, ReminderRule, TicketType
from app.models.exports import ExportLog
from app.models.imports import ImportFile, ImportMapping
from app.models.kpis import Kpi, KpiTarget
from app.models.lottery import LotteryDraw
from app.models.mail import OutboxMessage
from app.models.organizers import ApiToken, LoginSession, Organizer
from app.models.participation import (
    ParticipationEvent,
    ParticipationFact,
    ParticipationGroup,
    ParticipationKey,
    ParticipationMember,
    ParticipationOrgName,
)
from app.models.registrations import Registration
from app.models.session_choices import SessionChoice
from app.models.teams import Team, TeamMember

__all__ = [
    "ApiToken",
    "ApplicationFile",
    "Attendance",
    "CheckinAssignment",
    "AuditLog",
    "Event",
    "EventOldSlug",
    "EventResult",
    "EventSeries",
    "EventSession",
    "ExportLog",
    "ImportFile",
    "ImportMapping",
    "Kpi",
    "KpiTarget",
    "LoginSession",
    "LotteryDraw",
    "Organizer",
    "OutboxMessage",
    "ParticipationEvent",
    "ParticipationFact",
    "ParticipationGroup",
    "ParticipationKey",
    "ParticipationMember",
    "ParticipationOrgName",
    "Question",
    "Registration",
    "ReminderRule",
    "ReviewAssignment",
    "ReviewCriterion",
    "SessionChoice",
    "Team",
    "TeamMember",
    "TicketType",
]
