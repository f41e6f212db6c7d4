"""HTML via trafilatura: the main text with boilerplate (menus, footers, banners) removed.

Bytes are decoded with :func:`.text.decode_bytes`, honouring a ``<meta charset>`` (or XML
declaration) before guessing. trafilatura returns one paragraph per line; each line is a
block. When it finds nothing (very short pages), an lxml fallback takes the body text
without scripts, styles, navigation, headers and footers, one block per block element.
Script and style content never reaches the text on either path.
"""

from __future__ import annotations

import re
from pathlib import Path

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from .base import RawDocument, ReadOptions, join_blocks, normalise_text
from .text import decode_bytes

# WHATWG looks for the declaration in the first 1024 bytes; allow some slack.
_SNIFF_BYTES = 4096
_DECLARED = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)"""
    rb"""|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)
# lxml refuses str input that still carries an encoding declaration.
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")

#: Elements whose content is never text of the document.
_DROPPED = ("script", "style", "noscript", "template", "nav", "header", "footer", "head")
#: Elements that start a new block in the fallback extraction.
_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "form", "h1", "h2",
        "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "thead", "tfoot", "tr", "ul",
    }
)  # fmt: skip
_CELLS = frozenset({"td", "th"})


def read(data: bytes, path: Path, options: ReadOptions, media_type: str) -> RawDocument:
    """Read an HTML page's main text; ``blocks`` are its paragraphs."""
    markup, encoding = decode_bytes(data, path, options, declared=_declared_charset(data))
    markup = _XML_DECL.sub("", markup, count=1)
    lines, title = _extract_main(markup)
    if not lines:
        lines, fallback_title = _extract_fallback(markup)
        title = title or fallback_title
    text, blocks = join_blocks([normalise_text(line) for line in lines])
    return RawDocument(
        text=text, media_type=media_type, blocks=blocks, title=title, encoding=encoding
    )


def _declared_charset(data: bytes) -> str | None:
    match = _DECLARED.search(data[:_SNIFF_BYTES])
    if match is None:
        return None
    return (match.group(1) or match.group(2)).decode("ascii")


def _extract_main(markup: str) -> tuple[list[str], str | None]:
    """trafilatura's main text as lines, and the title it found."""
    try:
        result = trafilatura.bare_extraction(
            markup,
            include_tables=True,
            include_comments=False,
            with_metadata=True,
            favor_recall=True,
            # Short pages go to trafilatura's recall-oriented baseline, which keeps menus.
            prune_xpath=["//nav"],
        )
    except Exception:  # a heuristic extractor; the deterministic fallback handles the page
        return [], None
    if result is None:
        return [], None
    body = getattr(result, "text", None) or ""
    title = (getattr(result, "title", None) or "").strip() or None
    return [line for line in body.splitlines() if line.strip()], title


def _extract_fallback(markup: str) -> tuple[list[str], str | None]:
    """Body text of a page, one string per block element; scripts and chrome removed."""
    try:
        root = lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):  # e.g. "Document is empty"
        return [], None
    title = " ".join((root.findtext(".//title") or "").split()) or None
    # with_tail=False keeps the text that follows a removed element.
    etree.strip_elements(
        root, etree.Comment, etree.ProcessingInstruction, *_DROPPED, with_tail=False
    )
    return _blocks_of(root), title


def _blocks_of(root: etree._Element) -> list[str]:
    blocks: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = " ".join("".join(buffer).split())  # HTML collapses whitespace
        if text:
            blocks.append(text)
        buffer.clear()

    for event, element in etree.iterwalk(root, events=("start", "end")):
        is_block = element.tag in _BLOCK
        if event == "start":
            if is_block:
                flush()
            buffer.append(element.text or "")
        else:
            if is_block:
                flush()
            if element.tag in _CELLS:
                buffer.append(" ")  # keep adjacent table cells apart
            if element is not root:
                buffer.append(element.tail or "")
    flush()
    return blocks
