"""The 受付名簿 and name-badge PDFs, read back with poppler's pdftotext (and rendered once with pdftoppm)."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Registration
from app.services import pdf_exports
from tests import factories

DATA = Path(__file__).resolve().parents[1] / "data" / "pdf"
pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")

LONG_COMPANY = "東北地方産業振興デジタルトランスフォーメーション推進コンソーシアム事務局株式会社ホールディングス"


def _pdftotext(data: bytes, *extra: str) -> str:
    return subprocess.run(["pdftotext", "-layout", *extra, "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode("utf-8")


def _pages(data: bytes) -> int:
    out = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def _people(event):
    """Registrations with rare kanji, hiragana and half-width kana, and a long company name."""
    people = [
        ("髙橋", "一郎", "たかはし", "いちろう", "株式会社髙橋製作所", "一般"),
        ("山﨑", "花子", "ﾔﾏｻﾞｷ", "ﾊﾅｺ", LONG_COMPANY, "一般"),
        ("𠮷田", "次郎", "ヨシダ", "ジロウ", "㈱𠮷田商店", "一般"),
        ("阿部", "三郎", "あべ", "さぶろう", "宮城県庁", "学生"),
        ("渡辺", "絵文字😀", "わたなべ", "えもじ", "テスト大学", "学生"),
    ]
    tts = {tt.name: tt for tt in event.ticket_types}
    regs = []
    for i, (family, given, fk, gk, org, tt) in enumerate(people):
        result = factories.register(event, i, family_name=family, given_name=given, family_name_kana=fk,
                                    given_name_kana=gk, organization=org, ticket_type_id=tts[tt].id)
        regs.append(result.registration)
    return regs


@pytest.fixture
def event(app):
    return factories.create_event(title="TOHOKU DXセミナー2026 髙﨑𠮷", venue="仙台国際センター 会議棟 2F 橘",
                                  ticket_types=[("一般", 100), ("学生", 20)])


def test_roster_has_every_name_in_kana_order_by_ticket_type(event):
    regs = _people(event)
    buf = io.BytesIO()
    pages = pdf_exports.write_roster(event, list(reversed(regs)), buf)
    data = buf.getvalue()
    assert data.startswith(b"%PDF")
    assert pages == _pages(data) == 2  # 一般 and 学生 each start a page
    text = _pdftotext(data)
    for name in ("髙橋", "一郎", "山﨑", "𠮷田", "阿部", "渡辺", "タカハシ", "ヤマザキ", "ヨシダ"):
        assert name in text, name
    assert "受付名簿" in text and "署名" in text and "受付番号" in text
    assert regs[0].reference in text
    assert re.search(r"1 ?/ ?2", text) and re.search(r"2 ?/ ?2", text)
    assert "〓" in text  # the emoji the font lacks is shown as 〓, never dropped silently
    # 一般 first (its position), sorted by kana: タカハシ, ヤマサキ, ヨシダ; then 学生: アベ, ワタナベ
    first, second = text.split("\f")[:2]
    assert first.index("髙橋") < first.index("山﨑") < first.index("𠮷田")
    assert "阿部" not in first and second.index("阿部") < second.index("渡辺")
    # the long company name is wrapped or shrunk inside its box, whole
    flat = "".join(first.split())
    assert LONG_COMPANY[:20] in flat and "ホールディングス" in flat


def test_roster_embeds_the_japanese_font(event):
    regs = _people(event)
    buf = io.BytesIO()
    pdf_exports.write_roster(event, regs, buf)
    fonts = subprocess.run(["pdffonts", "-"], input=buf.getvalue(), capture_output=True, check=True).stdout.decode()
    line = next(x for x in fonts.splitlines() if "NotoSans" in x)
    assert " yes " in line  # embedded (subset of the glyphs used)


def test_roster_of_120_rows_paginates(app):
    event = factories.create_event(title="右腕人材育成プログラム", capacity=None)
    now = factories.utcnow()
    tt = event.ticket_types[0]
    for i in range(120):
        reg = Registration(event_id=event.id, ticket_type_id=tt.id, status="confirmed", email=f"p{i}@example.jp",
                           email_normalized=f"p{i}@example.jp", family_name=f"氏名{i:03d}", given_name="太郎",
                           family_name_kana="アイウエオカキクケコ"[i % 10] + f"{i:03d}", given_name_kana="タロウ",
                           organization=f"会社{i}", manage_token_hash=f"{i:064d}", created_at=now)
        db.session.add(reg)
    db.session.commit()
    regs = db.session.scalars(db.select(Registration).where(Registration.event_id == event.id)).all()
    assert pdf_exports.roster_page_count(regs) == 6  # 120 rows, 20 a page
    buf = io.BytesIO()
    assert pdf_exports.write_roster(event, regs, buf) == 6
    assert _pages(buf.getvalue()) == 6
    text = _pdftotext(buf.getvalue())
    assert re.search(r"6 ?/ ?6", text)
    found = [f"氏名{i:03d}" in text for i in range(120)]
    assert all(found)
    # kana order: every ア row before every イ row, and so on
    order = [text.index(f"氏名{i:03d}") for i in sorted(range(120), key=lambda i: ("アイウエオカキクケコ"[i % 10], i))]
    assert order == sorted(order)


def test_roster_for_one_session_and_empty(event):
    buf = io.BytesIO()
    assert pdf_exports.write_roster(event, [], buf, session=event.sessions[0]) == 1
    text = _pdftotext(buf.getvalue())
    assert "受付名簿" in text and re.search(r"1 ?/ ?1", text)


def test_badges_on_a_10_label_sheet(event):
    regs = _people(event)
    buf = io.BytesIO()
    assert pdf_exports.write_badges(event, regs * 3, buf) == 2  # 15 badges, 10 a sheet
    data = buf.getvalue()
    text = _pdftotext(data)
    for name in ("髙橋", "山﨑", "𠮷田", "一般", "学生", "タカハシ", "株式会社髙橋製作所"):
        assert name in text, name
    size = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "(A4)" in size


def test_fit_lines_shrinks_then_wraps_then_cuts(app):
    pdf = pdf_exports._Document()
    pdf.add_page()
    size, lines = pdf_exports.fit_lines(pdf, "短い", 50, size=12, min_size=6, max_lines=2)
    assert (size, lines) == (12, ["短い"])
    size, lines = pdf_exports.fit_lines(pdf, LONG_COMPANY, 60, size=12, min_size=6, max_lines=2)
    assert size == 6 and len(lines) == 2 and "".join(lines) == LONG_COMPANY
    size, lines = pdf_exports.fit_lines(pdf, LONG_COMPANY * 3, 50, size=12, min_size=6, max_lines=2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    for line in lines:
        pdf.set_font_size(size)
        assert pdf.get_string_width(line) <= 50


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm is not installed")
def test_page_images_are_kept_for_review(event, tmp_path):
    """Renders page 1 of each PDF; the PNGs in tests/data/pdf/ were checked by eye (regenerated here)."""
    regs = _people(event)
    for name, writer in (("roster", pdf_exports.write_roster), ("badges", pdf_exports.write_badges)):
        pdf_path = tmp_path / f"{name}.pdf"
        with pdf_path.open("wb") as fh:
            writer(event, regs, fh)
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf_path),
                        str(tmp_path / name)], check=True)
        png = (tmp_path / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 5000
        kept = DATA / f"{name}-page1.png"
        assert kept.exists(), f"{kept} is the reviewed rendering; copy {tmp_path / name}.png there after review"
