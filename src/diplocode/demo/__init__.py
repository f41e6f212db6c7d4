"""The demo: a small illustrative corpus shipped in the package, and the job that runs on it.

The texts in ``demo/corpus`` were written by the diplocode developers for demonstration;
they are not copies of real documents (see ``demo/corpus/README.md``).
"""

from __future__ import annotations

from pathlib import Path

from ..corpus.ingest import IngestItem, IngestResult, ingest
from ..corpus.manifest import read_manifest
from ..errors import DiplocodeError
from ..project import Project

CORPUS = Path(__file__).with_name("corpus")


def build_demo_project(
    where: str | Path, corpus: Path = CORPUS, *, fresh: bool = True
) -> tuple[Project, list[IngestResult]]:
    """Create a project at ``where`` and ingest ``corpus`` (a folder with ``manifest.csv``).

    With ``fresh``, an existing SQLite file at ``where`` (and its WAL files) is replaced.
    Returns the open project and one result per manifest row (bad rows as failures).
    """
    where = Path(where)
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{where}{suffix}").unlink(missing_ok=True)
    project = Project.init(where, name="diplocode demo")
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
