"""Assemble the built-in `cultural-diplomacy` codebook from its parts.

The parts (header, then dimension files, in name order) live in
src/diplocode/codebook/frameworks/cultural-diplomacy.parts/; the result,
cultural-diplomacy.yaml beside that folder, is what ships. The parts are the files to
edit: this script validates the result and refuses to write an invalid codebook.

    python scripts/build_codebook.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from diplocode.codebook.io import dumps, loads

FRAMEWORKS = Path(__file__).resolve().parents[1] / "src" / "diplocode" / "codebook" / "frameworks"


def build(name: str = "cultural-diplomacy") -> Path:
    parts = sorted((FRAMEWORKS / f"{name}.parts").glob("*.yaml"))
    data: dict = {}
    for part in parts:
        content = yaml.safe_load(part.read_text(encoding="utf-8"))
        dims = content.pop("dimensions", [])
        data.update(content)
        data.setdefault("dimensions", []).extend(dims)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    codebook = loads(text, f"{name} (assembled from {len(parts)} parts)")
    out = FRAMEWORKS / f"{name}.yaml"
    out.write_text(
        "# Built by scripts/build_codebook.py from cultural-diplomacy.parts/ -- edit the parts.\n"
        + dumps(codebook),
        encoding="utf-8",
    )
    return out


if __name__ == "__main__":
    path = build(*sys.argv[1:])
    sys.stdout.write(f"wrote {path}\n")
