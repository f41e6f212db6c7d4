"""Retrieved passages (:func:`diplocode.retrieve.retrieve`) as CSV and as a Word document.

* :func:`write_csv`: one row per passage, every field of :class:`~diplocode.retrieve.Passage`
  (actors as ``NAME:ROLE; ...``); :func:`read_csv` reads such a file back.
* :func:`write_docx`: a heading, the note saying what was counted, then per code its
  passages, each quoted with the code's label and its citation.
"""

from __future__ import annotations

import csv
import io
from dataclasses import fields
from pathlib import Path
from typing import IO, Any

from docx import Document
from docx.shared import Pt

from ..retrieve import Passage, Retrieval
from .tables import _XML_ILLEGAL, _note, _write_cell_text

__all__ = ["CSV_COLUMNS", "csv_text", "docx_bytes", "read_csv", "write_csv", "write_docx"]

#: the CSV's columns: the fields of a passage, in order
CSV_COLUMNS = [f.name for f in fields(Passage)]
_LISTS = ("actors", "about")
_INTS = ("coding_id", "source_id", "start", "end", "page")


def _cell(name: str, value: Any) -> Any:
    if name == "actors":
        return "; ".join(f"{actor}:{role}" for actor, role in value)
    if name == "about":
        return "; ".join(value)
    return "" if value is None else value


def write_csv(retrieval: Retrieval, out: str | Path | IO[str]) -> None:
    """The passages as CSV (UTF-8, a header row) to a path or an open text file."""
    if isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8", newline="") as handle:
            _write_rows(retrieval, handle)
    else:
        _write_rows(retrieval, out)


def _write_rows(retrieval: Retrieval, handle: IO[str]) -> None:
    writer = csv.writer(handle)
    writer.writerow(CSV_COLUMNS)
    for passage in retrieval.passages:
        writer.writerow([_cell(name, getattr(passage, name)) for name in CSV_COLUMNS])


def read_csv(source: str | Path | IO[str]) -> list[Passage]:
    """Passages from a file :func:`write_csv` wrote."""
    if isinstance(source, str | Path):
        with open(source, encoding="utf-8", newline="") as handle:
            return _read_rows(handle)
    return _read_rows(source)


def _read_rows(handle: IO[str]) -> list[Passage]:
    return [
        Passage(**{name: _parse(name, row.get(name, "")) for name in CSV_COLUMNS})
        for row in csv.DictReader(handle)
    ]


def _parse(name: str, text: str) -> Any:
    if name == "actors":
        return [tuple(a.rsplit(":", 1)) for a in text.split("; ") if a]
    if name == "about":
        return [a for a in text.split("; ") if a]
    if text == "" and name in ("page", "score", "memo", "reviewed_by", "language"):
        return None
    if name in _INTS:
        return int(text)
    if name == "score":
        return float(text)
    return text


def write_docx(
    retrieval: Retrieval, out: str | Path | IO[bytes], *, title: str | None = None
) -> None:
    """A Word document: a heading, the note, then per code (in codebook order) a
    sub-heading and each passage quoted (italic), with the code label and its citation."""
    doc = Document()
    labels = retrieval.labels
    doc.add_heading(_clean(title or _title(retrieval, labels)), level=1)
    _note(doc, _clean(retrieval.note))
    by_code: dict[str, list[Passage]] = {}
    for passage in retrieval.passages:
        by_code.setdefault(passage.code, []).append(passage)
    size = Pt(10)
    for key in retrieval.codes:
        found = by_code.get(key)
        if not found:
            continue
        if len(retrieval.codes) > 1:
            doc.add_heading(_clean(f"{labels[key]} ({key})"), level=2)
        for passage in found:
            quote = doc.add_paragraph()
            quote.paragraph_format.left_indent = Pt(18)
            quote.paragraph_format.space_after = Pt(2)
            run = quote.add_run(_clean(f"“{passage.text}”"))
            run.italic = True
            meta = doc.add_paragraph()
            meta.paragraph_format.left_indent = Pt(18)
            meta.paragraph_format.space_after = Pt(10)
            status = "" if passage.status != "suggested" else " (unreviewed suggestion)"
            _write_cell_text(meta, f"{passage.label}{status} — ", size, bold=True)
            _write_cell_text(meta, passage.citation, size)
    if isinstance(out, str | Path):
        doc.save(str(out))
    else:
        doc.save(out)


def _title(retrieval: Retrieval, labels: dict[str, str]) -> str:
    if len(retrieval.codes) == 1:
        key = retrieval.codes[0]
        return f"Passages coded “{labels.get(key, key)}” ({key})"
    return f"Passages coded {', '.join(retrieval.selected)}"


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def docx_bytes(retrieval: Retrieval) -> bytes:
    """The document of :func:`write_docx` in memory (for downloads)."""
    buffer = io.BytesIO()
    write_docx(retrieval, buffer)
    return buffer.getvalue()


def csv_text(retrieval: Retrieval) -> str:
    """The CSV of :func:`write_csv` in memory (for downloads)."""
    buffer = io.StringIO()
    write_csv(retrieval, buffer)
    return buffer.getvalue()
