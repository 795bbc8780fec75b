"""Turns the demo definitions into rows: events, sessions, 参加枠, questions, registrants.

Like a service, it flushes and leaves the commit to its caller (the CLI command).
Registrants are inserted in bulk (one multi-row INSERT ... RETURNING per load);
each registration and each event change gets its AuditLog row.
"""
from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, insert, select

from app.demo.applications import load_applications, remove_files
from app.demo.definitions import (
    CONTACT,
    ORGANIZER,
    SERIES,
    Crowd,
    EventDef,
    all_slugs,
    past_events,
    upcoming_events,
)
from app.demo.kpis import load_kpis, reset_kpis
from app.demo.people import People, Person
from app.domain import join_links, manage_links
from app.domain import lottery as lottery_rules
from app.domain.codes import (
    ACTIVE_REGISTRATION_STATUSES,
    AdmissionMode,
    AttendanceMethod,
    EventFormat,
    EventStatus,
    QuestionKind,
    RegistrationStatus,
    Role,
)
from app.domain.dates import to_jst
from app.domain.people import key_of
from app.domain.registrant_list import search_text
from app.extensions import db
from app.models import (
    Attendance,
    AuditLog,
    Event,
    EventSeries,
    EventSession,
    LotteryDraw,
    Organizer,
    OutboxMessage,
    Question,
    Registration,
    ReminderRule,
    SessionChoice,
    Team,
    TeamMember,
    TicketType,
)
from app.services import participation

DEFAULT_SEED = 2021

#: (email, password, role, display name) — printed by `flask demo load`.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str], ...] = (
    ("demo@tsudoi.example.jp", "tsudoi-demo", Role.ADMIN, "デモ管理者（東北経済産業局）"),
    ("viewer@tsudoi.example.jp", "tsudoi-viewer", Role.VIEWER, "デモ閲覧者"),
    ("door@tsudoi.example.jp", "tsudoi-door", Role.CHECKIN, "デモ受付スタッフ"),
    ("reviewer@tsudoi.example.jp", "tsudoi-reviewer", Role.REVIEWER, "デモ審査員（DX大賞 選考委員）"),
)

PURPOSES = ["情報収集のため", "自社の課題解決のヒントを得たい", "導入・連携先を探している", "人脈づくり", "その他"]
QUESTION_SETS: dict[str, list[dict]] = {
    "standard": [
        {"kind": QuestionKind.SINGLE, "label": "参加の目的", "choices": PURPOSES, "required": True},
        {"kind": QuestionKind.TEXTAREA, "label": "講師への質問",
         "help_text": "事前にいただいたご質問は、当日の講演の参考にさせていただきます（任意）。", "required": False},
    ],
    "award": [
        {"kind": QuestionKind.TEXT, "label": "応募する取組の名称", "required": True},
        {"kind": QuestionKind.TEXTAREA, "label": "取組の概要と成果", "help_text": "400字程度でご記入ください。",
         "required": True},
    ],
    "debate": [
        {"kind": QuestionKind.SINGLE, "label": "大会への参加", "choices": ["初めて", "2回目以上"], "required": True},
        {"kind": QuestionKind.TEXTAREA, "label": "配慮が必要な事項（任意）",
         "help_text": "車椅子での来場、食物アレルギーなど。生徒の氏名は書かないでください。", "required": False},
    ],
    "none": [],
}
_SPEAKER_QUESTIONS = (
    "中小企業がDXを始めるとき、最初に取り組むべきことは何でしょうか。",
    "社内にIT人材がいない場合、どのように進めればよいか知りたいです。",
    "補助金や支援制度の活用事例があれば教えてください。",
    "導入効果をどのように測ればよいでしょうか。",
    "経営層と現場の意識の差を埋める工夫を伺いたいです。",
)
_AWARD_ENTRIES = (
    ("受発注業務のデジタル化による生産性向上", "紙とFAXで行っていた受発注をクラウドに移行し、処理時間を6割削減しました。"),
    ("IoTセンサーによる設備稼働の見える化", "設備にセンサーを後付けし、稼働率を可視化して段取り替えの時間を短縮しました。"),
    ("地域の水産加工品のEC販売", "自社ECサイトと顧客データの分析で、リピート購入を2倍に伸ばしました。"),
    ("AIによる需要予測と在庫の最適化", "過去の販売データから需要を予測し、廃棄ロスを削減しました。"),
    ("地域企業のDX伴走支援", "支援機関として、専門家とともに地域企業のDX計画づくりを伴走支援しました。"),
)


