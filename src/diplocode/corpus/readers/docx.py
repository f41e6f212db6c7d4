"""DOCX via python-docx: body paragraphs and table rows, in document order, as blocks.

The archive is checked with :mod:`zipfile` before python-docx sees it (damaged archives
give ``E007``, zip bombs ``E008``); :func:`check_archive` is shared with the ODT reader.

The body is walked on the XML (python-docx's element tree) rather than through
``Document.iter_inner_content`` and ``Paragraph.text``, which skip content wrapped in
content controls (``w:sdt``) and tracked insertions (``w:ins``). Text inside deleted
revisions and the duplicate ``mc:Fallback`` copy of text boxes is left out. Headers,
footers, footnotes and comments are not read.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from lxml import etree

from ...errors import DiplocodeError
from .base import RawDocument, ReadOptions, join_blocks, normalise_text

_MB = 1024 * 1024

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_W_P, _W_TBL, _W_TR, _W_TC = (f"{{{_W}}}{tag}" for tag in ("p", "tbl", "tr", "tc"))
_W_T, _W_TAB, _W_BR, _W_CR = (f"{{{_W}}}{tag}" for tag in ("t", "tab", "br", "cr"))
_W_NB_HYPHEN = f"{{{_W}}}noBreakHyphen"
_W_VAL = f"{{{_W}}}val"

#: Elements that only wrap block content; the walk descends through them.
_WRAPPERS = frozenset(
    f"{{{_W}}}{tag}" for tag in ("sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag")
)

# Run content of a paragraph, in order, minus deleted/moved-away text and the fallback
# copy of text boxes (which would otherwise appear twice).
_RUN_CONTENT = etree.XPath(
    ".//w:r[not(ancestor::*[self::mc:Fallback or self::w:del or self::w:moveFrom])]"
    "/*[self::w:t or self::w:tab or self::w:br or self::w:cr or self::w:noBreakHyphen]",
    namespaces={"w": _W, "mc": _MC},
)
_MERGE_CONTINUES = etree.XPath(
    "w:tcPr/w:vMerge[not(@w:val) or @w:val='continue'] | w:tcPr/w:hMerge[@w:val='continue']",
    namespaces={"w": _W},
)
_RUN_CHARS = {_W_TAB: "\t", _W_BR: "\n", _W_CR: "\n", _W_NB_HYPHEN: "-"}
_BLOCK_TAGS = frozenset({_W_P, _W_TBL})
_ROW_TAGS = frozenset({_W_TR})
_CELL_TAGS = frozenset({_W_TC})

CELL_SEP = " | "


def read(data: bytes, path: Path, options: ReadOptions, media_type: str) -> RawDocument:
    """Read a DOCX: one block per paragraph (headings included) and per table row."""
    check_archive(data, path, options, kind="DOCX", required="word/document.xml")
    try:
        document = docx.Document(io.BytesIO(data))
        parts = [normalise_text(part) for part in _walk(document.element.body)]
        title = (document.core_properties.title or "").strip() or None
    except Exception as exc:  # python-docx/lxml/zlib raise many types for broken input
        raise DiplocodeError("E007", path=str(path), kind="DOCX", detail=_short(exc)) from None
    text, blocks = join_blocks(parts)
    return RawDocument(text=text, media_type=media_type, blocks=blocks, title=title)


def check_archive(data: bytes, path: Path, options: ReadOptions, kind: str, required: str) -> None:
    """Refuse damaged ZIP-based documents (``E007``) and zip bombs (``E008``).

    Sizes come from the central directory. Python's :mod:`zipfile` never inflates a
    member past its declared size, so the declared total bounds what readers can expand.

    Parameters
    ----------
    kind:
        ``"DOCX"`` or ``"ODT"``, for the message.
    required:
        The member that must exist (``word/document.xml``, ``content.xml``).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        detail = f"it is not a complete ZIP archive ({_short(exc)})"
        raise DiplocodeError("E007", path=str(path), kind=kind, detail=detail) from None
    if not any(info.filename == required for info in infos):
        detail = f"the archive has no '{required}'"
        raise DiplocodeError("E007", path=str(path), kind=kind, detail=detail)
    expanded = sum(info.file_size for info in infos)
    ratio = expanded / max(sum(info.compress_size for info in infos), 1)
    if expanded > options.max_expanded_mb * _MB or ratio > options.max_ratio:
        raise DiplocodeError(
            "E008",
            path=str(path),
            expanded_mb=expanded / _MB,
            ratio=ratio,
            limit_mb=options.max_expanded_mb,
            limit_ratio=options.max_ratio,
        )


def _walk(container: etree._Element) -> Iterator[str]:
    """Block texts under ``container`` in document order: paragraphs and table rows."""
    for element in _children(container, _BLOCK_TAGS):
        if element.tag == _W_P:
            yield _paragraph_text(element)
        else:
            for row in _children(element, _ROW_TAGS):
                yield _row_text(row)


def _children(element: etree._Element, tags: frozenset[str]) -> Iterator[etree._Element]:
    """Children with one of ``tags``, looking through wrapper elements (content controls...)."""
    for child in element:
        if child.tag in tags:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tags)


def _paragraph_text(paragraph: etree._Element) -> str:
    return "".join(
        (node.text or "") if node.tag == _W_T else _RUN_CHARS[node.tag]
        for node in _RUN_CONTENT(paragraph)
    )


def _row_text(row: etree._Element) -> str:
    # A cell continuing a merge repeats the content of the cell it merges with: skip it.
    cells = (_cell_text(cell) for cell in _children(row, _CELL_TAGS) if not _MERGE_CONTINUES(cell))
    return CELL_SEP.join(cell for cell in cells if cell)


def _cell_text(cell: etree._Element) -> str:
    # Paragraphs (and nested tables' rows) of one cell are joined into one line.
    return " ".join(part.strip() for part in _walk(cell) if part.strip())


def _short(exc: BaseException, limit: int = 160) -> str:
    message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return message if len(message) <= limit else message[: limit - 1] + "…"
