"""English that works (issue 12, part 3): the event's English texts, the kana rule in the form
and the API, the language that persists across the journey, lang attributes."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Event, OutboxMessage, Registration
from tests.factories import create_api_token

TITLE_JA = "TOHOKU DXセミナー2027"
TITLE_EN = "TOHOKU DX Seminar 2027"


def _smith_form(event, **overrides) -> dict:
    data = {
        "family_name": "Smith", "given_name": "John", "family_name_kana": "", "given_name_kana": "",
        "email": "john.smith@example.com", "email_confirm": "john.smith@example.com", "phone": "",
        "organization": "Acme Ltd.", "organization_type": "company", "prefecture": "04",
        "ticket_type_id": str(event.ticket_types[0].id), "consent": "y",
    }
    data.update(overrides)
    return data


def _html_lang(html: str) -> str:
    return re.search(r'<html lang="([a-z]+)"', html).group(1)


# --- the event's English texts ---------------------------------------------------------------------


def test_english_texts_are_shown_in_english_and_the_japanese_ones_in_japanese(client, create_event):
    event = create_event(title=TITLE_JA, title_en=TITLE_EN, summary="経営者向けDXセミナー",
                         summary_en="DX for executives", description="## 概要\n日本語の説明",
                         description_en="## Outline\nIn English")
    en = client.get(f"/events/{event.slug}?lang=en").text
    assert _html_lang(en) == "en"
    assert "Seminar" in en and "DX for executives" in en and "In English" in en
    assert TITLE_JA not in en and "日本語の説明" not in en
    ja = client.get(f"/events/{event.slug}?lang=ja").text
    assert _html_lang(ja) == "ja" and "日本語の説明" in ja and "In English" not in ja
    listing = client.get("/?lang=en").text
    assert TITLE_EN in listing and "DX for executives" in listing


def test_without_english_texts_the_japanese_ones_are_shown_marked_lang_ja(client, create_event):
    event = create_event(title=TITLE_JA, summary="経営者向けDXセミナー", description="日本語の説明",
                         venue="仙台国際センター", organizer_name="東北経済産業局")
    en = client.get(f"/events/{event.slug}?lang=en").text
    assert _html_lang(en) == "en"
    assert re.search(r'<h1><span lang="ja"><span class="phrases">[^<]*DX', en)
    assert '<span lang="ja">経営者向けDXセミナー</span>' in en
    assert '<div lang="ja"><p>日本語の説明</p></div>' in en
    assert '<span lang="ja">仙台国際センター</span>' in en
    assert '<dd lang="ja">東北経済産業局</dd>' in en
    # in Japanese nothing needs marking
    ja = client.get(f"/events/{event.slug}?lang=ja").text
    assert 'lang="ja"><span class="phrases">' not in ja and '<dd lang="ja">' not in ja


def test_the_series_page_lists_editions_by_their_english_title(client, create_event):
    from app.models import EventSeries

    series = EventSeries(slug="dx-seminar", name="外部人材活用セミナー")
    db.session.add(series)
    first = create_event(title="外部人材活用セミナー（宮城）", title_en="Seminar on outside talent (Miyagi)",
                         series=series)
    create_event(title="外部人材活用セミナー（岩手）", series=series)
    html = client.get(f"/series/{series.slug}?lang=en").text
    assert first.title_en in html
    assert '<span lang="ja">外部人材活用セミナー（岩手）</span>' in html


def test_organizer_saves_the_english_texts_and_the_copy_keeps_or_changes_them(client, login, create_organizer,
                                                                               create_event):
    login(create_organizer())
    event = create_event(title=TITLE_JA, status="draft")
    page = client.get(f"/organizer/events/{event.id}/edit").text
    assert 'name="title_en"' in page and 'name="description_en"' in page
    form = {"title": TITLE_JA, "title_en": TITLE_EN, "summary_en": "For executives", "description_en": "**Hi**",
            "category": event.category, "format": event.format, "admission_mode": "first_come",
            "approval_overflow": "refuse", "lottery_losers": "lost", "waitlist_enabled": "y", "prefecture": "04",
            "join_opens_minutes": "15", "slug": event.slug}
    response = client.post(f"/organizer/events/{event.id}/edit", data=form)
    assert response.status_code in (302, 303), response.text[:2000]
    db.session.expire_all()
    saved = db.session.get(Event, event.id)
    assert (saved.title_en, saved.summary_en, saved.description_en) == (TITLE_EN, "For executives", "**Hi**")
    copy_page = client.get(f"/organizer/events/{event.id}/copy").text
    assert f'value="{TITLE_EN}"' in copy_page
    response = client.post(f"/organizer/events/{event.id}/copy",
                           data={"title": TITLE_JA, "title_en": "TOHOKU DX Seminar 2028", "prefecture": "04",
                                 "venue": "", "address": "", "first_start": "2027-12-01T13:30"})
    assert response.status_code in (302, 303), response.text[:2000]
    copy = db.session.scalars(select(Event).where(Event.copied_from_id == event.id)).one()
    assert (copy.title_en, copy.summary_en, copy.description_en) == ("TOHOKU DX Seminar 2028", "For executives",
                                                                     "**Hi**")


def test_api_reads_and_writes_the_english_texts(client, create_organizer, create_event):
    event = create_event(title=TITLE_JA, title_en=TITLE_EN, summary_en="For executives")
    body = client.get(f"/api/v1/events/{event.id}").get_json()
    assert (body["title_en"], body["summary_en"], body["description_en"]) == (TITLE_EN, "For executives", "")
    token = create_api_token(create_organizer())
    created = client.post("/api/v1/events", headers={"Authorization": f"Bearer {token}"}, json={
        "title": "IoTハッカソン", "title_en": "IoT Hackathon", "description_en": "Two days",
        "sessions": [{"starts_at": "2027-02-01T10:00"}], "ticket_types": [{"name": "一般", "capacity": 10}],
    })
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["title_en"] == "IoT Hackathon"
    too_long = client.post("/api/v1/events", headers={"Authorization": f"Bearer {token}"}, json={
        "title": "x", "title_en": "x" * 201, "sessions": [], "ticket_types": []})
    assert too_long.status_code == 422 and "title_en" in too_long.get_json()["errors"]


# --- the kana rule in the form and the API ---------------------------------------------------------


def test_api_registers_a_latin_name_without_kana_and_refuses_a_kanji_name_without(client, create_event):
    event = create_event()
    payload = {k: v for k, v in _smith_form(event).items() if k not in ("email_confirm", "family_name_kana",
                                                                          "given_name_kana", "phone")}
    payload.update(ticket_type_id=event.ticket_types[0].id, consent=True)
    ok = client.post(f"/api/v1/events/{event.id}/registrations", json=payload,
                     headers={"Accept-Language": "en"})
    assert ok.status_code == 201, ok.get_json()
    assert db.session.scalars(select(Registration)).one().language == "en"
    kanji = {**payload, "family_name": "山田", "given_name": "太郎", "email": "yamada@example.jp"}
    refused = client.post(f"/api/v1/events/{event.id}/registrations", json=kanji, headers={"Accept-Language": "en"})
    assert refused.status_code == 422
    assert set(refused.get_json()["errors"]) == {"family_name_kana", "given_name_kana"}


def test_the_form_does_not_require_kana_of_the_browser(client, create_event):
    event = create_event()
    html = client.get(f"/events/{event.slug}/register?lang=en").text
    kana_input = re.search(r'<input[^>]*name="family_name_kana"[^>]*>', html).group(0)
    assert "required" not in kana_input
    assert "Required for a name written in Japanese" in html


# --- the language persists -------------------------------------------------------------------------


def test_lang_in_the_address_is_remembered_through_the_whole_journey(client, create_event):
    event = create_event(title=TITLE_JA, title_en=TITLE_EN)
    first = client.get(f"/events/{event.slug}?lang=en")
    assert "lang=en" in first.headers.get("Set-Cookie", "")
    # every page after, without ?lang: the form, the review (POST), the register POST and its redirect
    form = client.get(f"/events/{event.slug}/register").text
    assert _html_lang(form) == "en" and "Family name" in form
    review = client.post(f"/events/{event.slug}/register", data=_smith_form(event)).text
    assert _html_lang(review) == "en" and TITLE_EN in review
    done = client.post(f"/events/{event.slug}/register/confirm", data={**_smith_form(event), "action": "register"})
    assert done.status_code == 303
    done_page = client.get(done.headers["Location"]).text
    assert _html_lang(done_page) == "en"
    registration = db.session.scalars(select(Registration)).one()
    assert registration.language == "en" and registration.family_name_kana == ""
    mail = db.session.scalars(select(OutboxMessage)).one()
    assert mail.language == "en" and mail.subject == f"Registration confirmed: {TITLE_EN}"
    manage = client.get(f"/r/{registration.manage_token}").text
    assert _html_lang(manage) == "en" and TITLE_EN in manage
    # and back: ?lang=ja is remembered the same way
    client.get("/?lang=ja")
    assert _html_lang(client.get(f"/r/{registration.manage_token}").text) == "ja"


def test_the_mail_links_open_the_registrants_pages_in_their_language(client, create_event):
    """A fresh device (no cookie) following an English registrant's mail link reads English."""
    from app.services import outbox

    event = create_event(title=TITLE_JA, title_en=TITLE_EN)
    client.get(f"/events/{event.slug}?lang=en")
    client.post(f"/events/{event.slug}/register/confirm", data={**_smith_form(event), "action": "register"})
    mail = db.session.scalars(select(OutboxMessage)).one()
    link = re.search(r"http://[^\s]+/r/[^\s]+\?lang=en", outbox.text_as_sent(mail)).group(0)
    client.delete_cookie("lang")
    path = link.split("//", 1)[1].split("/", 1)[1]
    assert _html_lang(client.get("/" + path).text) == "en"


