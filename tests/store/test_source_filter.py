"""SourceFilter.validate: the one check of the source filter that the command line, the
web corpus and its API, coding and retrieval share (issue #9)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from diplocode.demo import build_demo_project
from diplocode.errors import DiplocodeError
from diplocode.project import Project
from diplocode.store.schema import SOURCE_GROUPS
from diplocode.store.sources import SourceFilter, list_sources


@pytest.fixture
def demo(db_url: str) -> Iterator[Project]:
    project, results = build_demo_project(db_url)
    assert all(r.status == "added" for r in results)
    try:
        yield project
    finally:
        project.close()


def _error(flt: SourceFilter, *args, **kwargs) -> DiplocodeError:
    with pytest.raises(DiplocodeError) as info:
        flt.validate(*args, **kwargs)
    return info.value


def test_valid_values_are_normalised() -> None:
    flt = SourceFilter(group=" Official ", language="KK", actor="  ", year_from=2013).validate(
        ["en", "kk"]
    )
    assert (flt.group, flt.language, flt.actor, flt.year_from) == ("official", "kk", None, 2013)
    assert SourceFilter().validate() == SourceFilter()


def test_an_unknown_group_lists_the_groups() -> None:
    error = _error(SourceFilter(group="offical"))
    assert error.code == "E025" and error.fields["allowed"] == ", ".join(SOURCE_GROUPS)
    assert str(error).startswith("[E025] group:")  # the web's parameter name by default
    flagged = _error(SourceFilter(group="offical"), names={"group": "--group"})
    assert "--group:" in str(flagged)


def test_a_language_outside_the_project_lists_its_languages() -> None:
    error = _error(SourceFilter(language="de"), ["en", "ru", "kk"])
    assert error.code == "E024" and "en, ru, kk" in str(error)
    assert SourceFilter(language="de").validate().language == "de"  # no languages: unchecked


@pytest.mark.parametrize(
    ("year_from", "year_to", "code"),
    [(2030, 2020, "E120"), ("2013", None, "E060"), (None, 2020.5, "E060"), (True, None, "E060")],
)
def test_years_are_integers_in_order(year_from, year_to, code) -> None:
    error = _error(SourceFilter(year_from=year_from, year_to=year_to))
    assert error.code == code
    assert SourceFilter(year_from=2020, year_to=2020).validate().year_to == 2020


def test_an_unknown_actor_suggests_a_close_name(demo: Project) -> None:
    with demo.store.read() as conn:
        error = _error(SourceFilter(actor="Chna"), conn=conn)
        assert error.code == "E103" and "did you mean 'China'" in str(error)
        assert "did you mean" not in str(_error(SourceFilter(actor="Atlantis"), conn=conn))


def test_an_actor_is_found_by_any_gazetteer_name(demo: Project) -> None:
    with demo.store.read() as conn:
        china = SourceFilter(actor="China").validate(demo.languages, conn)
        kk = SourceFilter(actor="Қытай").validate(demo.languages, conn)
        assert china.actor_id is not None and kk.actor_id == china.actor_id
        ids = [s["id"] for s in list_sources(conn, china)]
        assert ids and [s["id"] for s in list_sources(conn, kk)] == ids
        # an unvalidated filter still matches the key or canonical name
        assert [s["id"] for s in list_sources(conn, SourceFilter(actor="china"))] == ids
        assert all("China" in {name for name, _ in s["actors"]} for s in list_sources(conn, china))
