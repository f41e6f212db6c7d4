"""What every benchmark does at the end: print its rows and write them as JSON.

Benchmarks import this lazily (inside ``main``) so that tests can load a benchmark module
for its measuring functions without ``benchmarks/`` on the import path.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path
from typing import Any


def print_rows(rows: list[dict[str, Any]]) -> None:
    """One line per row: ``key=value | ...`` with floats to two decimals."""
    for row in rows:
        print(
            " | ".join(
                f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()
            )
        )


def write_results(out_dir: Path, name: str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` (with the time and machine added) to ``out_dir/<name>-<time>.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    out = out_dir / f"{name}-{stamp}.json"
    record = {"when": stamp, "machine": platform.platform(), "cpus": os.cpu_count(), **payload}
    out.write_text(json.dumps(record, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return out
