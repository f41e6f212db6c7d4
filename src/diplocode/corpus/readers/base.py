"""What every reader returns, and the limits every reader honours."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MAX_FILE_MB = float(os.environ.get("DIPLOCODE_MAX_FILE_MB", "200"))


@dataclass(frozen=True)
class ReadOptions:
    """Limits and hints for reading one file.

    Parameters
    ----------
    max_file_mb:
        Files larger than this are refused with ``E002``.
    max_expanded_mb:
        Zip-based formats (DOCX, ODT) whose members expand beyond this are refused with ``E008``.
    max_ratio:
        ... and so are archives whose expansion ratio exceeds this (zip bombs).
    encoding:
        Force a text encoding instead of detecting it.
    """

    max_file_mb: float = DEFAULT_MAX_FILE_MB
    max_expanded_mb: float = 500.0
    max_ratio: float = 200.0
    encoding: str | None = None


@dataclass
class RawDocument:
    """The text of one source as read from its file.

    ``text`` is normalised (see :func:`normalise_text`); every offset in diplocode is a
    code-point index into it. ``pages`` maps 1-based page numbers to ``[start, end)``
    spans of ``text`` for paged formats (PDF); it is empty otherwise.
    ``blocks`` are ``[start, end)`` spans the format itself marks as paragraphs (DOCX
    paragraphs, table rows, HTML blocks); when empty, the segmenter finds paragraphs
    from blank lines.
    """

    text: str
    media_type: str
    pages: list[tuple[int, int, int]] = field(default_factory=list)  # (page_no, start, end)
    blocks: list[tuple[int, int]] = field(default_factory=list)
    title: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None


def normalise_text(text: str) -> str:
    """Normalise text the one way diplocode does everywhere.

    NFC; a leading BOM dropped; ``\\r\\n`` and ``\\r`` become ``\\n``; form feeds become
    ``\\n``; NUL characters are dropped. Nothing else changes, so offsets stay close to
    the original.

    >>> normalise_text("\\ufeffCafe\\u0301\\r\\nA")
    'Café\\nA'
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:
        text = text.replace("\f", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "")
    return unicodedata.normalize("NFC", text)


def join_blocks(parts: list[str], sep: str = "\n\n") -> tuple[str, list[tuple[int, int]]]:
    """Join already-normalised block texts, returning the text and each block's span.

    Empty blocks are dropped.

    >>> join_blocks(["One.", "", "Two."])
    ('One.\\n\\nTwo.', [(0, 4), (6, 10)])
    """
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out:
            out.append(sep)
            pos += len(sep)
        spans.append((pos, pos + len(part)))
        out.append(part)
        pos += len(part)
    return "".join(out), spans


def file_ext(path: Path) -> str:
    return path.suffix.lower().lstrip(".")
