"""Editions of a series (issue 10): the public series page, the link from each edition, the API, the
organizer's totals, and copying an edition to a new prefecture and date in one step."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.db_types import utcnow
from app.domain.dates import jst_datetime
from app.extensions import db
from app.models import Attendance, Event, EventSeries, Registration
from tests.factories import register


def _series(create_event, *, slug="external-talent", name="外部人材活用セミナー（各県開催）"):
    """Three editions: two upcoming (Aomori later, Iwate sooner), one past (Akita), and a draft (Miyagi)."""
    now = utcnow()
    series = EventSeries(slug=slug, name=name)
    db.session.add(series)
    db.session.commit()
    aomori = create_event(title="外部人材活用セミナー（青森）", prefecture="02", venue="アピオあおもり", capacity=40,
                          starts_at=now + timedelta(days=40), series_id=series.id)
    iwate = create_event(title="外部人材活用セミナー（岩手）", prefecture="03", venue="アイーナ", capacity=2,
                         starts_at=now + timedelta(days=20), series_id=series.id)
    akita = create_event(title="外部人材活用セミナー（秋田）", prefecture="05", venue="にぎわい交流館AU", capacity=30,
                         starts_at=now - timedelta(days=200), status="finished", series_id=series.id,
                         registration_opens_at=now - timedelta(days=260),
                         registration_closes_at=now - timedelta(days=201))
    draft = create_event(title="外部人材活用セミナー（宮城）", prefecture="04", status="draft", series_id=series.id)
    return series, aomori, iwate, akita, draft


def test_the_public_series_page_lists_upcoming_then_past_editions(client, create_event):
    series, aomori, iwate, akita, draft = _series(create_event)
    register(iwate, 1)
    html = client.get(f"/series/{series.slug}").text
    assert series.name in html
    upcoming = html[html.index('id="upcoming-editions"'):html.index('id="past-editions"')]
    past = html[html.index('id="past-editions"'):]
    assert upcoming.index(iwate.slug) < upcoming.index(aomori.slug)  # soonest first
    assert "岩手県" in upcoming and "アイーナ" in upcoming and "残り1席" in upcoming and "残り40席" in upcoming
    assert akita.slug in past and akita.slug not in upcoming and "残り" not in past
    assert draft.slug not in html  # drafts are never public
    assert client.get("/series/unknown").status_code == 404
    assert "Upcoming editions" in client.get(f"/series/{series.slug}?lang=en").text


def test_a_series_whose_editions_are_all_drafts_is_not_public(client, create_event):
    series = EventSeries(slug="secret", name="準備中")
    db.session.add(series)
    db.session.commit()
    create_event(status="draft", series_id=series.id)
    assert client.get("/series/secret").status_code == 404
    assert client.get("/api/v1/series/secret").status_code == 404


def test_each_edition_links_to_its_series(client, create_event):
    series, aomori, iwate, akita, _draft = _series(create_event)
    html = client.get(f"/events/{aomori.slug}").text
    assert f'href="/series/{series.slug}' in html and "このセミナーの他の日程・会場" in html
    alone = create_event()
    assert "/series/" not in client.get(f"/events/{alone.slug}").text


def test_a_registrant_picks_an_edition_from_the_series_page(client, create_event):
    series, aomori, iwate, *_ = _series(create_event)
    html = client.get(f"/series/{series.slug}").text
    assert f'href="/events/{iwate.slug}"' in html
    event_page = client.get(f"/events/{iwate.slug}").text
    assert f"/events/{iwate.slug}/register" in event_page


def test_api_series(client, create_event):
    series, aomori, iwate, akita, draft = _series(create_event)
    body = client.get(f"/api/v1/series/{series.slug}").json
    assert body["slug"] == series.slug and body["name"] == series.name
    assert [e["slug"] for e in body["upcoming"]] == [iwate.slug, aomori.slug]
    assert [e["slug"] for e in body["past"]] == [akita.slug]
    first = body["upcoming"][0]
    assert first["prefecture"] == "03" and first["venue"] == "アイーナ" and first["seats_left"] == 2
    assert first["state"] == "few_left" and first["url"].endswith(f"/events/{iwate.slug}")
    assert client.get("/api/v1/series/nope").status_code == 404


def test_the_organizer_sees_each_edition_and_the_total(client, login, create_organizer, create_event):
    series, aomori, iwate, akita, draft = _series(create_event)
    a = register(aomori, 1).registration
    register(aomori, 2)
    register(iwate, 3)
    register(iwate, 4)
    register(iwate, 5)  # waitlisted (2 seats)
    db.session.add(Attendance(event_id=aomori.id, registration_id=a.id, session_id=aomori.sessions[0].id, method="door",
                              attended_at=utcnow()))
    db.session.commit()
    login(create_organizer(role="viewer"))
    html = client.get(f"/organizer/series/{series.id}").text
    for e in (aomori, iwate, akita, draft):
        assert f'data-event="{e.slug}"' in html
    assert 'data-total="registrations">5<' in html
    assert 'data-total="confirmed">4<' in html
    assert 'data-total="attended">1<' in html
    assert f"/organizer/series/{series.id}" in client.get(f"/organizer/events/{aomori.id}").text
    assert client.get("/organizer/series/9999").status_code == 404


def test_copy_an_edition_to_a_new_prefecture_and_date_in_one_step(client, login, create_organizer, create_event):
    source = create_event(title="外部人材活用セミナー（青森）", prefecture="02", venue="アピオあおもり",
                          address="青森県青森市中央3-17-1", capacity=40)
    opens_before = source.starts_at - source.registration_opens_at
    login(create_organizer())
    form = client.get(f"/organizer/events/{source.id}/copy").text
    assert 'value="アピオあおもり"' in form and '<option selected value="02">' in form
    r = client.post(f"/organizer/events/{source.id}/copy", data={
        "title": "外部人材活用セミナー（福島）", "prefecture": "07", "venue": "コラッセふくしま",
        "address": "福島県福島市三河南町1-20", "first_start": "2027-10-05T14:00"})
    assert r.status_code == 302, r.text
    copy = db.session.scalars(select(Event).where(Event.copied_from_id == source.id)).one()
    assert (copy.title, copy.prefecture, copy.venue, copy.address) == (
        "外部人材活用セミナー（福島）", "07", "コラッセふくしま", "福島県福島市三河南町1-20")
    assert copy.starts_at == jst_datetime(2027, 10, 5, 14, 0)
    assert copy.starts_at - copy.registration_opens_at == opens_before  # the window moved with the dates
    assert copy.series_id is not None and copy.series_id == db.session.get(Event, source.id).series_id
    assert copy.status == "draft" and db.session.scalar(
        select(Registration.id).where(Registration.event_id == copy.id)) is None


def test_copy_refuses_an_unknown_prefecture_next_to_the_field(client, login, create_organizer, create_event):
    source = create_event(prefecture="02", venue="アピオあおもり")
    login(create_organizer())
    r = client.post(f"/organizer/events/{source.id}/copy", data={
        "prefecture": "99", "venue": "どこか", "first_start": "2027-10-05T14:00"})
    assert r.status_code == 422 and 'id="prefecture-error"' in r.text and 'value="どこか"' in r.text
