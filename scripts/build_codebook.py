"""Assemble a built-in codebook from its parts.

The parts of framework NAME (header, then dimension files, then the `tables:` section, in
name order) live in src/diplocode/codebook/frameworks/NAME.parts/; the result, NAME.yaml
beside that folder, is what ships. The parts are the files to edit: this script validates
the result and refuses to write an invalid codebook.

    python scripts/build_codebook.py                  # cultural-diplomacy
    python scripts/build_codebook.py turkic-states    # any NAME with a NAME.parts/ folder
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from diplocode.codebook.io import dumps, loads

FRAMEWORKS = Path(__file__).resolve().parents[1] / "src" / "diplocode" / "codebook" / "frameworks"


def build(name: str = "cultural-diplomacy") -> Path:
    folder = FRAMEWORKS / f"{name}.parts"
    parts = sorted(folder.glob("*.yaml"))
    if not parts:
        known = ", ".join(sorted(p.name.removesuffix(".parts") for p in FRAMEWORKS.glob("*.parts")))
        raise SystemExit(f"no parts in {folder}; frameworks with parts: {known}")
    data: dict = {}
    for part in parts:
        content = yaml.safe_load(part.read_text(encoding="utf-8"))
        dims = content.pop("dimensions", [])
        data.update(content)
        data.setdefault("dimensions", []).extend(dims)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    codebook = loads(text, f"{name} (assembled from {len(parts)} parts)")
    if codebook.name != name:
        raise SystemExit(f"{folder} declares name {codebook.name!r}; expected {name!r}")
    out = FRAMEWORKS / f"{name}.yaml"
    out.write_text(
        f"# Built by scripts/build_codebook.py from {name}.parts/ -- edit the parts.\n"
        + dumps(codebook),
        encoding="utf-8",
    )
    return out


if __name__ == "__main__":
    path = build(*sys.argv[1:])
    sys.stdout.write(f"wrote {path}\n")
