"""Table 2 (models of influence) and Table 1 (operationalisation) from codings."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from diplocode.analysis.data import codings_frame
from diplocode.analysis.models import COLUMNS, models_table, operationalisation_table
from diplocode.codebook.io import load_builtin
from diplocode.coders import LexiconCoder
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.corpus.metadata import SourceMeta
from diplocode.engine import run_coder
from diplocode.project import Project

CHINA_LIKE = (
    "The Belt and Road Initiative strengthens connectivity and shared development. "
    "People-to-people bonds grow through scholarships and Confucius Institutes."
)
RUSSIA_LIKE = (
    "Our peoples share a common history and the memory of the Great Victory. "
    "The Russian-speaking population and Russian Houses sustain the Russian language."
)


def _project_with(db_url: str, tmp_path: Path, first: str, second: str) -> Project:
    project = Project.init(db_url)
    (tmp_path / "a.txt").write_text(CHINA_LIKE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(RUSSIA_LIKE, encoding="utf-8")
    items = [
        IngestItem(
            tmp_path / "a.txt",
            SourceMeta(
                actors=((first, "author"),),
                group="official",
                date=(2015, None, None),
                title="Text A",
            ),
        ),
        IngestItem(
            tmp_path / "b.txt",
            SourceMeta(
                actors=((second, "author"),), group="official", date=(2016, 5, None), title="Text B"
            ),
        ),
    ]
    list(ingest(project.store, items, languages=project.languages))
    version_id, codebook = project.codebook()
    run_coder(project.store, LexiconCoder(codebook), version_id)
    return project


def _leading(project: Project) -> dict[str, str]:
    frame = codings_frame(project.store, include_suggested=True)
    _, codebook = project.codebook()
    _, cells = models_table(frame, codebook, project.store)
    return {
        actor: cell.codes[0][0]
        for (actor, title), cell in cells.items()
        if title == "Dominant narrative" and cell.codes
    }


def test_the_table_follows_the_text_not_the_actor_names(tmp_path: Path) -> None:
    """Swap which actor wrote which text: the rows swap with them."""
    for first, second in (("China", "Russia"), ("Russia", "China")):
        folder = tmp_path / first
        folder.mkdir()
        project = _project_with(str(folder / "p.db"), folder, first, second)
        assert _leading(project) == {
            first: "connectivity_development",
            second: "historical_continuity",
        }
        project.close()


def test_cells_have_counts_shares_and_cited_quotes(db_url: str, tmp_path: Path) -> None:
    project = _project_with(db_url, tmp_path, "China", "Russia")
    frame = codings_frame(project.store, include_suggested=True)
    _, codebook = project.codebook()
    table, cells = models_table(frame, codebook, project.store)
    assert list(table.columns) == [title for title, _, _ in COLUMNS]
    narrative = cells[("China", "Dominant narrative")]
    key, label, count, share = narrative.codes[0]
    assert (
        key == "connectivity_development"
        and label.startswith("Connectivity")
        and count >= 1
        and 0 < share <= 1
    )
    [quote] = narrative.quotes[:1]
    assert "Belt and Road" in quote.text and quote.citation() == "Text A (2015)"
    russia = cells[("Russia", "Dominant narrative")].quotes[0]
    assert russia.citation() == "Text B (2016-05)"
    assert "connectivity" in table.loc["China", "Dominant narrative"].lower()
    project.close()


def test_no_reviewed_codings_means_an_empty_table(project: Project) -> None:
    frame = codings_frame(project.store)
    table, cells = models_table(frame, load_builtin("cultural-diplomacy"))
    assert table.empty and cells == {}


def test_operationalisation_table_lists_every_dimension() -> None:
    codebook = load_builtin("cultural-diplomacy")
    t1 = operationalisation_table(codebook)
    assert isinstance(t1, pd.DataFrame) and len(t1) == len(codebook.dimensions)
    assert t1.loc[0, "dimension"] == "Legitimacy narrative" or "egitima" in t1.loc[0, "dimension"]
    kk = operationalisation_table(codebook, "kk")
    assert kk.loc[0, "codes"] != t1.loc[0, "codes"]
