"""Ingestion benchmark: UN General Debate speeches end to end, and PDF pages/s.

Measures, on SQLite and (if a server is given) PostgreSQL:

* sources/s and MB/s of input text, end to end (read + language per paragraph + paragraphs and
  sentences + store, one transaction per source), with the preparation (no database) timed
  separately so the cost of storing is visible; "per core" is MB per CPU-second (this
  process and its workers), so a parallel run is not flattered by wall time; language
  models are loaded before timing and their one-off load time is reported on its own;
* PDF pages/s through diplocode's ingest vs. pypdfium2's bare text extraction of the same
  generated PDFs, in the same run.

Usage::

    python benchmarks/ingest.py                      # SQLite only
    python benchmarks/ingest.py --pg postgresql://postgres@127.0.0.1:5432/postgres
    python benchmarks/ingest.py --jobs 2             # prepare in 2 worker processes

Prints a table and writes JSON to benchmarks/results/ingest-<time>.json.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from diplocode.corpus.ingest import IngestItem, _detector, ingest, prepare
from diplocode.corpus.langid import DEFAULT_LANGUAGES
from diplocode.corpus.metadata import SourceMeta
from diplocode.project import Project

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("DIPLOCODE_SHARED_DATA", REPO.parent / "shared" / "data"))
UNGDC = DATA / "ungdc_9countries"
COUNTRIES = {
    "CHN": "China",
    "RUS": "Russia",
    "USA": "United States",
    "TUR": "Turkey",
    "KAZ": "Kazakhstan",
    "KGZ": "Kyrgyzstan",
    "TJK": "Tajikistan",
    "TKM": "Turkmenistan",
    "UZB": "Uzbekistan",
}


def un_items() -> list[IngestItem]:
    with open(UNGDC / "index.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        IngestItem(
            UNGDC / "txt" / r["file"],
            SourceMeta(
                actors=((COUNTRIES[r["iso3"]], "author"),),
                group="official",
                date=(int(r["year"]), None, None),
            ),
        )
        for r in rows
    ]


def _pg_database(admin_url: str) -> tuple[str, callable]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"dc_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return admin.set(database=name).render_as_string(hide_password=False), drop


def bench_prepare(items: list[IngestItem]) -> dict:
    detector = _detector(tuple(DEFAULT_LANGUAGES), 40)
    data = [(it, it.path.read_bytes()) for it in items]
    n_bytes = sum(len(d) for _, d in data)
    t0 = time.perf_counter()
    n_sent = 0
    for it, raw in data:
        n_sent += len(prepare(it.path, raw, it.meta, detector).sentences)
    secs = time.perf_counter() - t0
    return {
        "stage": "prepare only (read+lang+segment, no DB, files in memory)",
        "sources": len(items),
        "MB": n_bytes / 1e6,
        "seconds": secs,
        "MB_per_s": n_bytes / 1e6 / secs,
        "sentences": n_sent,
    }


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def bench_ingest(where: str, label: str, items: list[IngestItem], jobs: int) -> dict:
    """End to end into a fresh project. Models are loaded before the clock starts (their
    one-off load time is reported by :func:`warm_up`); per-core throughput divides by the
    CPU seconds spent in this process and its workers, not by wall time."""
    n_bytes = sum(it.path.stat().st_size for it in items)
    project = Project.init(where)
    pool = ProcessPoolExecutor(jobs, initializer=warm_up) if jobs > 1 else None
    try:
        if pool:
            list(pool.map(int, range(jobs)))  # start the workers (and load their models) first
        cpu0, t0 = _cpu_seconds(), time.perf_counter()
        results = list(ingest(project.store, items, languages=project.languages, executor=pool))
        secs = time.perf_counter() - t0
    finally:
        if pool:
            pool.shutdown()
        cpu = _cpu_seconds() - cpu0
        project.close()
    statuses = {s: sum(r.status == s for r in results) for s in ("added", "duplicate", "failed")}
    return {
        "stage": f"end to end, {label}, jobs={jobs}",
        "sources": len(items),
        "MB": n_bytes / 1e6,
        "seconds": secs,
        "sources_per_s": len(items) / secs,
        "MB_per_s": n_bytes / 1e6 / secs,
        "cpu_seconds": cpu,
        "MB_per_cpu_s": n_bytes / 1e6 / cpu,
        "statuses": statuses,
        "sentences": sum(r.n_sentences for r in results),
    }


def warm_up() -> float:
    """Load the language models the way a long batch has them loaded; returns seconds."""
    t0 = time.perf_counter()
    detector = _detector(tuple(DEFAULT_LANGUAGES), 40)
    detector.detect("Қазақстан мен Қытай арасындағы гуманитарлық ынтымақтастық дамып келеді.")
    _ = detector._fallback
    return time.perf_counter() - t0


def median_of(n: int, run) -> dict:
    """Run a stage ``n`` times; keep the run with the median time, note the spread."""
    runs = sorted((run(i) for i in range(n)), key=lambda r: r["seconds"])
    chosen = dict(runs[len(runs) // 2])
    chosen["runs"] = n
    chosen["seconds_min_max"] = f"{runs[0]['seconds']:.2f}-{runs[-1]['seconds']:.2f}"
    return chosen


def make_pdfs(folder: Path, n_docs: int, pages: int) -> list[Path]:
    from fpdf import FPDF

    paragraph = (
        "Cultural and humanitarian cooperation in Central Asia works through concrete institutional channels: "
        "language policy, scholarships, university partnerships, expert forums, heritage projects and public diplomacy. "
    ) * 3
    paths = []
    for d in range(n_docs):
        pdf = FPDF()
        pdf.set_font("Helvetica", size=10)
        for p in range(pages):
            pdf.add_page()
            for k in range(6):
                pdf.multi_cell(0, 5, f"Document {d}, page {p + 1}, paragraph {k + 1}. {paragraph}")
                pdf.ln(2)
        path = folder / f"doc{d:03d}.pdf"
        pdf.output(str(path))
        paths.append(path)
    return paths


def bench_pdf(tmp: Path, n_docs: int, pages: int) -> dict:
    import pypdfium2 as pdfium

    paths = make_pdfs(tmp, n_docs, pages)
    total_pages = n_docs * pages
    t0 = time.perf_counter()
    chars = 0
    for path in paths:
        doc = pdfium.PdfDocument(path.read_bytes())
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            chars += len(textpage.get_text_range())
            textpage.close()
            page.close()
        doc.close()
    bare = time.perf_counter() - t0
    project = Project.init(tmp / "pdf.db")
    t0 = time.perf_counter()
    results = list(
        ingest(project.store, [IngestItem(p) for p in paths], languages=project.languages)
    )
    ours = time.perf_counter() - t0
    project.close()
    assert all(r.status == "added" for r in results), [r.error for r in results if r.error]
    return {
        "stage": "PDF",
        "documents": n_docs,
        "pages": total_pages,
        "chars": chars,
        "bare_pypdfium2_pages_per_s": total_pages / bare,
        "diplocode_ingest_pages_per_s": total_pages / ours,
        "ratio_ingest_to_bare": bare / ours,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pg",
        default=os.environ.get("DIPLOCODE_BENCH_PG"),
        help="PostgreSQL admin URL (a database is created and dropped)",
    )
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per end-to-end stage; the median is reported"
    )
    parser.add_argument("--pdf-docs", type=int, default=20)
    parser.add_argument("--pdf-pages", type=int, default=25)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()

    if not UNGDC.is_dir():
        raise SystemExit(
            f"{UNGDC} not found: the benchmark reads the UN General Debate speeches from ../shared/data"
        )
    items = un_items()
    rows = [{"stage": "one-off model load (CLD2 + py3langid fallback)", "seconds": warm_up()}]
    rows.append(bench_prepare(items))
    with tempfile.TemporaryDirectory() as tmp:

        def sqlite(jobs: int) -> dict:
            return median_of(
                args.repeat,
                lambda i: bench_ingest(str(Path(tmp) / f"un-{jobs}-{i}.db"), "SQLite", items, jobs),
            )

        rows.append(sqlite(args.jobs))
        if args.jobs == 1 and (os.cpu_count() or 1) > 1:
            rows.append(sqlite(2))
        if args.pg:

            def postgres(_i: int) -> dict:
                url, drop = _pg_database(args.pg)
                try:
                    return bench_ingest(url, "PostgreSQL", items, args.jobs)
                finally:
                    drop()

            rows.append(median_of(args.repeat, postgres))
        rows.append(bench_pdf(Path(tmp), args.pdf_docs, args.pdf_pages))

    from _results import print_rows, write_results

    print_rows(rows)
    print(f"wrote {write_results(args.out, 'ingest', {'results': rows})}")


if __name__ == "__main__":
    main()