class DemoAlreadyLoaded(Exception):
    pass


@dataclass
class LoadResult:
    events: int
    past: int
    upcoming: int
    registrations: int
    seconds: float


def _today(now: datetime):
    return to_jst(now).date()


def demo_event_count(now: datetime) -> int:
    """How many of the demo's events are in the database."""
    slugs = all_slugs(_today(now))
    return db.session.scalar(select(func.count()).select_from(Event).where(Event.slug.in_(slugs))) or 0


def reset_demo(now: datetime) -> int:
    """Delete the demo's events (by their slugs) with their registrations, mails and audit rows.

    Events created by people (any other slug) and the accounts are left alone.
    """
    ids = list(db.session.scalars(select(Event.id).where(Event.slug.in_(all_slugs(_today(now))))))
    reset_kpis()
    if not ids:
        return 0
    remove_files(ids)  # the applications' stored files (their rows go with the registrations)
    for model in (AuditLog, OutboxMessage, Attendance, LotteryDraw, Team, Registration, ReminderRule, Question, TicketType,
                  EventSession):
        db.session.execute(delete(model).where(model.event_id.in_(ids)))
    db.session.execute(delete(Event).where(Event.id.in_(ids)))
    db.session.flush()
    db.session.expire_all()
    # Bulk deletes pass by the statistics' bookkeeping: count what remains again.
    participation.rebuild(now, commit=False)
    return len(ids)


def ensure_accounts() -> Organizer:
    """The demo accounts, created when missing (existing ones are left as they are)."""
    admin = None
    for email, password, role, name in DEMO_ACCOUNTS:
        user = db.session.scalar(select(Organizer).where(func.lower(Organizer.email) == email))
        if user is None:
            user = Organizer(email=email, role=role, display_name=name)
            user.set_password(password)
            db.session.add(user)
        if role == Role.ADMIN:
            admin = user
    db.session.flush()
    return admin


