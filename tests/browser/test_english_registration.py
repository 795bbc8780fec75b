"""A full English registration in a real browser by a person with a Latin name (issue 12, part 3).

John Smith opens the event page with ?lang=en, registers without kana, reviews, registers;
every page after stays in English (the cookie), the confirmation mail in the outbox is in
English with the event's English title, and its manage link opens the manage page in English.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, Registration
from app.services import outbox
from tests.concurrency import read_beside_a_server as _read

TITLE_JA = "TOHOKU DXセミナー2027"
TITLE_EN = "TOHOKU DX Seminar 2027"


def _html_lang(page) -> str:
    return page.evaluate("() => document.documentElement.lang")


def test_john_smith_registers_in_english_without_kana(page, create_event):
    event = create_event(title=TITLE_JA, title_en=TITLE_EN, summary_en="Digital transformation for executives",
                         venue="仙台国際センター")
    slug = event.slug
    db.session.rollback()

    page.goto(f"/events/{slug}?lang=en")
    assert _html_lang(page) == "en"
    assert page.get_by_role("heading", level=1).inner_text() == TITLE_EN
    # Japanese data inside the English page is marked for a Japanese voice
    assert page.locator('span[lang="ja"]', has_text="仙台国際センター").count() >= 1
    page.locator(".register-button").first.click()

    # the form: no ?lang in the address, still English
    page.wait_for_url(f"**/events/{slug}/register")
    assert _html_lang(page) == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Registration form"
    page.get_by_label("Family name", exact=True).fill("Smith")
    page.get_by_label("Given name", exact=True).fill("John")
    assert page.get_by_label("Family name (kana)").get_attribute("required") is None
    page.get_by_label("Email address", exact=True).fill("john.smith@example.com")
    page.get_by_label("Email address (again, to check)").fill("john.smith@example.com")
    page.get_by_label("Company or organisation").fill("Acme Ltd.")
    page.get_by_label("Organisation type").select_option(label="Company")
    page.get_by_label("Prefecture").select_option(label="Miyagi")
    page.get_by_label("I agree to the handling of my personal data described above.").check()
    page.get_by_role("button", name="Continue to confirmation").click()

    # the review (a POST): English, no kana asked for
    assert _html_lang(page) == "en"
    assert page.locator(".error").count() == 0
    assert page.get_by_text("John", exact=False).first.is_visible()
    page.get_by_role("button", name="Register", exact=True).click()

    # the done page after the redirect
    page.wait_for_url(f"**/events/{slug}/register/done")
    assert _html_lang(page) == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Your registration is confirmed"

    def stored():
        registration = db.session.scalars(select(Registration)).one()
        mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.registration_id == registration.id)).one()
        return (registration.language, registration.family_name_kana, registration.given_name_kana,
                mail.language, mail.subject, outbox.text_as_sent(mail))

    language, family_kana, given_kana, mail_language, subject, text = _read(stored)
    assert (language, family_kana, given_kana) == ("en", "", "")
    assert mail_language == "en" and subject == f"Registration confirmed: {TITLE_EN}"
    assert "Your registration is confirmed." in text and TITLE_EN in text and "様" not in text

    # the mail's link, opened in a fresh browser (no cookie): the manage page in English
    manage_url = re.search(r"http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_\-]+\?lang=en", text).group(0)
    page.context.clear_cookies()
    page.goto(manage_url)
    assert _html_lang(page) == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Your registration"
    assert page.locator(".status").inner_text() == "Confirmed"
    assert TITLE_EN in page.locator(".eyebrow").inner_text()
    # and the pages after it stay English without the parameter
    page.goto(manage_url.split("?")[0])
    assert _html_lang(page) == "en"


def test_a_kanji_name_without_kana_is_told_next_to_the_field_in_english(page, create_event):
    event = create_event(title=TITLE_JA)
    slug = event.slug
    db.session.rollback()
    page.goto(f"/events/{slug}/register?lang=en")
    page.get_by_label("Family name", exact=True).fill("山田")
    page.get_by_label("Given name", exact=True).fill("太郎")
    page.get_by_label("Email address", exact=True).fill("yamada@example.jp")
    page.get_by_role("button", name="Continue to confirmation").click()
    assert _html_lang(page) == "en"
    assert page.locator("#family_name_kana-error").inner_text() == (
        "Enter the reading of a name written in Japanese (in katakana or hiragana).")
    assert page.get_by_label("Family name", exact=True).input_value() == "山田"  # kept
    assert page.get_by_label("Email address", exact=True).input_value() == "yamada@example.jp"


def test_the_english_pages_fit_a_phone(phone_page, create_event):
    event = create_event(title=TITLE_JA, title_en="Internationalisation-and-digital-transformation seminar for "
                         "executives of small and mid-sized companies in Tohoku", summary_en="For executives.")
    slug = event.slug
    db.session.rollback()
    for path in (f"/events/{slug}?lang=en", f"/events/{slug}/register", "/"):
        phone_page.goto(path)
        assert _html_lang(phone_page) == "en"
        width = phone_page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (path, width)
