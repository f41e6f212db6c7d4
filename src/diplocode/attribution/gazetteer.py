"""The actor gazetteer: which names stand for which actor, per language.

The built-in gazetteer (``gazetteer.yaml`` beside this module) covers the outside powers,
the five Central Asian states, their neighbours, regional organisations and two blocs
("the West", "Central Asian states"), in English, Russian, Kazakh and Chinese (Turkish
for Turkey and the Turkic states). A project stores its own copy (``actor_names``), seeded
on first use and editable (:func:`add_name`, :func:`remove_name`, :func:`add_actor`).

Names are lexicon entries (the syntax of :mod:`diplocode.codebook.lexicon`): dictionary
forms matched on normal forms, so ``Қытай`` matches ``Қытайдың`` and ``Китай`` matches
``Китаем``. A name may stand for several actors (``C5+1``: the United States and the five
states): it is then a row for each.

>>> entries = load_builtin()
>>> china = next(e for e in entries if e.key == "china")
>>> ("Қытай", "kk", "name") in china.names
True
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, delete, func, select

from ..codebook.lexicon import CompiledLexicon
from ..codebook.model import _check_entry
from ..errors import DiplocodeError
from ..lang.analysis import analyzer
from ..store import inserted_id, now
from ..store.schema import ACTOR_NAME_KINDS, actor_names, actors
from ..store.sources import casefold

__all__ = [
    "ACTOR_KINDS",
    "ActorEntry",
    "Matcher",
    "Mention",
    "add_actor",
    "add_name",
    "display_names",
    "gazetteer_hash",
    "load_builtin",
    "matcher_for",
    "name_rows",
    "remove_name",
    "resolve_actor",
    "seed",
]

BUILTIN = Path(__file__).with_name("gazetteer.yaml")
#: What an actor is.
ACTOR_KINDS = ("state", "organization", "bloc", "other")
#: Languages a gazetteer name may be written in.
NAME_LANGUAGES = ("en", "ru", "kk", "zh", "tr", "ky", "uz", "tg", "tk")
#: Languages whose names every matcher also tries: Latin acronyms and English names
#: (USAID, C5+1, Fulbright) appear untranslated in Russian and Kazakh text.
_ALSO_TRY = ("en",)
#: Languages with no names of their own borrow these (Kyrgyz, Uzbek, Tajik, Turkmen
#: texts are often close to Kazakh or Russian usage).
_FALLBACK = ("ru", "kk", "en")


@dataclass
class ActorEntry:
    """One actor of a gazetteer file: key, canonical name, kind and (name, lang, kind) rows."""

    key: str
    name: str
    kind: str = "state"
    names: list[tuple[str, str, str]] = field(default_factory=list)


def _parse(data: dict[str, Any], where: str) -> list[ActorEntry]:
    if not isinstance(data, dict) or data.get("format") != "diplocode-gazetteer/1":
        raise DiplocodeError(
            "E101", where=where, detail="the first key must be format: diplocode-gazetteer/1"
        )
    entries: dict[str, ActorEntry] = {}
    for i, item in enumerate(data.get("actors") or []):
        key, name = item.get("key"), item.get("name")
        if not key or not name:
            raise DiplocodeError("E101", where=f"{where}: actors[{i}]", detail="needs key and name")
        kind = item.get("kind", "state")
        if kind not in ACTOR_KINDS:
            raise DiplocodeError(
                "E101",
                where=f"{where}: actors[{key}].kind",
                detail=f"{kind!r} is not one of {', '.join(ACTOR_KINDS)}",
            )
        entry = entries.setdefault(key, ActorEntry(key, name, kind))
        for name_kind, langs in (item.get("names") or {}).items():
            for lang, names in (langs or {}).items():
                for text in names or []:
                    _check_name(str(text), lang, name_kind, f"{where}: actors[{key}]")
                    row = (str(text), lang, name_kind)
                    if row not in entry.names:
                        entry.names.append(row)
    for i, group in enumerate(data.get("groups") or []):
        name_kind = group.get("kind", "institution")
        members = group.get("actors") or []
        unknown = [m for m in members if m not in entries]
        if unknown:
            raise DiplocodeError(
                "E101",
                where=f"{where}: groups[{i}].actors",
                detail=f"unknown actor key(s) {', '.join(unknown)}",
            )
        for lang, names in (group.get("names") or {}).items():
            for text in names or []:
                _check_name(str(text), lang, name_kind, f"{where}: groups[{i}]")
                for member in members:
                    row = (str(text), lang, name_kind)
                    if row not in entries[member].names:
                        entries[member].names.append(row)
    return list(entries.values())


def _check_name(text: str, lang: str, kind: str, where: str) -> None:
    if lang not in NAME_LANGUAGES:
        raise DiplocodeError(
            "E101",
            where=where,
            detail=f"language {lang!r} is not one of {', '.join(NAME_LANGUAGES)}",
        )
    if kind not in ACTOR_NAME_KINDS:
        raise DiplocodeError(
            "E101",
            where=where,
            detail=f"name kind {kind!r} is not one of {', '.join(ACTOR_NAME_KINDS)}",
        )
    try:
        _check_entry(lang, text)
    except ValueError as e:
        raise DiplocodeError("E101", where=where, detail=str(e)) from None


@cache
def load_builtin() -> list[ActorEntry]:
    """The built-in gazetteer's actors (parsed once)."""
    return _parse(yaml.safe_load(BUILTIN.read_text(encoding="utf-8")), BUILTIN.name)