def load_demo(*, now: datetime, seed: int = DEFAULT_SEED, actor: Organizer | None = None) -> LoadResult:
    """Create the demo events and registrants. Refuses when the demo is already loaded."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if demo_event_count(now):
        raise DemoAlreadyLoaded("the demo data is already loaded")
    started = time.perf_counter()
    rng = random.Random(seed)
    people = People(rng)
    admin = actor or ensure_accounts()
    series = _ensure_series()

    definitions = past_events() + upcoming_events(_today(now))
    events: dict[str, Event] = {}
    audit: list[dict] = []
    for definition in definitions:
        event = _build_event(definition, series, events, admin, now)
        events[definition.slug] = event
    db.session.flush()
    for definition in definitions:
        audit.extend(_event_audit(definition, events[definition.slug], admin, now))

    rows: list[dict] = []
    for definition in definitions:
        rows.extend(_registrants(definition, events[definition.slug], people, rng, now))

    # Waiting-list places in the order people joined (services.registrations hands them out so).
    last_seq: Counter = Counter()
    for row in sorted((r for r in rows if r["status"] == RegistrationStatus.WAITLISTED),
                      key=lambda r: (r["ticket_type_id"], r["waitlisted_at"])):
        last_seq[row["ticket_type_id"]] += 1
        row["waitlist_seq"] = last_seq[row["ticket_type_id"]]
    planned = [row.pop("_planned") for row in rows]
    for row in rows:
        row.setdefault("waitlist_seq", None)
        # A Core insert skips the model's listener: the list's search text is written here.
        row["search_text"] = search_text(**{k: row.get(k) or "" for k in (
            "family_name", "given_name", "family_name_kana", "given_name_kana", "organization", "email")})
        row["person_key"] = key_of(row.get("email_normalized") or "")
    if rows:
        ids = db.session.execute(
            insert(Registration).returning(Registration.id, sort_by_parameter_order=True), rows
        ).scalars().all()
        for reg_id, row in zip(ids, rows, strict=True):
            audit.extend(_registration_audit(reg_id, row))
        audit.extend(_draw_lotteries(definitions, events, ids, rows, planned, now))
        attendances = _attendances(definitions, events, ids, rows, seed)
        if attendances:
            db.session.execute(insert(Attendance), attendances)
        choices = _day_choices(definitions, events, ids, rows, attendances, seed)
        if choices:
            db.session.execute(insert(SessionChoice), choices)
        _teams(definitions, events, ids, rows, seed, now)

    confirmed = Counter(row["ticket_type_id"] for row in rows if row["status"] == RegistrationStatus.CONFIRMED)
    for event in events.values():
        for ticket in event.ticket_types:
            ticket.confirmed_count = confirmed.get(ticket.id, 0)
            ticket.waitlist_last_seq = max(last_seq.get(ticket.id, 0), ticket.waitlist_last_seq or 0)
    if audit:
        db.session.execute(insert(AuditLog), audit)
    db.session.flush()
    _assign_door_staff(definitions, events, admin, now)
    load_applications(events, admin=admin, now=now, rng=rng)  # DX大賞: applications, files, review, results
    load_kpis(now=now, rng=rng, actor=admin)
    past = sum(1 for d in definitions if not d.upcoming)
    return LoadResult(events=len(definitions), past=past, upcoming=len(definitions) - past,
                      registrations=len(rows), seconds=time.perf_counter() - started)


def _account_email(role: str) -> str:
    return next(email for email, _password, r, _name in DEMO_ACCOUNTS if r == role)


def _assign_door_staff(definitions, events: dict[str, Event], admin: Organizer, now: datetime) -> None:
    """The demo's door staff account has the 受付 of the upcoming events held at a venue."""
    from app.services import checkin

    staff = db.session.scalar(select(Organizer).where(Organizer.role == Role.CHECKIN,
                                                      func.lower(Organizer.email) == _account_email(Role.CHECKIN)))
    if staff is None:
        return
    for definition in definitions:
        event = events[definition.slug]
        if definition.upcoming and event.format != EventFormat.ONLINE and event.status == EventStatus.PUBLISHED:
            checkin.assign(staff, event, actor=admin, now=now)


# -- events ------------------------------------------------------------------------------------
def _ensure_series() -> dict[str, EventSeries]:
    found = {s.slug: s for s in db.session.scalars(select(EventSeries).where(
        EventSeries.slug.in_([d.slug for d in SERIES])))}
    for definition in SERIES:
        if definition.slug not in found:
            found[definition.slug] = EventSeries(slug=definition.slug, name=definition.name)
            db.session.add(found[definition.slug])
    return found


def _created_at(definition: EventDef, now: datetime) -> datetime:
    anchor = definition.registration_opens_at or (definition.starts_at - timedelta(days=45))
    return min(anchor, now) - timedelta(days=7)


