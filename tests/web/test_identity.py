"""The bureau's identity from ORG_* settings: refused when unknown or unsafe, shown on every page,
and its own pages (/privacy, /accessibility, /contact), colours and favicon."""
from __future__ import annotations

from datetime import date

import pytest

from app import identity as identity_mod
from app.identity import Identity, identity_from_env
from config import ConfigError

BUREAU = {
    "ORG_NAME": "東北経済産業局",
    "ORG_NAME_EN": "Tohoku Bureau of Economy, Trade and Industry",
    "ORG_PHONE": "0222214876",
    "ORG_EMAIL": "thk-chikei@metti.go.jp",
    "ORG_ADDRESS": "宮城県仙台市青葉区本町3-3-1",
    "ORG_COLOR": "#0b5394",
    "ORG_RETENTION_MONTHS": "24",
    "ORG_A11Y_TESTED_ON": "2026-11-30",
    "ORG_A11Y_RESULT": "重大・深刻な問題 0 件",
}


def test_defaults_are_the_design_tokens():
    found = identity_from_env({})
    tokens = identity_mod.design_tokens()
    assert found.color == tokens["blue-900"] == "#0017c1"
    assert found.color_dark == tokens["blue-1000"]
    assert found.favicon_type == "image/svg+xml" and found.logo.endswith(".svg")
    assert found.retention_months == 12 and found.a11y_tested_on is None


@pytest.mark.parametrize("environ, words", [
    ({"ORG_EMIAL": "a@b.jp"}, "Unknown setting"),              # a typo refuses to start
    ({"ORG_COLOR": "yellow-200"}, "too pale"),                  # white text on it unreadable
    ({"ORG_COLOR": "#ffff00"}, "too pale"),
    ({"ORG_COLOR": "red"}, "design token"),
    ({"ORG_LOGO": "nope/logo.svg"}, "no such file"),
    ({"ORG_LOGO": "../config.py"}, "no such file"),            # nothing outside static/
    ({"ORG_FAVICON": "style.css"}, "use one of"),
    ({"ORG_EMAIL": "not an address"}, "e-mail"),
    ({"ORG_URL": "javascript:alert(1)"}, "http"),
    ({"ORG_RETENTION_MONTHS": "0"}, "ORG_RETENTION_MONTHS"),
    ({"ORG_A11Y_TESTED_ON": "30/11/2026"}, "YYYY-MM-DD"),
    ({"ORG_NAME": "a\nb"}, "one line"),
])
def test_bad_settings_refuse_to_start(environ, words):
    with pytest.raises(ConfigError, match=words):
        identity_from_env(environ)


def test_create_app_refuses_an_unknown_org_variable(monkeypatch):
    from app import create_app
    from config import TestingConfig

    monkeypatch.setenv("ORG_NAEM", "東北経済産業局")
    with pytest.raises(ConfigError, match="ORG_NAEM"):
        create_app(TestingConfig)


@pytest.fixture
def bureau(app):
    app.config["IDENTITY"] = identity_from_env(BUREAU)
    yield app.config["IDENTITY"]


def test_every_page_shows_the_bureau_and_its_links(client, bureau, create_event):
    event = create_event()
    for url in ("/", f"/events/{event.slug}", "/login", "/privacy", "/contact", "/accessibility"):
        html = client.get(url).get_data(as_text=True)
        assert "東北経済産業局" in html, url
        assert 'href="/privacy"' in html and 'href="/accessibility"' in html and 'href="/contact"' in html, url
        assert "個人情報の取扱い" in html and "ウェブアクセシビリティ方針" in html and "お問い合わせ" in html
        assert '<link rel="icon" href="/static/identity/favicon.svg" type="image/svg+xml">' in html
        assert "/static/vendor/digital-go-jp-design-tokens/tokens.css" in html and 'href="/theme.css"' in html
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "Tohoku Bureau of Economy, Trade and Industry" in html and "Privacy policy" in html


def test_privacy_page_has_purpose_retention_contact_and_each_events_purpose(client, bureau, create_event):
    event = create_event(consent_text="DX大賞の審査のため、応募内容を審査委員に提供します。")
    draft = create_event(status="draft", consent_text="下書きの利用目的")
    html = client.get("/privacy").get_data(as_text=True)
    assert "利用目的" in html and "個人情報の保護に関する法律" in html
    assert "イベント終了後24か月間保存" in html
    assert "022-221-4876" in html and "thk-chikei@metti.go.jp" in html
    assert f'id="event-{event.slug}"' in html and f'href="/events/{event.slug}"' in html
    assert "審査委員に提供します" in html
    assert draft.slug not in html and "下書きの利用目的" not in html
    en = client.get("/privacy?lang=en").get_data(as_text=True)
    assert "Purposes of use" in en and "kept for 24 months after the event" in en


def test_accessibility_page_states_the_target_and_the_last_test(client, bureau, app):
    html = client.get("/accessibility").get_data(as_text=True)
    assert "JIS X 8341-3:2016" in html and "適合レベルAA" in html
    assert "2026年11月30日" in html and "重大・深刻な問題 0 件" in html
    app.config["IDENTITY"] = identity_from_env({})
    html = client.get("/accessibility").get_data(as_text=True)
    assert "試験の実施日と結果はまだ公開していません" in html


def test_contact_page(client, bureau):
    html = client.get("/contact").get_data(as_text=True)
    assert "<h1>お問い合わせ</h1>" in html
    assert 'href="tel:0222214876"' in html and ">022-221-4876<" in html
    assert 'href="mailto:thk-chikei@metti.go.jp"' in html and "宮城県仙台市青葉区本町3-3-1" in html


def test_theme_and_favicon(client, bureau, app):
    css = client.get("/theme.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert "--brand: #0b5394" in css.get_data(as_text=True)
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    app.config["IDENTITY"] = Identity(**{**vars(identity_from_env({})), "name": ""})
    html = client.get("/").get_data(as_text=True)
    assert "<title>" in html and "集い" in html  # no name configured: the product's name


def test_demo_identity_is_valid_and_the_bureaus():
    from app.demo.identity import DEMO_IDENTITY

    found = identity_from_env(DEMO_IDENTITY)
    assert found.name == "東北経済産業局" and found.phone == "022-221-4876"
    assert found.a11y_tested_on == date(2026, 11, 30)
