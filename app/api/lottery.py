"""The lottery (抽選) in the API: draw (organizers), and the public record (seed hash, then seed and order)."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from app.api import bp
from app.api.auth import current_organizer, staff_reader, token_required
from app.api.responses import error_response
from app.api.serializers import iso
from app.db_types import utcnow
from app.domain.codes import AdmissionMode, EventStatus
from app.extensions import db
from app.models import Event
from app.services import lottery
from app.services.errors import ServiceError


def _draw_json(d) -> dict:
    return {"ticket_type_id": d.ticket_type_id, "seed": d.seed, "seed_hash": d.seed_hash,
            "algorithm": d.algorithm, "applicants": [list(a) for a in d.applicants], "order": list(d.order),
            "winners": list(d.winners), "seats": d.seats, "losers": d.losers, "drawn_at": iso(d.drawn_at)}


@bp.post("/events/<int:event_id>/lottery/draw")
@token_required(write=True)
def lottery_draw(event_id: int):
    event = db.session.get(Event, event_id)
    if event is None:
        return error_response(404, "not_found")
    body = request.get_json(silent=True)
    ticket_type_id = body.get("ticket_type_id") if isinstance(body, dict) else None
    if ticket_type_id is not None and (not isinstance(ticket_type_id, int) or isinstance(ticket_type_id, bool)):
        return error_response(400, "bad_request", "bad_parameter")
    try:
        records = lottery.draw(event, now=utcnow(), actor=current_organizer(), ticket_type_id=ticket_type_id)
    except ServiceError as exc:
        db.session.rollback()
        return error_response(409, exc.code, message=_(exc.message))
    result = {"event_id": event_id, "seed": records[0].seed,
              "order": [rid for d in records for rid in d.order],
              "winners": [rid for d in records for rid in d.winners],
              "draws": [_draw_json(d) for d in records]}
    db.session.commit()
    return result


@bp.get("/events/<int:event_id>/lottery")
def lottery_record(event_id: int):
    if request.headers.get("Authorization") and current_organizer() is None:
        return error_response(401, "unauthorized", "auth_invalid", www_authenticate=True)
    event = db.session.get(Event, event_id)
    if event is None or (event.status == EventStatus.DRAFT and staff_reader() is None) \
            or (event.admission_mode != AdmissionMode.LOTTERY and not lottery.draws(event_id)):
        return error_response(404, "not_found")
    record = lottery.public_record(event)
    draws = lottery.draws(event_id)
    body = {"event_id": event_id, "seed_hash": record["seed_hash"], "algorithm": record["algorithm"],
            "draw_at": iso(event.lottery_draw_at), "drawn": record["drawn"],
            "seed": next((d.seed for d in draws.values()), None),
            "order": [rid for tt_id in sorted(draws) for rid in draws[tt_id].order],
            "winners": [rid for tt_id in sorted(draws) for rid in draws[tt_id].winners],
            "draws": [_draw_json(draws[tt_id]) for tt_id in sorted(draws)]}
    return body