def _build_event(definition: EventDef, series: dict[str, EventSeries], built: dict[str, Event],
                 admin: Organizer, now: datetime) -> Event:
    created = _created_at(definition, now)
    copied = built.get(definition.copied_from) if definition.copied_from else None
    event = Event(
        slug=definition.slug, title=definition.title, summary=definition.summary,
        description=definition.description, category=definition.category, format=definition.format,
        title_en=definition.title_en, summary_en=definition.summary_en, description_en=definition.description_en,
        venue=definition.venue, address=definition.address, prefecture=definition.prefecture,
        online_url=definition.online_url, organizer_name=ORGANIZER,
        co_organizers="\n".join(definition.co_organizers), contact=CONTACT, status=definition.status,
        status_reason=definition.status_reason, registration_opens_at=definition.registration_opens_at,
        registration_closes_at=definition.registration_closes_at, admission_mode=definition.admission_mode,
        waitlist_enabled=definition.waitlist_enabled, one_per_organization=definition.one_per_organization,
        choose_sessions=definition.choose_sessions,
        consent_text=definition.consent_text, starts_at=definition.starts_at, series=series[definition.series],
        completion_min_sessions=definition.completion_min_sessions,
        team_mode=definition.team_mode, team_min_members=definition.team_min_members,
        team_max_members=definition.team_max_members, team_consent_text=definition.team_consent_text,
        team_erase_days=definition.team_erase_days,
        copied_from_id=copied.id if copied is not None else None, created_by_id=admin.id,
        created_at=created, updated_at=created,
    )
    if definition.admission_mode == AdmissionMode.LOTTERY:
        # 抽選: the seed is committed (its hash published) when the event is made, long before
        # applications close; the draw time is two days after they close (the jobs draw then).
        event.lottery_seed = lottery_rules.new_seed()
        event.lottery_seed_hash = lottery_rules.seed_hash(event.lottery_seed)
        event.lottery_losers = lottery_rules.LOSERS_WAITLIST if definition.waitlist_enabled else lottery_rules.LOSERS_LOST
        closes = definition.registration_closes_at or definition.starts_at
        event.lottery_draw_at = _draw_at(closes)
        event.lottery_confirm_days = 7 if definition.upcoming else None
    for i, s in enumerate(definition.sessions):
        capacity = definition.day_capacities[i] if i < len(definition.day_capacities) else None
        event.sessions.append(EventSession(title=s.title, starts_at=s.starts_at, ends_at=s.ends_at, venue=s.venue,
                                           is_online=s.is_online, capacity=capacity))
    for position, t in enumerate(definition.tickets):
        event.ticket_types.append(TicketType(name=t.name, capacity=t.capacity, description=t.description,
                                             position=position, confirmed_count=0))
    for position, q in enumerate(QUESTION_SETS[definition.questions]):
        event.questions.append(Question(position=position, kind=str(q["kind"]), label=q["label"],
                                        help_text=q.get("help_text", ""), choices=list(q.get("choices", [])),
                                        required=q["required"]))
    if definition.reminders:
        for days in (7, 1):
            event.reminder_rules.append(ReminderRule(days_before=days, send_time="10:00"))
    db.session.add(event)
    db.session.flush()  # ids, so that later editions can point at this one
    return event


def _draw_at(closes: datetime) -> datetime:
    """The lottery's draw: two days after applications close."""
    return closes + timedelta(days=2)


def _cancelled_at(definition: EventDef) -> datetime:
    return definition.starts_at - timedelta(days=40)


def _event_audit(definition: EventDef, event: Event, admin: Organizer, now: datetime) -> list[dict]:
    def row(action: str, at: datetime, **data) -> dict:
        return {"created_at": min(at, now), "actor_id": admin.id, "actor_label": admin.email, "action": action,
                "event_id": event.id, "registration_id": None, "data": {"source": "demo", **data}}

    out = [row("event.created", event.created_at, title=event.title)]
    if definition.copied_from:
        out[0]["data"]["copied_from"] = definition.copied_from
    if event.lottery_seed_hash:
        out.append(row("lottery.seed_committed", event.created_at, seed_hash=event.lottery_seed_hash,
                       algorithm=lottery_rules.ALGORITHM))
    out.append(row("event.published", event.created_at + timedelta(days=3)))
    if definition.status == EventStatus.CANCELLED:
        out.append(row("event.cancelled", _cancelled_at(definition), reason=definition.status_reason))
    elif definition.status == EventStatus.FINISHED:
        ends = max(s.ends_at for s in definition.sessions)
        out.append(row("event.finished", ends + timedelta(days=1)))
    return out


# -- registrants ---------------------------------------------------------------------------------
def _org_types(crowd: Crowd, rng: random.Random) -> list[str]:
    if crowd.exact is not None:
        types = [t for t, n in crowd.exact.items() for _ in range(n)]
        rng.shuffle(types)
        return types
    keys = list(crowd.mix)
    return rng.choices(keys, weights=[crowd.mix[k] for k in keys], k=crowd.count)


