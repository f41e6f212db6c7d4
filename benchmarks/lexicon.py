"""Lexicon coding benchmark: segments in the store -> suggestions in the store.

Builds throwaway SQLite projects with the built-in codebook and measures ``diplocode code
--coder lexicon`` end to end (read segments, match, write suggestions with evidence and
audit events, one transaction per source):

* English: the UN General Debate speeches (../shared/data/ungdc_9countries);
* Kazakh: NTREX-128 kk + the Kazakh side of the KazNU government parallel corpus;
* Russian: NTREX-128 ru + the UD Russian GSD sentences;

the kk and ru text is repeated (each copy a distinct source) to >= ``--mb`` MB.
Reports MB/s of coded text per CPU-second, and, as a reference on the same English text
with the same English entries, spaCy's PhraseMatcher (tokenizer + matcher, attr=LOWER)
when spaCy is installed (``pip install spacy``; not a dependency of diplocode).

    python benchmarks/lexicon.py [--mb 50]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from diplocode.codebook.io import load_builtin
from diplocode.coders import LexiconCoder
from diplocode.corpus.ingest import IngestItem, ingest
from diplocode.corpus.metadata import SourceMeta
from diplocode.engine import run_coder
from diplocode.project import Project

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("DIPLOCODE_SHARED_DATA", REPO.parent / "shared" / "data"))


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def kk_lines() -> list[str]:
    lines = (
        (DATA / "ntrex128_en_ru_kk_zh_centralasia" / "newstest2019-ref.kaz.txt")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    for name in ("primeminister_kz_corpus.tsv", "economy_gov_kz_corpus.tsv"):
        for row in (
            (DATA / "kaznu_kk_en_gov_parallel" / name).read_text(encoding="utf-8").splitlines()
        ):
            lines.append(row.split("\t")[0])
    return [ln for ln in lines if ln.strip()]


def ru_lines() -> list[str]:
    lines = (
        (DATA / "ntrex128_en_ru_kk_zh_centralasia" / "newstest2019-ref.rus.txt")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    for conllu in sorted((DATA / "ud_russian_gsd").glob("*.conllu")):
        lines += [
            ln[len("# text = ") :]
            for ln in conllu.read_text(encoding="utf-8").splitlines()
            if ln.startswith("# text = ")
        ]
    return [ln for ln in lines if ln.strip()]


def write_docs(
    folder: Path, lang: str, lines: list[str], target_mb: float, per_doc: int = 300
) -> list[Path]:
    """Documents of ``per_doc`` lines (one paragraph each), copies until ``target_mb``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    size = 0
    copy = 0
    while size < target_mb * 1e6:
        for start in range(0, len(lines), per_doc):
            body = (
                f"Copy {copy}, part {start // per_doc}.\n\n"
                + "\n\n".join(lines[start : start + per_doc])
                + "\n"
            )
            path = folder / f"{lang}-{copy:03d}-{start // per_doc:04d}.txt"
            path.write_text(body, encoding="utf-8")
            size += path.stat().st_size
            paths.append(path)
            if size >= target_mb * 1e6:
                break
        copy += 1
    return paths


def bench_language(tmp: Path, label: str, items: list[IngestItem]) -> dict:
    project = Project.init(tmp / f"{label}.db")
    list(ingest(project.store, items, languages=project.languages))
    version_id, codebook = project.codebook()
    coder = LexiconCoder(codebook).fit()  # compile outside the clock; reported apart
    c0, t0 = cpu(), time.perf_counter()
    summary = run_coder(project.store, coder, version_id, who="bench")
    seconds, cpu_s = time.perf_counter() - t0, cpu() - c0
    project.close()
    mb = summary.utf8_bytes / 1e6
    return {
        "text": label,
        "sources": summary.sources_coded,
        "MB": mb,
        "M_chars": summary.chars / 1e6,
        "seconds": seconds,
        "cpu_seconds": cpu_s,
        "MB_per_cpu_s": mb / cpu_s,
        "M_chars_per_cpu_s": summary.chars / 1e6 / cpu_s,
        "suggestions": summary.suggestions,
    }


def bench_spacy(texts: list[str], entries: list[str]) -> dict | None:
    try:
        import spacy
        from spacy.matcher import PhraseMatcher
    except ImportError:
        return None
    nlp = spacy.blank("en")
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    patterns = [nlp.make_doc(e.replace("*", "")) for e in entries if not e.startswith("re:")]
    matcher.add("LEXICON", patterns)
    c0, t0 = cpu(), time.perf_counter()
    n = 0
    for doc in nlp.tokenizer.pipe(texts, batch_size=64):
        n += len(matcher(doc))
    seconds, cpu_s = time.perf_counter() - t0, cpu() - c0
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    return {
        "text": "en (spaCy PhraseMatcher reference)",
        "MB": mb,
        "seconds": seconds,
        "cpu_seconds": cpu_s,
        "MB_per_cpu_s": mb / cpu_s,
        "matches": n,
        "spacy": spacy.__version__,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=float, default=50.0, help="size of the kk and ru text each")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    codebook = load_builtin("cultural-diplomacy")
    t0 = time.perf_counter()
    LexiconCoder(codebook).fit()
    compile_s = time.perf_counter() - t0
    rows: list[dict] = [{"text": "compile lexicons (one-off)", "seconds": compile_s}]
    un = sorted((DATA / "ungdc_9countries" / "txt").glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        rows.append(
            bench_language(tmp, "en", [IngestItem(p, SourceMeta(language="en")) for p in un])
        )
        for lang, lines in (("kk", kk_lines()), ("ru", ru_lines())):
            docs = write_docs(tmp / lang, lang, lines, args.mb)
            rows.append(
                bench_language(tmp, lang, [IngestItem(p, SourceMeta(language=lang)) for p in docs])
            )
        english = [e for c in codebook.codes() for e in c.lexicon.get("en", [])]
        reference = bench_spacy([p.read_text(encoding="utf-8") for p in un], english)
    if reference:
        rows.append(reference)
        ours = next(r for r in rows if r["text"] == "en")
        rows.append(
            {
                "text": "ratio diplocode / spaCy (en, MB per CPU-second)",
                "ratio": ours["MB_per_cpu_s"] / reference["MB_per_cpu_s"],
            }
        )
    else:
        rows.append({"text": "spaCy not installed: no reference (pip install spacy)"})
    from _results import print_rows, write_results

    print_rows(rows)
    print(
        f"wrote {write_results(args.out, 'lexicon', {'codebook_hash': codebook.content_hash(), 'results': rows})}"
    )


if __name__ == "__main__":
    main()
