"""Create the benchmark's events in Tsudoi's database (run as a subprocess by flash_crowd.py).

Tsudoi reads its configuration (DATABASE_URL, ...) from the environment when
`config` is imported, so each database gets its own process. Reads a JSON list
of {"key": ..., "capacity": int | null} on stdin, writes {key: [event_id,
ticket_type_id]} as JSON on stdout: published first-come events, open for
registration now, with one 参加枠 and no waiting list.
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


def main() -> None:
    wanted = json.load(sys.stdin)
    app = create_app()
    now = utcnow()
    starts = (now + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    created = {}
    with app.app_context():
        for n, item in enumerate(wanted):
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
        db.session.commit()
    json.dump(created, sys.stdout)


if __name__ == "__main__":
    main()
