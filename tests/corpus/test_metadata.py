"""Metadata values and manifests: every bad value names where it is and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from diplocode.corpus.manifest import read_manifest
from diplocode.corpus.metadata import SourceMeta, actor_key, parse_actors, parse_date
from diplocode.errors import DiplocodeError

LANGS = ("en", "ru", "kk", "zh")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015", (2015, None, None)),
        ("2015-09", (2015, 9, None)),
        ("2015-09-28", (2015, 9, 28)),
        ("", (None, None, None)),
        (2013, (2013, None, None)),
    ],
)
def test_dates_keep_their_precision(value, expected) -> None:
    assert parse_date(value, "--date") == expected


@pytest.mark.parametrize("value", ["15/09/2015", "2015-13", "2015-02-30", "twenty"])
def test_bad_dates_are_coded(value) -> None:
    with pytest.raises(DiplocodeError) as info:
        parse_date(value, "--date")
    assert info.value.code == "E023"
    assert "--date" in str(info.value) and "YYYY-MM-DD" in str(info.value)


def test_actors_with_roles() -> None:
    assert parse_actors(["China", "Kazakhstan:co-signatory; Russia : subject"], "--actor") == (
        ("China", "author"),
        ("Kazakhstan", "co-signatory"),
        ("Russia", "subject"),
    )
    with pytest.raises(DiplocodeError) as info:
        parse_actors("China:sponsor", "--actor")
    assert info.value.code == "E026" and "co-signatory" in str(info.value)


def test_actor_keys_are_stable_across_case_and_spacing() -> None:
    assert actor_key("United  States") == actor_key("united states") == "united-states"


def test_metadata_fills_gaps_from_defaults() -> None:
    row = SourceMeta(title="T", group=None, date=(None, None, None))
    merged = row.over(
        SourceMeta(group="official", date=(2015, None, None), actors=(("China", "author"),))
    )
    assert (merged.title, merged.group, merged.date, merged.actors) == (
        "T",
        "official",
        (2015, None, None),
        (("China", "author"),),
    )


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_csv_manifest_rows_and_errors(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", "A text.")
    _write(tmp_path, "b.txt", "B text.")
    manifest = _write(
        tmp_path,
        "sources.csv",
        "path,title,actors,group,date,lang,genre\n"
        "a.txt,First,China,official,2015-09,en,speech\n"
        "b.txt,Second,Russia,offical,2016,,\n"
        "missing.txt,Third,USA,official,2017,,\n"
        "b.txt,Fourth,USA,academic,2017,xx,\n",
    )
    parsed = read_manifest(manifest, LANGS)
    assert [r.row for r in parsed.rows] == [2]
    row = parsed.rows[0]
    assert (
        row.meta.title == "First"
        and row.meta.date == (2015, 9, None)
        and row.meta.extra == {"genre": "speech"}
    )
    errors = {row: err for row, err in parsed.errors}
    assert errors[3].code == "E025"
    message = str(errors[3])
    assert (
        "row 3" in message
        and "column 'group'" in message
        and "'offical'" in message
        and "academic" in message
    )
    assert errors[4].code == "E021" and "missing.txt" in str(errors[4])
    assert errors[5].code == "E024" and "column 'lang'" in str(errors[5]) and "kk" in str(errors[5])


def test_yaml_manifest(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", "A text.")
    manifest = _write(
        tmp_path,
        "sources.yaml",
        "sources:\n  - path: a.txt\n    actors: [China, 'Kazakhstan:co-signatory']\n    group: official\n    date: 2023-05-19\n",
    )
    parsed = read_manifest(manifest, LANGS)
    assert not parsed.errors
    assert parsed.rows[0].meta.actors == (("China", "author"), ("Kazakhstan", "co-signatory"))
    assert parsed.rows[0].meta.date == (2023, 5, 19)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("m.csv", "file_name,title\na.txt,x\n"),
        ("m.yaml", "just: a mapping\n"),
        ("m.yaml", "- [unclosed\n"),
        ("m.json", "[]"),
    ],
)
def test_unreadable_manifests(tmp_path: Path, name: str, content: str) -> None:
    with pytest.raises(DiplocodeError) as info:
        read_manifest(_write(tmp_path, name, content), LANGS)
    assert info.value.code == "E022"
