"""Demo: TOHOKU DX大賞 as applications with files and review, and its results.

From the report (seed/000_b26cbd180fea2e59.txt, 【TOHOKU DX大賞】): 34 applications in 3 部門
(製品・サービス部門 13, 業務プロセス部門 11, 支援部門 10); in each 部門 one 最優秀賞
(東北経済産業局長賞) and two 優秀賞, and one 選考委員会特別賞 — published on the past
edition's page and kept on the series page. The upcoming edition takes applications with
files (PDF, Office, images), asks for the public name's consent, and has review criteria
with the demo reviewer assigned to the 製品・サービス部門.
Called by app.demo.generator after the registrants are inserted (flushes, never commits).
"""
from __future__ import annotations

import hashlib
import os
import random
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.demo.definitions import DEBATE_RESULTS
from app.domain.codes import ApplicationStatus, Role
from app.extensions import db
from app.models import (
    ApplicationFile,
    AuditLog,
    Event,
    EventResult,
    Organizer,
    Registration,
    ReviewAssignment,
    ReviewCriterion,
)

PAST, NEXT = "dx-award-r3", "dx-award-next"
#: The award ceremony's committee decided the special prize; the report names no winner.
SPECIAL_PRIZE = "選考委員会特別賞"
CRITERIA = (("革新性", 10), ("地域への波及効果", 10), ("実現性・継続性", 10))
REVIEWER_EMAIL = "reviewer@tsudoi.example.jp"


def _title(registration: Registration, event: Event) -> str:
    first = next((q for q in event.questions if q.kind == "text"), None)
    return str((registration.answers or {}).get(str(first.id), "")) if first else ""


def _registrations(event: Event) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                   .order_by(Registration.ticket_type_id, Registration.id)))


def demo_pdf(title: str) -> bytes:
    """A small, valid one-page PDF (ASCII text only) standing for an application's 応募書類."""
    text = f"TOHOKU DX Award application: {title}".encode("ascii", "replace")
    stream = b"BT /F1 14 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def load_applications(events: dict[str, Event], *, admin: Organizer, now: datetime, rng: random.Random) -> None:
    past, upcoming = events.get(PAST), events.get(NEXT)
    audit: list[dict] = []
    if past is not None:
        audit += _past_results(past, admin=admin, rng=rng)
    if upcoming is not None:
        audit += _upcoming_applications(upcoming, admin=admin, now=now, rng=rng)
    for slug, divisions in DEBATE_RESULTS.items():
        if slug in events:
            audit += _debate_results(events[slug], divisions, admin=admin)
    for row in audit:
        db.session.add(AuditLog(**row))
    db.session.flush()


def _debate_results(event: Event, divisions: dict, *, admin: Organizer) -> list[dict]:
    """The debate contest's winners per division (the report), published under the teams' names."""
    event.publishes_results = True
    decided = event.ends_at or event.starts_at
    by_school = {(r.ticket_type_id, r.organization): r for r in _registrations(event)}
    audit, position = [], 0
    for tt in event.ticket_types:
        for award, school in divisions.get(tt.name, ()):
            r = by_school.get((tt.id, school))
            if r is None:
                continue
            r.public_name_consent = True  # the schools agreed (the report names them)
            position += 1
            db.session.add(EventResult(event_id=event.id, ticket_type_id=tt.id, award=award, position=position,
                                       registration_id=r.id, title=school, created_at=decided))
            audit.append(_row("results.added", decided, admin, event.id, r.id, {"award": award}))
    event.results_published_at = decided + timedelta(hours=1)
    audit.append(_row("results.published", event.results_published_at, admin, event.id, None, {}))
    return audit


