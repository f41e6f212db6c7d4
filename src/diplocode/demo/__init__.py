"""The demo: a small illustrative corpus shipped in the package, and the job that runs on it.

The texts in ``demo/corpus`` were written by the diplocode developers for demonstration;
they are not copies of real documents (see ``demo/corpus/ABOUT``).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import and_, func, select

from ..analysis.compare import Comparison, Spec, compare
from ..coders import LexiconCoder
from ..corpus.ingest import IngestItem, IngestResult, ingest
from ..corpus.manifest import read_manifest
from ..engine import RunSummary, run_coder
from ..errors import DiplocodeError
from ..project import Project
from ..store.schema import actors, codes, codings, source_actors

CORPUS = Path(__file__).with_name("corpus")
CORPUS_TURKIC = Path(__file__).with_name("corpus-turkic")

#: The built-in demos: name -> (corpus folder, codebook, actors shown in the terminal).
DEMOS: dict[str, tuple[Path, str, tuple[str, ...]]] = {
    "cultural-diplomacy": (CORPUS, "cultural-diplomacy", ("China", "Russia", "United States")),
    "turkic-states": (
        CORPUS_TURKIC,
        "turkic-states",
        ("Organization of Turkic States", "Turkey", "Kazakhstan", "Azerbaijan", "Uzbekistan"),
    ),
}


def build_demo_project(
    where: str | Path,
    corpus: Path = CORPUS,
    *,
    fresh: bool = True,
    codebook: str = "cultural-diplomacy",
) -> tuple[Project, list[IngestResult]]:
    """Create a project at ``where`` with the built-in ``codebook`` and ingest ``corpus``
    (a folder with ``manifest.csv``).

    With ``fresh``, an existing SQLite file at ``where`` (and its WAL files) is replaced;
    ``where`` may also be a PostgreSQL URL (of an empty database).
    Returns the open project and one result per manifest row (bad rows as failures).
    """
    is_url = "://" in str(where)  # a PostgreSQL URL: Path() would mangle its '//'
    if fresh and not is_url:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{where}{suffix}").unlink(missing_ok=True)
    project = Project.init(
        str(where) if is_url else Path(where), name="diplocode demo", codebook=codebook
    )
    manifest = corpus / "manifest.csv"
    if not manifest.is_file():
        project.close()
        raise DiplocodeError("E010", path=str(manifest), base=str(corpus))
    parsed = read_manifest(manifest, project.languages)
    results = [
        IngestResult(Path(f"{manifest.name}:row {row}"), "failed", error=err)
        for row, err in parsed.errors
    ]
    items = [IngestItem(r.path, r.meta, f"{manifest.name}, row {r.row}") for r in parsed.rows]
    results += list(ingest(project.store, items, languages=project.languages, who="demo"))
    return project, results


def code_demo_project(project: Project) -> RunSummary:
    """Run the lexicon coder with the project's latest codebook (suggestions only)."""
    version_id, codebook = project.codebook()
    return run_coder(project.store, LexiconCoder(codebook), version_id, who="demo")


def demo_comparison(project: Project) -> Comparison:
    """The comparison the demo shows: machine suggestions counted (and labelled so),
    rows by the actor each passage is about."""
    return compare(project, Spec(include_suggested=True, quotes=1), who="demo")


def leading_codes(project: Project, top: int = 3) -> dict[str, dict[str, list[tuple[str, int]]]]:
    """Per authoring actor and dimension, the ``top`` codes by number of coded segments.

    Counts every status (these are machine suggestions in the demo); the comparison
    module of a later release counts final and accepted codings by default.
    """
    query = (
        select(actors.c.name, codes.c.dimension, codes.c.key, func.count())
        .select_from(codings)
        .join(codes, codes.c.id == codings.c.code_id)
        .join(
            source_actors,
            and_(
                source_actors.c.source_id == codings.c.source_id, source_actors.c.role == "author"
            ),
        )
        .join(actors, actors.c.id == source_actors.c.actor_id)
        .group_by(actors.c.name, codes.c.dimension, codes.c.key)
    )
    out: dict[str, dict[str, list[tuple[str, int]]]] = {}
    with project.store.read() as conn:
        for actor, dimension, key, n in conn.execute(query):
            out.setdefault(actor, {}).setdefault(dimension, []).append((key, int(n)))
    for dims in out.values():
        for dim, items in dims.items():
            dims[dim] = sorted(items, key=lambda kv: (-kv[1], kv[0]))[:top]
    return out
