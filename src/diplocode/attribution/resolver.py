"""The resolver: the actor(s) each coding's passage is about, and the rule that decided.

See :mod:`diplocode.attribution` for the rules. The resolver's work for one source is a
:class:`SourceContext`: the source's sentences and paragraphs, its subject and author
actors, and the gazetteer's mentions per paragraph (matched lazily, once per paragraph).
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, select

from .. import audit
from ..store import Store
from ..store.schema import (
    ATTRIBUTION_RULES,
    coding_actors,
    codings,
    project_meta,
    segments,
    source_actors,
    sources,
)
from .gazetteer import Matcher, Mention, gazetteer_hash, load_builtin, matcher_for, name_rows, seed

__all__ = [
    "RESOLVER",
    "RULES",
    "AttributionSummary",
    "SourceContext",
    "attribute_codings",
    "attribution_state",
    "ensure_attributed",
    "reattribute",
]

#: The resolver's name and version, stored with the project's attribution state: a new
#: version re-attributes every coding.
RESOLVER = "diplocode.attribution.v2"
RULES = ATTRIBUTION_RULES
#: Where a sentence breaks into clauses that may be about different actors: semicolons,
#: colons, dashes, and a comma before a contrastive conjunction (never a plain "and": a
#: list of actors is one clause).
_CLAUSE_BREAK = re.compile(
    r"[;:]\s|\s[—–]\s|；|：|，(?=而|但|然而|则)"
    r"|,\s*(?=(?:while|whereas|but|although|though|unlike|yet|whilst)\b)"
    r"|,\s*(?=(?:а|но|тогда как|в то время как|однако|хотя|зато)\b)"
    r"|,\s*(?=(?:ал|бірақ|алайда|әйтсе де|дегенмен)\b)",
    re.IGNORECASE,
)
_META = "attribution"
_SEEDED = "gazetteer_seeded"


@dataclass
class AttributionSummary:
    """What an attribution pass did."""

    sources: int = 0
    codings: int = 0
    rules: Counter[str] = field(default_factory=Counter)
    unattributed: int = 0
    seeded: tuple[int, int] | None = None  # (actors, names) seeded from the built-in gazetteer
    gazetteer_hash: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "codings": self.codings,
            "rules": dict(sorted(self.rules.items())),
            "unattributed": self.unattributed,
            "gazetteer_hash": self.gazetteer_hash,
            "resolver": RESOLVER,
        }


class SourceContext:
    """One source's sentences, paragraphs, subject and author actors, and mentions."""

    def __init__(
        self,
        conn: Connection,
        source_id: int,
        matcher: Matcher,
        text: str | None = None,
        sentences: Sequence[tuple[int, int, str | None]] | None = None,
        paragraphs: Sequence[tuple[int, int, str | None]] | None = None,
        actors: Sequence[tuple[int, str]] | None = None,
    ) -> None:
        self.source_id = source_id
        self.matcher = matcher
        if text is None:
            text = conn.execute(select(sources.c.text).where(sources.c.id == source_id)).scalar()
        self.text: str = text or ""
        self._resolved: dict[
            tuple[int, int, tuple[tuple[int, int], ...]],
            list[tuple[int, str, dict[str, Any] | None]],
        ] = {}
        spans: dict[str, list[tuple[int, int, str | None]]] = {"paragraph": [], "sentence": []}
        # what the caller has read already (the engine reads a batch of sources at once)
        if sentences is not None:
            spans["sentence"] = sorted((int(s0), int(s1), lang) for s0, s1, lang in sentences)
        if paragraphs is not None:
            spans["paragraph"] = sorted((int(p0), int(p1), lang) for p0, p1, lang in paragraphs)
        kinds = [
            k for k, given in (("sentence", sentences), ("paragraph", paragraphs)) if given is None
        ]
        if kinds:
            for kind, start, end, lang in conn.execute(
                select(segments.c.kind, segments.c.start, segments.c.end, segments.c.language)
                .where(segments.c.source_id == source_id, segments.c.kind.in_(kinds))
                .order_by(segments.c.kind, segments.c.start)
            ):
                spans[kind].append((int(start), int(end), lang))
        self.paragraphs = spans["paragraph"] or [(0, len(self.text), None)]
        self.sentences = spans["sentence"]
        self._para_starts = [p[0] for p in self.paragraphs]
        self._sent_starts = [s[0] for s in self.sentences]
        self.subjects: list[int] = []
        self.authors: list[int] = []
        if actors is None:
            actors = list(
                conn.execute(
                    select(source_actors.c.actor_id, source_actors.c.role).where(
                        source_actors.c.source_id == source_id
                    )
                )
            )
        for actor_id, role in sorted((int(a), str(r)) for a, r in actors):
            (self.subjects if role == "subject" else self.authors).append(actor_id)
        self.subjects = list(dict.fromkeys(self.subjects))
        self.authors = list(dict.fromkeys(self.authors))
        self._mentions: dict[int, list[Mention]] = {}  # per paragraph (no sentences)
        self._sentence_mentions: dict[int, list[Mention]] = {}

    def _overlapping(
        self, starts: list[int], spans: list[tuple[int, int, str | None]], start: int, end: int
    ) -> range:
        """Indices of the spans overlapping ``[start, end)`` (the one holding ``start`` for
        an empty span)."""
        first = max(bisect.bisect_right(starts, start) - 1, 0)
        last = first
        while last + 1 < len(spans) and spans[last + 1][0] < end:
            last += 1
        return range(first, last + 1)

    def _paragraph_mentions(self, index: int) -> list[Mention]:
        """A paragraph's mentions, found once. Its sentences matched already (the coded
        ones) are not matched again: the text between them is matched in as few passes as
        there are gaps (one matcher call costs more than its characters). A paragraph
        whose sentences are in other languages is the union of its sentences' mentions;
        one without sentences is matched whole."""
        found = self._mentions.get(index)
        if found is None:
            start, end, lang = self.paragraphs[index]
            inside = (
                self._overlapping(self._sent_starts, self.sentences, start, end)
                if self.sentences
                else range(0)
            )
            if inside and all(self.sentences[i][2] == lang for i in inside):
                raw: list[Mention] = []
                at = start
                for i in inside:
                    s0, s1, _ = self.sentences[i]
                    known = self._sentence_mentions.get(i)
                    if known is None:
                        continue
                    if s0 > at and not self.text[at:s0].isspace():
                        raw.extend(self.matcher.find(self.text, lang, at, s0))
                    raw.extend(known)
                    at = max(at, s1)
                if at < end and not self.text[at:end].isspace():
                    raw.extend(self.matcher.find(self.text, lang, at, end))
                found = sorted(
                    {m for m in raw if m.start < end and m.end > start},
                    key=lambda m: (m.start, m.actor_id, m.end, m.name),
                )
            elif inside and self._covered(start, end, inside):
                seen: set[Mention] = set()
                found = []
                for i in inside:
                    for m in self._sentence_mentions_of(i):
                        if m not in seen and m.start < end and m.end > start:
                            seen.add(m)
                            found.append(m)
            else:  # no sentences, or sentences that leave part of it out: match it whole
                found = self.matcher.find(self.text, lang, start, end)
            self._mentions[index] = found
        return found

    def _covered(self, start: int, end: int, inside: range) -> bool:
        """Whether the sentences ``inside`` hold all of ``[start, end)`` but whitespace."""
        at = start
        for i in inside:
            s0, s1, _ = self.sentences[i]
            if s0 > at and not self.text[at:s0].isspace():
                return False
            at = max(at, s1)
        return at >= end or self.text[at:end].isspace()

    def _sentence_mentions_of(self, index: int) -> list[Mention]:
        """A sentence's mentions, matched once and only when a coding needs them (most
        sentences of a source are never coded), with the sentence's own language."""
        found = self._sentence_mentions.get(index)
        if found is None:
            start, end, lang = self.sentences[index]
            p = max(bisect.bisect_right(self._para_starts, start) - 1, 0)
            known = self._mentions.get(p)
            if known is not None and self.paragraphs[p][2] == lang:  # matched with its paragraph
                found = [m for m in known if m.start < end and m.end > start]
            else:
                found = self.matcher.find(self.text, lang, start, end)
            self._sentence_mentions[index] = found
        return found

    def _mentions_in(self, start: int, end: int, whole: bool = False) -> list[Mention]:
        """Mentions within ``[start, end)``: from the sentences there, or with ``whole``
        from the paragraphs there (each paragraph matched once)."""
        out: list[Mention] = []
        if self.sentences and not whole:
            for i in self._overlapping(self._sent_starts, self.sentences, start, end):
                out.extend(
                    m for m in self._sentence_mentions_of(i) if m.start < end and m.end > start
                )
            return out
        for p in self._overlapping(self._para_starts, self.paragraphs, start, end):
            out.extend(m for m in self._paragraph_mentions(p) if m.start < end and m.end > start)
        return out

    def resolve(
        self, start: int, end: int, hits: Sequence[tuple[int, int]] = ()
    ) -> list[tuple[int, str, dict[str, Any] | None]]:
        """The actors ``[start, end)`` is about: (actor id, rule, mention evidence).

        ``hits`` are the spans of the evidence behind the coding (a lexicon coder's
        matches); a sentence that names several actors is then split into clauses and
        the coding goes to the actors named in the clause(s) holding its evidence (rule
        ``clause``). Remembered per span and hits, so resolving before a write
        transaction keeps the matching out of it."""
        key = (start, end, tuple(hits))
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._resolve(start, end, key[2])
        return found

    def _resolve(
        self, start: int, end: int, hits: tuple[tuple[int, int], ...]
    ) -> list[tuple[int, str, dict[str, Any] | None]]:
        if self.sentences:
            sents = self._overlapping(self._sent_starts, self.sentences, start, end)
            s0, s1 = self.sentences[sents[0]][0], self.sentences[sents[-1]][1]
            s0, s1 = min(s0, start), max(s1, end)
            found = self._mentions_in(s0, s1)
            if len({m.actor_id for m in found}) > 1:
                if hits:
                    in_clause = self._clause_mentions(s0, s1, found, hits)
                else:
                    # a person selected part of a sentence: the actors named in the
                    # selection itself, when it names fewer than the sentence
                    inside = [m for m in found if start <= m.start and m.end <= end]
                    narrower = len({m.actor_id for m in inside}) < len({m.actor_id for m in found})
                    in_clause = inside if (start, end) != (s0, s1) and narrower else []
                if in_clause:
                    return self._from_mentions(in_clause, "clause")
            if found:
                return self._from_mentions(found, "sentence")
        paras = self._overlapping(self._para_starts, self.paragraphs, start, end)
        p0, p1 = self.paragraphs[paras[0]][0], self.paragraphs[paras[-1]][1]
        found = self._mentions_in(min(p0, start), max(p1, end), whole=True)
        if found:
            return self._from_mentions(found, "paragraph")
        if self.subjects:
            return [(a, "subject", None) for a in self.subjects]
        return [(a, "author", None) for a in self.authors]

    def _clause_mentions(
        self,
        s0: int,
        s1: int,
        found: list[Mention],
        evidence: Sequence[tuple[int, int]],
    ) -> list[Mention]:
        """The mentions in the clause(s) of ``[s0, s1)`` that hold the evidence, when
        they name fewer actors than the whole sentence; else []."""
        if not evidence:
            return []
        bounds = [s0, *(s0 + m.start() for m in _CLAUSE_BREAK.finditer(self.text[s0:s1])), s1]
        chosen: list[Mention] = []
        for e0, e1 in evidence:
            for c0, c1 in itertools.pairwise(bounds):
                if c0 <= e0 < c1 or (c0 < e1 <= c1):
                    chosen.extend(m for m in found if c0 <= m.start < c1)
        if not chosen or len({m.actor_id for m in chosen}) >= len({m.actor_id for m in found}):
            return []
        return chosen

    def _from_mentions(
        self, found: list[Mention], rule: str
    ) -> list[tuple[int, str, dict[str, Any] | None]]:
        first: dict[int, Mention] = {}
        for m in found:
            first.setdefault(m.actor_id, m)
        return [
            (
                actor_id,
                rule,
                {
                    "name": m.name,
                    "surface": self.text[m.start : m.end],
                    "start": m.start,
                    "end": m.end,
                },
            )
            for actor_id, m in sorted(first.items())
        ]


