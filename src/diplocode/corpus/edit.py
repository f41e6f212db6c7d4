"""Correcting and deleting sources, each one transaction with its audit event.

``edit_source`` changes what a user said about a source (title, actors and their roles,
group, date, language, URL, publisher, custom attributes); a change of actors
re-attributes the source's codings in the same transaction, so the next comparison
follows. ``delete_source`` removes a source with its segments, codings and memos; the
``source.deleted`` event keeps its metadata, text and codings, so it can be restored
(:func:`restore_source`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from .. import audit
from ..attribution import gazetteer as gz
from ..attribution.resolver import AttributionSummary, reattribute_source
from ..errors import DiplocodeError
from ..store.schema import CODING_FIELDS, actors, codings, memos, segments, source_actors, sources
from ..store.sources import get_source, resolve_source
from .metadata import check_group, check_language, parse_actors, parse_date

__all__ = ["delete_source", "edit_source", "restore_source"]

_UNSET: Any = object()


def _actor_links(conn: Any, value: Any, where: str) -> list[tuple[int, str]]:
    links: list[tuple[int, str]] = []
    for name, role in parse_actors(value, where):
        actor_id = gz.find_actor(conn, name)  # E103 with close matches for an unknown one
        if (actor_id, role) not in links:
            links.append((actor_id, role))
    return links


def edit_source(
    project: Any,
    ref: str | int,
    who: str,
    *,
    title: str | None = _UNSET,
    group: str | None = _UNSET,
    date: str | None = _UNSET,
    language: str | None = _UNSET,
    url: str | None = _UNSET,
    publisher: str | None = _UNSET,
    actors_: str | list[str] | None = _UNSET,
    attributes: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """Change a source's metadata; returns ``{field: (before, after)}`` of what changed.

    Arguments left out are not changed; ``None`` (or an empty string) clears a field that
    may be empty (date, language, URL, publisher). ``actors_`` replaces the source's actor
    links (``NAME[:ROLE]`` items separated by ``;``; names resolved through the gazetteer,
    an unknown one is E103). ``attributes`` sets custom attributes (a ``None`` value removes
    one). Validation is the ingest's (E023 dates, E024 languages, E025 groups)."""
    where = f"source {ref}"
    with project.store.begin() as conn:
        source_id = resolve_source(conn, ref)
        before = get_source(conn, source_id)
        values: dict[str, Any] = {}
        changed: dict[str, tuple[Any, Any]] = {}
        if title is not _UNSET:
            if not (title or "").strip():
                raise DiplocodeError(
                    "E060",
                    param="title",
                    owner="edit_source",
                    constraint="non-empty text",
                    value=title,
                )
            values["title"] = title.strip() if title else title
        if group is not _UNSET:
            values["source_group"] = check_group(group, where) or "other"
        if date is not _UNSET:
            year, month, day = parse_date(date, where)
            values.update(date_year=year, date_month=month, date_day=day)
        if language is not _UNSET:
            values["language"] = check_language(language, where, project.languages)
        if url is not _UNSET:
            values["url"] = (url or "").strip() or None
        if publisher is not _UNSET:
            values["publisher"] = (publisher or "").strip() or None
        if attributes:
            extra = dict(before.get("extra") or {})  # manifest columns live here
            for key, value in attributes.items():
                if not str(key).strip():
                    raise DiplocodeError(
                        "E060",
                        param="attributes",
                        owner="edit_source",
                        constraint="named attributes",
                        value=key,
                    )
                if value is None or not str(value).strip():
                    extra.pop(key, None)
                else:
                    extra[str(key)] = str(value)
            values["extra"] = extra
        for column, value in values.items():
            if before.get(column) != value:
                changed[column] = (before.get(column), value)
        links_before = _links(conn, source_id)
        if actors_ is not _UNSET:
            links = _actor_links(conn, actors_, where)
            names = dict(conn.execute(select(actors.c.id, actors.c.name)).all())
            after_links = sorted((names[a], r) for a, r in links)
            if after_links != links_before:
                conn.execute(delete(source_actors).where(source_actors.c.source_id == source_id))
                if links:
                    conn.execute(
                        source_actors.insert(),
                        [{"source_id": source_id, "actor_id": a, "role": r} for a, r in links],
                    )
                changed["actors"] = (links_before, after_links)
        if not changed:
            return {}
        if values:
            conn.execute(sources.update().where(sources.c.id == source_id).values(**values))
        if "actors" in changed:  # who the passages are about may change with the actors
            _, matcher = gz.matcher_for(conn)
            reattribute_source(conn, source_id, matcher, AttributionSummary())
        audit.append(
            conn,
            "source.edited",
            who,
            {
                "changes": {
                    k: {"before": _jsonable(b), "after": _jsonable(a)}
                    for k, (b, a) in changed.items()
                }
            },
            source_id=source_id,
        )
    return changed


