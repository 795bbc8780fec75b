"""Results (受賞結果): entered by organizers, shown on the event page, the series page and the API only
after they are published, each name only with the registrant's consent."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db_types import utcnow
from app.domain.codes import Role
from app.extensions import db
from app.models import AuditLog, EventSeries
from tests import factories


@pytest.fixture
def past_award(app):
    series = EventSeries(slug="tohoku-dx-award", name="TOHOKU DX大賞")
    db.session.add(series)
    db.session.commit()
    event = factories.create_event(
        title="令和3年度 TOHOKU DX大賞", slug="dx-award-r3", series_id=series.id,
        ticket_types=[("製品・サービス部門", None), ("支援部門", None)], accepts_applications=True,
        publishes_results=True)
    # An upcoming edition, so the series page lists the first as a past one once it is over.
    factories.create_event(title="令和8年度 TOHOKU DX大賞", slug="dx-award-next", series_id=series.id)
    return event


def test_results_appear_only_after_publishing_on_page_series_and_api(client, login, past_award):
    event = past_award
    agreed = factories.register(event, organization="株式会社みちのくソフト", public_name_consent=True).registration
    declined = factories.register(event, organization="秘密工業株式会社", public_name_consent=False,
                                  ticket_type_id=event.ticket_types[1].id).registration
    organizer = factories.create_organizer()
    login(organizer)
    add = client.post(f"/organizer/events/{event.id}/results",
                      data={"ticket_type_id": "", "award": "最優秀賞", "registration_id": str(agreed.id),
                            "title": "AI検品システム"})
    assert add.status_code == 303
    assert client.post(f"/organizer/events/{event.id}/results",
                       data={"ticket_type_id": str(event.ticket_types[1].id), "award": "優秀賞",
                             "registration_id": str(declined.id), "title": ""}).status_code == 303
    missing = client.post(f"/organizer/events/{event.id}/results",
                          data={"ticket_type_id": "", "award": "", "registration_id": "", "title": "記入途中"})
    assert missing.status_code == 200 and "award-error" in missing.get_data(as_text=True)
    assert 'value="記入途中"' in missing.get_data(as_text=True)  # what was typed is kept
    client.post("/logout")

    # before publishing: nowhere
    assert "最優秀賞" not in client.get("/events/dx-award-r3").get_data(as_text=True)
    assert client.get(f"/api/v1/events/{event.id}/results").status_code == 404

    login(organizer)
    assert client.post(f"/organizer/events/{event.id}/results/publish").status_code == 303
    client.post("/logout")
    page = client.get("/events/dx-award-r3").get_data(as_text=True)
    assert "最優秀賞" in page and "株式会社みちのくソフト" in page and "AI検品システム" in page
    assert "秘密工業株式会社" not in page  # did not agree: the result shows without the name
    api = client.get(f"/api/v1/events/{event.id}/results")
    assert api.status_code == 200
    divisions = {d["division"]: d["results"] for d in api.json["divisions"]}
    assert divisions["製品・サービス部門"][0] == {"award": "最優秀賞", "name": "株式会社みちのくソフト",
                                                "name_public": True, "title": "AI検品システム"}
    assert divisions["支援部門"][0]["name"] is None and divisions["支援部門"][0]["name_public"] is False
    assert "秘密工業" not in api.get_data(as_text=True)

    # the edition is over: its results stay on the series page
    event.starts_at = utcnow() - timedelta(days=300)
    event.registration_opens_at = utcnow() - timedelta(days=400)
    event.registration_closes_at = utcnow() - timedelta(days=301)
    for s in event.sessions:
        s.starts_at, s.ends_at = utcnow() - timedelta(days=300), utcnow() - timedelta(days=300, hours=-2)
    db.session.commit()
    series_page = client.get("/series/tohoku-dx-award").get_data(as_text=True)
    assert 'id="past-results"' in series_page and "株式会社みちのくソフト" in series_page

    # withdrawn: gone again
    login(organizer)
    client.post(f"/organizer/events/{event.id}/results/unpublish")
    client.post("/logout")
    assert client.get(f"/api/v1/events/{event.id}/results").status_code == 404
    assert "株式会社みちのくソフト" not in client.get("/events/dx-award-r3").get_data(as_text=True)
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.event_id == event.id)))
    assert {"results.added", "results.published", "results.unpublished"} <= actions


def test_only_editors_change_results_and_removal_is_confirmed(client, login, past_award):
    event = past_award
    organizer = factories.create_organizer()
    login(organizer)
    client.post(f"/organizer/events/{event.id}/results", data={"award": "特別賞", "title": "地域貢献",
                                                              "ticket_type_id": "", "registration_id": ""})
    from app.services.results import results_of

    item = results_of(event.id)[0]
    confirm = client.get(f"/organizer/events/{event.id}/results/{item.id}/remove")
    assert confirm.status_code == 200 and "特別賞" in confirm.get_data(as_text=True)
    assert len(results_of(event.id)) == 1
    client.post("/logout")
    login(factories.create_organizer(role=Role.VIEWER))
    assert client.get(f"/organizer/events/{event.id}/results").status_code == 200
    assert client.post(f"/organizer/events/{event.id}/results/publish").status_code == 403
    assert client.post(f"/organizer/events/{event.id}/results/{item.id}/remove").status_code == 403
    client.post("/logout")
    login(organizer)
    assert client.post(f"/organizer/events/{event.id}/results/{item.id}/remove").status_code == 303
    assert results_of(event.id) == []


def test_the_form_asks_for_consent_only_when_the_event_publishes_results(client, past_award):
    assert 'name="public_name_consent"' in client.get("/events/dx-award-r3/register").get_data(as_text=True)
    plain = factories.create_event(slug="plain-seminar")
    assert 'name="public_name_consent"' not in client.get(f"/events/{plain.slug}/register").get_data(as_text=True)


def test_a_draft_event_has_no_public_results(client, past_award):
    draft = factories.create_event(status="draft", results_published_at=utcnow())
    assert client.get(f"/api/v1/events/{draft.id}/results").status_code == 404
    assert client.get("/api/v1/events/999999/results").status_code == 404
