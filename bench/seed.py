"""Create the benchmark's events in Tsudoi's database (run as a subprocess by flash_crowd.py).

Tsudoi reads its configuration (DATABASE_URL, ...) from the environment when
`config` is imported, so each database gets its own process. Reads a JSON list
of {"key": ..., "capacity": int | null} on stdin, writes {key: [event_id,
ticket_type_id]} as JSON on stdout: published first-come events, open for
registration now, with one 参加枠 and no waiting list.

For the check-in benchmark (bench/checkin.py) an item may also ask for
``"registrants": N`` confirmed registrations, ``"door_staff": M`` accounts of role
checkin assigned to the event with one API token each, and ``"starts_now": true``
(the event's session is today); their 受付票 QR payloads and the tokens are written
as JSON to the file ``"out"`` names.
"""
from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.db_types import utcnow  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Event, EventSession, TicketType  # noqa: E402


def _people_and_door(app, event, item, now) -> None:
    """Confirmed registrants and assigned door staff with tokens (see the module's docstring)."""
    import secrets

    from app.domain import manage_links
    from app.domain.codes import Role
    from app.models import ApiToken, CheckinAssignment, Organizer, Registration
    from app.services import tickets

    secret = app.config["SECRET_KEY"]
    tt = event.ticket_types[0]
    kana = ["ヤマダ", "サトウ", "スズキ", "タカハシ", "タナカ", "イトウ", "ワタナベ", "ナカムラ"]
    regs = []
    for i in range(item.get("registrants", 0)):
        reg = Registration(
            event_id=event.id, ticket_type_id=tt.id, status="confirmed", email=f"door{i}@example.jp",
            email_normalized=f"door{i}@example.jp", family_name="計測", given_name=f"太郎{i}",
            family_name_kana=kana[i % len(kana)], given_name_kana="タロウ", organization=f"株式会社計測{i}",
            organization_type="company", prefecture="04", consent_at=now, confirmed_at=now, created_at=now,
            updated_at=now, **manage_links.new_link_columns(secret))
        db.session.add(reg)
        regs.append(reg)
    tt.confirmed_count = len(regs)
    db.session.flush()
    tokens = []
    for m in range(item.get("door_staff", 0)):
        staff = Organizer(email=f"door-phone-{event.id}-{m}@example.jp", role=Role.CHECKIN,
                          display_name=f"受付{m + 1}", password_hash="!")
        db.session.add(staff)
        db.session.flush()
        db.session.add(CheckinAssignment(organizer_id=staff.id, event_id=event.id, created_at=now))
        token = secrets.token_urlsafe(32)
        db.session.add(ApiToken(organizer_id=staff.id, token_hash=ApiToken.hash_token(token), name="bench",
                                created_at=now))
        tokens.append(token)
    db.session.flush()
    Path(item["out"]).write_text(json.dumps({
        "codes": [tickets.ticket_code(r, secret) for r in regs],
        "ids": [r.id for r in regs],
        "tokens": tokens,
    }))


def main() -> None:
    wanted = json.load(sys.stdin)
    app = create_app()
    now = utcnow()
    created = {}
    with app.app_context():
        for n, item in enumerate(wanted):
            starts = now if item.get("starts_now") else (now + timedelta(days=30)).replace(minute=0, second=0,
                                                                                          microsecond=0)
            event = Event(
                title=f"フラッシュクラウド計測 {item['key']}",
                slug=f"bench-{item['key']}-{n}",
                status="published",
                starts_at=starts,
                registration_opens_at=now - timedelta(days=1),
                registration_closes_at=starts - timedelta(hours=1),
                prefecture="04",
                admission_mode="first_come",
                waitlist_enabled=False,
                consent_text="計測用のイベントです。",
            )
            event.sessions.append(EventSession(starts_at=starts, ends_at=starts + timedelta(hours=2)))
            event.ticket_types.append(TicketType(name="一般", capacity=item["capacity"], position=0))
            db.session.add(event)
            db.session.flush()
            created[item["key"]] = [event.id, event.ticket_types[0].id]
            if item.get("registrants") or item.get("door_staff"):
                _people_and_door(app, event, item, now)
        db.session.commit()
    json.dump(created, sys.stdout)


if __name__ == "__main__":
    main()
