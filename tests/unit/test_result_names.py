"""domain.results.public_name: a team is published under the team's name, else the organisation, else the person."""
from types import SimpleNamespace

from app.domain.results import public_name, shown_name


def _reg(**kw):
    base = {"team": None, "organization": "", "family_name": "東北", "given_name": "花子", "public_name_consent": True}
    return SimpleNamespace(**{**base, **kw})


def test_a_team_is_published_under_its_name():
    reg = _reg(team=SimpleNamespace(name="宮城野高校ディベート部"), organization="宮城野高等学校")
    assert public_name(reg) == "宮城野高校ディベート部"


def test_else_the_organisation_else_the_person():
    assert public_name(_reg(organization="株式会社ささかま")) == "株式会社ささかま"
    assert public_name(_reg()) == "東北 花子"
    assert public_name(_reg(team=SimpleNamespace(name=""), organization="X社")) == "X社"


def test_no_name_without_consent():
    assert shown_name(_reg(public_name_consent=False, organization="X社")) is None
    assert shown_name(None) is None
