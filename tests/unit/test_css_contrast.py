"""The focus ring is visible: ≥ 3:1 (WCAG 1.4.11) against every background it is drawn on.

Reads the colours from static/style.css itself, so changing a colour there re-checks it.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[2] / "static" / "style.css").read_text(encoding="utf-8")


def _variables() -> dict[str, str]:
    root = re.search(r":root\s*{(.*?)}", CSS, re.S).group(1)
    root = re.sub(r"/\*.*?\*/", "", root, flags=re.S)
    return {name: value.strip() for name, value in re.findall(r"--([\w-]+)\s*:\s*([^;]+);", root)}


def _rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.strip().lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _colour(token: str) -> str:
    v = _variables()
    m = re.fullmatch(r"var\(--([\w-]+)\)", token.strip())
    return v[m.group(1)] if m else token.strip()


def _rule(selector: str) -> str:
    m = re.search(r"(?m)^" + re.escape(selector) + r"\s*{([^}]*)}", CSS)
    assert m, selector
    return m.group(1)


def test_contrast_formula():
    assert contrast("#ffffff", "#000000") == pytest.approx(21)
    assert contrast("#ffbf47", "#ffffff") == pytest.approx(1.64, abs=0.01)  # the old ring: too faint


def _outline_colour(selector: str) -> str:
    body = _rule(selector)
    m = re.search(r"outline(?:-color)?\s*:\s*(?:\S+\s+\S+\s+)?(var\(--[\w-]+\)|#[0-9a-fA-F]{3,6})", body)
    assert m, body
    return _colour(m.group(1))


PAGE_BACKGROUNDS = ["var(--bg)", "var(--panel)", "#ffffff", "#fff4e0", "#e9f5ec", "#fdecee", "#e8f0fa"]


@pytest.mark.parametrize("background", PAGE_BACKGROUNDS)
def test_focus_ring_stands_out_on_the_page(background):
    ring = _outline_colour(":focus-visible")
    assert contrast(ring, _colour(background)) >= 3, (ring, background)


def test_focus_ring_stands_out_on_the_blue_header():
    ring = _outline_colour(".site-header :focus-visible")
    header = re.search(r"background\s*:\s*([^;]+);", _rule(".site-header")).group(1)
    assert contrast(ring, _colour(header)) >= 3