def _past_results(event: Event, *, admin: Organizer, rng: random.Random) -> list[dict]:
    event.accepts_applications = True
    event.publishes_results = True
    ceremony = event.starts_at
    decided = ceremony - timedelta(days=21)
    registrations = _registrations(event)
    for r in registrations:
        r.public_name_consent = rng.random() < 0.9  # most applicants agree to be named
        r.application_status = ApplicationStatus.NOT_SELECTED.value
    position = 0
    audit = []
    special_done = False
    for tt in event.ticket_types:
        entries = [r for r in registrations if r.ticket_type_id == tt.id]
        winners = rng.sample(entries, 3 + (0 if special_done else 1))
        awards = ["最優秀賞", "優秀賞", "優秀賞"] + ([] if special_done else [SPECIAL_PRIZE])
        special_done = True
        for r, award in zip(winners, awards, strict=True):
            r.application_status = ApplicationStatus.AWARDED.value
            r.public_name_consent = True if award == "最優秀賞" else r.public_name_consent
            position += 1
            db.session.add(EventResult(event_id=event.id, ticket_type_id=tt.id, award=award, position=position,
                                       registration_id=r.id, title=_title(r, event), created_at=decided))
            audit.append(_row("results.added", decided, admin, event.id, r.id, {"award": award}))
    event.results_published_at = ceremony + timedelta(hours=2)
    audit.append(_row("results.published", event.results_published_at, admin, event.id, None, {}))
    return audit


def _upcoming_applications(event: Event, *, admin: Organizer, now: datetime, rng: random.Random) -> list[dict]:
    event.accepts_applications = True
    event.application_files_allowed = True
    event.application_file_max_mb = 10
    event.application_file_max_count = 3
    event.application_file_types = ["pdf", "office", "image"]
    event.publishes_results = True
    audit = []
    for position, (name, top) in enumerate(CRITERIA, 1):
        db.session.add(ReviewCriterion(event_id=event.id, name=name, max_score=top, position=position))
    db.session.flush()
    criteria = list(db.session.scalars(select(ReviewCriterion).where(ReviewCriterion.event_id == event.id)))
    reviewer = db.session.scalar(select(Organizer).where(Organizer.email == REVIEWER_EMAIL,
                                                         Organizer.role == Role.REVIEWER))
    directory = current_app.config.get("APPLICATION_FILES_DIR") or ""
    first_division = event.ticket_types[0].id
    for i, r in enumerate(_registrations(event)):
        r.public_name_consent = rng.random() < 0.8
        if directory and i % 2 == 0:
            data = demo_pdf(f"entry {r.id}")
            os.makedirs(directory, mode=0o700, exist_ok=True)
            stored = secrets.token_hex(16)
            with open(os.path.join(directory, stored), "wb") as fh:
                fh.write(data)
            uploaded = min(r.created_at + timedelta(hours=1), now)
            db.session.add(ApplicationFile(registration_id=r.id, kind="pdf", original_name="応募書類.pdf",
                                           stored_name=stored, size=len(data),
                                           sha256=hashlib.sha256(data).hexdigest(), uploaded_at=uploaded,
                                           uploaded_by="registrant"))
            audit.append(_row("application.file_added", uploaded, None, event.id, r.id, {"kind": "pdf"}))
        if reviewer is not None and r.ticket_type_id == first_division:
            scored = i % 2 == 1
            db.session.add(ReviewAssignment(
                registration_id=r.id, reviewer_id=reviewer.id, assigned_at=now - timedelta(days=2),
                scores={str(c.id): rng.randint(5, 10) for c in criteria} if scored else {},
                comment="地域企業への波及が期待できる取組です。" if scored else "",
                scored_at=now - timedelta(days=1) if scored else None))
            audit.append(_row("review.assigned", now - timedelta(days=2), admin, event.id, r.id,
                              {"reviewer_id": reviewer.id}))
    # One accepted application shortlisted already, to show the decision column.
    first = next((r for r in _registrations(event) if r.status == "confirmed"), None)
    if first is not None:
        first.application_status = ApplicationStatus.SHORTLISTED.value
    return audit


def _row(action: str, at: datetime, actor: Organizer | None, event_id: int, registration_id: int | None,
         data: dict) -> dict:
    return {"action": action, "created_at": at, "actor_id": actor.id if actor else None,
            "actor_label": actor.email if actor else "registrant", "event_id": event_id,
            "registration_id": registration_id, "data": data}


def remove_files(event_ids: list[int]) -> None:
    """Delete the stored files of these events' applications (the rows go with the registrations)."""
    directory = current_app.config.get("APPLICATION_FILES_DIR") or ""
    if not directory or not event_ids:
        return
    names = db.session.scalars(select(ApplicationFile.stored_name).join(Registration)
                               .where(Registration.event_id.in_(event_ids)))
    for name in names:
        try:
            os.unlink(os.path.join(directory, name))
        except FileNotFoundError:
            pass

