import pytest

from app.domain.people import (
    corporate_number_check_digit,
    is_katakana,
    is_valid_corporate_number,
    is_valid_phone,
    normalize_email,
    normalize_phone,
    organization_key,
    to_katakana,
)


@pytest.mark.parametrize("raw", ["とうほく", "ﾄｳﾎｸ", "トウホク", " とうほく "])
def test_kana_is_stored_as_full_width_katakana(raw):
    assert to_katakana(raw) == "トウホク"


def test_kana_check():
    assert is_katakana("ヤマダ")
    assert not is_katakana("山田")
    assert not is_katakana("yamada")


def test_phone_keeps_digits_only():
    assert normalize_phone("022-221-4876") == "0222214876"
    assert normalize_phone("０２２（２２１）４８７６") == "0222214876"
    assert is_valid_phone("0222214876")
    assert is_valid_phone("09012345678")
    assert not is_valid_phone("12345")


def test_email_normalisation():
    assert normalize_email("  Taro.Yamada@Example.JP ") == "taro.yamada@example.jp"


def test_corporate_number_check_digit():
    # 国税庁's published example numbers
    assert is_valid_corporate_number("7000012050002")  # 国税庁
    assert is_valid_corporate_number("1180301018771")  # トヨタ自動車株式会社
    assert not is_valid_corporate_number("2180301018771")
    assert not is_valid_corporate_number("118030101877")
    assert corporate_number_check_digit("180301018771") == 1


@pytest.mark.parametrize("name", ["株式会社 東北テック", "㈱東北テック", "東北テック（株）", "（株）東北　テック", "東北テック株式会社"])
def test_organisation_key_folds_legal_forms_and_spaces(name):
    assert organization_key(name) == organization_key("東北テック")


def test_organisation_key_prefers_corporate_number():
    assert organization_key("どこか", "1180301018771") == "corp:1180301018771"
    assert organization_key("株式会社", "") == ""


@pytest.mark.parametrize(
    ("digits", "shown"),
    [
        ("0222214876", "022-221-4876"),
        ("09012345678", "090-1234-5678"),
        ("0312345678", "03-1234-5678"),
        ("0120123456", "0120-123-456"),
        ("819012345678", "090-1234-5678"),  # +81 stored as digits
        ("123", "123"),  # not a number it can place: shown as stored
        ("", ""),
        (None, ""),
    ],
)
def test_format_phone_the_japanese_way(digits, shown):
    from app.domain.people import format_phone

    assert format_phone(digits) == shown
