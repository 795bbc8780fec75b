"""Kana (フリガナ) is required only for a name written in Japanese script (issue 12, part 3)."""
from __future__ import annotations

import pytest

from app.domain.people import has_japanese_script, needs_kana
from app.domain.registration_input import MESSAGES, clean_registration


def _raw(**overrides) -> dict:
    raw = {
        "family_name": "Smith", "given_name": "John", "family_name_kana": "", "given_name_kana": "",
        "email": "john.smith@example.com", "organization": "Acme Ltd.", "organization_type": "company",
        "prefecture": "04", "ticket_type_id": 1, "consent": True,
    }
    raw.update(overrides)
    return raw


def _clean(**overrides):
    return clean_registration(_raw(**overrides), questions=[], ticket_type_ids=[1])


@pytest.mark.parametrize("text", ["山田", "やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "髙橋", "佐々木", "𠮷田", "John 山田"])
def test_japanese_script_is_recognised(text):
    assert has_japanese_script(text)


@pytest.mark.parametrize("text", ["", None, "John Smith", "Müller", "O'Brien-Łukasz", "ＪＯＨＮ", "Nguyễn", "・", "123"])
def test_latin_names_and_punctuation_are_not_japanese_script(text):
    assert not has_japanese_script(text)


def test_needs_kana_when_either_part_of_the_name_is_japanese():
    assert needs_kana("山田", "太郎")
    assert needs_kana("Smith", "花子")
    assert not needs_kana("Smith", "John")
    assert not needs_kana("", "")


def test_a_latin_name_registers_without_kana():
    clean, errors = _clean()
    assert errors == {}
    assert (clean.family_name, clean.given_name, clean.family_name_kana, clean.given_name_kana) == (
        "Smith", "John", "", "")


def test_a_kanji_name_still_needs_its_reading():
    _clean_out, errors = _clean(family_name="山田", given_name="太郎")
    assert errors == {"family_name_kana": [MESSAGES["kana_required"]],
                      "given_name_kana": [MESSAGES["kana_required"]]}
    clean, errors = _clean(family_name="山田", given_name="太郎", family_name_kana="やまだ", given_name_kana="ﾀﾛｳ")
    assert errors == {} and (clean.family_name_kana, clean.given_name_kana) == ("ヤマダ", "タロウ")


def test_a_kana_name_needs_its_reading_too():
    _clean_out, errors = _clean(family_name="やまだ", given_name="たろう")
    assert set(errors) == {"family_name_kana", "given_name_kana"}


def test_a_reading_given_for_a_latin_name_must_still_be_kana():
    clean, errors = _clean(family_name_kana="スミス", given_name_kana="ジョン")
    assert errors == {} and clean.family_name_kana == "スミス"
    _clean_out, errors = _clean(family_name_kana="Smith")
    assert errors == {"family_name_kana": [MESSAGES["kana"]]}


def test_an_edit_follows_the_same_rule():
    """A registrant's edit (partial) to a Latin name may leave the reading blank; to a kanji name, not."""
    raw = {"family_name": "Smith", "given_name": "John", "family_name_kana": "", "given_name_kana": ""}
    _clean_out, errors = clean_registration(raw, questions=[], ticket_type_ids=[1], partial=True)
    assert errors == {}
    raw.update(family_name="鈴木")
    _clean_out, errors = clean_registration(raw, questions=[], ticket_type_ids=[1], partial=True)
    assert set(errors) == {"family_name_kana", "given_name_kana"}


def test_imports_follow_the_rule_where_the_list_has_a_reading_column():
    from app.domain import imports

    _row, errors = imports.clean_row({"full_name": "John Smith", "full_name_kana": ""})
    assert errors == []
    _row, errors = imports.clean_row({"full_name": "山田 太郎", "full_name_kana": ""})
    assert [field for field, _message in errors] == ["full_name_kana"]
    _row, errors = imports.clean_row({"family_name": "山田", "given_name": "太郎", "family_name_kana": "やまだ",
                                      "given_name_kana": "たろう"})
    assert errors == []
    # an attendee report or an old list without a reading column is taken as it is
    _row, errors = imports.clean_row({"full_name": "山田 太郎", "email": "yamada@example.jp"})
    assert errors == []
