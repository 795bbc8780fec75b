"""Issue 10 in a real browser.

承認制: a registrant applies to an approval event; the organizer approves one and rejects
another in bulk, each with a message; the outbox shows the mails that say so.
Editions: a registrant opens a series' page, picks the nearest edition and registers; an
organizer copies an edition to a new prefecture and date in one step.
"""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from playwright.sync_api import expect
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.models import Event, EventSeries, OutboxMessage, Registration
from tests.browser.layout import scroll_width
from tests.concurrency import read_beside_a_server as _read
from tests.factories import register


def _fill_form(page, *, given: str, email: str):
    page.get_by_label("姓", exact=True).fill("東北")
    page.get_by_label("名", exact=True).fill(given)
    page.get_by_label("セイ", exact=True).fill("とうほく")
    page.get_by_label("メイ", exact=True).fill("はなこ")
    page.get_by_label("メールアドレス", exact=True).fill(email)
    page.get_by_label("メールアドレス（確認用）").fill(email)
    page.get_by_label("電話番号").fill("022-221-4876")
    page.get_by_label("会社名・団体名").fill("株式会社東北テック")
    page.get_by_label("組織区分").select_option(label="企業")
    page.get_by_label("都道府県").select_option(label="宮城県")
    page.get_by_label("上記の個人情報の取り扱いに同意します。").check()


def _apply(page, slug: str, *, given: str, email: str):
    page.goto(f"/events/{slug}")
    page.get_by_role("link", name="参加を申し込む（承認制）").first.click()
    _fill_form(page, given=given, email=email)
    page.get_by_role("button", name="確認画面へ進む").click()
    page.get_by_role("button", name="申し込む").click()
    page.wait_for_url(f"**/events/{slug}/register/done")


def test_registrants_apply_and_the_organizer_approves_one_and_rejects_another_in_bulk(
        page, browser, live_server, browser_login, create_event, create_organizer):
    event = create_event(title="承認制セミナー", capacity=1, admission_mode="approval")
    slug, event_id = event.slug, event.id
    staff = SimpleNamespace(email=create_organizer().email)
    db.session.rollback()

    # Two registrants apply (in their own browser contexts: no organizer session there).
    registrant = browser.new_context(base_url=live_server.url, locale="ja-JP")
    applicant = registrant.new_page()
    _apply(applicant, slug, given="花子", email="hanako@example.jp")
    _apply(applicant, slug, given="一郎", email="ichiro@example.jp")
    registrant.close()

    def statuses():
        return {r.email: r.status for r in db.session.scalars(
            select(Registration).where(Registration.event_id == event_id))}
    assert _read(statuses) == {"hanako@example.jp": "pending", "ichiro@example.jp": "pending"}

    browser_login(page, staff)
    page.goto(f"/organizer/events/{event_id}/registrants")
    ids = _read(lambda: {r.email: r.id for r in db.session.scalars(select(Registration))})

    # Approve 花子 with a message.
    page.locator(f'input[name="ids"][value="{ids["hanako@example.jp"]}"]').first.check()
    page.get_by_role("radio", name="承認する").check()
    page.get_by_label("申込者へのメッセージ（メールに記載されます）").fill("当日は名刺を2枚お持ちください。")
    page.screenshot(path="/tmp/approval-bulk.png", full_page=True)
    page.get_by_role("button", name="選択した申込者に実行").click()
    expect(page.locator('tr[data-outcome="confirmed"]')).to_have_count(1)
    page.get_by_role("link", name="一覧に戻る").click()

    # Reject 一郎 with another.
    page.locator(f'input[name="ids"][value="{ids["ichiro@example.jp"]}"]').first.check()
    page.get_by_role("radio", name="承認しない").check()
    page.get_by_label("申込者へのメッセージ（メールに記載されます）").fill("定員に達したため、次回のご参加をお待ちしています。")
    questions = []  # rejecting asks first (static/js/confirm.js)
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="選択した申込者に実行").click()
    expect(page.locator('tr[data-outcome="rejected"]')).to_have_count(1)
    assert questions and "却下しますか" in questions[0]

    assert _read(statuses) == {"hanako@example.jp": "confirmed", "ichiro@example.jp": "rejected"}

    # The outbox says so, message included.
    page.goto("/organizer/outbox")
    page.get_by_role("link", name="【参加承認】承認制セミナー").click()
    mail = page.locator("pre.mail-text")
    expect(mail).to_contain_text("主催者がお申し込みを承認しました")
    expect(mail).to_contain_text("当日は名刺を2枚お持ちください。")
    page.goto("/organizer/outbox")
    page.get_by_role("link", name="【参加不承認】承認制セミナー").click()
    expect(mail).to_contain_text("お受けできませんでした")
    expect(mail).to_contain_text("定員に達したため、次回のご参加をお待ちしています。")
    page.screenshot(path="/tmp/approval-outbox.png", full_page=True)

    def recipients():
        return {m.kind: m.to_email for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind.in_(["approved", "rejected"])))}
    assert _read(recipients) == {"approved": "hanako@example.jp", "rejected": "ichiro@example.jp"}


