"""Translations for the whole library: English (the source language), Russian and Kazakh.

The catalogues are the web workbench's gettext catalogues (``web/locale/{ru,kk}/
LC_MESSAGES/*.po``, compiled in memory on first use, no build step): one ``diplocode``
domain holds the interface messages of the web templates, the report template and the
Python modules that write visible text (the comparison's notes, legends and titles, the
report's headings, the charts' labels); the ``errors`` domain holds the coded error
messages. Nothing here depends on the web package or on a request: a library caller asks
for ``translations(lang)`` and uses its ``gettext``/``ngettext``.

Python code marks a message with ``_()`` (a local ``_ = translations(lang).gettext``) or
``ngettext()``, with ``{name}`` placeholders filled by ``str.format`` after translation,
so ``scripts/extract_messages.py`` finds it; a message kept in a table (a constant) is
marked with :func:`N_` and translated where it is shown.

>>> translations("ru").gettext("official")
'официальные'
>>> name_in(SOURCE_GROUP_NAMES, "media", "kk")
'БАҚ'
>>> name_in(SOURCE_GROUP_NAMES, "not-a-group", "kk")
'not-a-group'
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Mapping
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = [
    "ACTOR_KIND_NAMES",
    "BY_NAMES",
    "DOMAIN",
    "ERRORS_DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "NAME_KIND_NAMES",
    "NORMALISE_NAMES",
    "N_",
    "ROLE_NAMES",
    "SOURCE_GROUP_NAMES",
    "STATUS_NAMES",
    "UNIT_NAMES",
    "error_translations",
    "name_in",
    "translations",
]

#: interface languages: code -> name in that language
LANGUAGES = {"en": "English", "ru": "Русский", "kk": "Қазақша"}
DOMAIN = "diplocode"
ERRORS_DOMAIN = "errors"
LOCALE_DIR = Path(__file__).parent / "web" / "locale"


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it (for a constant: translate
    it with ``translations(lang).gettext`` where it is shown)."""
    return message


#: Source groups (:data:`diplocode.store.schema.SOURCE_GROUPS`), as a reader sees them.
SOURCE_GROUP_NAMES: dict[str, str] = {
    "official": N_("official"),
    "academic": N_("academic"),
    "analytical": N_("analytical"),
    "media": N_("media"),
    "interview": N_("interview"),
    "other": N_("other"),
}
#: Coding statuses (:data:`diplocode.store.schema.CODING_STATUSES`).
STATUS_NAMES: dict[str, str] = {
    "suggested": N_("suggested"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
    "final": N_("final"),
}
#: Whose actor a coding counts for (:data:`diplocode.analysis.data.ACTOR_ROLES`).
ROLE_NAMES: dict[str, str] = {
    "about": N_("about"),
    "author": N_("author"),
    "subject": N_("subject"),
}
#: What a comparison counts (:data:`diplocode.analysis.compare.UNITS`).
UNIT_NAMES: dict[str, str] = {"segment": N_("segment"), "document": N_("document")}
#: The groupings of a comparison (:data:`diplocode.analysis.compare.BY`).
BY_NAMES: dict[str, str] = {
    "actor": N_("actor"),
    "year": N_("year"),
    "group": N_("group"),
    "language": N_("language"),
}
#: How trends are normalised (:data:`diplocode.analysis.compare.NORMALISE`).
NORMALISE_NAMES: dict[str, str] = {
    "count": N_("count"),
    "per_document": N_("per document"),
    "per_10k_words": N_("per 10k words"),
}
#: What a gazetteer name is (:data:`diplocode.store.schema.ACTOR_NAME_KINDS`).
NAME_KIND_NAMES: dict[str, str] = {
    "name": N_("name"),
    "short": N_("short name"),
    "adjective": N_("adjective"),
    "capital": N_("capital"),
    "leader": N_("leader"),
    "institution": N_("institution"),
}
#: What an actor is (:data:`diplocode.attribution.gazetteer.ACTOR_KINDS`).
ACTOR_KIND_NAMES: dict[str, str] = {
    "state": N_("state"),
    "organization": N_("organization"),
    "bloc": N_("bloc"),
    "other": N_("other"),
}


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The interface catalogue of ``lang`` (English or a language without a catalogue:
    the messages as written)."""
    return _catalogue(lang, DOMAIN)


@functools.cache
def error_translations(lang: str) -> gettext.NullTranslations:
    """The error-message catalogue of ``lang`` (English: the catalogue as written)."""
    return _catalogue(lang, ERRORS_DOMAIN)


def name_in(names: Mapping[str, str], key: object, lang: str) -> str:
    """``key``'s name from ``names`` (one of the tables above) in ``lang``; a key the table
    lacks is shown as it is."""
    text = str(key)
    return translations(lang).gettext(names[text]) if text in names else text


def _catalogue(lang: str, domain: str) -> gettext.NullTranslations:
    if lang == "en" or "/" in lang or "\\" in lang or lang.startswith("."):
        return gettext.NullTranslations()
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
