"""The interpretive audit trail: an append-only, hash-chained event log.

Every change to a project (a source added, a codebook imported, a coding created,
accepted, rejected or deleted, a memo, a coder run) is one event, written **in the same
transaction as the change** by one constructor per kind. Each event's hash covers its
content and the previous event's hash, so editing, deleting or reordering events breaks
the chain, and :func:`verify` names the first broken event.

The hash of an event is ``sha256(prev_hash | ts | actor | kind | source_id | code_key |
payload)`` over the stored strings, with ``|`` the unit separator ``\\x1f``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select

from .store import inserted_id, now
from .store.schema import audit_events, audit_head, sources

GENESIS = "0" * 64

__all__ = ["GENESIS", "Problem", "append", "canonical_json", "events", "source_added", "verify"]


def canonical_json(payload: Any) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8 kept.

    >>> canonical_json({"b": 1, "a": "ә"})
    '{"a":"ә","b":1}'
    """
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(
    prev_hash: str,
    ts: str,
    actor: str,
    kind: str,
    source_id: int | None,
    code_key: str | None,
    payload: str,
) -> str:
    parts = [
        prev_hash,
        ts,
        actor,
        kind,
        "" if source_id is None else str(source_id),
        code_key or "",
        payload,
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def append(
    conn: Connection,
    kind: str,
    actor: str,
    payload: dict[str, Any],
    *,
    source_id: int | None = None,
    code_key: str | None = None,
) -> int:
    """Append one event inside the caller's transaction; returns its id.

    Reading the chain head ``FOR UPDATE`` (PostgreSQL) or holding SQLite's write lock
    (``BEGIN IMMEDIATE``) serialises concurrent appends, so the chain never forks.
    """
    head = conn.execute(_HEAD_FOR_UPDATE).one()
    ts = now()
    body = canonical_json(payload)
    digest = _digest(head.last_hash, ts, actor, kind, source_id, code_key, body)
    row = {
        "ts": ts,
        "actor": actor,
        "kind": kind,
        "source_id": source_id,
        "code_key": code_key,
        "payload": body,
        "prev_hash": head.last_hash,
        "hash": digest,
    }
    event_id = inserted_id(conn.execute(_INSERT_EVENT, row))
    conn.execute(_MOVE_HEAD, {"new_id": event_id, "new_hash": digest})
    return int(event_id)


# built once: appends happen in every audited transaction
_HEAD_FOR_UPDATE = select(audit_head.c.last_hash).where(audit_head.c.id == 1).with_for_update()
_INSERT_EVENT = audit_events.insert()
_MOVE_HEAD = (
    audit_head.update()
    .where(audit_head.c.id == 1)
    .values(last_id=bindparam("new_id"), last_hash=bindparam("new_hash"))
)


# -- one constructor per event kind -------------------------------------------------------
def source_added(conn: Connection, actor: str, source_id: int, record: dict[str, Any]) -> int:
    """A source was ingested. ``record`` holds its metadata and both SHA-256 digests."""
    return append(conn, "source.added", actor, record, source_id=source_id)


# -- reading and checking -----------------------------------------------------------------
def events(
    conn: Connection, *, kind: str | None = None, source_id: int | None = None
) -> Iterator[dict[str, Any]]:
    """Events in order, optionally filtered."""
    query = select(audit_events).order_by(audit_events.c.id)
    if kind:
        query = query.where(audit_events.c.kind == kind)
    if source_id is not None:
        query = query.where(audit_events.c.source_id == source_id)
    for row in conn.execute(query).mappings():
        event = dict(row)
        event["payload"] = json.loads(event["payload"])
        yield event


@dataclass(frozen=True)
class Problem:
    """One place where the log or the data it vouches for does not check out."""

    event_id: int | None
    what: str

    def __str__(self) -> str:
        where = f"event #{self.event_id}" if self.event_id is not None else "project"
        return f"{where}: {self.what}"


def verify(conn: Connection) -> list[Problem]:
    """Check the whole chain and the data it vouches for; ``[]`` means intact.

    Finds: an edited event (its hash no longer matches its content), a deleted or
    reordered event (its ``prev_hash`` does not match the event before it), a truncated
    log (the chain head does not match the last event), and sources whose stored text
    no longer matches the digest recorded when they were added.
    """
    problems: list[Problem] = []
    prev = GENESIS
    last_id = 0
    recorded_text: dict[int, str] = {}
    for row in conn.execute(select(audit_events).order_by(audit_events.c.id)).mappings():
        if row["prev_hash"] != prev:
            problems.append(
                Problem(
                    row["id"],
                    "its previous-hash link is broken (an event before it was deleted, inserted or reordered)",
                )
            )
        expected = _digest(
            row["prev_hash"],
            row["ts"],
            row["actor"],
            row["kind"],
            row["source_id"],
            row["code_key"],
            row["payload"],
        )
        if expected != row["hash"]:
            problems.append(
                Problem(row["id"], "its content does not match its hash (the event was edited)")
            )
        if row["kind"] == "source.added" and row["source_id"] is not None:
            recorded_text[row["source_id"]] = json.loads(row["payload"]).get("sha256_text", "")
        prev = row["hash"]
        last_id = row["id"]
    head = conn.execute(select(audit_head).where(audit_head.c.id == 1)).mappings().one()
    if head["last_hash"] != prev or head["last_id"] != last_id:
        problems.append(
            Problem(
                last_id or None,
                "the chain head does not match the last event (events were removed from the end)",
            )
        )
    problems.extend(_check_sources(conn, recorded_text))
    return problems


def _check_sources(conn: Connection, recorded: dict[int, str]) -> list[Problem]:
    problems = []
    for row in conn.execute(select(sources.c.id, sources.c.text, sources.c.sha256_text)):
        actual = hashlib.sha256(row.text.encode("utf-8")).hexdigest()
        if row.id not in recorded:
            problems.append(Problem(None, f"source #{row.id} has no 'source.added' event"))
        elif actual != row.sha256_text or actual != recorded[row.id]:
            problems.append(
                Problem(
                    None,
                    f"source #{row.id}'s text differs from the text recorded when it was added",
                )
            )
    return problems