def test_the_api_does_not_set_the_cookie(client, create_event):
    create_event()
    response = client.get("/api/v1/events?lang=en")
    assert "lang=" not in response.headers.get("Set-Cookie", "")


def test_the_language_switch_keeps_the_page_and_drops_the_lang_parameter(client, create_event):
    event = create_event()
    response = client.get(f"/lang/en?next=/events/{event.slug}?lang=ja")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/{event.slug}")
    assert _html_lang(client.get(f"/events/{event.slug}").text) == "en"


def test_japanese_data_on_the_english_form_is_marked(client, create_event):
    from app.models import Question

    event = create_event(ticket_types=[("一般", 10), ("学生", 5)])
    event.questions.append(Question(kind="single", label="参加方法", choices=["会場", "オンライン"], required=True))
    event.questions.append(Question(kind="text", label="ご質問", required=False))
    db.session.commit()
    html = client.get(f"/events/{event.slug}/register?lang=en").text
    assert '<span lang="ja">参加方法</span>' in html and '<span lang="ja">会場</span>' in html
    assert re.search(r'<label [^>]*lang="ja"[^>]*>ご質問</label>|<label lang="ja"[^>]*>ご質問</label>', html)
    assert 'id="consent-text" lang="ja"' in html
    assert '<strong><span lang="ja">一般</span></strong>' in html
    ja = client.get(f"/events/{event.slug}/register?lang=ja").text
    assert 'lang="ja">参加方法' not in ja and 'id="consent-text" lang="ja"' not in ja
