"""One clean address line from a 都道府県 code and the address as the organizer typed it. Pure."""
from __future__ import annotations

import unicodedata

from app.domain.codes import PREFECTURES, PREFECTURES_EN


def address_line(prefecture: str | None, address: str | None, *, lang: str = "ja") -> str:
    """「宮城県仙台市青葉区…」: the prefecture first, unless the address already starts with it.

    Japanese writes the prefecture and the rest without a space. In English the
    prefecture's romanised name goes after the address ("仙台市青葉区…, Miyagi"),
    unless the address already names it. Either part may be missing.
    """
    address = (address or "").strip()
    name_ja = PREFECTURES.get(prefecture or "", "")
    if not name_ja:
        return address
    if unicodedata.normalize("NFKC", address).replace(" ", "").startswith(name_ja):
        return address  # 「宮城県仙台市…」 already names it
    if lang == "en":
        name_en = PREFECTURES_EN.get(prefecture or "", name_ja)
        if not address:
            return name_en
        return address if name_en.lower() in address.lower() else f"{address}, {name_en}"
    return name_ja + address
