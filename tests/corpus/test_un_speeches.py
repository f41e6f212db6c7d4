"""The UN General Debate speeches (../shared/data/ungdc_9countries) ingest with the right
actors, years and languages, through a manifest as a researcher would do it."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import func, select

from diplocode import audit
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.corpus.manifest import read_manifest
from diplocode.project import Project
from diplocode.store import schema
from diplocode.store.sources import SourceFilter, list_sources

COUNTRIES = {
    "CHN": "China", "RUS": "Russia", "USA": "United States", "TUR": "Turkey", "KAZ": "Kazakhstan",
    "KGZ": "Kyrgyzstan", "TJK": "Tajikistan", "TKM": "Turkmenistan", "UZB": "Uzbekistan",
}  # fmt: skip


def test_un_speeches_2013_2024(shared_data: Path, project: Project, tmp_path: Path) -> None:
    folder = shared_data / "ungdc_9countries"
    with open(folder / "index.csv", encoding="utf-8") as fh:
        index = [r for r in csv.DictReader(fh) if 2013 <= int(r["year"]) <= 2024]
    manifest = tmp_path / "un.csv"
    with open(manifest, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "title", "actors", "group", "date"])
        for r in index:
            path = folder / "txt" / r["file"]
            writer.writerow(
                [
                    str(path),
                    f"UNGA {r['session']} ({r['year']}): {COUNTRIES[r['iso3']]}",
                    COUNTRIES[r["iso3"]],
                    "official",
                    r["year"],
                ]
            )
    parsed = read_manifest(manifest, project.languages)
    assert not parsed.errors
    results = list(
        ingest(
            project.store,
            [IngestItem(r.path, r.meta) for r in parsed.rows],
            languages=project.languages,
        )
    )
    failed = [(r.path.name, r.error) for r in results if r.status != "added"]
    assert not failed
    assert len(results) == len(index) >= 100

    with project.store.read() as conn:
        rows = list_sources(conn)
        by_file = {r["original_filename"]: r for r in rows}
        for r in index:
            source = by_file[r["file"]]
            assert source["actors"] == [(COUNTRIES[r["iso3"]], "author")]
            assert source["date_year"] == int(r["year"]) and source["date_month"] is None
            assert source["language"] == "en", (r["file"], source["language"])
        # official English texts: nearly every paragraph is detected as English
        langs = dict(
            conn.execute(
                select(schema.segments.c.language, func.count())
                .where(schema.segments.c.kind == "paragraph")
                .group_by(schema.segments.c.language)
            ).all()
        )
        assert langs["en"] / sum(langs.values()) >= 0.995, langs
        kazakh = list_sources(conn, SourceFilter(actor="Kazakhstan", year_from=2013, year_to=2024))
        assert len(kazakh) == sum(r["iso3"] == "KAZ" for r in index)
        assert audit.verify(conn) == []