def _answers(event: Event, person: Person, rng: random.Random) -> dict:
    answers: dict[str, str] = {}
    for q in event.questions:
        if q.kind == QuestionKind.SINGLE:
            answers[str(q.id)] = rng.choices(q.choices, weights=[5, 4, 2, 2, 1][: len(q.choices)])[0]
        elif q.label.startswith("配慮が必要な事項"):
            continue  # optional, and nothing to ask for most teams
        elif q.label == "講師への質問":
            if rng.random() < 0.25:
                answers[str(q.id)] = rng.choice(_SPEAKER_QUESTIONS)
        elif q.kind == QuestionKind.TEXT:
            answers[str(q.id)] = rng.choice(_AWARD_ENTRIES)[0]
        elif q.kind == QuestionKind.TEXTAREA:
            answers[str(q.id)] = rng.choice(_AWARD_ENTRIES)[1]
    return answers


def _registrants(definition: EventDef, event: Event, people: People, rng: random.Random,
                 now: datetime) -> list[dict]:
    opens = definition.registration_opens_at or (definition.starts_at - timedelta(days=42))
    closes = definition.registration_closes_at or definition.starts_at
    if definition.status == EventStatus.CANCELLED:
        closes = min(closes, _cancelled_at(definition))
    latest = min(closes, now) - timedelta(minutes=5)
    span = max((latest - opens).total_seconds(), 60.0)
    lottery_drawn = definition.admission_mode == AdmissionMode.LOTTERY and closes < now
    drawn_at = closes + timedelta(days=2)
    first_start = definition.starts_at
    in_person = not all(s.is_online for s in definition.sessions)

    secret_key = current_app.config["SECRET_KEY"]  # the private links are derived from it
    emails: set[str] = set()
    orgs: set[str] = set()
    rows: list[dict] = []
    for crowd in definition.crowds:
        ticket = event.ticket_types[crowd.ticket]
        attended = set(rng.sample(range(crowd.count), crowd.attended))
        for i, org_type in enumerate(_org_types(crowd, rng)):
            exclude_orgs = orgs if definition.one_per_organization else None
            if i < len(crowd.organizations):
                person = people.new_person(org_type, organization=crowd.organizations[i],
                                           department=crowd.department, job_title=crowd.job_title)
            else:
                person = people.person(org_type, exclude=emails, executive=crowd.executive, flavour=crowd.flavour,
                                       exclude_orgs=exclude_orgs)
                if crowd.job_title or crowd.department is not None:
                    person = people.new_person(org_type, organization=(person.organization, person.prefecture),
                                               department=crowd.department, job_title=crowd.job_title)
            emails.add(person.email)
            orgs.add(person.organization_key)

            created = (opens + timedelta(seconds=span * rng.betavariate(2.0, 1.3))).replace(microsecond=0)
            status = crowd.status
            checked_in = None
            if i in attended:
                minutes = rng.uniform(-25, 10) if in_person else rng.uniform(-10, 15)
                checked_in = (first_start + timedelta(minutes=minutes)).replace(microsecond=0)
            confirmed_at = None
            if status == RegistrationStatus.CONFIRMED:
                confirmed_at = drawn_at if lottery_drawn else created
            cancelled_at = _cancelled_at(definition) if status == RegistrationStatus.CANCELLED else None
            touched = [t for t in (created, confirmed_at, cancelled_at, checked_in) if t is not None]
            if status == RegistrationStatus.LOST:
                touched.append(drawn_at)
            planned = None
            if lottery_drawn and status in (RegistrationStatus.CONFIRMED, RegistrationStatus.LOST):
                # an application: the draw (services.lottery, in load_demo) decides who wins; the
                # winners then get the crowd's attendance
                planned = {"checked_in_at": checked_in}
                status, confirmed_at, checked_in = RegistrationStatus.APPLIED, None, None
                touched = [created]
            active = status in ACTIVE_REGISTRATION_STATUSES
            rows.append({
                "_planned": planned,
                "event_id": event.id,
                "ticket_type_id": ticket.id,
                "status": status,
                **manage_links.new_link_columns(secret_key),
                "email": person.email,
                "email_normalized": person.email.lower(),
                "family_name": person.family_name,
                "given_name": person.given_name,
                "family_name_kana": person.family_name_kana,
                "given_name_kana": person.given_name_kana,
                "phone": person.phone,
                "organization": person.organization,
                "organization_key": person.organization_key,
                "organization_lock_key": person.organization_key
                if definition.one_per_organization and active else None,
                "department": person.department,
                "job_title": person.job_title,
                "organization_type": person.organization_type,
                "prefecture": person.prefecture,
                "corporate_number": "",
                "answers": _answers(event, person, rng),
                "consent_at": created,
                "opt_in_announcements": rng.random() < 0.4,
                "language": "ja",
                "waitlisted_at": created if status == RegistrationStatus.WAITLISTED else None,
                "confirmed_at": confirmed_at,
                "cancelled_at": cancelled_at,
                "checked_in_at": checked_in,
                "capacity_override": False,
                "note": crowd.note,
                "created_at": created,
                "updated_at": min(max(touched), now),
            })
    return rows