def attribute_codings(
    conn: Connection,
    context: SourceContext,
    spans: Iterable[tuple[int, int, int] | tuple[int, int, int, Sequence[tuple[int, int]]]],
    summary: AttributionSummary | None = None,
) -> list[dict[str, Any]]:
    """Write the ``coding_actors`` rows of codings ``(id, start, end[, hits])`` of the
    context's source, in the caller's transaction; returns the rows written."""
    rows: list[dict[str, Any]] = []
    for item in spans:
        coding_id, start, end = item[0], item[1], item[2]
        hits: Sequence[tuple[int, int]] = item[3] if len(item) > 3 else ()
        resolved = context.resolve(start, end, hits)
        if summary is not None:
            summary.codings += 1
            if not resolved:
                summary.unattributed += 1
            for rule in {rule for _, rule, _ in resolved}:
                summary.rules[rule] += 1
        rows.extend(
            {"coding_id": coding_id, "actor_id": actor_id, "rule": rule, "evidence": evidence}
            for actor_id, rule, evidence in resolved
        )
    if rows:
        _insert_rows(conn, rows)
    return rows


def _insert_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Bulk-insert ``coding_actors`` rows through the driver (a dict and a JSON column
    per row cost more than the insert itself)."""
    mark = "%s" if conn.dialect.paramstyle in ("format", "pyformat") else "?"
    tuples = [
        (
            r["coding_id"],
            r["actor_id"],
            r["rule"],
            None if r["evidence"] is None else json.dumps(r["evidence"], ensure_ascii=False),
        )
        for r in rows
    ]
    evidence = f"CAST({mark} AS JSON)" if conn.dialect.name == "postgresql" else mark
    conn.exec_driver_sql(
        f"INSERT INTO coding_actors (coding_id, actor_id, rule, evidence) "
        f"VALUES ({mark}, {mark}, {mark}, {evidence})",
        tuples,
    )


def evidence_hits(evidence: Any) -> tuple[tuple[int, int], ...]:
    """The spans of a coding's evidence (a lexicon coder's matches), if it has any."""
    if not isinstance(evidence, dict):
        return ()
    out = []
    for m in evidence.get("matches") or []:
        if (
            isinstance(m, dict)
            and isinstance(m.get("start"), int)
            and isinstance(m.get("end"), int)
        ):
            out.append((m["start"], m["end"]))
    return tuple(out)


def attribution_state(store: Store) -> dict[str, Any] | None:
    """The state every coding is attributed under (resolver, gazetteer hash), or None."""
    state = store.get_meta(_META, None)
    return state if isinstance(state, dict) else None


def seed_if_new(store: Store, who: str = "system") -> tuple[int, int] | None:
    """Seed the built-in gazetteer into a project that never had one (one transaction
    with its audit event); returns (actors created, names added), or None."""
    if store.get_meta(_SEEDED, None):
        return None
    with store.begin() as conn:
        if conn.execute(select(project_meta.c.key).where(project_meta.c.key == _SEEDED)).scalar():
            return None  # another process seeded it meanwhile
        n_actors, n_names = seed(conn, load_builtin())
        store.set_meta(
            conn, _SEEDED, {"gazetteer": "builtin", "actors": n_actors, "names": n_names}
        )
        audit.append(
            conn,
            "actors.seeded",
            who,
            {"gazetteer": "builtin", "actors_created": n_actors, "names_added": n_names},
        )
    return n_actors, n_names


def ensure_attributed(store: Store, who: str = "system") -> AttributionSummary | None:
    """Seed the built-in gazetteer into a project that has none, and re-attribute every
    coding when the gazetteer or the resolver changed since the last attribution.
    Returns what was done, or None when everything was up to date (one cheap read)."""
    seeded = seed_if_new(store, who)
    with store.read() as conn:
        digest = gazetteer_hash(name_rows(conn))
    state = attribution_state(store)
    if seeded is None and state == {"resolver": RESOLVER, "gazetteer": digest}:
        return None
    summary = reattribute(store, who)
    summary.seeded = seeded
    return summary


def reattribute_source(
    conn: Connection, source_id: int, matcher: Matcher, summary: AttributionSummary
) -> None:
    """Attribute one source's codings again, in the caller's transaction (after an edit of
    its actors, or of the gazetteer)."""
    spans = [
        (int(i), int(s), int(e), evidence_hits(ev))
        for i, s, e, ev in conn.execute(
            select(codings.c.id, codings.c.start, codings.c.end, codings.c.evidence)
            .where(codings.c.source_id == source_id)
            .order_by(codings.c.id)
        )
    ]
    conn.execute(
        delete(coding_actors).where(
            coding_actors.c.coding_id.in_(
                select(codings.c.id).where(codings.c.source_id == source_id)
            )
        )
    )
    attribute_codings(conn, SourceContext(conn, source_id, matcher), spans, summary)
    summary.sources += 1


def reattribute(
    store: Store, who: str = "system", source_ids: Sequence[int] | None = None
) -> AttributionSummary:
    """Attribute every coding again (of ``source_ids``, or all), one transaction per
    source, then record the state and an audit event."""
    with store.read() as conn:
        digest, matcher = matcher_for(conn)
        query = select(codings.c.source_id).distinct().order_by(codings.c.source_id)
        if source_ids is not None:
            query = query.where(codings.c.source_id.in_(list(source_ids)))
        todo = [int(s) for s in conn.execute(query).scalars()]
    summary = AttributionSummary(gazetteer_hash=digest)
    for source_id in todo:
        with store.begin() as conn:
            reattribute_source(conn, source_id, matcher, summary)
    with store.begin() as conn:
        if source_ids is None:
            store.set_meta(conn, _META, {"resolver": RESOLVER, "gazetteer": digest})
        if summary.codings:  # nothing was attributed: no event of research meaning
            audit.append(conn, "codings.attributed", who, summary.as_dict())
    return summary
