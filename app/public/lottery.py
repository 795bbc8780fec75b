"""The public page of a lottery: the published hash, the algorithm in words and in Python, and the record."""
from __future__ import annotations

from flask import abort, render_template

from app.domain import lottery as rules
from app.domain.codes import AdmissionMode
from app.extensions import db
from app.public import bp, listing
from app.services import lottery as service


@bp.route("/events/<slug>/lottery")
def lottery(slug: str):
    event = db.session.scalars(listing.public_event_query(slug)).first()
    if event is None:
        return listing.redirect_if_moved(slug, "public.lottery")
    record = service.public_record(event)
    if event.admission_mode != AdmissionMode.LOTTERY and not any(t["drawn"] for t in record["ticket_types"]):
        abort(404)
    return render_template("public/lottery.html", event=event, record=record, snippet=rules.SNIPPET,
                           algorithm=rules.ALGORITHM)