def _draw_lotteries(definitions: list[EventDef], events: dict[str, Event], ids: list[int], rows: list[dict],
                    planned: list[dict | None], now: datetime) -> list[dict]:
    """Draw the past lotteries through services.lottery, as the jobs did two days after applications closed.

    The draw decides who won (its record is what `flask lottery verify` checks); the rows are
    brought in step with it, and the winners get the attendance the crowd planned for its
    confirmed registrants. Returns the audit rows of the winners' check-ins.
    """
    from app.services import lottery

    out: list[dict] = []
    by_event: dict[int, list[tuple[int, dict, dict]]] = {}
    for reg_id, row, plan in zip(ids, rows, planned, strict=True):
        if plan is not None:
            by_event.setdefault(row["event_id"], []).append((reg_id, row, plan))
    for definition in definitions:
        event = events[definition.slug]
        entries = by_event.get(event.id)
        if not entries:
            continue
        drawn_at = _draw_at(definition.registration_closes_at or definition.starts_at)
        final_status = event.status
        event.status = EventStatus.CLOSED  # as it was then: applications closed, the event not held yet
        db.session.flush()
        records = lottery.draw(event, now=drawn_at, actor_label="system", notify=False)
        event = db.session.get(Event, event.id)
        event.status = final_status
        winners = {rid for d in records for rid in d.winners}
        check_ins = sorted(p["checked_in_at"] for _i, _r, p in entries if p["checked_in_at"] is not None)
        for reg_id, row, _plan in sorted(entries, key=lambda e: e[0]):
            registration = db.session.get(Registration, reg_id)
            row.update(status=registration.status, confirmed_at=registration.confirmed_at,
                       waitlist_seq=registration.waitlist_seq, updated_at=drawn_at)
            if reg_id in winners and check_ins:
                row["checked_in_at"] = check_ins.pop(0)
                registration.checked_in_at = row["checked_in_at"]
                registration.updated_at = min(row["checked_in_at"], now)
                out.append({"created_at": row["checked_in_at"], "actor_id": None, "actor_label": "system",
                            "action": "attendance.recorded", "event_id": event.id,
                            "registration_id": reg_id,
                            "data": {"session_id": event.sessions[0].id, "method": "door", "source": "demo"}})
        db.session.flush()
    return out


def _attendances(definitions: list[EventDef], events: dict[str, Event], ids: list[int], rows: list[dict],
                 seed: int) -> list[dict]:
    """Attendance rows of the past events' attendees (those with ``checked_in_at``).

    Each attendee attended the first session at ``checked_in_at`` (kept the time of the first
    attendance) and, as the definition's attendance profile says, some of the later ones at the same
    offset from their start: ``online`` for a session held online, ``door`` otherwise.
    """
    by_event: dict[int, list[tuple[int, dict]]] = {}
    for reg_id, row in zip(ids, rows, strict=True):
        if row["checked_in_at"] is not None:
            by_event.setdefault(row["event_id"], []).append((reg_id, row))
    out: list[dict] = []
    for definition in definitions:
        event = events[definition.slug]
        attendees = by_event.get(event.id, [])
        sessions = sorted(event.sessions, key=lambda s: (s.starts_at, s.id))
        if not attendees or not sessions:
            continue
        rng = random.Random(f"{seed}:{definition.slug}:attendance")
        if definition.attendance_profile is None:
            counts = [len(sessions)] * len(attendees)
        else:
            counts = [k for n, k in definition.attendance_profile for _ in range(n)]
            if len(counts) != len(attendees):
                raise ValueError(f"{definition.slug}: the attendance profile does not add up to the attendees")
            rng.shuffle(counts)
        for (reg_id, row), k in zip(attendees, counts, strict=True):
            offset = row["checked_in_at"] - sessions[0].starts_at
            chosen = [sessions[0], *sorted(rng.sample(sessions[1:], k - 1), key=lambda s: s.starts_at)]
            for s in chosen:
                online = join_links.is_online_session(event.format, s.is_online)
                out.append({"event_id": event.id, "session_id": s.id, "registration_id": reg_id,
                            "method": AttendanceMethod.ONLINE if online else AttendanceMethod.DOOR,
                            "attended_at": s.starts_at + offset, "recorded_by_id": None, "minutes": None,
                            "client_ref": None})
    return out


