"""Plain text and Markdown (kept as raw text), plus the byte decoder the HTML reader reuses.

Decoding order (first success wins):

1. ``options.encoding`` when the user forces one (strict: failure is ``E004``);
2. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
3. UTF-16 without a BOM, recognised by NUL bytes on one side of each code unit (checked
   before UTF-8 because such bytes are often valid UTF-8 too);
4. strict UTF-8;
5. an encoding the document declares (``declared``, e.g. an HTML ``<meta charset>``);
6. :mod:`charset_normalizer`, restricted to encodings used for English, Russian, Kazakh
   and Chinese, so that e.g. cp1251 and KOI8-R Russian are told apart reliably.

Binary content (NUL bytes outside UTF-16, or many control characters) is refused with
``E011`` before steps 4-6, because a detector will happily "decode" anything.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import charset_normalizer

from ...errors import DiplocodeError
from .base import RawDocument, ReadOptions, normalise_text

#: Encodings the detector may choose from. Order matters for ties (cp1251 before KOI8-R
#: and the Mac/ISO Cyrillic pages, GB18030 before Big5): the more common one wins.
DETECT_CANDIDATES: tuple[str, ...] = (
    "cp1251",
    "koi8_r",
    "gb18030",
    "big5",
    "cp1252",
    "cp1254",
    "iso8859_5",
    "mac_cyrillic",
    "utf_16",
)

# Longest BOMs first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# C0 controls other than TAB, LF, VT, FF, CR, plus DEL. NUL is handled separately.
_CONTROL_BYTES = bytes([*range(1, 9), *range(14, 32), 127])
_MAX_CONTROL_SHARE = 0.05
_MIN_UTF16_BYTES = 32

# WHATWG treats these labels as supersets; decoding with the narrow codec would fail on
# characters real-world pages labelled that way actually contain.
_LABEL_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "iso8859_9": "cp1254",
}


def read(data: bytes, path: Path, options: ReadOptions, media_type: str) -> RawDocument:
    """Read a TXT or Markdown file; paragraphs are left to the segmenter (blank lines)."""
    text, encoding = decode_bytes(data, path, options)
    return RawDocument(text=text, media_type=media_type, encoding=encoding)


def decode_bytes(
    data: bytes, path: Path, options: ReadOptions, declared: str | None = None
) -> tuple[str, str]:
    """Decode file bytes to normalised text.

    Parameters
    ----------
    data:
        The file's bytes.
    path:
        Used in error messages only.
    options:
        ``options.encoding`` forces an encoding.
    declared:
        An encoding the content declares about itself (HTML ``<meta charset>``); tried
        after a BOM and strict UTF-8, before detection. Ignored if unknown or wrong.

    Returns
    -------
    tuple[str, str]
        The text (through :func:`~.base.normalise_text`) and the name of the encoding used.

    Raises
    ------
    DiplocodeError
        ``E004`` if nothing decodes sensibly, ``E011`` for binary data.
    """
    text, encoding = _decode(data, path, options, declared)
    return normalise_text(text), encoding


def _decode(data: bytes, path: Path, options: ReadOptions, declared: str | None) -> tuple[str, str]:
    if options.encoding:
        return _decode_forced(data, path, options.encoding)
    for bom, name in _BOMS:
        if data.startswith(bom):
            text = _decode_strict(data[len(bom) :], path, name)
            return text, "utf-8-sig" if name == "utf-8" else name
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    _refuse_binary(data, path)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared:
        decoded = _try_declared(data, declared)
        if decoded is not None:
            return decoded
    return _detect(data, path)


def _decode_forced(data: bytes, path: Path, encoding: str) -> tuple[str, str]:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        detail = f"'{encoding}' is not a known encoding"
        raise DiplocodeError("E004", path=str(path), detail=detail, encoding=encoding) from None
    if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return _decode_strict(data, path, name), name


def _decode_strict(data: bytes, path: Path, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DiplocodeError(
            "E004",
            path=str(path),
            detail=f"byte {exc.start} is not valid {encoding} ({exc.reason})",
            encoding=encoding,
        ) from None


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """Recognise BOM-less UTF-16 by NULs on one side of each code unit only.

    Latin script, digits, spaces and punctuation have a zero high byte in UTF-16, so even
    Cyrillic text shows NULs at every other position; 8-bit text never does.
    """
    if len(data) < _MIN_UTF16_BYTES or len(data) % 2:
        return None  # too short to tell a pattern from chance
    even, odd = data[0::2].count(0), data[1::2].count(0)
    units = len(data) // 2
    if odd >= units * 0.1 and even <= units * 0.01:
        name = "utf-16-le"
    elif even >= units * 0.1 and odd <= units * 0.01:
        name = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(name)
    except UnicodeDecodeError:
        return None
    if "\x00" in text or _control_share(text.encode("utf-8", "surrogatepass")) > _MAX_CONTROL_SHARE:
        return None
    return text, name


def _refuse_binary(data: bytes, path: Path) -> None:
    # Trailing NUL padding (pre-allocated files) is harmless; NULs inside are not text.
    first_nul = data.find(b"\x00")
    if first_nul != -1 and data.count(b"\x00") != len(data) - first_nul:
        raise DiplocodeError("E011", path=str(path), detail="it contains NUL bytes")
    share = _control_share(data)
    if share > _MAX_CONTROL_SHARE:
        raise DiplocodeError("E011", path=str(path), detail=f"{share:.0%} control characters")


def _control_share(data: bytes) -> float:
    if not data:
        return 0.0
    return (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)


def _try_declared(data: bytes, declared: str) -> tuple[str, str] | None:
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        return None
    name = _LABEL_SUPERSETS.get(name.replace("-", "_"), name)
    if name.startswith(("utf-16", "utf-32", "utf_16", "utf_32")):
        return None  # a BOM-less document cannot really be UTF-16; the label is wrong
    try:
        return data.decode(name), name
    except UnicodeDecodeError:
        return None


def _detect(data: bytes, path: Path) -> tuple[str, str]:
    best = charset_normalizer.from_bytes(data, cp_isolation=list(DETECT_CANDIDATES)).best()
    if best is not None:
        try:  # the detector samples large files; the whole file must decode too
            return str(best), best.encoding
        except UnicodeDecodeError:
            pass
    raise DiplocodeError(
        "E004",
        path=str(path),
        detail="it is not UTF-8 and no Cyrillic, Chinese or Western encoding fits it",
    )
