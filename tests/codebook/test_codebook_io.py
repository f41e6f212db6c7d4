"""Codebook files: validation errors name file, line and key; round trips keep the hash; diffs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from diplocode.codebook.io import diff, dumps, load, loads
from diplocode.codebook.model import Codebook
from diplocode.errors import DiplocodeError

MINI = """\
name: mini
version: "1"
dimensions:
  - key: legitimacy
    label: {en: Legitimacy narrative, ru: Нарратив легитимности, kk: Легитимдік нарративі}
    codes:
      - key: sovereignty_support
        label: {en: Sovereignty support}
        definition: {en: Independence and territorial integrity are stressed.}
        lexicon:
          en: [territorial integrity, sovereignty]
          ru: [территориальная целостность, суверенитет]
      - key: multipolarity
        label: {en: Multipolarity}
        lexicon:
          en: [multipolar world]
"""


def test_a_valid_codebook_loads(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(MINI, encoding="utf-8")
    cb = load(path)
    assert [c.key for c in cb.codes()] == ["sovereignty_support", "multipolarity"]
    assert cb.dimension_of()["multipolarity"] == "legitimacy"


@pytest.mark.parametrize(
    ("mutate", "line", "key"),
    [
        (
            lambda t: t.replace("key: multipolarity", "key: Multi Polarity"),
            13,
            "codes[Multi Polarity].key",
        ),
        (
            lambda t: t.replace(
                "          en: [multipolar world]", "          xx: [multipolar world]"
            ),
            15,
            "codes[multipolarity].lexicon",
        ),
        (
            lambda t: t.replace("        label: {en: Multipolarity}\n", ""),
            13,
            "codes[multipolarity].label",
        ),
        (
            lambda t: t.replace(
                "[territorial integrity, sovereignty]",
                "[territorial integrity, territorial integrity]",
            ),
            11,
            "codes[sovereignty_support].lexicon.en",
        ),
        (
            lambda t: t.replace("[multipolar world]", "['re:(unclosed']"),
            16,
            "codes[multipolarity].lexicon.en",
        ),
        (
            lambda t: t.replace("[multipolar world]", "['m*']"),
            16,
            "codes[multipolarity].lexicon.en",
        ),
        (lambda t: t.replace("name: mini", "name: mini\ncolour: blue"), 2, "colour"),
    ],
)
def test_errors_name_the_line_and_key(tmp_path: Path, mutate, line: int, key: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(mutate(MINI), encoding="utf-8")
    with pytest.raises(DiplocodeError) as info:
        load(path)
    err = info.value
    assert err.code == "E070", err
    assert str(path) in str(err)
    assert f"line {line}" in str(err), str(err)
    assert key in str(err), str(err)


def test_duplicate_codes_and_unknown_parents_are_refused() -> None:
    with pytest.raises(DiplocodeError) as info:
        loads(MINI.replace("key: multipolarity", "key: sovereignty_support"))
    assert "appears twice" in str(info.value)
    with pytest.raises(DiplocodeError) as info:
        loads(
            MINI.replace(
                "      - key: multipolarity\n",
                "      - key: multipolarity\n        parent: nowhere\n",
            )
        )
    assert "nowhere" in str(info.value)


def test_unparseable_yaml_is_E071(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\nversion: 1\n", encoding="utf-8")
    with pytest.raises(DiplocodeError) as info:
        load(path)
    assert info.value.code == "E071" and "line" in str(info.value)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_import_round_trip_keeps_the_hash(fmt: str) -> None:
    cb = loads(MINI)
    again = loads(dumps(cb, fmt))
    assert again == cb and again.content_hash() == cb.content_hash()


def test_the_hash_changes_with_any_content() -> None:
    a = loads(MINI)
    b = loads(MINI.replace("multipolar world", "multipolar order"))
    assert a.content_hash() != b.content_hash()


def test_diff_between_versions() -> None:
    old = loads(MINI)
    new = loads(
        MINI.replace("[multipolar world]", "[multipolar world, polycentric order]")
        .replace("          ru: [территориальная целостность, суверенитет]\n", "")
        .replace("label: {en: Multipolarity}", "label: {en: Multipolar order}")
        + "      - key: regional_cooperation\n        label: {en: Regional cooperation}\n"
    )
    d = diff(old, new)
    assert d.codes_added == ["regional_cooperation"] and d.codes_removed == []
    assert d.codes_changed == {"multipolarity": ["label"]}
    assert d.lexicon_added == {"multipolarity": {"en": ["polycentric order"]}}
    assert d.lexicon_removed == {
        "sovereignty_support": {"ru": ["территориальная целостность", "суверенитет"]}
    }
    assert diff(old, old).is_empty()


def test_model_is_immutable() -> None:
    cb = loads(MINI)
    with pytest.raises(ValidationError):
        cb.name = "other"  # type: ignore[misc]
    assert isinstance(cb, Codebook)