def _day_choices(definitions: list[EventDef], events: dict[str, Event], ids: list[int], rows: list[dict],
                 attendances: list[dict], seed: int) -> list[dict]:
    """The days chosen by the registrants of per-day events (Event.choose_sessions), with the days' counters.

    An attendee chose the days they attended (and now and then one more they missed); others chose one
    or more days by the days' weights. In the order people registered, a confirmed registrant gets a
    seat on a day while it has one, else a place in its line (as services.session_choices decides).
    """
    attended: dict[int, set[int]] = {}
    for a in attendances:
        attended.setdefault(a["registration_id"], set()).add(a["session_id"])
    by_event: dict[int, list[tuple[int, dict]]] = {}
    for reg_id, row in zip(ids, rows, strict=True):
        by_event.setdefault(row["event_id"], []).append((reg_id, row))
    out: list[dict] = []
    for definition in definitions:
        if not definition.choose_sessions:
            continue
        event = events[definition.slug]
        sessions = sorted(event.sessions, key=lambda s: (s.starts_at, s.id))
        weights = list(definition.day_weights) or [1] * len(sessions)
        rng = random.Random(f"{seed}:{definition.slug}:days")
        for s in sessions:
            s.confirmed_count, s.waitlist_last_seq = 0, 0
        for reg_id, row in sorted(by_event.get(event.id, []), key=lambda item: (item[1]["created_at"], item[0])):
            days = set(attended.get(reg_id, ()))
            if days:  # an attendee chose the days they came, now and then one more they missed
                wanted = min(len(days) + (1 if rng.random() < 0.15 else 0), len(sessions))
            else:  # one day most often, sometimes more
                wanted = min(rng.choices((1, 2, 3, 4), weights=(5, 3, 2, 1))[0], len(sessions))
            while len(days) < wanted:
                days.add(rng.choices(sessions, weights=weights)[0].id)
            for s in sessions:
                if s.id not in days:
                    continue
                choice = {"registration_id": reg_id, "session_id": s.id, "created_at": row["created_at"],
                          "capacity_override": False, "waitlist_seq": None, "waitlisted_at": None,
                          "confirmed_at": None}
                if row["status"] == RegistrationStatus.CANCELLED:
                    choice["status"] = "cancelled"
                elif row["status"] != RegistrationStatus.CONFIRMED:
                    choice["status"] = "pending"
                elif s.capacity is None or s.confirmed_count < s.capacity:
                    s.confirmed_count += 1
                    choice.update(status="confirmed", confirmed_at=row["confirmed_at"])
                else:
                    s.waitlist_last_seq += 1
                    choice.update(status="waitlisted", waitlist_seq=s.waitlist_last_seq,
                                  waitlisted_at=row["created_at"])
                out.append(choice)
    return out


HACKATHON_TEAM_NAMES = ("スマート農業ラボ", "見える化工房", "りんごIoT研究会", "港の温度計", "雪国センサーズ",
                        "ものづくりDX班", "ねぶたハッカーズ")


