"""Comparison benchmark: all comparison tables and the report on synthetic codings.

Builds a SQLite project with ``--sources`` synthetic sources (default 50,000; 9 actors,
years 2013-2025, three source groups) and ``--codings`` final codings (default 1,000,000)
over the built-in codebook's codes, written directly in bulk (ingesting 50,000 real files
is the ingest benchmark's job). Then times, separately: loading the codings frame from the
store, each comparison table, the models table (with quotes), and the whole report
(HTML, DOCX, XLSX, LaTeX, figures).

    python benchmarks/compare.py [--sources 50000 --codings 1000000]

Goal (issue #4): all tables < 2 s on SQLite. Prints figures; writes JSON to
benchmarks/results/.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from diplocode.analysis import stats
from diplocode.analysis.data import codings_frame
from diplocode.analysis.models import models_table
from diplocode.project import Project
from diplocode.report import build_report
from diplocode.store import now
from diplocode.store.codebooks import code_ids
from diplocode.store.codings import get_or_create_coder
from diplocode.store.schema import actors, codings, source_actors, sources

REPO = Path(__file__).resolve().parents[1]
ACTORS = [
    "China",
    "Russia",
    "United States",
    "Turkey",
    "Kazakhstan",
    "Kyrgyzstan",
    "Tajikistan",
    "Turkmenistan",
    "Uzbekistan",
]
GROUPS = ["official", "academic", "analytical"]


def populate(project: Project, n_sources: int, n_codings: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    version_id, _ = project.codebook()
    stamp = now()
    text = "Synthetic source text for the comparison benchmark. " * 4
    with project.store.begin() as conn:
        ids = code_ids(conn, version_id)
        coder_id = get_or_create_coder(conn, "human", "human:bench", "1", {"user": "bench"})
        conn.execute(
            insert(actors),
            [{"key": a.lower().replace(" ", "-"), "name": a, "created_at": stamp} for a in ACTORS],
        )
        actor_of = rng.integers(0, len(ACTORS), n_sources)
        years = rng.integers(2013, 2026, n_sources)
        groups = rng.integers(0, len(GROUPS), n_sources)
        conn.execute(
            insert(sources),
            [
                {
                    "id": i + 1,
                    "title": f"Synthetic source {i + 1}",
                    "source_group": GROUPS[groups[i]],
                    "date_year": int(years[i]),
                    "language": "en",
                    "languages": {"en": 1.0},
                    "media_type": "text/plain",
                    "sha256_bytes": f"{i + 1:064x}",
                    "sha256_text": f"{i + 1:064x}",
                    "n_bytes": len(text),
                    "n_chars": len(text),
                    "text": text,
                    "page_map": [],
                    "extra": {},
                    "created_at": stamp,
                    "created_by": "bench",
                }
                for i in range(n_sources)
            ],
        )
        conn.execute(
            insert(source_actors),
            [
                {"source_id": i + 1, "actor_id": int(actor_of[i]) + 1, "role": "author"}
                for i in range(n_sources)
            ],
        )
        # each actor prefers a different slice of codes, so the tables have structure
        keys = sorted(ids)
        weights = rng.dirichlet(np.full(len(keys), 0.3), size=len(ACTORS))
        source_of = rng.integers(1, n_sources + 1, n_codings)
        code_idx = _draw(rng, weights, actor_of, source_of)
        starts = rng.integers(0, len(text) - 20, n_codings)
        rows = [
            {
                "source_id": int(s),
                "start": int(b),
                "end": int(b) + 10 + int(k % 7),
                "code_id": ids[keys[k]],
                "codebook_version_id": version_id,
                "coder_id": coder_id,
                "status": "final",
                "score": None,
                "evidence": {},
                "memo": None,
                "created_at": stamp,
                "created_by": "bench",
            }
            for s, b, k in zip(source_of, starts, code_idx, strict=True)
        ]
        # one coder, span and code once: drop the few synthetic duplicates
        seen: set[tuple[int, int, int, int]] = set()
        unique = []
        for r in rows:
            key = (r["source_id"], r["start"], r["end"], r["code_id"])
            if key not in seen:
                seen.add(key)
                unique.append(r)
        for i in range(0, len(unique), 50_000):
            conn.execute(insert(codings), unique[i : i + 50_000])


def _draw(
    rng: np.random.Generator, weights: np.ndarray, actor_of: np.ndarray, source_ids: np.ndarray
) -> np.ndarray:
    """Vectorised categorical draws per actor."""
    out = np.empty(len(source_ids), dtype=int)
    actor_idx = actor_of[source_ids - 1]
    cumulative = weights.cumsum(axis=1)
    u = rng.random(len(source_ids))
    for a in range(len(weights)):
        mask = actor_idx == a
        out[mask] = np.searchsorted(cumulative[a], u[mask], side="right").clip(
            max=weights.shape[1] - 1
        )
    return out


def timed(results: list[dict], name: str, fn):
    t0 = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - t0
    results.append({"step": name, "seconds": round(seconds, 3)})
    print(f"{name:45s} {seconds:8.3f} s")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sources", type=int, default=50_000)
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument(
        "--db",
        type=Path,
        help="keep the synthetic project in this file and reuse it when it exists "
        "(default: a temporary file)",
    )
    args = parser.parse_args()
    results: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        if path.exists():
            project = Project.open(path)
            print(f"reusing {path}")
        else:
            project = Project.init(path)
            timed(
                results,
                f"populate ({args.sources:,} sources, {args.codings:,} codings)",
                lambda: populate(project, args.sources, args.codings),
            )
        frame = timed(
            results, "load codings frame from the store", lambda: codings_frame(project.store)
        )
        print(f"  frame: {len(frame):,} rows")
        t0 = time.perf_counter()
        table = timed(results, "crosstab actor x code", lambda: stats.crosstab(frame))
        timed(results, "crosstab year x code", lambda: stats.crosstab(frame, by="year"))
        timed(results, "crosstab group x code", lambda: stats.crosstab(frame, by="group"))
        timed(
            results,
            "crosstab actor x code, unit=document",
            lambda: stats.crosstab(frame, unit="document"),
        )
        timed(results, "bootstrap CIs (1000 replicates)", lambda: stats.bootstrap_share_ci(frame))
        timed(results, "distinctiveness (log-odds)", lambda: stats.log_odds(frame))
        timed(results, "overlap zones", lambda: stats.overlap_zones(table))
        timed(results, "trends 2013-2025", lambda: stats.trends(frame))
        timed(results, "triangulation (JSD)", lambda: stats.triangulation(frame))
        timed(results, "co-occurrence", lambda: stats.cooccurrence(frame))
        _, codebook = project.codebook()
        timed(
            results,
            "models table with quotes",
            lambda: models_table(frame, codebook, project.store),
        )
        tables_total = time.perf_counter() - t0
        results.append(
            {"step": "all tables (excluding the frame load)", "seconds": round(tables_total, 3)}
        )
        print(f"{'all tables (excluding the frame load)':45s} {tables_total:8.3f} s")
        timed(
            results,
            "report: html, docx, xlsx, tex, png, svg",
            lambda: build_report(project, Path(tmp) / "report"),
        )
        project.close()
    from _results import write_results

    out = write_results(
        args.out, "compare", {"sources": args.sources, "codings": args.codings, "results": results}
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
