"""The registration form: review step, done page, validation next to each field, closed and full events."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db_types import utcnow
from app.domain.dates import format_datetime
from app.domain.people import corporate_number_check_digit
from app.extensions import db
from app.models import AuditLog, OutboxMessage, Question, Registration
from app.services import outbox
from tests.factories import register, registration_data


def form_data(event, n: int = 1, **overrides) -> dict:
    """What a person types into the form: the factory's registration as form fields
    (hiragana and half-width kana on purpose, the email typed twice, a ticked consent box)."""
    data = registration_data(event, n, given_name_kana="ﾀﾛｳ", email_confirm=f"taro{n}@example.jp",
                             ticket_type_id=str(event.ticket_types[0].id), consent="y")
    for form_only_missing in ("answers", "opt_in_announcements"):
        data.pop(form_only_missing)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def field_segment(html: str, name: str) -> str:
    """The markup of the form field (div.field) holding the control named `name`."""
    pos = html.find(f'name="{name}"')
    assert pos != -1, f"no control named {name}"
    start = html.rfind('<div class="field', 0, pos)
    end = html.find('<div class="field', pos)
    return html[start:end if end != -1 else len(html)]


def error_of(html: str, name: str) -> str | None:
    segment = field_segment(html, name)
    match = re.search(r'<p class="error" id="[^"]+-error">(.*?)</p>', segment, re.S)
    return match.group(1).strip() if match else None


def _registrations():
    return db.session.scalars(select(Registration).order_by(Registration.id)).all()


def _outbox(kind=None):
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return db.session.scalars(stmt).all()


def test_form_page_lists_the_fields_and_the_ticket_types(client, create_event):
    event = create_event(ticket_types=[("一般", 5), ("学生", 1)], waitlist_enabled=True)
    register(event, 1, ticket_type_id=event.ticket_types[1].id)
    html = client.get(f"/events/{event.slug}/register").text
    for label in ("姓", "名", "セイ", "メイ", "メールアドレス（確認用）", "電話番号", "会社名・団体名", "部署", "役職",
                  "組織区分", "都道府県", "法人番号", "参加枠", "今後のイベントのお知らせ"):
        assert label in html, label
    assert "残り5席" in html
    assert "キャンセル待ち" in html  # the full 学生 参加枠 with a waiting list
    assert event.consent_text in html
    assert 'name="consent"' in html and 'name="consent" checked' not in html
    assert '<option value="04">宮城県</option>' in html


def test_happy_path_through_review_to_done(client, create_event):
    event = create_event(capacity=10)
    data = form_data(event, opt_in_announcements="y")
    review = client.post(f"/events/{event.slug}/register", data=data)
    assert review.status_code == 200
    html = review.text
    assert "お申し込み内容の確認" in html
    assert "ヤマダ タロウ" in html  # shown as it will be stored
    assert "宮城県" in html and "企業" in html
    assert f'name="email_confirm" value="{data["email"]}"' in html  # carried in hidden fields
    assert not _registrations()  # nothing stored before "register"

    response = client.post(f"/events/{event.slug}/register/confirm", data={**data, "action": "register"})
    assert response.status_code == 303
    done = client.get(response.headers["Location"])
    [reg] = _registrations()
    assert reg.status == "confirmed"
    assert (reg.family_name_kana, reg.given_name_kana) == ("ヤマダ", "タロウ")
    assert reg.phone == "0222214876"
    assert reg.opt_in_announcements is True
    assert reg.language == "ja"
    assert reg.consent_at is not None
    assert "お申し込みが確定しました" in done.text
    assert reg.reference in done.text
    assert "taro1@example.jp に確認メールをお送りしました" in done.text
    assert "受付票" in done.text
    assert reg.manage_token not in done.text
    assert [m.kind for m in _outbox()] == ["confirmed"]
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.registration_id == reg.id)) == "registration.created"


def test_back_to_edit_keeps_every_value(client, create_event):
    event = create_event()
    event.questions.append(Question(kind="multiple", label="関心分野", choices=["AI", "IoT", "DX"]))
    db.session.commit()
    q = event.questions[0]
    data = form_data(event, **{f"q_{q.id}": ["AI", "DX"]})
    back = client.post(f"/events/{event.slug}/register/confirm", data={**data, "action": "edit"})
    html = back.text
    assert "申込フォーム" in html
    assert 'value="山田"' in html and 'value="taro1@example.jp"' in html
    assert re.search(r'value="AI"\s+checked', html) and re.search(r'value="DX"\s+checked', html)
    assert not re.search(r'value="IoT"\s+checked', html)
    assert re.search(r'<option selected value="04">|<option value="04" selected>', html)
    assert not _registrations()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("family_name", "", "入力してください。"),
        ("given_name_kana", "tarou", "フリガナはカタカナまたはひらがなで入力してください。"),
        ("email", "not-an-address", "正しいメールアドレスを入力してください。"),
        ("email_confirm", "other@example.jp", "確認用のメールアドレスが一致しません。"),
        ("phone", "12345", "電話番号は 022-221-4876 のように10桁または11桁で入力してください。"),
        ("organization", "", "入力してください。"),
        ("organization_type", "", "入力してください。"),
        ("prefecture", "", "入力してください。"),
        ("corporate_number", "1234567890123", "法人番号は13桁の数字です（チェックデジットが正しくありません）。"),
    ],
)
def test_each_error_is_next_to_its_field_and_values_are_kept(client, create_event, name, value, message):
    event = create_event()
    data = form_data(event, **{name: value})
    response = client.post(f"/events/{event.slug}/register", data=data)
    assert response.status_code == 200
    html = response.text
    assert error_of(html, name) == message
    assert 'id="error-summary"' in html
    # Only that field is in error, and everything else typed is still there.
    assert html.count('<p class="error"') == 1
    assert 'value="株式会社テスト1"' in html or name == "organization"
    assert 'value="DX推進室"' in html
    if value:
        assert f'value="{value}"' in html
    assert not _registrations()


def test_missing_consent_and_everything_empty(client, create_event):
    event = create_event()
    html = client.post(f"/events/{event.slug}/register", data={"given_name": "花子"}).text
    assert error_of(html, "consent") == "お申し込みには個人情報の利用目的への同意が必要です。"
    for name in ("family_name", "email", "organization"):
        assert error_of(html, name) == "入力してください。", name
    for name in ("family_name_kana", "given_name_kana"):  # 花子 is written in Japanese: its reading is needed
        assert error_of(html, name) == "漢字・かなのお名前には、フリガナ（カタカナまたはひらがな）を入力してください。", name
    assert error_of(html, "given_name") is None
    assert 'value="花子"' in html


def test_a_valid_corporate_number_is_accepted_and_stored(client, create_event):
    event = create_event()
    base = "700110005901"
    number = f"{corporate_number_check_digit(base)}{base}"
    data = form_data(event, corporate_number=f"{number[:1]}-{number[1:5]}-{number[5:9]}-{number[9:]}")
    assert client.post(f"/events/{event.slug}/register/confirm", data=data).status_code == 303
    [reg] = _registrations()
    assert reg.corporate_number == number
    assert reg.organization_key == f"corp:{number}"


def test_questions_required_and_answers_stored(client, create_event):
    event = create_event()
    event.questions.extend([
        Question(kind="single", label="参加方法", choices=["会場", "オンライン"], required=True, position=1),
        Question(kind="yesno", label="懇親会に参加しますか", required=True, position=2),
        Question(kind="multiple", label="関心分野", choices=["AI", "IoT"], required=True, position=3),
        Question(kind="textarea", label="講師への質問", position=4),
        Question(kind="text", label="紹介者", required=True, position=5),
    ])
    db.session.commit()
    single, yesno, multiple, textarea, text = event.questions
    html = client.post(f"/events/{event.slug}/register", data=form_data(event)).text
    for q in (single, yesno, multiple, text):
        assert error_of(html, f"q_{q.id}") == "入力してください。", q.label
    assert error_of(html, f"q_{textarea.id}") is None
    assert "参加方法" in html and "懇親会に参加しますか" in html

    bad = form_data(event, **{f"q_{single.id}": "宇宙", f"q_{yesno.id}": "yes", f"q_{multiple.id}": ["AI"],
                              f"q_{text.id}": "東北花子"})
    assert error_of(client.post(f"/events/{event.slug}/register", data=bad).text,
                    f"q_{single.id}") == "選択肢から選んでください。"

    good = {**bad, f"q_{single.id}": "オンライン", f"q_{textarea.id}": "質問です"}
    review = client.post(f"/events/{event.slug}/register", data=good).text
    assert "オンライン" in review and "はい" in review and "質問です" in review
    assert client.post(f"/events/{event.slug}/register/confirm", data=good).status_code == 303
    [reg] = _registrations()
    assert reg.answers == {str(single.id): "オンライン", str(yesno.id): True, str(multiple.id): ["AI"],
                           str(textarea.id): "質問です", str(text.id): "東北花子"}


def test_same_email_again_says_already_registered_without_the_link(client, create_event):
    event = create_event()
    first = register(event, 1, email="taro1@example.jp").registration
    response = client.post(f"/events/{event.slug}/register/confirm",
                           data=form_data(event, 2, email="Taro1@Example.jp", email_confirm="taro1@example.jp"))
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).text
    assert "このメールアドレスは" in html and "お送りしました" in html
    assert first.manage_token not in html
    assert "/r/" not in html
    assert first.reference not in html
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    [mail] = _outbox("manage_link")
    assert mail.to_email == "taro1@example.jp"
    assert first.manage_token not in mail.body_text  # stored without it...
    assert first.manage_token in outbox.text_as_sent(mail)  # ...filled in at delivery


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"status": "cancelled", "status_reason": "台風の接近のため"}, ["中止", "台風の接近のため"]),
        ({"status": "postponed"}, ["延期"]),
        ({"status": "closed"}, ["受付は終了しました。"]),
        ({"registration_closes_at": utcnow() - timedelta(hours=1)}, ["受付は終了しました。"]),
    ],
)
def test_closed_events_say_why_instead_of_the_form(client, create_event, fields, expected):
    event = create_event(**fields)
    html = client.get(f"/events/{event.slug}/register").text
    for text in expected:
        assert text in html
    assert 'name="family_name"' not in html
    response = client.post(f"/events/{event.slug}/register/confirm", data=form_data(event))
    assert 'name="family_name"' not in response.text
    assert not _registrations()


def test_not_yet_open_shows_the_opening_time(client, create_event):
    opens = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    event = create_event(registration_opens_at=opens)
    html = client.get(f"/events/{event.slug}/register").text
    assert "受付開始前" in html
    assert format_datetime(opens) in html
    assert 'name="family_name"' not in html


def test_draft_events_are_not_found(client, create_event):
    event = create_event(status="draft")
    assert client.get(f"/events/{event.slug}/register").status_code == 404
    assert client.get("/events/no-such-event/register").status_code == 404


def test_full_without_waiting_list(client, create_event):
    event = create_event(capacity=1, waitlist_enabled=False)
    data = form_data(event, 2)
    review = client.post(f"/events/{event.slug}/register", data=data)  # a seat is still free here
    assert "お申し込み内容の確認" in review.text
    register(event, 1)  # ... and someone else takes it meanwhile
    response = client.post(f"/events/{event.slug}/register/confirm", data=data)
    html = response.text
    assert response.status_code == 200
    assert "満席となりました" in html
    assert "満席" in html
    assert 'value="太郎2"' in html and 'value="taro2@example.jp"' in html  # nothing typed is lost
    assert len(_registrations()) == 1
    # A fresh visit shows the 満席 notice instead of the form.
    html = client.get(f"/events/{event.slug}/register").text
    assert "満席" in html and 'name="family_name"' not in html


def test_waiting_list_position_on_the_done_page(client, create_event):
    event = create_event(capacity=1, waitlist_enabled=True)
    register(event, 1)
    register(event, 2)
    form = client.get(f"/events/{event.slug}/register").text
    assert "キャンセル待ち" in form
    response = client.post(f"/events/{event.slug}/register/confirm", data=form_data(event, 3))
    html = client.get(response.headers["Location"]).text
    assert "キャンセル待ちで受け付けました" in html
    assert "キャンセル待ち 2 番目です。" in html
    assert _registrations()[-1].status == "waitlisted"


@pytest.mark.parametrize(("mode", "heading"), [("lottery", "抽選へのお申し込みを受け付けました"),
                                               ("approval", "承認待ち")])
def test_lottery_and_approval_done_pages(client, create_event, mode, heading):
    event = create_event(admission_mode=mode)
    response = client.post(f"/events/{event.slug}/register/confirm", data=form_data(event))
    html = client.get(response.headers["Location"]).text
    assert heading in html
    if mode == "lottery":
        assert "抽選" in html and format_datetime(event.registration_closes_at) in html


def test_english_interface_and_language_stored(client, create_event):
    event = create_event()
    client.get("/lang/en")
    html = client.post(f"/events/{event.slug}/register?lang=en", data=form_data(event, email="x")).text
    assert error_of(html, "email") == "Enter a valid email address."
    assert "Family name (kana)" in html
    client.post(f"/events/{event.slug}/register/confirm?lang=en", data=form_data(event))
    assert _registrations()[0].language == "en"


def test_two_ticket_types_need_a_choice_and_a_full_one_cannot_be_chosen(client, create_event):
    event = create_event(ticket_types=[("SIer", 5), ("ユーザー企業", 1)], waitlist_enabled=False)
    register(event, 1, ticket_type_id=event.ticket_types[1].id)
    html = client.post(f"/events/{event.slug}/register", data=form_data(event, 2, ticket_type_id="")).text
    assert error_of(html, "ticket_type_id") == "参加枠を選んでください。"
    assert re.search(rf'value="{event.ticket_types[1].id}"\s+disabled', html)
    html = client.post(f"/events/{event.slug}/register",
                       data=form_data(event, 2, ticket_type_id=str(event.ticket_types[1].id))).text
    assert error_of(html, "ticket_type_id") == "この参加枠は満席です。"


def test_done_page_without_a_registration_goes_back_to_the_form(client, create_event):
    event = create_event()
    response = client.get(f"/events/{event.slug}/register/done")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{event.slug}/register")
