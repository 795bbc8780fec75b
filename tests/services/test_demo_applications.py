"""The demo's TOHOKU DX大賞: 34 applications in 3 部門 (13/11/10), awards published on the past
edition and kept on the series page; the upcoming edition takes files and has a reviewer."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import select

from app.demo.generator import load_demo, reset_demo
from app.extensions import db
from app.models import ApplicationFile, Event, ReviewAssignment
from app.services import applications, results

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


def test_dx_award_applications_awards_and_review(app, client):
    load_demo(now=NOW, seed=7)
    db.session.commit()
    past = db.session.scalar(select(Event).where(Event.slug == "dx-award-r3"))
    counts = {c.ticket_type.name: c.total for c in applications.counts_per_category(past)}
    assert counts == {"製品・サービス部門": 13, "業務プロセス部門": 11, "支援部門": 10}
    groups = results.public_results(past)
    awards = {g.division: Counter(r.award for r in g.results) for g in groups}
    for division in counts:
        assert awards[division]["最優秀賞"] == 1 and awards[division]["優秀賞"] == 2
    assert sum(a["選考委員会特別賞"] for a in awards.values()) == 1
    assert all(r.name for g in groups for r in g.results if r.award == "最優秀賞")
    page = client.get("/series/tohoku-dx-award").get_data(as_text=True)
    assert 'id="past-results"' in page and "最優秀賞" in page
    assert client.get(f"/api/v1/events/{past.id}/results").status_code == 200

    upcoming = db.session.scalar(select(Event).where(Event.slug == "dx-award-next"))
    assert upcoming.accepts_applications and upcoming.application_files_allowed
    assert results.public_results(upcoming) is None
    stored = db.session.scalars(select(ApplicationFile)).all()
    assert stored and all(open(applications.file_path(f), "rb").read(5) == b"%PDF-" for f in stored)
    assert db.session.scalars(select(ReviewAssignment)).all()

    paths = [applications.file_path(f) for f in stored]
    reset_demo(NOW)
    db.session.commit()
    import os
    assert not any(os.path.exists(p) for p in paths)