def load_file(path: str | Path) -> list[ActorEntry]:
    """A gazetteer YAML file (same format as the built-in one)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise DiplocodeError("E101", where=str(path), detail=str(e).splitlines()[0]) from None
    return _parse(data, str(path))


# -- the project's copy -------------------------------------------------------------------
def seed(conn: Connection, entries: Iterable[ActorEntry]) -> tuple[int, int]:
    """Store ``entries`` in the project: actors created by key when missing (an existing
    actor keeps its name), names added when missing. Returns (actors created, names added)."""
    existing = {k: i for i, k in conn.execute(select(actors.c.id, actors.c.key))}
    have = {
        (a, n, lang)
        for a, n, lang in conn.execute(
            select(actor_names.c.actor_id, actor_names.c.name, actor_names.c.lang)
        )
    }
    n_actors = n_names = 0
    rows = []
    for entry in entries:
        actor_id = existing.get(entry.key)
        if actor_id is None:
            actor_id = inserted_id(
                conn.execute(
                    actors.insert().values(
                        key=entry.key, name=entry.name, kind=entry.kind, created_at=now()
                    )
                )
            )
            existing[entry.key] = actor_id
            n_actors += 1
        for text, lang, kind in entry.names:
            if (actor_id, text, lang) not in have:
                have.add((actor_id, text, lang))
                rows.append({"actor_id": actor_id, "name": text, "lang": lang, "kind": kind})
    if rows:
        conn.execute(actor_names.insert(), rows)
        n_names = len(rows)
    return n_actors, n_names


def name_rows(conn: Connection) -> list[tuple[int, str, str, str]]:
    """Every gazetteer name as (actor id, name, lang, kind), in a stable order."""
    return [
        (int(a), n, lang, k)
        for a, n, lang, k in conn.execute(
            select(
                actor_names.c.actor_id, actor_names.c.name, actor_names.c.lang, actor_names.c.kind
            ).order_by(actor_names.c.actor_id, actor_names.c.lang, actor_names.c.name)
        )
    ]


def display_names(conn_or_store: Any, lang: str) -> dict[str, str]:
    """Each actor's canonical name -> its name in ``lang``: the first ``name``-kind entry
    of the gazetteer in that language (in the order the names were added; patterns, with
    ``re:`` or ``*``, are skipped), else the canonical name. For showing actors to readers
    of ``lang``; data (CSV, JSON, filters) keep the canonical names.

    ``conn_or_store`` is a connection or a :class:`~diplocode.store.Store`.
    """
    if isinstance(conn_or_store, Connection):
        return _display_names(conn_or_store, lang)
    with conn_or_store.read() as conn:
        return _display_names(conn, lang)


def _display_names(conn: Connection, lang: str) -> dict[str, str]:
    out = {str(name): str(name) for name in conn.execute(select(actors.c.name)).scalars()}
    first: dict[str, str] = {}
    for canonical, name in conn.execute(
        select(actors.c.name, actor_names.c.name)
        .join(actors, actors.c.id == actor_names.c.actor_id)
        .where(actor_names.c.lang == lang, actor_names.c.kind == "name")
        .order_by(actor_names.c.id)
    ):
        if canonical in first or name.startswith("re:") or "*" in name:
            continue
        first[str(canonical)] = str(name)
    out.update(first)
    return out


def gazetteer_hash(rows: Sequence[tuple[int, str, str, str]]) -> str:
    """SHA-256 of the names (what attribution depends on)."""
    blob = json.dumps(sorted(rows), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def resolve_actor(conn: Connection, name: str) -> int | None:
    """The actor a name given by a user stands for: its key, its canonical name, or a
    gazetteer name of exactly one actor (case-insensitive); None when unknown."""
    from ..corpus.metadata import actor_key

    found = conn.execute(select(actors.c.id).where(actors.c.key == actor_key(name))).scalar()
    if found is not None:
        return int(found)
    needle = name.strip().casefold()
    found = conn.execute(select(actors.c.id).where(casefold(actors.c.name) == needle)).scalar()
    if found is not None:
        return int(found)
    ids = sorted(
        {
            int(i)
            for i in conn.execute(
                select(actor_names.c.actor_id).where(casefold(actor_names.c.name) == needle)
            ).scalars()
        }
    )
    return ids[0] if len(ids) == 1 else None


def close_matches(conn: Connection, name: str, n: int = 3) -> list[str]:
    """Canonical names of actors with a name close to ``name`` (a likely misspelling)."""
    names: dict[str, str] = {}
    for actor_name, alias in conn.execute(
        select(actors.c.name, actor_names.c.name).join(
            actor_names, actor_names.c.actor_id == actors.c.id, isouter=True
        )
    ):
        names.setdefault(actor_name.casefold(), actor_name)
        if alias and "*" not in alias and not alias.startswith("re:"):
            names.setdefault(alias.casefold(), actor_name)
    hits = difflib.get_close_matches(name.strip().casefold(), list(names), n=10, cutoff=0.8)
    return list(dict.fromkeys(names[h] for h in hits))[:n]


def add_actor(conn: Connection, name: str, *, kind: str = "state", key: str | None = None) -> int:
    """Create an actor (E102 if its key exists)."""
    from ..corpus.metadata import actor_key

    if kind not in ACTOR_KINDS:
        raise DiplocodeError(
            "E060",
            param="kind",
            owner="actors add",
            constraint=f"one of {', '.join(ACTOR_KINDS)}",
            value=kind,
        )
    key = key or actor_key(name)
    if not key:
        raise DiplocodeError("E027", where="actor name")
    if conn.execute(select(actors.c.id).where(actors.c.key == key)).scalar() is not None:
        raise DiplocodeError("E102", key=key)
    return inserted_id(
        conn.execute(actors.insert().values(key=key, name=name, kind=kind, created_at=now()))
    )


def add_name(conn: Connection, actor_id: int, name: str, lang: str, kind: str = "name") -> bool:
    """Add a name of an actor; False when it was there already."""
    _check_name(name, lang, kind, "the name")
    exists = conn.execute(
        select(actor_names.c.id).where(
            actor_names.c.actor_id == actor_id,
            actor_names.c.lang == lang,
            actor_names.c.name == name,
        )
    ).scalar()
    if exists is not None:
        return False
    conn.execute(actor_names.insert().values(actor_id=actor_id, name=name, lang=lang, kind=kind))
    return True


def remove_name(conn: Connection, actor_id: int, name: str, lang: str | None = None) -> int:
    """Remove a name of an actor (in one language, or all); returns how many rows went."""
    query = delete(actor_names).where(
        actor_names.c.actor_id == actor_id, casefold(actor_names.c.name) == name.casefold()
    )
    if lang is not None:
        query = query.where(actor_names.c.lang == lang)
    return int(conn.execute(query).rowcount or 0)


# -- matching -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Mention:
    """An actor named in a text: which actor, by which gazetteer name, where."""

    actor_id: int
    name: str
    start: int
    end: int


class Matcher:
    """The gazetteer compiled for matching, one lexicon per language (built lazily)."""

    def __init__(self, rows: Sequence[tuple[int, str, str, str]]) -> None:
        self._by_lang: dict[str, list[tuple[int, str]]] = {}
        for actor_id, name, lang, _kind in rows:
            self._by_lang.setdefault(lang, []).append((actor_id, name))
        self._compiled: dict[str, CompiledLexicon | None] = {}

    def entries(self, lang: str) -> list[tuple[int, str]]:
        """The (actor id, name) entries matched in text of ``lang``: its own names (else
        those of :data:`_FALLBACK`), and English acronyms and names (:data:`_ALSO_TRY`)."""
        langs = [lang] if lang in self._by_lang else list(_FALLBACK)
        langs += [extra for extra in _ALSO_TRY if extra not in langs and lang != "zh"]
        return list(dict.fromkeys(e for code in langs for e in self._by_lang.get(code, [])))

    def _lexicon(self, lang: str) -> CompiledLexicon | None:
        if lang in self._compiled:
            return self._compiled[lang]
        entries = self.entries(lang)
        lexicon = None
        if entries:
            try:
                text_analyzer = None if lang == "zh" else analyzer(lang)
            except DiplocodeError:  # a language diplocode does not know: English rules
                text_analyzer = analyzer("en")
            lexicon = CompiledLexicon(lang, text_analyzer)
            for actor_id, name in entries:
                lexicon.add(str(actor_id), name)
            lexicon.finish()
        self._compiled[lang] = lexicon
        return lexicon

    def find(
        self, text: str, lang: str | None, start: int = 0, end: int | None = None
    ) -> list[Mention]:
        """Mentions of actors in ``text[start:end]`` (offsets into ``text``), in order."""
        lexicon = self._lexicon(lang or "en")
        if lexicon is None:
            return []
        return sorted(
            (
                Mention(int(m.code), m.entry, m.start, m.end)
                for m in lexicon.match(text, start, end)
            ),
            key=lambda m: (m.start, m.actor_id),
        )


_MATCHERS: dict[str, Matcher] = {}


def matcher_for(conn: Connection) -> tuple[str, Matcher]:
    """The project's compiled gazetteer and its hash (compiled once per distinct hash)."""
    rows = name_rows(conn)
    digest = gazetteer_hash(rows)
    found = _MATCHERS.get(digest)
    if found is None:
        if len(_MATCHERS) > 8:
            _MATCHERS.pop(next(iter(_MATCHERS)))
        found = _MATCHERS[digest] = Matcher(rows)
    return digest, found


