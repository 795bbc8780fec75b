"""The organizer's lottery (抽選) page: preview the numbers, draw, read the drawn order."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth.permissions import editor_required, staff_required
from app.confirmations import confirmed_or_ask
from app.db_types import utcnow
from app.domain import lottery as rules
from app.domain.codes import AdmissionMode
from app.extensions import db
from app.models import AuditLog, Event, Registration
from app.organizer import bp
from app.services import lottery as service
from app.services.errors import ServiceError


@bp.app_context_processor
def _lottery_helpers():
    return {"lottery_section": lottery_section}


def lottery_section(event: Event) -> dict | None:
    """What the event page shows of the lottery (None: not a lottery, never drawn)."""
    draws = service.draws(event.id)
    if event.admission_mode != AdmissionMode.LOTTERY and not draws:
        return None
    return {"rows": service.preview(event), "refusal": service.draw_refusal(event, utcnow()),
            "all_drawn": bool(draws) and len(draws) == len(event.ticket_types)}


def _event(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


@bp.route("/events/<int:event_id>/lottery")
@staff_required
def lottery(event_id: int):
    event = _event(event_id)
    draws = service.draws(event.id)
    ids = [rid for d in draws.values() for rid in d.order]
    people = {r.id: r for r in db.session.scalars(select(Registration).where(Registration.id.in_(ids)))} if ids else {}
    passed_over: dict[int, set[int]] = {}  # one per organisation: lost although seats remained
    for entry in db.session.scalars(select(AuditLog).where(AuditLog.event_id == event.id,
                                                           AuditLog.action == "lottery.drawn")):
        data = entry.data or {}
        passed_over[data.get("ticket_type_id")] = set(data.get("same_organization") or [])
    results = []
    for tt in sorted(event.ticket_types, key=lambda t: t.id):
        d = draws.get(tt.id)
        if d is None:
            continue
        groups = {rid: group for rid, group in d.applicants}
        winners = set(d.winners)
        rows = [{"rank": i + 1, "registration": people.get(rid), "id": rid, "group": groups.get(rid, 0),
                 "won": rid in winners, "passed_over": rid in passed_over.get(tt.id, set())}
                for i, rid in enumerate(d.order)]
        results.append({"ticket_type": tt, "draw": d, "rows": rows})
    return render_template("organizer/lottery/page.html", event=event, rows=service.preview(event),
                           refusal=service.draw_refusal(event, utcnow()), results=results,
                           can_edit=current_user.can_edit, algorithm=rules.ALGORITHM)


@bp.route("/events/<int:event_id>/lottery/draw", methods=["POST"])
@editor_required
def lottery_draw(event_id: int):
    event = _event(event_id)
    if page := confirmed_or_ask("lottery_draw", back=url_for("organizer.lottery", event_id=event_id)):
        return page
    try:
        records = service.draw(event, now=utcnow(), actor=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
    else:
        winners = sum(len(d.winners) for d in records)
        applicants = sum(len(d.order) for d in records)
        db.session.commit()
        flash(_("The lottery was drawn: %(winners)d of %(applicants)d applicants have a place. The results are "
                "being mailed.", winners=winners, applicants=applicants), "success")
    return redirect(url_for("organizer.lottery", event_id=event_id), code=303)
