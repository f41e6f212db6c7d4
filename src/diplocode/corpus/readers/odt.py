"""ODT via odfpy: headings and paragraphs in document order (also inside tables and lists).

Each ``text:h`` / ``text:p`` is one block, its text taken with
:func:`odf.teletype.extractText` (which expands ``text:s``, tabs and line breaks).
Paragraphs nested in a paragraph (notes, frames) are part of it. Deleted text kept for
change tracking (``text:tracked-changes``) is left out.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from odf import dc, teletype
from odf.element import Node
from odf.namespaces import TEXTNS
from odf.opendocument import load

from ...errors import DiplocodeError
from .base import RawDocument, ReadOptions, join_blocks, normalise_text
from .docx import check_archive

_BLOCKS = frozenset({(TEXTNS, "p"), (TEXTNS, "h")})
_SKIPPED = frozenset({(TEXTNS, "tracked-changes")})


def read(data: bytes, path: Path, options: ReadOptions, media_type: str) -> RawDocument:
    """Read an ODT: one block per heading or paragraph."""
    check_archive(data, path, options, kind="ODT", required="content.xml")
    try:
        document = load(io.BytesIO(data))
        parts = [normalise_text(part) for part in _walk(document.body)]
        title = _title(document)
    except Exception as exc:  # odfpy/xml.sax/zipfile raise many types for broken input
        detail = f"{type(exc).__name__}: {exc}"[:160]
        raise DiplocodeError("E007", path=str(path), kind="ODT", detail=detail) from None
    text, blocks = join_blocks(parts)
    return RawDocument(text=text, media_type=media_type, blocks=blocks, title=title)


def _walk(node: Any) -> Iterator[str]:
    """Texts of the block elements under ``node``, in document order."""
    for child in node.childNodes:
        if child.nodeType != Node.ELEMENT_NODE:
            continue
        if child.qname in _BLOCKS:
            yield teletype.extractText(child)
        elif child.qname not in _SKIPPED:
            yield from _walk(child)


def _title(document: Any) -> str | None:
    titles = document.meta.getElementsByType(dc.Title)
    if not titles:
        return None
    return normalise_text(teletype.extractText(titles[0])).strip() or None
