"""Table 2 (models of influence) and Table 1 (operationalisation) from codings."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import select

from diplocode.analysis.compare import Spec, compare
from diplocode.analysis.data import codings_frame
from diplocode.analysis.models import is_heading, models_table, operationalisation_table
from diplocode.codebook.io import load_builtin
from diplocode.codebook.model import Codebook
from diplocode.coders import LexiconCoder
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.corpus.metadata import SourceMeta
from diplocode.engine import run_coder
from diplocode.project import Project
from diplocode.store.schema import actors, coding_actors

CHINA_LIKE = (
    "Connectivity and people-to-people bonds\n\n"
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


def _leading(project: Project, role: str) -> dict[str, str]:
    frame = codings_frame(project.store, include_suggested=True, actor_role=role)
    _, codebook = project.codebook()
    _, cells = models_table(frame, codebook, project.store)
    return {
        actor: cell.codes[0].key
        for (actor, column), cell in cells.items()
        if column == "narrative" and cell.codes
    }


def test_author_rows_follow_the_text_not_the_actor_names(tmp_path: Path) -> None:
    """Swap which actor wrote which text: the author rows swap with them."""
    for first, second in (("Kazakhstan", "Uzbekistan"), ("Uzbekistan", "Kazakhstan")):
        folder = tmp_path / first
        folder.mkdir()
        project = _project_with(str(folder / "p.db"), folder, first, second)
        assert _leading(project, "author") == {
            first: "connectivity_development",
            second: "historical_continuity",
        }
        project.close()


def test_about_rows_credit_the_actor_a_passage_names(db_url: str, tmp_path: Path) -> None:
    """Both texts are by Kazakhstan; the passages name the Belt and Road and Confucius
    Institutes (China) and the Russian language and Russian Houses (Russia)."""
    project = _project_with(db_url, tmp_path, "Kazakhstan", "Kazakhstan")
    leading = _leading(project, "about")
    assert leading["China"] == "connectivity_development"
    assert leading["Russia"] in ("historical_continuity", "language_space")
    assert set(_leading(project, "author")) == {"Kazakhstan"}
    rules: dict[str, set[str]] = {}
    with project.store.read() as conn:
        for name, rule in conn.execute(
            select(actors.c.name, coding_actors.c.rule).join(
                actors, actors.c.id == coding_actors.c.actor_id
            )
        ):
            rules.setdefault(name, set()).add(rule)
    # China and Russia by a name in the sentence or its paragraph ("Our peoples share a
    # common history" names nobody, its paragraph names Russian Houses); the author only
    # for the heading, whose paragraph names nobody (rule 4)
    assert rules["China"] <= {"sentence", "paragraph"} and "sentence" in rules["China"]
    assert rules["Russia"] == {"sentence", "paragraph"}
    assert rules["Kazakhstan"] == {"author"}
    project.close()


def test_cells_have_counts_shares_intervals_and_labelled_quotes(
    db_url: str, tmp_path: Path
) -> None:
    project = _project_with(db_url, tmp_path, "China", "Russia")
    frame = codings_frame(project.store, include_suggested=True, actor_role="author")
    _, codebook = project.codebook()
    table, cells = models_table(frame, codebook, project.store, intervals=True, n_boot=200)
    assert list(table.columns) == [c.title_in("en") for c in codebook.layout().columns]
    narrative = cells[("China", "narrative")]
    lead = narrative.codes[0]
    assert lead.key == "connectivity_development" and lead.label.startswith("Connectivity")
    assert lead.count >= 1 and 0 < lead.share <= 1
    assert lead.ci_low is None  # one document: no interval (resampling it gives itself)
    quote = next(q for q in narrative.quotes if q.code == lead.key)
    assert "Belt and Road" in quote.text and quote.citation() == "Text A (2015)"
    assert quote.label == lead.label
    # the heading line "Connectivity and people-to-people bonds" is never a quote
    assert all(
        not q.text.startswith("Connectivity and people") for c in cells.values() for q in c.quotes
    )
    for cell in cells.values():  # never the same passage twice in a cell
        spans = [(q.source_id, q.start, q.end) for q in cell.quotes]
        assert len(spans) == len(set(spans))
    assert cells[("Russia", "narrative")].quotes[0].citation() == "Text B (2016-05)"
    project.close()


def test_no_reviewed_codings_means_an_empty_table(project: Project) -> None:
    frame = codings_frame(project.store)
    table, cells = models_table(frame, load_builtin("cultural-diplomacy"))
    assert table.empty and cells == {}


def test_an_imported_codebook_gets_its_own_table_2(db_url: str, tmp_path: Path) -> None:
    """Columns come from the codebook's tables: section; without one, one per dimension."""
    book = {
        "name": "mini",
        "version": "1",
        "dimensions": [
            {
                "key": "frame",
                "label": {"en": "Frame"},
                "codes": [
                    {
                        "key": "pro.help",
                        "label": {"en": "Help"},
                        "lexicon": {"en": ["scholarship*"]},
                    },
                    {"key": "con.debt", "label": {"en": "Debt"}, "lexicon": {"en": ["debt trap"]}},
                ],
            }
        ],
        "tables": {
            "models": {
                "title": {"en": "Frames"},
                "columns": [
                    {
                        "key": "pros",
                        "title": {"en": "Pros"},
                        "dimension": "frame",
                        "codes": ["pro.*"],
                    },
                    {
                        "key": "cons",
                        "title": {"en": "Cons"},
                        "dimension": "frame",
                        "codes": ["con.*"],
                    },
                ],
            }
        },
    }
    project = Project.init(db_url, codebook=Codebook.model_validate(book))
    (tmp_path / "a.txt").write_text(
        "China offers scholarships to students. Critics warn of a debt trap in China's loans.",
        encoding="utf-8",
    )
    list(
        ingest(
            project.store,
            [IngestItem(tmp_path / "a.txt", SourceMeta(actors=(("Kazakhstan", "author"),)))],
            languages=project.languages,
        )
    )
    version_id, codebook = project.codebook()
    run_coder(project.store, LexiconCoder(codebook), version_id)
    result = compare(project, Spec(include_suggested=True))
    models = result.table("models")
    assert models.title == "Frames"
    assert models.cells is not None
    assert models.cells[("China", "pros")].codes[0].key == "pro.help"
    assert models.cells[("China", "cons")].codes[0].key == "con.debt"
    assert models.cells[("China", "pros")].codes[0].share == 1.0  # within its column
    undeclared = Codebook.model_validate({k: v for k, v in book.items() if k != "tables"})
    assert [c.key for c in undeclared.layout().columns] == ["frame"]
    project.close()