# -- editing (one transaction each, with its audit event) ---------------------------------
def find_actor(conn: Connection, ref: str) -> int:
    """The id of the actor a user names (key, name or one gazetteer name), or E103."""
    actor_id = resolve_actor(conn, ref)
    if actor_id is None:
        close = close_matches(conn, ref)
        raise DiplocodeError(
            "E103",
            ref=ref,
            hint=f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else "",
        )
    return actor_id


def list_actors(store: Any) -> list[dict[str, Any]]:
    """Every actor with its kind, how many names, sources and codings it has."""
    from ..store.schema import coding_actors, source_actors

    with store.read() as conn:
        names = dict(
            conn.execute(
                select(actor_names.c.actor_id, func.count()).group_by(actor_names.c.actor_id)
            ).all()
        )
        n_sources = dict(
            conn.execute(
                select(
                    source_actors.c.actor_id, func.count(source_actors.c.source_id.distinct())
                ).group_by(source_actors.c.actor_id)
            ).all()
        )
        about = dict(
            conn.execute(
                select(coding_actors.c.actor_id, func.count()).group_by(coding_actors.c.actor_id)
            ).all()
        )
        rows = conn.execute(
            select(actors.c.id, actors.c.key, actors.c.name, actors.c.kind).order_by(actors.c.name)
        ).all()
    return [
        {
            "id": r.id,
            "key": r.key,
            "name": r.name,
            "kind": r.kind,
            "names": int(names.get(r.id, 0)),
            "sources": int(n_sources.get(r.id, 0)),
            "codings_about": int(about.get(r.id, 0)),
        }
        for r in rows
    ]


