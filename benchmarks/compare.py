"""Comparison benchmark: every comparison table through the engine, on synthetic codings.

Builds a SQLite project with ``--sources`` synthetic sources (default 50,000; the nine
actors of the UN speeches as authors, years 2013-2025, three source groups, 10% with a
subject actor) and ``--codings`` codings (default 1,000,000: 60% final, 10% accepted, 30%
suggested) over the built-in codebook's codes, written directly in bulk (ingesting 50,000
real files is the ingest benchmark's job), and attributes them the way the resolver would
leave them (``coding_actors``): most codings are about one actor, ~15% about two; rules
55% sentence, 25% paragraph, 5% subject (sources with a subject actor), 15% author, with
mention evidence for the first two. A source's mentions name its author or one of three
other actors drawn for it (its "cast"): real text discusses a few actors per source (4.1
distinct actors per coded UN speech, 3.9 per demo text, counting the author), not all 31. The attribution state is left current, so the engine
does not re-attribute.

Then times, each the median of ``--runs`` runs (default 3; min-max given):

* loading the codings frame (:func:`codings_frame`) for actor_role ``about`` and ``author``;
* per role, :func:`diplocode.analysis.compare.compare` (frame, documents frame, meta:
  the engine's setup), then ``.table(name)`` for every name in ``TABLES`` on a fresh
  :class:`Comparison`, each table apart, the bootstrap inside ``crosstab`` and inside
  ``models`` apart, and the total of all tables (excluding the setup: the frame load is
  reported apart, as before);
* the direct statistics functions on the ``about`` frame (the primitives the tables use);
* the whole report (html, docx, xlsx, tex, figures) once (``--no-report`` skips it).

    python benchmarks/compare.py [--sources 50000 --codings 1000000] [--db PATH]

Goal (issue #4, kept for #9): all tables < 2 s on SQLite. BLAS threads are pinned with
threadpoolctl (``--blas-threads``, default 1) and OMP_WAIT_POLICY=PASSIVE is set before
numpy loads. Prints figures; writes JSON to benchmarks/results/.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before numpy loads an OpenMP runtime

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, select

from diplocode.analysis import compare as compare_mod
from diplocode.analysis import models as models_mod
from diplocode.analysis import stats
from diplocode.analysis.compare import TABLES, Spec, compare
from diplocode.analysis.data import codings_frame
from diplocode.analysis.models import models_table
from diplocode.attribution import ensure_attributed
from diplocode.project import Project
from diplocode.store import now
from diplocode.store.codebooks import code_ids
from diplocode.store.codings import get_or_create_coder
from diplocode.store.schema import actors, coding_actors, codings, source_actors, sources

REPO = Path(__file__).resolve().parents[1]
#: Authors: gazetteer keys of the nine countries of the UN speeches.
AUTHORS = [
    "china",
    "russia",
    "united-states",
    "turkey",
    "kazakhstan",
    "kyrgyzstan",
    "tajikistan",
    "turkmenistan",
    "uzbekistan",
]
GROUPS = ["official", "academic", "analytical"]
STATUSES = (["final"] * 6) + ["accepted"] + (["suggested"] * 3)
RULES = ("sentence", "paragraph", "subject", "author")
RULE_P = (0.55, 0.25, 0.05, 0.15)
TWO_ACTORS = 0.15  # share of codings about two actors (all of them by sentence/paragraph)
SELF = 0.5  # a mention rule names the source's own author this often
CAST = 3  # other actors a source discusses (with its author: ~4, as in real text)
SENTENCES = 12  # per synthetic source


def populate(project: Project, n_sources: int, n_codings: int, seed: int = 0) -> dict[str, Any]:
    """Write the synthetic sources, codings and their ``coding_actors``; returns counts."""
    rng = np.random.default_rng(seed)
    version_id, _ = project.codebook()
    stamp = now()
    # codings are sentences, like the lexicon coder's: quotable (>= 25 characters,
    # ending like a sentence), so the models table finds its quotes as on real data
    sentences = [
        f"Sentence {k + 1} of a synthetic source, long enough to be quoted in a table."
        for k in range(SENTENCES)
    ]
    bounds = np.cumsum([0] + [len(x) + 1 for x in sentences])
    text = " ".join(sentences)
    with project.store.begin() as conn:
        ids = code_ids(conn, version_id)
        coder_id = get_or_create_coder(conn, "human", "human:bench", "1", {"user": "bench"})
        # the gazetteer's actors (Project.init seeded them): authors are nine of them,
        # passages may be about any
        by_key = {k: int(i) for i, k in conn.execute(select(actors.c.id, actors.c.key))}
        names = {int(i): n for i, n in conn.execute(select(actors.c.id, actors.c.name))}
        author_ids = np.array([by_key[k] for k in AUTHORS])
        all_ids = np.array(sorted(by_key.values()))
        # the nine are discussed more often than the rest of the gazetteer
        weight = np.where(np.isin(all_ids, author_ids), 4.0, 1.0)
        weight /= weight.sum()
        author_idx = rng.integers(0, len(AUTHORS), n_sources)
        author_of = author_ids[author_idx]
        subject_of = np.where(
            rng.random(n_sources) < 0.10, rng.choice(all_ids, n_sources, p=weight), 0
        )
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
                    "n_words": len(text.split()),
                    "text": text,
                    "page_map": [],
                    "extra": {},
                    "created_at": stamp,
                    "created_by": "bench",
                }
                for i in range(n_sources)
            ],
        )
        links = [
            {"source_id": i + 1, "actor_id": int(author_of[i]), "role": "author"}
            for i in range(n_sources)
        ] + [
            {"source_id": int(i) + 1, "actor_id": int(subject_of[i]), "role": "subject"}
            for i in np.flatnonzero(subject_of)
        ]
        conn.execute(insert(source_actors), links)
        # each author prefers a different slice of codes, so the tables have structure
        keys = sorted(ids)
        weights = rng.dirichlet(np.full(len(keys), 0.3), size=len(AUTHORS))
        # draw more than needed, then keep the first n_codings distinct (source, sentence,
        # code): one coder codes a span with a code once
        draw = int(n_codings * 1.5) + 100
        source_of = rng.integers(1, n_sources + 1, draw)
        code_idx = _draw(rng, weights, author_idx, source_of)
        sentence_of = rng.integers(0, SENTENCES, draw)
        status_of = rng.integers(0, len(STATUSES), draw)
        _, first = np.unique(
            np.stack([source_of, sentence_of, code_idx], axis=1), axis=0, return_index=True
        )
        first = np.sort(first)[:n_codings]
        source_of, sentence_of, code_idx, status_of = (
            a[first] for a in (source_of, sentence_of, code_idx, status_of)
        )
        starts = bounds[sentence_of]
        ends = starts + np.array([len(x) for x in sentences])[sentence_of]
        n = len(first)
        coding_rows = [
            {
                "id": j + 1,
                "source_id": int(s),
                "start": int(b),
                "end": int(e),
                "code_id": ids[keys[k]],
                "codebook_version_id": version_id,
                "coder_id": coder_id,
                "status": STATUSES[st],
                "score": None,
                "evidence": {},
                "memo": None,
                "created_at": stamp,
                "created_by": "bench",
            }
            for j, (s, b, e, k, st) in enumerate(
                zip(source_of, starts, ends, code_idx, status_of, strict=True)
            )
        ]
        for i in range(0, n, 50_000):
            conn.execute(insert(codings), coding_rows[i : i + 50_000])
        del coding_rows

        # -- attribution: the rows the resolver would have written ------------------------
        rule = rng.choice(len(RULES), n, p=RULE_P)
        src_author = author_of[source_of - 1]
        src_subject = subject_of[source_of - 1]
        rule[(rule == 2) & (src_subject == 0)] = 3  # no subject actor: the author rule
        mention = rule <= 1
        # a source discusses a few actors, not the whole gazetteer: its "cast" is CAST
        # actors drawn once per source, and its mention codings name them (measured on real
        # text: the UN speeches have 4.1 distinct actors per coded source, the demo corpus
        # 3.9, counting the author)
        cast = rng.choice(all_ids, (n_sources, CAST), p=weight)
        pick = rng.integers(0, CAST, n)
        first_actor = np.where(
            mention & (rng.random(n) >= SELF), cast[source_of - 1, pick], src_author
        )
        first_actor = np.where(rule == 2, src_subject, first_actor)
        # ~15% of all codings name two actors: drawn among the mention codings
        two = mention & (rng.random(n) < TWO_ACTORS / (RULE_P[0] + RULE_P[1]))
        second = cast[source_of - 1, (pick + 1) % CAST]
        clash = second == first_actor
        second[clash] = all_ids[(np.searchsorted(all_ids, second[clash]) + 1) % len(all_ids)]
        rows: list[tuple[int, int, str, str | None]] = []
        rule_names = [RULES[r] for r in rule]
        mstart = starts + rng.integers(0, 40, n)  # the mention, inside the sentence
        for j in range(n):
            r = rule_names[j]
            a = int(first_actor[j])
            if mention[j]:
                rows.append((j + 1, a, r, _evidence(names[a], int(mstart[j]))))
                if two[j]:
                    b = int(second[j])
                    rows.append((j + 1, b, r, _evidence(names[b], int(mstart[j]) + 3)))
            else:
                rows.append((j + 1, a, r, None))
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(
                f"INSERT INTO {coding_actors.name} (coding_id, actor_id, rule, evidence)"
                " VALUES (?, ?, ?, ?)",
                rows,
            )
        finally:
            cursor.close()
    # the populate wrote no gazetteer names: the attribution state must still be current,
    # or compare() would re-attribute every coding inside the timings
    if ensure_attributed(project.store, "bench") is not None:
        raise SystemExit("the attribution state was not current after populate")
    counts = {r: int((rule == i).sum()) for i, r in enumerate(RULES)}
    return {
        "codings": n,
        "coding_actors": len(rows),
        "two_actor_codings": int(two.sum()),
        "rules": counts,
    }


def _evidence(name: str, start: int) -> str:
    return json.dumps({"name": name, "surface": name, "start": start, "end": start + len(name)})


def _draw(
    rng: np.random.Generator, weights: np.ndarray, author_idx: np.ndarray, source_ids: np.ndarray
) -> np.ndarray:
    """Vectorised categorical draws per author."""
    out = np.empty(len(source_ids), dtype=int)
    idx = author_idx[source_ids - 1]
    cumulative = weights.cumsum(axis=1)
    u = rng.random(len(source_ids))
    for a in range(len(weights)):
        mask = idx == a
        out[mask] = np.searchsorted(cumulative[a], u[mask], side="right").clip(
            max=weights.shape[1] - 1
        )
    return out


# -- timing -----------------------------------------------------------------------------------
class BootstrapClock:
    """Wraps ``bootstrap_shares`` where the engine calls it (``stats``; the models table
    through ``models``) and adds each call's seconds to the table being built. The engine
    draws one set of replicates for the crosstab's and Table 2's intervals, so the first of
    the two tables built pays for both."""

    def __init__(self) -> None:
        self.table: str | None = None
        self.seconds: dict[str, float] = {}
        self._original = stats.bootstrap_shares

    def __enter__(self) -> BootstrapClock:
        original = self._original

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                label = self.table or "?"
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - t0

        stats.bootstrap_shares = timed
        models_mod.bootstrap_shares = timed
        return self

    def __exit__(self, *exc: object) -> None:
        stats.bootstrap_shares = self._original
        models_mod.bootstrap_shares = self._original


def summarise(step: str, seconds: list[float], **extra: Any) -> dict[str, Any]:
    row = {
        "step": step,
        "seconds": round(statistics.median(seconds), 3),
        "min": round(min(seconds), 3),
        "max": round(max(seconds), 3),
        "runs": len(seconds),
        **extra,
    }
    print(f"{step:58s} {row['seconds']:8.3f} s  ({row['min']:.3f}-{row['max']:.3f})")
    return row


def median_of(runs: int, fn: Callable[[], Any]) -> tuple[list[float], Any]:
    seconds = []
    value = None
    for _ in range(runs):
        t0 = time.perf_counter()
        value = fn()
        seconds.append(time.perf_counter() - t0)
    return seconds, value


def bench_engine(project: Project, spec: Spec, runs: int) -> list[dict[str, Any]]:
    """compare() then every table, ``runs`` times on fresh comparisons."""
    setup: list[float] = []
    per_table: dict[str, list[float]] = {n: [] for n in TABLES}
    boots: dict[str, list[float]] = {"crosstab": [], "models": []}
    totals: list[float] = []
    n_rows = n_codings = 0
    with BootstrapClock() as clock:
        for _ in range(runs):
            t0 = time.perf_counter()
            comparison = compare(project, spec)
            setup.append(time.perf_counter() - t0)
            n_rows, n_codings = len(comparison.frame), comparison.meta["n_codings"]
            clock.seconds.clear()
            total = 0.0
            for name in TABLES:
                clock.table = name
                t0 = time.perf_counter()
                comparison.table(name)
                seconds = time.perf_counter() - t0
                per_table[name].append(seconds)
                total += seconds
            clock.table = None
            totals.append(total)
            for name in boots:
                boots[name].append(clock.seconds.get(name, 0.0))
    role = spec.actor_role
    out = [
        summarise(
            f"[{role}] compare(): frame + documents + meta",
            setup,
            frame_rows=n_rows,
            codings_counted=n_codings,
        )
    ]
    for name in TABLES:
        out.append(summarise(f"[{role}] table {name}", per_table[name]))
        if name in boots:
            out.append(
                summarise(f"[{role}]   of which bootstrap CIs (1000 replicates)", boots[name])
            )
    out.append(summarise(f"[{role}] ALL TABLES (excluding compare() setup)", totals))
    return out


def bench_direct(project: Project, frame: Any, runs: int) -> list[dict[str, Any]]:
    """The statistics functions called directly on a frame (what the old benchmark did)."""
    _, codebook = project.codebook()
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("crosstab actor x code", lambda: stats.crosstab(frame)),
        ("crosstab year x code", lambda: stats.crosstab(frame, by="year")),
        ("crosstab group x code", lambda: stats.crosstab(frame, by="group")),
        ("crosstab actor x code, unit=document", lambda: stats.crosstab(frame, unit="document")),
        ("bootstrap CIs (1000 replicates)", lambda: stats.bootstrap_share_ci(frame)),
        ("distinctiveness (log-odds)", lambda: stats.log_odds(frame)),
        ("overlap zones", lambda: stats.overlap_zones(stats.crosstab(frame))),
        ("trends", lambda: stats.trends(frame)),
        ("triangulation (JSD)", lambda: stats.triangulation(frame)),
        ("co-occurrence", lambda: stats.cooccurrence(frame)),
        (
            "models table with quotes, with CIs",
            lambda: models_table(frame, codebook, project.store, intervals=True),
        ),
    ]
    out = []
    totals = [0.0] * runs
    for name, fn in steps:
        seconds, _ = median_of(runs, fn)
        totals = [t + s for t, s in zip(totals, seconds, strict=True)]
        out.append(summarise(f"[direct, about] {name}", seconds))
    out.append(summarise("[direct, about] sum of the above", totals))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sources", type=int, default=50_000)
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median reported)")
    parser.add_argument("--blas-threads", type=int, default=1)
    parser.add_argument("--roles", default="about,author", help="actor roles to build tables for")
    parser.add_argument("--no-direct", action="store_true", help="skip the direct stats figures")
    parser.add_argument("--no-report", action="store_true", help="skip the report")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument(
        "--db",
        type=Path,
        help="keep the synthetic project in this file and reuse it when it exists "
        "(default: a temporary file)",
    )
    args = parser.parse_args()
    from threadpoolctl import threadpool_info, threadpool_limits

    results: list[dict[str, Any]] = []
    populated: dict[str, Any] = {}
    spec_of = {r: Spec(actor_role=r, include_suggested=True) for r in args.roles.split(",")}
    with tempfile.TemporaryDirectory() as tmp, threadpool_limits(limits=args.blas_threads):
        path = args.db or Path(tmp) / "bench.db"
        if path.exists():
            project = Project.open(path)
            with project.store.read() as conn:
                n_links = conn.execute(select(coding_actors.c.coding_id).limit(1)).first()
            if n_links is None:
                raise SystemExit(f"{path} has no coding_actors (built by an older benchmark?)")
            print(f"reusing {path}")
        else:
            project = Project.init(path)
            t0 = time.perf_counter()
            populated = populate(project, args.sources, args.codings)
            results.append(
                summarise(
                    f"populate ({args.sources:,} sources, {args.codings:,} codings)",
                    [time.perf_counter() - t0],
                    **populated,
                )
            )
        version_id, _ = project.codebook()
        frames = {}
        for role in ("about", "author"):
            seconds, frames[role] = median_of(
                args.runs,
                lambda role=role: codings_frame(
                    project.store,
                    include_suggested=True,
                    codebook_version_id=version_id,
                    actor_role=role,
                ),
            )
            results.append(
                summarise(f"load codings frame, actor_role={role}", seconds, rows=len(frames[role]))
            )
        for spec in spec_of.values():
            results.extend(bench_engine(project, spec, args.runs))
        if not args.no_direct:
            results.extend(bench_direct(project, frames["about"], args.runs))
        del frames
        if not args.no_report:
            from diplocode.report import build_report

            t0 = time.perf_counter()
            build_report(
                project, Path(tmp) / "report", compare(project, next(iter(spec_of.values())))
            )
            results.append(
                summarise(
                    "report: compare + tables + html, docx, xlsx, tex, png, svg",
                    [time.perf_counter() - t0],
                )
            )
        blas = threadpool_info()
        project.close()
    from _results import write_results

    out = write_results(
        args.out,
        "compare",
        {
            "sources": args.sources,
            "codings": args.codings,
            "populated": populated,
            "runs": args.runs,
            "blas_threads": args.blas_threads,
            "threadpools": [
                {k: p.get(k) for k in ("internal_api", "num_threads", "version")} for p in blas
            ],
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
            "tables": list(compare_mod.TABLES),
            "results": results,
        },
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
