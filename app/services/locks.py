"""The one locking discipline for every state change of a registration.

Every transaction that changes who holds a seat or a place in line (register,
cancel, restore, move, promote, approve/reject, draw, a capacity edit, the
event's cancellation, postponement, rescheduling or admission-mode change)
does these steps, in this order, through the functions of this module:

1. **Lock the event row.** ``exclusive`` (``FOR UPDATE``) when the change is
   about the event itself (status, dates, admission mode, its 参加枠), when it
   moves a registration between 参加枠, or when it must compare registrations
   across 参加枠 (one per organisation). Otherwise ``shared`` (``FOR KEY SHARE``):
   changes to single registrations run side by side, and an exclusive change
   waits for all of them (and they for it).
2. **Lock the 参加枠 rows it touches, in id order** (``FOR NO KEY UPDATE``).
2b. **In an event whose registrants choose sessions (days)** (``Event.choose_sessions``):
   **lock the session rows, in id order** (``FOR NO KEY UPDATE``; ``sessions``). A
   session row is its day's capacity lock: its counter, its waiting list and every
   registrant's choice of that day (app.models.session_choices) change only while
   it is held. Every change to a registration of such an event locks all of the
   event's sessions (``event_sessions``; a handful of rows), after its 参加枠 and
   before the registration, so a freed day goes to the next in that day's line
   without taking locks out of order.
3. **Lock the registration rows, in id order** (``FOR NO KEY UPDATE``).
3b. **Teams** (app.models.teams): after the registrations, **lock the team rows, in id
   order** (``FOR NO KEY UPDATE``; ``teams``). A team row guards its member list (a
   hackathon team's size when someone joins by invite code; a team registration's members
   are changed under its registration's lock, and counted against its 参加枠's
   ``member_capacity`` under the 参加枠's lock of step 2).
4. **Re-read** every locked row (``populate_existing``) and decide only on what
   was re-read, never on objects loaded before the locks. Because a move holds
   the event exclusively, a registration's 参加枠 read under a shared event
   lock stays its 参加枠 until the transaction ends.
5. **Write**, and queue the mails (which are checked again when sent).

Why these lock strengths: inserting a registration takes ``FOR KEY SHARE`` on
its event and 参加枠 rows by itself (foreign key checks). ``FOR UPDATE`` on the
event conflicts with it, so an event change waits for registrations in flight;
``FOR NO KEY UPDATE`` on a 参加枠 does not, so cancellations do not queue behind
registrations that have not yet claimed their seat.

A new registration also takes its email's slot in the unique index of active
registrations when its row is inserted: ``register`` inserts the row before it
locks (or claims) the 参加枠, so the order is event → email slot → 参加枠 on both
of its paths, and an organizer's restore (which takes the slot last) holds the
event exclusively, so no registration is in flight beside it. The flash-crowd
path claims its seat by one conditional UPDATE of the 参加枠 row, after the
event's key-share lock and re-read (see services.registrations).

SQLite has no row locks: a write transaction begins ``IMMEDIATE``
(app.database) and holds the database's write lock, so steps 1-3 are implied;
the re-read of step 4 still matters.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.extensions import db
from app.models import Event, EventSession, Registration, TicketType


def event(event_id: int, *, exclusive: bool) -> Event:
    """Step 1: lock the event row and re-read it."""
    stmt = select(Event).where(Event.id == event_id)
    stmt = stmt.with_for_update() if exclusive else stmt.with_for_update(read=True, key_share=True)
    return db.session.scalars(stmt.execution_options(populate_existing=True)).one()


def ticket_types(ids: Iterable[int]) -> dict[int, TicketType]:
    """Step 2: lock the 参加枠 rows in id order and re-read them."""
    locked = {}
    for tt_id in sorted(set(ids)):
        stmt = select(TicketType).where(TicketType.id == tt_id).with_for_update(key_share=True)
        locked[tt_id] = db.session.scalars(stmt.execution_options(populate_existing=True)).one()
    return locked


def ticket_type(tt_id: int) -> TicketType:
    return ticket_types([tt_id])[tt_id]


def sessions(ids: Iterable[int]) -> dict[int, EventSession]:
    """Step 2b: lock session rows (days with their own capacity) in id order and re-read them."""
    locked = {}
    for session_id in sorted(set(ids)):
        stmt = select(EventSession).where(EventSession.id == session_id).with_for_update(key_share=True)
        locked[session_id] = db.session.scalars(stmt.execution_options(populate_existing=True)).one()
    return locked


def event_sessions(locked_event: Event) -> dict[int, EventSession]:
    """Step 2b for a (locked, re-read) event: all of its sessions when its registrants choose them, else none."""
    if not locked_event.choose_sessions:
        return {}
    return sessions(db.session.scalars(select(EventSession.id).where(EventSession.event_id == locked_event.id)))


def registration(registration_id: int) -> Registration:
    """Step 3: lock one registration row and re-read it."""
    stmt = select(Registration).where(Registration.id == registration_id).with_for_update(key_share=True)
    return db.session.scalars(stmt.execution_options(populate_existing=True)).one()


def teams(ids: Iterable[int]) -> dict:
    """Step 3b: lock team rows in id order and re-read them."""
    from app.models.teams import Team

    locked = {}
    for team_id in sorted(set(ids)):
        stmt = select(Team).where(Team.id == team_id).with_for_update(key_share=True)
        locked[team_id] = db.session.scalars(stmt.execution_options(populate_existing=True)).one()
    return locked


def current_ticket_type_id(registration_id: int) -> int:
    """A registration's 参加枠 as it is now (read after the event lock; stable until commit, see step 4)."""
    return db.session.scalar(select(Registration.ticket_type_id).where(Registration.id == registration_id))


def for_registration(registration_id: int, event_id: int, *, exclusive: bool = False
                     ) -> tuple[Event, TicketType, Registration]:
    """Steps 1-4 for a change to one registration within its own 参加枠 (and the days of a per-day event)."""
    locked_event = event(event_id, exclusive=exclusive)
    tt = ticket_type(current_ticket_type_id(registration_id))
    event_sessions(locked_event)
    return locked_event, tt, registration(registration_id)