def _links(conn: Any, source_id: int) -> list[tuple[str, str]]:
    return sorted(
        (str(n), str(r))
        for n, r in conn.execute(
            select(actors.c.name, source_actors.c.role)
            .join(actors, actors.c.id == source_actors.c.actor_id)
            .where(source_actors.c.source_id == source_id)
        )
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [list(v) if isinstance(v, tuple) else v for v in value]
    return value


def delete_source(
    project: Any, ref: str | int, who: str, reason: str | None = None
) -> dict[str, Any]:
    """Delete a source with its segments, codings (and their actors) and memos; the audit
    event keeps its metadata, text, actor links and codings. Returns what was deleted."""
    with project.store.begin() as conn:
        source_id = resolve_source(conn, ref)
        row = dict(conn.execute(select(sources).where(sources.c.id == source_id)).mappings().one())
        coded = [
            dict(r)
            for r in conn.execute(
                select(*(codings.c[n] for n in CODING_FIELDS), codings.c.segment_id)
                .where(codings.c.source_id == source_id)
                .order_by(codings.c.id)
            ).mappings()
        ]
        links = _links(conn, source_id)
        n_memos = len(
            conn.execute(
                select(memos.c.id).where(
                    (memos.c.source_id == source_id)
                    | memos.c.coding_id.in_(
                        select(codings.c.id).where(codings.c.source_id == source_id)
                    )
                )
            ).all()
        )
        conn.execute(
            delete(memos).where(
                memos.c.coding_id.in_(select(codings.c.id).where(codings.c.source_id == source_id))
            )
        )
        conn.execute(delete(memos).where(memos.c.source_id == source_id))
        conn.execute(delete(codings).where(codings.c.source_id == source_id))
        conn.execute(delete(segments).where(segments.c.source_id == source_id))
        conn.execute(delete(source_actors).where(source_actors.c.source_id == source_id))
        conn.execute(delete(sources).where(sources.c.id == source_id))
        record = {k: v for k, v in row.items() if k not in ("id",)}
        audit.append(
            conn,
            "source.deleted",
            who,
            {
                "source": record,
                "actors": [list(x) for x in links],
                "codings": coded,
                "memos_deleted": n_memos,
                "reason": reason,
            },
            source_id=source_id,
        )
    return {"source_id": source_id, "title": row["title"], "codings": len(coded), "memos": n_memos}


def restore_source(project: Any, source_id: int, who: str) -> int:
    """Add a deleted source back from its ``source.deleted`` event (metadata, text, actor
    links; its segments are rebuilt by ingesting the text again, its codings are not
    restored: they are listed in the event). Returns the new source id."""
    import json
    import tempfile
    from pathlib import Path

    from ..store.schema import audit_events
    from .ingest import IngestItem, ingest
    from .metadata import SourceMeta

    with project.store.read() as conn:
        payload = conn.execute(
            select(audit_events.c.payload)
            .where(audit_events.c.kind == "source.deleted", audit_events.c.source_id == source_id)
            .order_by(audit_events.c.id.desc())
            .limit(1)
        ).scalar()
    if payload is None:
        raise DiplocodeError("E089", what="deleted source", ref=source_id)
    data = json.loads(payload)
    src = data["source"]
    meta = SourceMeta(
        title=src["title"],
        actors=tuple((n, r) for n, r in data["actors"]),
        group=src["source_group"],
        date=(src["date_year"], src["date_month"], src["date_day"]),
        language=src["language"],
        url=src["url"],
        publisher=src["publisher"],
        extra={k: str(v) for k, v in (src.get("extra") or {}).items() if isinstance(v, str)},
    )
    with tempfile.TemporaryDirectory() as tmp:
        name = Path(src.get("original_filename") or f"source-{source_id}.txt").stem + ".txt"
        path = Path(tmp) / name
        path.write_text(src["text"], encoding="utf-8")
        results = list(
            ingest(project.store, [IngestItem(path, meta)], languages=project.languages, who=who)
        )
    result = results[0]
    if result.status != "added" or result.source_id is None:
        raise result.error or DiplocodeError("E089", what="deleted source", ref=source_id)
    return int(result.source_id)
