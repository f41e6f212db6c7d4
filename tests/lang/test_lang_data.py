"""Language data: every shipped language loads and its lists are well-formed."""

from __future__ import annotations

import dataclasses

import pytest

from diplocode import lang
from diplocode.errors import DiplocodeError

EXPECTED = ["en", "kk", "ky", "ru", "tg", "tk", "tr", "uz", "zh"]


def test_available_lists_every_folder() -> None:
    assert lang.available() == EXPECTED


def test_get_kazakh() -> None:
    data = lang.get("kk")
    assert data.name == "Kazakh"
    assert data.script == "Cyrl"
    assert {"т.б", "ж", "проф"} <= data.abbreviations


def test_get_is_cached_and_case_insensitive() -> None:
    assert lang.get("RU") is lang.get("ru")


@pytest.mark.parametrize("code", ["xx", "", "en.foo", "__init__", "kk-KZ"])
def test_unknown_code_is_e024(code: str) -> None:
    with pytest.raises(DiplocodeError) as info:
        lang.get(code)
    assert info.value.code == "E024"
    assert "kk" in str(info.value)  # the message lists the allowed codes


@pytest.mark.parametrize("code", EXPECTED)
def test_every_language_loads_and_is_well_formed(code: str) -> None:
    data = lang.get(code)
    assert data.code == code
    assert data.name and data.native_name
    assert data.script in {"Latn", "Cyrl", "Hans"}
    assert data.sentence_terminators and "；" not in data.sentence_terminators
    for abbr in data.abbreviations:
        assert abbr == abbr.lower().strip() and not abbr.endswith("."), abbr
    # final and unit abbreviations are abbreviations too
    assert data.final_abbreviations <= data.abbreviations
    assert data.unit_abbreviations <= data.abbreviations
    if code != "zh":
        assert len(data.abbreviations) >= 20
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.name = "x"  # type: ignore[misc]


def test_chinese_is_written_without_spaces() -> None:
    zh = lang.get("zh")
    assert not zh.spaces_between_words
    assert set("。！？!?") <= set(zh.sentence_terminators)
    assert zh.script == "Hans"
