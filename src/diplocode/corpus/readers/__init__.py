"""Readers: one module per format, one entry point :func:`read`.

>>> sorted(SUPPORTED)[:3]
['htm', 'html', 'markdown']
"""

from __future__ import annotations

import importlib
from pathlib import Path

from ...errors import DiplocodeError
from .base import RawDocument, ReadOptions, file_ext, normalise_text

#: extension -> (module, media type)
SUPPORTED: dict[str, tuple[str, str]] = {
    "txt": ("text", "text/plain"),
    "text": ("text", "text/plain"),
    "md": ("text", "text/markdown"),
    "markdown": ("text", "text/markdown"),
    "pdf": ("pdf", "application/pdf"),
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "html": ("html", "text/html"),
    "htm": ("html", "text/html"),
    "xhtml": ("html", "application/xhtml+xml"),
    "odt": ("odt", "application/vnd.oasis.opendocument.text"),
}

__all__ = ["SUPPORTED", "RawDocument", "ReadOptions", "normalise_text", "read", "read_bytes"]


def read(path: str | Path, options: ReadOptions | None = None) -> tuple[bytes, RawDocument]:
    """Read one file: returns its original bytes and its :class:`RawDocument`.

    Raises :class:`~diplocode.errors.DiplocodeError` (``E001``-``E011``) for anything that
    cannot be read; the message names the file and says how to fix it.
    """
    options = options or ReadOptions()
    path = Path(path)
    ext = file_ext(path)
    if ext not in SUPPORTED:
        raise DiplocodeError(
            "E003", path=str(path), ext=ext or "(none)", allowed=", ".join(sorted(SUPPORTED))
        )
    if not path.is_file():
        raise DiplocodeError("E010", path=str(path), base=str(Path.cwd()))
    size = path.stat().st_size
    _check_size(path, size, options)
    data = path.read_bytes()
    return data, read_bytes(data, path, options)


def read_bytes(data: bytes, path: Path, options: ReadOptions | None = None) -> RawDocument:
    """Read already-loaded bytes; ``path`` gives the format (by extension) and error messages."""
    options = options or ReadOptions()
    ext = file_ext(path)
    if ext not in SUPPORTED:
        raise DiplocodeError(
            "E003", path=str(path), ext=ext or "(none)", allowed=", ".join(sorted(SUPPORTED))
        )
    _check_size(path, len(data), options)
    module_name, media_type = SUPPORTED[ext]
    module = importlib.import_module(f"{__name__}.{module_name}")
    doc: RawDocument = module.read(data, path, options, media_type)
    if not doc.text.strip():
        raise DiplocodeError("E009", path=str(path), detail="")
    return doc


def _check_size(path: Path, size: int, options: ReadOptions) -> None:
    if size == 0:
        raise DiplocodeError("E001", path=str(path))
    if size > options.max_file_mb * 1024 * 1024:
        raise DiplocodeError(
            "E002", path=str(path), size_mb=size / 1048576, limit_mb=options.max_file_mb
        )
