"""One clean address line (app.domain.addresses)."""
from __future__ import annotations

import pytest

from app.domain.addresses import address_line


@pytest.mark.parametrize(
    ("prefecture", "address", "lang", "line"),
    [
        ("04", "宮城県仙台市青葉区本町3-3-1", "ja", "宮城県仙台市青葉区本町3-3-1"),  # not 「宮城県 宮城県仙台市…」
        ("04", "仙台市青葉区本町3-3-1", "ja", "宮城県仙台市青葉区本町3-3-1"),
        ("04", " 宮城県 仙台市青葉区", "ja", "宮城県 仙台市青葉区"),
        ("04", "", "ja", "宮城県"),
        (None, "仙台市青葉区", "ja", "仙台市青葉区"),
        ("", "", "ja", ""),
        ("01", "札幌市中央区", "ja", "北海道札幌市中央区"),
        ("04", "仙台市青葉区", "en", "仙台市青葉区, Miyagi"),
        ("04", "宮城県仙台市青葉区", "en", "宮城県仙台市青葉区"),
        ("04", "", "en", "Miyagi"),
    ],
)
def test_address_line(prefecture, address, lang, line):
    assert address_line(prefecture, address, lang=lang) == line
