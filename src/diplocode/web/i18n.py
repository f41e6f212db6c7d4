"""Interface translations: gettext catalogues for English (the source language), Russian
and Kazakh.

The ``.po`` files under ``web/locale`` are the only source: they are compiled in memory
when first used (Babel, in :mod:`diplocode.i18n`), so there is no build step and no
compiled file to drift.
The language of a request comes from the ``dc_lang`` cookie (the switch in the header),
else the browser's ``Accept-Language``, else English.

Two gettext domains: ``diplocode`` (the templates' interface messages) and ``errors``
(the coded error messages of :data:`diplocode.errors.CATALOGUE`, filled by
:func:`diplocode.errors.localized`).
"""

from __future__ import annotations

# the catalogues are the library's (diplocode.i18n): the report and the comparison engine
# read the same ones, without the request machinery below
from ..i18n import DOMAIN, ERRORS_DOMAIN, LANGUAGES, LOCALE_DIR, error_translations, translations

__all__ = [
    "DOMAIN",
    "ERRORS_DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "error_translations",
    "negotiate",
    "translations",
]


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The interface language for a request.

    >>> negotiate(None, "kk-KZ,kk;q=0.9,ru;q=0.8,en;q=0.5")
    'kk'
    >>> negotiate("ru", "en-US")
    'ru'
    >>> negotiate(None, "de-DE,fr;q=0.8")
    'en'
    >>> negotiate(None, "ru;q=0, kk;q=0.1")
    'kk'
    """
    if cookie in LANGUAGES:
        return str(cookie)
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for p in pieces[1:]:
            p = p.strip()
            if p.startswith("q="):
                try:
                    quality = float(p[2:])
                except ValueError:
                    quality = 0.0
        base = tag.split("-")[0]
        if base in LANGUAGES and quality > 0:  # q=0 means "not this language"
            ranked.append((-quality, i, base))
    return sorted(ranked)[0][2] if ranked else "en"