def _series_with_editions(create_event):
    now = utcnow()
    series = EventSeries(slug="external-talent-seminar", name="外部人材活用セミナー（各県開催）")
    db.session.add(series)
    db.session.commit()
    editions = {}
    for days, pref, city, venue in ((30, "02", "青森", "アピオあおもり"), (15, "04", "仙台", "TKPガーデンシティ仙台"),
                                    (45, "07", "福島", "コラッセふくしま")):
        editions[pref] = create_event(
            title=f"外部人材活用セミナー（{city}）", prefecture=pref, venue=venue, capacity=40,
            starts_at=(now + timedelta(days=days)).replace(minute=0, second=0, microsecond=0), series_id=series.id)
    past = create_event(title="外部人材活用セミナー（山形）", prefecture="06", venue="山形ビッグウイング",
                        starts_at=now - timedelta(days=300), status="finished", series_id=series.id,
                        registration_opens_at=now - timedelta(days=330),
                        registration_closes_at=now - timedelta(days=301))
    register(editions["04"], 1)
    return series, editions, past


def test_a_registrant_picks_the_nearest_edition_on_a_phone(phone_page, create_event):
    page = phone_page
    series, editions, past = _series_with_editions(create_event)
    aomori_slug, sendai_slug = editions["02"].slug, editions["04"].slug
    db.session.rollback()

    page.goto(f"/events/{aomori_slug}")
    page.get_by_role("link", name="このセミナーの他の日程・会場（外部人材活用セミナー（各県開催））").click()
    page.wait_for_url("**/series/external-talent-seminar")
    upcoming = page.locator("#upcoming-editions li")
    expect(upcoming).to_have_count(3)
    expect(upcoming.first).to_contain_text("宮城県")  # the soonest first
    expect(upcoming.first).to_contain_text("残り39席")
    expect(page.locator("#past-editions li")).to_have_count(1)
    expect(page.locator("#past-editions")).to_contain_text("山形県")
    assert scroll_width(page) <= 390  # fits the phone
    page.screenshot(path="/tmp/series-phone.png", full_page=True)

    page.locator("#upcoming-editions li", has_text="宮城県").get_by_role("link").click()
    page.wait_for_url(f"**/events/{sendai_slug}")
    page.get_by_role("link", name="このイベントに申し込む").first.click()
    _fill_form(page, given="花子", email="hanako@example.jp")
    page.get_by_role("button", name="確認画面へ進む").click()
    page.get_by_role("button", name="申し込む").click()
    page.wait_for_url(f"**/events/{sendai_slug}/register/done")

    def registered():
        return db.session.scalar(select(Event.slug).join(Registration, Registration.event_id == Event.id)
                                 .where(Registration.email == "hanako@example.jp"))
    assert _read(registered) == sendai_slug


def test_an_organizer_copies_an_edition_to_a_new_prefecture_and_date(page, browser_login, create_event,
                                                                       create_organizer):
    series, editions, past = _series_with_editions(create_event)
    source_id, series_id = editions["02"].id, series.id
    staff = SimpleNamespace(email=create_organizer().email)  # nothing left to load (a read would hold a snapshot)
    db.session.rollback()

    browser_login(page, staff)
    page.goto(f"/organizer/series/{series_id}")
    expect(page.locator("table.series-editions tbody tr")).to_have_count(4)
    expect(page.locator('td[data-total="registrations"]')).to_have_text("1")
    page.locator("tr", has_text="外部人材活用セミナー（青森）").get_by_role("link", name="複製して新しい回を作成").click()
    page.get_by_label("タイトル", exact=True).fill("外部人材活用セミナー（盛岡）")
    page.get_by_label("都道府県").select_option("03")
    page.get_by_label("会場", exact=True).fill("アイーナ 会議室")
    page.get_by_label("住所", exact=True).fill("岩手県盛岡市盛岡駅西通1-7-1")
    page.get_by_label("新しい回の初回開始日時（日本時間）").fill("2027-10-05T14:00")
    page.screenshot(path="/tmp/copy-edition.png", full_page=True)
    page.get_by_role("button", name="複製する").click()
    page.wait_for_url("**/organizer/events/*")
    expect(page.get_by_role("heading", level=1)).to_contain_text("外部人材活用セミナー（盛岡）")

    def copied():
        e = db.session.scalars(select(Event).where(Event.copied_from_id == source_id)).one()
        return e.prefecture, e.venue, e.series_id, e.status
    assert _read(copied) == ("03", "アイーナ 会議室", series_id, "draft")
    page.goto(f"/organizer/series/{series_id}")
    expect(page.locator("table.series-editions tbody tr")).to_have_count(5)
