"""Team pages over HTTP: the team registration form and its review, errors next to the fields keeping
what was typed, the registrant's members page (deadline, audit), the hackathon team page, and the
organizer's teams page (names for organizers, counts for viewers)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.models import AuditLog, Registration, Team
from app.services import teams
from app.urls import manage_token
from tests import factories
from tests.web.test_registration import error_of, form_data

STUDENTS = [("佐藤", "花子", "さとう", "はなこ", "高校2年"), ("鈴木", "一郎", "すずき", "いちろう", "高校2年"),
            ("高橋", "美咲", "たかはし", "みさき", "高校1年"), ("田中", "翔", "たなか", "しょう", "高校1年")]


def _debate(**fields):
    fields.setdefault("team_mode", "team")
    fields.setdefault("team_min_members", 3)
    fields.setdefault("team_max_members", 5)
    fields.setdefault("team_consent_text", "参加には学校長の承諾が必要です。")
    return factories.create_event(title="省エネ政策提案型パブリック・ディベートコンテスト",
                                  ticket_types=[("高校の部", 8), ("中学の部", 8)], **fields)


def _team_form(event, students=STUDENTS, **overrides):
    data = form_data(event, 1, organization="宮城県立仙台第一高等学校", organization_type="other",
                     job_title="教諭", team_name="仙台一高ディベート部", team_consent="y")
    for i, (fam, giv, fk, gk, grade) in enumerate(students):
        data.update({f"m{i}_family_name": fam, f"m{i}_given_name": giv, f"m{i}_family_name_kana": fk,
                     f"m{i}_given_name_kana": gk, f"m{i}_grade": grade})
    data.update(overrides)
    return data


def test_a_teacher_registers_a_team_of_four_through_the_review(client):
    event = _debate()
    page = client.get(f"/events/{event.slug}/register").text
    assert "チーム名" in page and "メンバー1" in page and "メンバー5" in page
    assert "参加には学校長の承諾が必要です。" in page and "責任者（教員または保護者）" in page
    assert 'name="m0_email"' not in page and 'name="m0_phone"' not in page  # no contact data of members
    data = _team_form(event)
    review = client.post(f"/events/{event.slug}/register", data=data)
    assert review.status_code == 200
    assert "仙台一高ディベート部" in review.text and "田中 翔" in review.text and "タナカ" in review.text
    response = client.post(f"/events/{event.slug}/register/confirm", data={**data, "action": "register"})
    assert response.status_code == 303
    [reg] = db.session.scalars(select(Registration)).all()
    team = teams.team_of(reg.id)
    assert team.name == "仙台一高ディベート部"
    assert [(m.family_name, m.given_name_kana, m.grade) for m in team.members] == [
        ("佐藤", "ハナコ", "高校2年"), ("鈴木", "イチロウ", "高校2年"), ("高橋", "ミサキ", "高校1年"),
        ("田中", "ショウ", "高校1年")]
    manage = client.get(f"/r/{manage_token(reg)}").text
    assert "仙台一高ディベート部" in manage and "高橋 美咲" in manage and "メンバーを変更する" in manage


def test_team_errors_are_next_to_their_fields_and_keep_what_was_typed(client):
    event = _debate()
    data = _team_form(event, students=STUDENTS[:2], team_consent="", m1_given_name="")
    response = client.post(f"/events/{event.slug}/register", data=data)
    assert error_of(response.text, "m1_given_name") == "入力してください。"
    assert error_of(response.text, "team_consent") == "チームの申し込みには学校または保護者の同意が必要です。"
    assert "チームのメンバーは3人以上です。" in response.text
    assert 'value="仙台一高ディベート部"' in response.text and 'value="佐藤"' in response.text
    assert db.session.scalar(select(Registration.id)) is None


def test_members_page_until_the_deadline_then_closed(client):
    event = _debate()
    reg = factories.register(event, team=factories.team_data(members=3)).registration
    token = manage_token(reg)
    page = client.get(f"/r/{token}/team").text
    assert 'value="佐藤"' in page
    data = {"m0_family_name": "山本", "m0_given_name": "蓮", "m1_family_name": "伊藤", "m1_given_name": "結衣",
            "m2_family_name": "渡辺", "m2_given_name": "陽", "m3_family_name": "中村", "m3_given_name": "葵",
            "m3_grade": "高校1年"}
    response = client.post(f"/r/{token}/team", data=data)
    assert response.status_code == 303
    assert [m.family_name for m in teams.team_of(reg.id).members] == ["山本", "伊藤", "渡辺", "中村"]
    assert db.session.scalar(select(AuditLog.data).where(AuditLog.action == "team.members_changed")) == {
        "team_id": teams.team_of(reg.id).id, "members_before": 3, "members_after": 4}

    event.team_edit_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/r/{token}/team").text
    assert "メンバーはもう変更できません。" in page and 'name="m0_family_name"' not in page
    client.post(f"/r/{token}/team", data={**data, "m3_family_name": ""})
    assert len(teams.team_of(reg.id).members) == 4


def test_hackathon_form_and_join_on_the_private_pages(client):
    event = factories.create_event(title="IoT アイデアソン＆ハッカソン", team_mode="hackathon", sessions=2,
                                   team_max_members=4)
    a, b = (factories.register(event).registration for _ in range(2))
    page = client.get(f"/r/{manage_token(a)}").text
    assert "まだチームに入っていません。" in page
    r = client.post(f"/r/{manage_token(a)}/team", data={"action": "form", "form-name": "スマート農業"})
    assert r.status_code == 303
    code = teams.team_of(a.id).invite_code
    assert code in client.get(f"/r/{manage_token(a)}/team").text
    r = client.post(f"/r/{manage_token(b)}/team", data={"action": "join", "join-code": "XXXX2222"})
    assert error_of(r.text, "join-code") == "この招待コードのチームはありません。"
    assert 'value="XXXX2222"' in r.text
    r = client.post(f"/r/{manage_token(b)}/team", data={"action": "join", "join-code": code.lower()})
    assert r.status_code == 303
    assert teams.team_of(b.id).id == teams.team_of(a.id).id


def test_organizer_sees_names_viewer_sees_counts(app, client, login, create_organizer):
    event = _debate()
    factories.register(event, team=factories.team_data(name="チームA", members=4))
    login(create_organizer(role="viewer"))
    page = client.get(f"/organizer/events/{event.id}/teams").text
    assert "チームA" in page and "4人" in page and "佐藤" not in page
    assert "メンバーの氏名は主催者にのみ表示されます。" in page
    assert client.post(f"/organizer/events/{event.id}/teams", data={}).status_code in (400, 403)
    editor = app.test_client()
    login(create_organizer(role="organizer"), c=editor)
    page = editor.get(f"/organizer/events/{event.id}/teams").text
    assert "佐藤 花子" in page and "高校の部" in page


def test_organizer_forms_a_hackathon_team(client, login, create_organizer):
    event = factories.create_event(title="IoT アイデアソン＆ハッカソン", team_mode="hackathon", sessions=2)
    regs = [factories.register(event).registration for _ in range(3)]
    login(create_organizer(role="organizer"))
    page = client.get(f"/organizer/events/{event.id}/teams").text
    assert "チームに入っていない申込者：3人" in page
    r = client.post(f"/organizer/events/{event.id}/teams",
                    data={"registrations": [str(regs[0].id), str(regs[2].id)], "team_id": "new", "new_name": "チームX"})
    assert r.status_code == 303
    team = db.session.scalar(select(Team).where(Team.name == "チームX"))
    assert sorted(m.registration_id for m in team.members) == [regs[0].id, regs[2].id]
    r = client.post(f"/organizer/events/{event.id}/teams", data={"registrations": [str(regs[1].id)],
                                                                  "team_id": "new", "new_name": ""})
    assert error_of(r.text, "new_name") == "チーム名を入力してください（100文字以内）。"


def test_an_organizer_cannot_put_more_than_the_most_per_team_into_a_hackathon_team(client, login,
                                                                                  create_organizer):
    event = factories.create_event(title="IoT アイデアソン＆ハッカソン", team_mode="hackathon", sessions=2,
                                   team_max_members=2)
    regs = [factories.register(event).registration for _ in range(3)]
    login(create_organizer(role="organizer"))
    r = client.post(f"/organizer/events/{event.id}/teams",
                    data={"registrations": [str(r.id) for r in regs], "team_id": "new", "new_name": "チームX"})
    assert r.status_code == 200
    assert error_of(r.text, "team_id") == ("このイベントの1チームのメンバーは2名までです。このチームはそれを超えてしまいます。"
                                           "先にイベントの設定で1チームの最大人数を増やしてください。")
    assert db.session.scalar(select(Team).where(Team.name == "チームX")) is None  # nothing half done
    r = client.post(f"/organizer/events/{event.id}/teams",
                    data={"registrations": [str(r.id) for r in regs[:2]], "team_id": "new", "new_name": "チームX"})
    assert r.status_code == 303


def test_the_most_per_hackathon_team_cannot_go_below_its_largest_team(app):
    import pytest

    from app.db_types import utcnow
    from app.services import events
    from app.services.errors import ValidationError

    event = factories.create_event(title="IoT アイデアソン＆ハッカソン", team_mode="hackathon", sessions=2,
                                   team_min_members=1, team_max_members=4)
    regs = [factories.register(event).registration for _ in range(3)]
    teams.organizer_assign(event.id, [r.id for r in regs], team_id=None, new_name="チームX", now=utcnow(), actor=None)
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        events.update_event(event, {"team_max_members": 2}, None, utcnow())
    db.session.rollback()
    assert list(refused.value.errors) == ["team_max_members"]
    events.update_event(db.session.get(type(event), event.id), {"team_max_members": 3, "team_min_members": 3},
                        None, utcnow())  # the fewest does not bind a hackathon team: it grows one by one
    db.session.commit()