def test_headings_are_recognised() -> None:
    assert is_heading("CULTURAL COOPERATION PROGRAMME 2024")
    assert is_heading("Text A", title="Text A")
    assert is_heading("Introduction")
    assert not is_heading("Confucius Institutes teach Chinese to thousands of students in Astana.")


def test_operationalisation_table_lists_every_dimension() -> None:
    codebook = load_builtin("cultural-diplomacy")
    t1 = operationalisation_table(codebook)
    assert isinstance(t1, pd.DataFrame) and len(t1) == len(codebook.dimensions)
    assert t1.loc[0, "dimension"] == "Legitimacy narrative" or "egitima" in t1.loc[0, "dimension"]
    kk = operationalisation_table(codebook, "kk")
    assert kk.loc[0, "codes"] != t1.loc[0, "codes"]


def test_quotes_prefer_reviewed_passages_that_coders_agree_on(db_url: str, tmp_path: Path) -> None:
    """Two coders on one passage (the lexicon and a person) put it first; each passage
    is quoted once however many coders coded it."""
    from diplocode import coding

    project = _project_with(db_url, tmp_path, "China", "Russia")
    text = CHINA_LIKE
    start = text.index("People-to-people bonds grow")
    end = len(text)
    with project.store.read() as conn:
        from diplocode.store.schema import codes, codings

        lexicon = conn.execute(
            select(codings.c.id)
            .join(codes, codes.c.id == codings.c.code_id)
            .where(codes.c.key == "connectivity_development", codings.c.start == start)
        ).scalar_one()
    coding.accept(project, lexicon, "aigerim")
    coding.create(project, 1, start, end, "connectivity_development", "daniyar")
    frame = codings_frame(project.store, actor_role="author")  # reviewed only
    _, codebook = project.codebook()
    _, cells = models_table(frame, codebook, project.store, quotes=2)
    quotes = cells[("China", "narrative")].quotes
    assert quotes[0].text.startswith("People-to-people bonds grow")
    assert len({(q.start, q.end) for q in quotes}) == len(quotes)
    project.close()
