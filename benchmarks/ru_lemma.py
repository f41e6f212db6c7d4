"""Russian lemma accuracy of diplocode's Russian analyzer (pymorphy3) on UD Russian GSD.

Accuracy = share of word tokens (UPOS not PUNCT/SYM/X/NUM) whose normal form equals the
gold lemma, both lower-cased with ё folded to е; reported overall and per UPOS, with
throughput.

    python benchmarks/ru_lemma.py
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

from diplocode.lang.analysis import analyzer, fold

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("DIPLOCODE_SHARED_DATA", REPO.parent / "shared" / "data"))
SKIP = {"PUNCT", "SYM", "X", "NUM"}


def tokens(path: Path) -> list[tuple[str, str, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if "-" in cols[0] or "." in cols[0] or cols[3] in SKIP:
            continue
        out.append((cols[1], cols[2], cols[3]))
    return out


def evaluate(path: Path) -> dict:
    ru = analyzer("ru")
    toks = tokens(path)
    t0 = time.perf_counter()
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for form, lemma, upos in toks:
        total[upos] += 1
        right[upos] += ru.norm(form) == fold(lemma)
    seconds = time.perf_counter() - t0
    return {
        "file": path.name,
        "tokens": sum(total.values()),
        "accuracy": sum(right.values()) / sum(total.values()),
        "per_upos": {u: round(right[u] / total[u], 4) for u, _ in total.most_common()},
        "tokens_per_s": len(toks) / seconds,
    }


def main() -> None:
    results = [evaluate(p) for p in sorted((DATA / "ud_russian_gsd").glob("*.conllu"))]
    for r in results:
        print(
            f"{r['file']}: accuracy {r['accuracy']:.4f} on {r['tokens']} tokens ({r['tokens_per_s']:.0f} tokens/s, cold cache)"
        )
        print("  per UPOS:", r["per_upos"])
    from _results import write_results

    print(
        f"wrote {write_results(REPO / 'benchmarks' / 'results', 'ru_lemma', {'results': results})}"
    )


if __name__ == "__main__":
    main()