def _teams(definitions: list[EventDef], events: dict[str, Event], ids: list[int], rows: list[dict], seed: int,
           now: datetime) -> None:
    """Teams of the team events: each teacher's registration names 3-4 students (names erased once the
    event's retention date has passed, the counts kept); hackathon registrants grouped by invite code."""
    from app.demo.people import FAMILY_NAMES, GIVEN_NAMES
    from app.domain import teams as team_rules

    rng = random.Random(seed + 11)
    by_event: dict[int, list[tuple[int, dict]]] = {}
    for reg_id, row in zip(ids, rows, strict=True):
        by_event.setdefault(row["event_id"], []).append((reg_id, row))
    for definition in definitions:
        if not definition.team_mode:
            continue
        event = events[definition.slug]
        members = by_event.get(event.id, [])
        if definition.team_mode == "team":
            erase_at = team_rules.erase_due_at(max(s.ends_at or s.starts_at for s in definition.sessions),
                                               definition.team_erase_days)
            erased = erase_at is not None and erase_at <= now
            divisions = {tt.id: i for i, tt in enumerate(event.ticket_types)}
            for reg_id, row in members:
                school = row["organization"]
                stage = "高校" if divisions.get(row["ticket_type_id"]) == 0 else "中学"
                team = Team(event_id=event.id, registration_id=reg_id, created_at=row["created_at"],
                            updated_at=row["created_at"], name=school.replace("高等学校", "高校") + "ディベート部",
                            members_erased_at=erase_at if erased else None)
                size = rng.randint(definition.team_min_members or 3, definition.team_max_members or 4)
                for position in range(size):
                    family, family_kana, _r = rng.choice(FAMILY_NAMES)
                    given, given_kana, _r = rng.choice(GIVEN_NAMES)
                    grade = f"{stage}{rng.choice((1, 2, 2, 3))}年"
                    team.members.append(TeamMember(
                        position=position, grade=grade,
                        **({} if erased else {"family_name": family, "given_name": given,
                                              "family_name_kana": family_kana, "given_name_kana": given_kana})))
                db.session.add(team)
        else:
            active = [reg_id for reg_id, row in members if row["status"] in ACTIVE_REGISTRATION_STATUSES]
            rng.shuffle(active)
            # Groups of 4 or 5; the last two or three stay without a team (to be formed on the day).
            grouped, i, name = [], 0, 0
            while len(active) - i >= 4 + (2 if definition.upcoming else 0):
                size = rng.choice((4, 5)) if len(active) - i >= 5 else 4
                grouped.append(active[i:i + size])
                i += size
            for group in grouped:
                team = Team(event_id=event.id, name=HACKATHON_TEAM_NAMES[name % len(HACKATHON_TEAM_NAMES)],
                            invite_code=team_rules.new_invite_code(), created_at=now, updated_at=now)
                name += 1
                team.members.extend(TeamMember(registration_id=reg_id, position=p) for p, reg_id in enumerate(group))
                db.session.add(team)
    db.session.flush()


def _registration_audit(registration_id: int, row: dict) -> list[dict]:
    def audit(action: str, at: datetime, actor: str, **data) -> dict:
        return {"created_at": at, "actor_id": None, "actor_label": actor, "action": action,
                "event_id": row["event_id"], "registration_id": registration_id,
                "data": {"source": "demo", **data}}

    status = row["status"]
    initial = RegistrationStatus.APPLIED if status == RegistrationStatus.LOST or (
        status == RegistrationStatus.CONFIRMED and row["confirmed_at"] != row["created_at"]) else status
    if status == RegistrationStatus.CANCELLED:
        initial = RegistrationStatus.CONFIRMED
    out = [audit("registration.created", row["created_at"], "registrant", status=str(initial))]
    if status == RegistrationStatus.LOST:
        out.append(audit("registration.lottery_lost", row["updated_at"], "system"))
    elif initial == RegistrationStatus.APPLIED and status == RegistrationStatus.CONFIRMED:
        out.append(audit("registration.lottery_won", row["confirmed_at"], "system"))
    elif status == RegistrationStatus.CANCELLED:
        out.append(audit("registration.cancelled", row["cancelled_at"], "system", reason="event cancelled"))
    if row["checked_in_at"] is not None:
        out.append(audit("attendance.recorded", row["checked_in_at"], "system", method="door"))
    return out
