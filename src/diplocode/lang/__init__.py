"""Per-language data: names, script and the abbreviations sentence splitting needs.

Each supported language is a sub-package ``diplocode.lang.<code>`` (ISO 639-1 code)
defining ``DATA = LanguageData(...)``. Adding a language means adding such a folder;
:func:`get` finds it by name and imports it on first use.

>>> get("kk").name
'Kazakh'
>>> "ru" in available()
True
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import cache

from ..errors import DiplocodeError

__all__ = ["LanguageData", "available", "get"]


@dataclass(frozen=True)
class LanguageData:
    """What diplocode knows about one language.

    Parameters
    ----------
    code:
        ISO 639-1 code (``"kk"``).
    name, native_name:
        English and native names (``"Kazakh"``, ``"Қазақ тілі"``).
    script:
        ISO 15924 code of the usual script: ``"Latn"``, ``"Cyrl"`` or ``"Hans"``.
    abbreviations:
        Lower-case abbreviations *without* their final period; multi-dot ones keep the
        inner dots (``"т.е"``, ``"u.s"``) and multi-word ones a single space
        (``"va boshq"``). A period after one of these does not end a sentence.
    sentence_terminators:
        Characters that end a sentence (``".!?…"``; ``"。！？!?"`` for Chinese).
    spaces_between_words:
        ``False`` for scripts written without spaces (Chinese): there a terminator ends
        a sentence even when no whitespace follows it.
    final_abbreviations:
        Abbreviations that also often *end* a sentence (``"etc"``, ``"т.д"``), or that are
        also ordinary words (English ``"no"``): a period after one ends the sentence only
        when a capitalised word follows (``"etc. The"`` splits, ``"No. 5"`` does not).
    unit_abbreviations:
        Abbreviations of years and units (``"г"`` = year, ``"млн"``): after a number they
        behave like :attr:`final_abbreviations` (``"в 2015 г. Затем"`` splits), elsewhere
        like ordinary abbreviations (``"г. Астана"`` = city, does not split).
    ordinal_dot:
        ``True`` where ordinals are written ``"70."`` (Turkish ``"70. Genel Kurul"``): a
        period after a number of at most three digits then never ends a sentence.
    """

    code: str
    name: str
    native_name: str
    script: str
    abbreviations: frozenset[str]
    sentence_terminators: str = ".!?…"
    spaces_between_words: bool = True
    final_abbreviations: frozenset[str] = field(default_factory=frozenset)
    unit_abbreviations: frozenset[str] = field(default_factory=frozenset)
    ordinal_dot: bool = False


@cache
def _codes() -> tuple[str, ...]:
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg))


def available() -> list[str]:
    """The codes of all languages shipped with diplocode, sorted.

    >>> available()[:3]
    ['en', 'kk', 'ky']
    """
    return list(_codes())


@cache
def _load(code: str) -> LanguageData:
    module = importlib.import_module(f"{__name__}.{code}")
    data: LanguageData = module.DATA
    return data


def get(code: str) -> LanguageData:
    """The :class:`LanguageData` of one language (cached after the first import).

    Parameters
    ----------
    code:
        ISO 639-1 code; case and surrounding spaces are ignored.

    Raises
    ------
    DiplocodeError
        ``E024`` when no such language is shipped.

    >>> get("ru").script
    'Cyrl'
    >>> try:
    ...     get("xx")
    ... except DiplocodeError as err:
    ...     err.code
    'E024'
    """
    norm = code.strip().lower() if isinstance(code, str) else code
    # Check against the folder list first so that no arbitrary module is ever imported.
    if norm not in _codes():
        raise DiplocodeError("E024", where="language", value=code, allowed=", ".join(available()))
    return _load(norm)
