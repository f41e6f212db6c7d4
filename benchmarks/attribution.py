"""Attribution overhead benchmark: ``diplocode code`` with and without the resolver.

Every suggestion ``run_coder`` writes gets the actor(s) its passage is about
(:mod:`diplocode.attribution`) in the same transaction. This measures what that costs on
the UN General Debate speeches (../shared/data/ungdc_9countries: 464 English speeches of
nine countries, 1946-2024; the manifest of benchmarks/ingest.py: the country as author,
the year as date, group official):

1. ingest the speeches once into a SQLite project with the built-in codebook and
   gazetteer, and copy the file (SQLite online backup) so every run codes the same
   uncoded project;
2. time ``run_coder`` with the lexicon coder on a fresh copy, (a) as it is and (b) with
   attribution disabled by monkeypatching, in this process only, the engine's
   ``SourceContext`` (no segment/actor reads, ``resolve`` a no-op), ``attribute_codings``
   (no rows), ``evidence_hits`` (the lexicon matches handed to the resolver) and the
   gazetteer matcher lookup; never by changing library code. Runs
   alternate a, b, a, b, ... after one untimed warm-up run of each (lexicons and the
   gazetteer compiled, caches warm); the coder is fitted outside the clock;
3. report the median (and range) of wall and CPU seconds per variant, the overhead in
   percent (goal: at most +20%), how the suggestions were attributed (rule -> codings, from
   ``RunSummary.attribution``) and the top-5 actors by "about" codings and by author.

    python benchmarks/attribution.py [--runs 5]

Prints figures; writes JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

import diplocode.engine as engine
from diplocode.analysis.data import codings_frame
from diplocode.attribution import gazetteer as gz
from diplocode.coders import LexiconCoder
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.engine import RunSummary, run_coder
from diplocode.project import Project
from diplocode.store.schema import coding_actors, codings, source_actors

REPO = Path(__file__).resolve().parents[1]
GOAL_PERCENT = 20.0


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class _NoContext:
    """Stands in for the engine's SourceContext: reads nothing, resolves nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def resolve(self, *args: Any, **kwargs: Any) -> list:
        return []


def _no_attribution(*args: Any, **kwargs: Any) -> list:
    return []


def _no_matcher(conn: Any) -> tuple[str, None]:
    return "", None


def _no_hits(evidence: Any) -> tuple:
    return ()


@contextlib.contextmanager
def attribution_disabled() -> Iterator[None]:
    """The engine without attribution, for this process and this block only."""
    patches: list[tuple[Any, str, Any]] = [
        (engine, "SourceContext", _NoContext),
        (engine, "attribute_codings", _no_attribution),
        (gz, "matcher_for", _no_matcher),
    ]
    if hasattr(engine, "evidence_hits"):  # the lexicon matches handed to the resolver
        patches.append((engine, "evidence_hits", _no_hits))
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    for owner, name, stub in patches:
        setattr(owner, name, stub)
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


def build_base(path: Path, items: list[IngestItem]) -> dict[str, Any]:
    """The uncoded project: the speeches ingested; returns what was ingested."""
    t0 = time.perf_counter()
    project = Project.init(path)
    results = list(ingest(project.store, items, languages=project.languages))
    failed = [(r.path.name, r.error) for r in results if r.status != "added"]
    if failed:
        raise SystemExit(f"ingest failed: {failed[:5]}")
    project.close()
    return {"sources": len(results), "ingest_seconds": round(time.perf_counter() - t0, 1)}


def fresh_copy(base: Path, to: Path) -> Path:
    """A consistent copy of the SQLite project (online backup: WAL content included)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{to}{suffix}").unlink(missing_ok=True)
    src, dst = sqlite3.connect(base), sqlite3.connect(to)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return to


def code_once(base: Path, work: Path, attribute: bool) -> tuple[dict[str, Any], Path]:
    """One timed ``run_coder`` on a fresh copy; returns the figures and the copy's path."""
    path = fresh_copy(base, work)
    project = Project.open(path)
    version_id, codebook = project.codebook()
    coder = LexiconCoder(codebook).fit()  # compiled outside the clock
    ctx = contextlib.nullcontext() if attribute else attribution_disabled()
    with ctx:
        c0, t0 = cpu(), time.perf_counter()
        summary: RunSummary = run_coder(project.store, coder, version_id, who="bench")
        seconds, cpu_s = time.perf_counter() - t0, cpu() - c0
    with project.store.read() as conn:
        n_links = conn.execute(select(func.count()).select_from(coding_actors)).scalar_one()
    project.close()
    expected = n_links > 0 if attribute else n_links == 0
    if not expected or summary.sources_coded == 0:
        raise SystemExit(f"unexpected run: attribute={attribute}, coding_actors={n_links}")
    return {
        "attribution": attribute,
        "seconds": seconds,
        "cpu_seconds": cpu_s,
        "sources": summary.sources_coded,
        "suggestions": summary.suggestions,
        "coding_actors": n_links,
        "rules": summary.attribution,
    }, path