def actor_names_of(store: Any, ref: str) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """An actor and its names (lang, kind, name), sorted."""
    with store.read() as conn:
        actor_id = find_actor(conn, ref)
        actor = dict(
            conn.execute(
                select(actors.c.id, actors.c.key, actors.c.name, actors.c.kind).where(
                    actors.c.id == actor_id
                )
            )
            .mappings()
            .one()
        )
        rows = [
            {"lang": lang, "kind": kind, "name": name}
            for name, lang, kind in conn.execute(
                select(actor_names.c.name, actor_names.c.lang, actor_names.c.kind)
                .where(actor_names.c.actor_id == actor_id)
                .order_by(actor_names.c.lang, actor_names.c.kind, actor_names.c.name)
            )
        ]
    return actor, rows


def create_actor(
    store: Any, name: str, who: str, *, kind: str = "state", key: str | None = None
) -> int:
    """A new actor (E102 when the key exists), its canonical name as an English name."""
    from .. import audit

    with store.begin() as conn:
        actor_id = add_actor(conn, name, kind=kind, key=key)
        add_name(conn, actor_id, name, "en", "name")
        audit.append(conn, "actor.created", who, {"actor_id": actor_id, "name": name, "kind": kind})
    return actor_id


def name_actor(
    store: Any, ref: str, name: str, lang: str, who: str, *, kind: str = "name"
) -> tuple[int, bool]:
    """Add a name of an actor; returns (actor id, added)."""
    from .. import audit

    with store.begin() as conn:
        actor_id = find_actor(conn, ref)
        added = add_name(conn, actor_id, name, lang, kind)
        if added:
            audit.append(
                conn,
                "actor.named",
                who,
                {"actor_id": actor_id, "name": name, "lang": lang, "kind": kind},
            )
    return actor_id, added


def unname_actor(store: Any, ref: str, name: str, who: str, *, lang: str | None = None) -> int:
    """Remove a name of an actor (one language or all); returns how many went."""
    from .. import audit

    with store.begin() as conn:
        actor_id = find_actor(conn, ref)
        removed = remove_name(conn, actor_id, name, lang)
        if removed:
            audit.append(
                conn,
                "actor.unnamed",
                who,
                {"actor_id": actor_id, "name": name, "lang": lang, "removed": removed},
            )
    return removed
