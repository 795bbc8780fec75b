"""Factories for tests: plain functions that build rows with sensible defaults."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from app.db_types import utcnow
from app.domain.codes import Role
from app.extensions import db
from app.models import Event, EventSession, Organizer, TicketType

_seq = itertools.count(1)
DEFAULT_PASSWORD = "correct horse battery"


def create_organizer(*, email: str | None = None, role: str = Role.ORGANIZER, password: str = DEFAULT_PASSWORD,
                     display_name: str | None = None) -> Organizer:
    n = next(_seq)
    user = Organizer(email=email or f"staff{n}@example.jp", role=role, display_name=display_name or f"担当者{n}")
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def create_event(*, title: str | None = None, slug: str | None = None, status: str = "published",
                 starts_at: datetime | None = None, capacity: int | None = 30, sessions: int = 1,
                 ticket_types: list[tuple[str, int | None]] | None = None, commit: bool = True,
                 **fields) -> Event:
    """A published event, open for registration now, starting in 30 days."""
    n = next(_seq)
    now = utcnow()
    starts_at = starts_at or (now + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    fields.setdefault("registration_opens_at", now - timedelta(days=1))
    fields.setdefault("registration_closes_at", starts_at - timedelta(hours=1))
    fields.setdefault("prefecture", "04")
    fields.setdefault("consent_text", "ご記入いただいた個人情報は本イベントの運営にのみ利用します。")
    event = Event(title=title or f"テストセミナー{n}", slug=slug or f"test-event-{n}", status=status,
                  starts_at=starts_at, **fields)
    for i in range(sessions):
        start = starts_at + timedelta(days=i)
        event.sessions.append(EventSession(title=f"{i + 1}日目" if sessions > 1 else "", starts_at=start,
                                           ends_at=start + timedelta(hours=2)))
    for i, (name, cap) in enumerate(ticket_types or [("一般", capacity)]):
        event.ticket_types.append(TicketType(name=name, capacity=cap, position=i))
    db.session.add(event)
    if commit:
        db.session.commit()
    return event


def registration_data(event, n: int | None = None, **overrides) -> dict:
    """Raw registration input (as the form or the API would send it)."""
    n = n if n is not None else next(_seq)
    data = {
        "family_name": "山田",
        "given_name": f"太郎{n}",
        "family_name_kana": "やまだ",
        "given_name_kana": "たろう",
        "email": f"taro{n}@example.jp",
        "phone": "022-221-4876",
        "organization": f"株式会社テスト{n}",
        "department": "DX推進室",
        "job_title": "課長",
        "organization_type": "company",
        "prefecture": "04",
        "corporate_number": "",
        "ticket_type_id": event.ticket_types[0].id,
        "answers": {},
        "consent": True,
        "opt_in_announcements": False,
    }
    data.update(overrides)
    return data


def team_data(name: str = "仙台第一高校A", members: int = 4, grade: str = "高校2年", **overrides) -> dict:
    """A team as the API's "team" object gives it (members: name, kana, grade; no contact data)."""
    given = ["花子", "次郎", "三郎", "四郎", "五郎", "六子", "七海", "八雲"]
    data = {"name": name, "consent": True, "members": [
        {"family_name": "佐藤", "given_name": given[i % len(given)], "family_name_kana": "さとう",
         "given_name_kana": "はなこ", "grade": grade} for i in range(members)]}
    data.update(overrides)
    return data


def legacy_registration(registration, token: str) -> None:
    """Make `registration` look migrated from plain-text tokens: its link is `token`, known only by its hash."""
    registration.manage_token = token  # the setter keeps the hash only, with no salt
    db.session.commit()


def register(event, n: int | None = None, now=None, commit: bool = True, **overrides):
    """Register through the service, commit (unless told not to), and return the RegisterResult.

    The registration's link is derived, never stored: `result.registration.manage_token`
    (or app.urls.manage_url) gives it.
    """
    from app.domain.registration_input import QuestionSpec, clean_registration
    from app.services import registrations

    raw = registration_data(event, n, **overrides)
    if event.choose_sessions:  # per-day events: every day unless the test chooses (`sessions=[ids]`)
        raw.setdefault("sessions", [s.id for s in event.sessions])
    clean, errors = clean_registration(
        raw,
        questions=[QuestionSpec(q.id, q.kind, q.required, q.choices) for q in event.questions],
        ticket_type_ids=[tt.id for tt in event.ticket_types],
        session_ids=[s.id for s in event.sessions] if event.choose_sessions else None,
    )
    assert not errors, errors
    if raw.get("team") is not None:  # a team registration (app.domain.teams)
        from app.domain import teams

        clean.team, team_errors = teams.clean_team(raw["team"], teams.rules_of(event))
        assert not team_errors, team_errors
    result = registrations.register(event, clean, now=now or utcnow())
    if commit:
        db.session.commit()
    return result


def create_api_token(organizer, *, revoked: bool = False, name: str = "test",
                     expires_at: datetime | None = None) -> str:
    """A new API token for `organizer` (returns the plain token; only its hash is stored)."""
    import secrets

    from app.models import ApiToken

    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(organizer_id=organizer.id, token_hash=ApiToken.hash_token(token), name=name,
                            created_at=utcnow(), revoked_at=utcnow() if revoked else None, expires_at=expires_at))
    db.session.commit()
    return token
