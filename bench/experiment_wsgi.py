"""Tsudoi with a candidate optimisation applied in memory, to measure a proposal (not used by `make bench`).

    .venv/bin/python bench/flash_crowd.py --tsudoi-app bench.experiment_wsgi:app

precheck: a first-come 参加枠 without a waiting list that is already full (read without a
lock, in the event load the API view does anyway) answers "full" at once, before
SELECT ... FOR UPDATE, so the 1,900 refusals of a flash crowd no longer queue on the
row lock. Seats are still taken only under the lock, so it cannot oversell; a seat freed
by a cancellation a moment earlier is seen by the next request. (A real patch would do
the unlocked email look-up first, so that someone already registered still gets the
manage-link mail rather than "full".)
"""
from __future__ import annotations

from app import create_app
from app.services import registrations as service

_register = service.register


def register(event, data, *, now, language="ja", actor=None):
    if actor is None and not event.waitlist_enabled and event.admission_mode == "first_come":
        tt = next((t for t in event.ticket_types if t.id == data.ticket_type_id), None)
        if tt is not None and tt.capacity is not None and tt.confirmed_count >= tt.capacity:
            raise service.Full(service.FULL_MESSAGE)
    return _register(event, data, now=now, language=language, actor=actor)


service.register = register
app = create_app()
