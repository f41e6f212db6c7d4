"""Manifests: bulk metadata for many sources, as CSV or YAML.

A CSV manifest has a header row; a YAML manifest is a list of mappings (or a mapping
with a ``sources:`` list). Columns: ``path`` (required; relative to the manifest's
folder), ``title``, ``actors`` (``NAME[:ROLE]; ...``; ``actor`` is accepted too),
``group``, ``date``, ``lang``, ``url``, ``publisher``. Any other column is kept as
source metadata (``extra``). Each bad row is reported with its row number and column
and the other rows go on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import DiplocodeError
from .metadata import SourceMeta, build

_ALIASES = {"actor": "actors", "language": "lang", "source_group": "group", "file": "path"}
_KNOWN = ("path", "title", "actors", "group", "date", "lang", "url", "publisher")


@dataclass
class ManifestRow:
    row: int
    path: Path
    meta: SourceMeta


@dataclass
class Manifest:
    path: Path
    rows: list[ManifestRow] = field(default_factory=list)
    errors: list[tuple[int, DiplocodeError]] = field(default_factory=list)


def read_manifest(path: str | Path, languages: Iterable[str]) -> Manifest:
    """Parse and validate a manifest; bad rows land in ``errors`` with their row number."""
    path = Path(path)
    if not path.is_file():
        raise DiplocodeError("E010", path=str(path), base=str(Path.cwd()))
    records = _records(path)
    manifest = Manifest(path)
    base = path.parent
    languages = list(languages)
    for row_no, record in records:
        try:
            manifest.rows.append(_row(path, base, row_no, record, languages))
        except DiplocodeError as e:
            manifest.errors.append((row_no, e))
    return manifest


def _records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (UnicodeDecodeError, OSError) as e:
        raise DiplocodeError("E022", manifest=str(path), detail=str(e)) from e
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise DiplocodeError(
                "E022", manifest=str(path), detail=str(e).replace("\n", " ")
            ) from e
        if isinstance(data, dict):
            data = data.get("sources")
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise DiplocodeError("E022", manifest=str(path), detail="expected a list of mappings")
        return [(i, _norm_keys(r)) for i, r in enumerate(data, start=1)]
    if path.suffix.lower() not in (".csv", ".tsv"):
        raise DiplocodeError(
            "E022",
            manifest=str(path),
            detail=f"unknown manifest type '{path.suffix}'; use .csv, .tsv or .yaml",
        )
    dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames or "path" not in {
        _ALIASES.get(k.strip().lower(), k.strip().lower()) for k in reader.fieldnames if k
    }:
        raise DiplocodeError(
            "E022", manifest=str(path), detail="the header row has no 'path' column"
        )
    # spreadsheet numbering: the header is row 1
    return [(i, _norm_keys(r)) for i, r in enumerate(reader, start=2)]


def _norm_keys(record: dict[Any, Any]) -> dict[str, Any]:
    out = {}
    for key, value in record.items():
        if key is None:  # csv: more cells than header columns
            continue
        name = str(key).strip().lower()
        out[_ALIASES.get(name, name)] = value
    return out


def _row(
    manifest: Path, base: Path, row_no: int, record: dict[str, Any], languages: list[str]
) -> ManifestRow:
    raw_path = str(record.get("path") or "").strip()
    file_path = (base / raw_path) if raw_path else None
    if file_path is None or not file_path.exists():
        raise DiplocodeError(
            "E021", manifest=str(manifest), row=row_no, path=raw_path, base=str(base)
        )
    actors = record.get("actors")
    meta = build(
        locate=lambda column: f"Manifest {manifest}, row {row_no}, column '{column}'",
        languages=languages,
        title=_text(record.get("title")),
        actors=actors if isinstance(actors, list) else _text(actors),
        group=_text(record.get("group")),
        date=_text(record.get("date")),
        language=_text(record.get("lang")),
        url=_text(record.get("url")),
        publisher=_text(record.get("publisher")),
        extra={k: str(v) for k, v in record.items() if k not in _KNOWN and v not in (None, "")},
    )
    return ManifestRow(row_no, file_path, meta)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
