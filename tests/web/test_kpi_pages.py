"""KPI pages and API: viewers read, admins define (with an uploaded target list), errors next to the field."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.db_types import utcnow
from app.domain import dates
from app.domain import kpi as rules
from app.extensions import db
from app.models import Kpi
from app.services import kpis
from tests import factories
from tests.services.test_kpis import _reg

DATA = Path(__file__).resolve().parents[1] / "data" / "kpi"


@pytest.fixture
def event(app):
    e = factories.create_event(title="外部人材活用セミナー（青森）", starts_at=dates.jst_datetime(2021, 9, 14, 13),
                               status="finished")
    _reg(e, "a@x.jp", "株式会社東北テック", came=True)
    _reg(e, "b@x.jp", "みちのく精密", came=False)
    db.session.commit()
    return e


def _form(**overrides):
    data = {"name": "地域未来牽引企業のDX展開", "description": "", "fiscal_year_from": "2021", "fiscal_year_to": "2021",
            "measure": rules.TARGET_SHARE, "target": "10"}
    data.update(overrides)
    return data


def test_admin_defines_a_share_kpi_with_a_cp932_list(client, login, event):
    login(factories.create_organizer(role="admin"))
    assert client.get("/organizer/stats/kpis/new").status_code == 200
    data = _form(target_file=(io.BytesIO((DATA / "targets-cp932.csv").read_bytes()), "牽引企業.csv"))
    r = client.post("/organizer/stats/kpis/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    k = db.session.query(Kpi).one()
    assert [t.name for t in k.targets] == ["㈱東北テック", "みちのく精密", "仙台ソフト株式会社", "未参加工業"]
    html = client.get(r.location).get_data(as_text=True)
    assert "4行目" in html or "Line 4" in html  # the bad check digit is reported
    assert 'data-kpi-value="25.0"' in html  # 東北テック attended: 1 of 4
    unmatched = html.split('id="kpi-unmatched"')[1]
    assert "みちのく精密" in unmatched and "未参加工業" in unmatched and "㈱東北テック" not in unmatched


def test_errors_stay_next_to_their_fields_and_keep_what_was_typed(client, login, event):
    login(factories.create_organizer(role="admin"))
    r = client.post("/organizer/stats/kpis/new", data=_form(fiscal_year_from="2022", target="150",
                                                           name="入力が残る名前"),
                    content_type="multipart/form-data")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="fiscal_year_to-error"' in html and 'id="target-error"' in html and 'id="target_file-error"' in html
    assert 'value="入力が残る名前"' in html
    assert db.session.query(Kpi).count() == 0


def test_viewers_read_but_cannot_define(client, login, event):
    k = kpis.save(None, {"name": "支援企業数", "fiscal_year_from": 2021, "fiscal_year_to": 2021,
                         "measure": rules.ORGANIZATIONS, "target": 100}, actor=None, now=utcnow())
    db.session.commit()
    login(factories.create_organizer(role="viewer"))
    html = client.get("/organizer/stats/kpis").get_data(as_text=True)
    assert "支援企業数" in html and 'data-kpi-value="2"' in html
    assert client.get(f"/organizer/stats/kpis/{k.id}").status_code == 200
    assert client.get("/organizer/stats/kpis/new").status_code == 403
    assert client.post(f"/organizer/stats/kpis/{k.id}/delete").status_code in (400, 403)


def test_api(client, event):
    k = kpis.save(None, {"name": "支援企業数", "fiscal_year_from": 2021, "fiscal_year_to": 2021,
                         "measure": rules.ORGANIZATIONS, "target": 100}, actor=None, now=utcnow())
    db.session.commit()
    token = factories.create_api_token(factories.create_organizer(role="viewer"))
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/kpis").status_code == 401
    listed = client.get("/api/v1/kpis", headers=headers).json["kpis"]
    assert [(x["name"], x["target"], x["value"], x["progress"]) for x in listed] == [("支援企業数", 100, 2, 0.02)]
    one = client.get(f"/api/v1/kpis/{k.id}", headers=headers).json
    assert one["label"] == "令和3年度" and len(one["matches"]) == 2
    assert client.get("/api/v1/kpis/999999", headers=headers).status_code == 404
