"""PDF via pypdfium2: the text layer page by page, with each page's span in the text.

Pages are joined with a blank line (``"\\n\\n"``) whether or not they hold text, so page
``n`` always starts right after page ``n - 1``'s separator; an empty page gets an empty
span at that position. The per-page work is a handful of C calls plus one normalisation
of the page's string, so reading stays close to bare pypdfium2 speed.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ...errors import DiplocodeError
from .base import RawDocument, ReadOptions, normalise_text

PAGE_SEP = "\n\n"

# PDFium load error codes -> what to tell the user (E005 detail).
_LOAD_ERRORS = {
    pdfium_c.FPDF_ERR_UNKNOWN: "PDFium could not load it (unknown error)",
    pdfium_c.FPDF_ERR_FILE: "the file could not be accessed",
    pdfium_c.FPDF_ERR_FORMAT: "it is damaged, truncated or not a PDF at all",
    pdfium_c.FPDF_ERR_PAGE: "its pages could not be found",
}
_ENCRYPTED = {pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY}


def read(data: bytes, path: Path, options: ReadOptions, media_type: str) -> RawDocument:
    """Read a PDF's text layer; ``pages`` holds ``(page_no, start, end)`` for every page."""
    pdf = _open(data, path)
    try:
        page_texts = [_page_text(pdf, index, path) for index in range(len(pdf))]
        title = (pdf.get_metadata_value("Title") or "").strip() or None
    finally:
        pdf.close()
    if not any(page_texts):
        pages = len(page_texts)
        detail = f" (no text layer on any of its {pages} page{'s' if pages != 1 else ''}: a scan?)"
        raise DiplocodeError("E009", path=str(path), detail=detail)
    text, spans = _join_pages(page_texts)
    return RawDocument(text=text, media_type=media_type, pages=spans, title=title)


def _open(data: bytes, path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in _ENCRYPTED:
            raise DiplocodeError("E006", path=str(path)) from None
        detail = _LOAD_ERRORS.get(code, "it has no pages" if code == 0 else str(exc))
        raise DiplocodeError("E005", path=str(path), detail=detail) from None


def _page_text(pdf: pdfium.PdfDocument, index: int, path: Path) -> str:
    """One page's text, normalised and stripped ("" when the page has no text layer)."""
    try:
        page = pdf[index]
        try:
            textpage = page.get_textpage()
            try:
                raw = textpage.get_text_range()
            finally:
                textpage.close()
        finally:
            page.close()
    except pdfium.PdfiumError:
        detail = f"page {index + 1} could not be read"
        raise DiplocodeError("E005", path=str(path), detail=detail) from None
    # Normalising per page (not the joined text once) keeps page spans exact: pdfium emits
    # "\r\n" line ends, so normalisation changes lengths.
    return normalise_text(raw).strip()


def _join_pages(page_texts: list[str]) -> tuple[str, list[tuple[int, int, int]]]:
    spans: list[tuple[int, int, int]] = []
    pos = 0
    for page_no, page_text in enumerate(page_texts, start=1):
        spans.append((page_no, pos, pos + len(page_text)))
        pos += len(page_text) + len(PAGE_SEP)
    return PAGE_SEP.join(page_texts), spans