def context_of(path: Path, top: int = 5) -> dict[str, Any]:
    """Who the suggestions are about, against who wrote them."""
    project = Project.open(path)
    version_id, _ = project.codebook()
    out: dict[str, Any] = {}
    for role in ("about", "author"):
        frame = codings_frame(
            project.store,
            include_suggested=True,
            codebook_version_id=version_id,
            actor_role=role,
        )
        counts = frame.groupby("actor", observed=True)["coding_id"].nunique()
        counts = counts.sort_values(ascending=False, kind="stable")
        out[f"top_{role}"] = [(str(a), int(n)) for a, n in counts.head(top).items()]
        out[f"actors_{role}"] = int((counts > 0).sum())
    with project.store.read() as conn:
        total = conn.execute(select(func.count()).select_from(codings)).scalar_one()
        attributed = conn.execute(
            select(func.count(func.distinct(coding_actors.c.coding_id)))
        ).scalar_one()
        two_plus = conn.execute(
            select(func.count()).select_from(
                select(coding_actors.c.coding_id)
                .group_by(coding_actors.c.coding_id)
                .having(func.count() > 1)
                .subquery()
            )
        ).scalar_one()
        # codings about (among others) their own source's author
        own = conn.execute(
            select(func.count(func.distinct(codings.c.id)))
            .select_from(codings)
            .join(coding_actors, coding_actors.c.coding_id == codings.c.id)
            .join(
                source_actors,
                (source_actors.c.source_id == codings.c.source_id)
                & (source_actors.c.actor_id == coding_actors.c.actor_id)
                & (source_actors.c.role == "author"),
            )
        ).scalar_one()
    project.close()
    out.update(
        suggestions=total,
        attributed=attributed,
        unattributed=total - attributed,
        about_two_or_more_actors=two_plus,
        about_includes_own_author=own,
    )
    return out


def spread(values: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per variant (3-5)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    from _results import print_rows, write_results
    from ingest import UNGDC, un_items  # the UN speeches' manifest (benchmarks/ingest.py)

    items = un_items()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        base = tmp / "un-base.db"
        built = build_base(base, items)
        print(f"ingested {built['sources']} speeches in {built['ingest_seconds']} s")
        work = tmp / "run.db"
        for attribute in (True, False):  # warm-up: compile, fill caches; not timed
            code_once(base, work, attribute)
        runs: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
        kept: Path | None = None
        for i in range(args.runs):
            for attribute in (True, False):
                figures, path = code_once(base, work, attribute)
                runs[attribute].append(figures)
                print(
                    f"run {i + 1} attribution={'on ' if attribute else 'off'} "
                    f"{figures['seconds']:7.2f} s wall {figures['cpu_seconds']:7.2f} s CPU"
                )
                if attribute and kept is None:
                    kept = fresh_copy(path, tmp / "coded.db")
        assert kept is not None
        context = context_of(kept)
    on, off = runs[True], runs[False]
    wall_on, wall_off = spread([r["seconds"] for r in on]), spread([r["seconds"] for r in off])
    cpu_on, cpu_off = (
        spread([r["cpu_seconds"] for r in on]),
        spread([r["cpu_seconds"] for r in off]),
    )
    overhead_wall = 100 * (wall_on["median"] / wall_off["median"] - 1)
    overhead_cpu = 100 * (cpu_on["median"] / cpu_off["median"] - 1)
    rows += [
        {
            "variant": "run_coder, lexicon, with attribution",
            "wall_s": wall_on["median"],
            "wall_range": f"{wall_on['min']:.2f}-{wall_on['max']:.2f}",
            "cpu_s": cpu_on["median"],
            "cpu_range": f"{cpu_on['min']:.2f}-{cpu_on['max']:.2f}",
            "runs": len(on),
        },
        {
            "variant": "run_coder, lexicon, attribution disabled",
            "wall_s": wall_off["median"],
            "wall_range": f"{wall_off['min']:.2f}-{wall_off['max']:.2f}",
            "cpu_s": cpu_off["median"],
            "cpu_range": f"{cpu_off['min']:.2f}-{cpu_off['max']:.2f}",
            "runs": len(off),
        },
        {
            "variant": "overhead of attribution",
            "wall_percent": overhead_wall,
            "cpu_percent": overhead_cpu,
            "goal_percent": GOAL_PERCENT,
            "met": overhead_wall <= GOAL_PERCENT and overhead_cpu <= GOAL_PERCENT,
        },
    ]
    first = on[0]
    rows.append(
        {
            "variant": "suggestions",
            "sources": first["sources"],
            "suggestions": first["suggestions"],
            "coding_actors": first["coding_actors"],
        }
    )
    rows.append({"variant": "attributed by rule (codings)", **first["rules"]})
    for role in ("about", "author"):
        rows.append(
            {
                "variant": f"top-5 actors by {role} codings",
                **dict(context[f"top_{role}"]),
            }
        )
    rows.append(
        {
            "variant": "context",
            **{
                k: v
                for k, v in context.items()
                if not k.startswith("top_") and not k.startswith("actors_")
            },
            "actors_about": context["actors_about"],
            "actors_author": context["actors_author"],
        }
    )
    print_rows(rows)
    out = write_results(
        args.out,
        "attribution",
        {
            "data": str(UNGDC),
            "ingested": built,
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
            "runs": {"with_attribution": on, "attribution_disabled": off},
            "context": context,
            "results": rows,
        },
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
