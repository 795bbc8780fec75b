"""Japanese personal-data conventions: kana, phone, email, 法人番号, organisation keys."""
from __future__ import annotations

import hashlib
import re
import unicodedata

import jaconv

_KATAKANA_RE = re.compile(r"^[\u30A0-\u30FF\u3000 ー・]+$")
_CORPORATE_PREFIX_SUFFIX = (
    "株式会社", "有限会社", "合同会社", "合名会社", "合資会社",
    "一般社団法人", "公益社団法人", "一般財団法人", "公益財団法人",
    "特定非営利活動法人", "npo法人", "国立大学法人", "学校法人", "社会福祉法人", "独立行政法人",
    "地方独立行政法人", "医療法人", "協同組合",
    "(株)", "(有)", "(同)", "(一社)", "(公社)", "(一財)", "(公財)", "(特非)", "(学)", "(独)", "(医)",
)


def to_katakana(text: str) -> str:
    """Hiragana and half-width kana become full-width katakana; spaces are trimmed."""
    text = (text or "").strip()
    text = jaconv.h2z(text, kana=True, ascii=False, digit=False)  # ｾｲ -> セイ
    text = jaconv.hira2kata(text)
    return re.sub(r"[\s\u3000]+", "", text)


def is_katakana(text: str) -> bool:
    return bool(text) and bool(_KATAKANA_RE.match(text))


#: Japanese script: hiragana, katakana (full- and half-width), kanji (CJK ideographs and their
#: extensions and compatibility forms) and the marks 々 〆 〇 ヶ. Latin letters, digits and
#: punctuation are not.
_JAPANESE_SCRIPT_RE = re.compile(
    "[\u3005\u3006\u3007\u3041-\u309F\u30A1-\u30FA\u30FD-\u30FF\u31F0-\u31FF"
    "\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF66-\uFF9D\U00020000-\U0003134F]"
)


def has_japanese_script(text: str | None) -> bool:
    """Whether `text` holds a character of Japanese script (「山田」, 「やまだ」, 「ｽﾐｽ」; not "John Smith")."""
    return bool(text) and bool(_JAPANESE_SCRIPT_RE.search(text))


def needs_kana(family_name: str | None, given_name: str | None) -> bool:
    """The reading (フリガナ) is asked for only of a name written in Japanese script.

    A kanji name cannot be read or sorted without it; "John Smith" reads as written
    and registers without kana. One rule for the form, the API, the door's walk-in
    form and the imports (app.domain.registration_input, app.domain.imports).
    """
    return has_japanese_script(family_name) or has_japanese_script(given_name)


def normalize_phone(text: str) -> str:
    """Digits only: '022-221-4876' and '０２２（２２１）４８７６' both become '0222214876'."""
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text or ""))


def is_valid_phone(digits: str) -> bool:
    """A Japanese number: 10 or 11 digits starting with 0 (or +81 written as 81...)."""
    if digits.startswith("81") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits.startswith("0") and len(digits) in (10, 11)


def format_phone(digits: str | None) -> str:
    """A stored phone number (digits) written the Japanese way: 022-221-4876, 090-1234-5678, 0120-123-456.

    Google's libphonenumber (the `phonenumbers` package) knows where each area code ends.
    A number it cannot place is shown as stored, never altered or hidden.
    """
    if not digits:
        return ""
    import phonenumbers

    raw = normalize_phone(digits)
    if raw.startswith("81") and len(raw) in (11, 12):
        raw = "0" + raw[2:]
    try:
        number = phonenumbers.parse(raw, "JP")
    except phonenumbers.NumberParseException:
        return digits
    if not phonenumbers.is_possible_number(number):
        return digits
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def normalize_email(text: str) -> str:
    """The key that makes two spellings of one address equal (trimmed, NFKC, lower case)."""
    return unicodedata.normalize("NFKC", text or "").strip().lower()


def corporate_number_check_digit(base12: str) -> int:
    """The check digit of a 法人番号 (国税庁's rule) for its 12-digit base."""
    total = 0
    for n, ch in enumerate(reversed(base12), start=1):
        total += int(ch) * (1 if n % 2 else 2)
    return 9 - (total % 9)


def normalize_corporate_number(text: str) -> str:
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text or ""))


def is_valid_corporate_number(number: str) -> bool:
    if not re.fullmatch(r"\d{13}", number or ""):
        return False
    return int(number[0]) == corporate_number_check_digit(number[1:])


def organization_key(name: str, corporate_number: str = "") -> str:
    """One key per organisation: the 法人番号 when given, else the folded name.

    NFKC (so ㈱ and （株） become (株)), legal-form words removed, spaces and
    punctuation removed, lower case: 「株式会社 東北テック」 == 「㈱東北テック」 == 「東北テック(株)」.
    """
    if corporate_number and is_valid_corporate_number(corporate_number):
        return f"corp:{corporate_number}"
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = text.replace("（", "(").replace("）", ")")
    for word in sorted(_CORPORATE_PREFIX_SUFFIX, key=len, reverse=True):
        text = text.replace(word, "")
    text = re.sub(r"[\s\u3000・,.、。()\-]+", "", text)
    return f"name:{text}" if text else ""


def same_organization(a_name: str, a_number: str, b_name: str, b_number: str) -> bool:
    """The rule of one registration per organisation, whether or not the 法人番号 is given.

    The same 法人番号, or the same folded name unless both gave different
    法人番号 (two companies of one name are two organisations; leaving the
    number out does not make a second one).
    """
    a_corp = organization_key("", a_number) if a_number else ""
    b_corp = organization_key("", b_number) if b_number else ""
    if a_corp and b_corp:
        return a_corp == b_corp
    a_key, b_key = organization_key(a_name), organization_key(b_name)
    return bool(a_key) and a_key == b_key


def key_of(text: str) -> int:
    """The signed 64-bit key of a normalised email or organisation key (the statistics' person and
    organisation: the first 8 bytes of its SHA-256)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big", signed=True)
