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
from .store.schema import CODING_FIELDS, audit_events, audit_head, codings, sources

GENESIS = "0" * 64

__all__ = [
    "GENESIS",
    "Problem",
    "append",
    "canonical_json",
    "codebook_imported",
    "coder_run",
    "coding_changed",
    "coding_deleted",
    "coding_digest",
    "codings_suggested",
    "events",
    "source_added",
    "verify",
]


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


def codebook_imported(
    conn: Connection,
    actor: str,
    version_id: int,
    name: str,
    version: str,
    content_hash: str,
    n_codes: int,
    parent_id: int | None = None,
    changes: dict[str, Any] | None = None,
    edit: str | None = None,
) -> int:
    """A codebook version was stored (its content hash pins its content), with the
    version it was made from, how its codes follow from that version's (``changes``)
    and, for an edit in the workbench, what the edit was."""
    detail: dict[str, Any] = {
        "codebook_version_id": version_id,
        "name": name,
        "version": version,
        "content_hash": content_hash,
        "codes": n_codes,
    }
    if parent_id is not None:
        detail["parent_id"] = parent_id
    if changes:
        detail["changes"] = changes
    if edit:
        detail["edit"] = edit
    return append(conn, "codebook.imported", actor, detail)


def coding_digest(row: Any) -> str:
    """SHA-256 of a coding's content, as recorded in the audit log.

    ``row`` is a mapping with :data:`CODING_FIELDS`; evidence may be stored as JSON text
    or as parsed JSON (drivers differ), so it is normalised first.
    """
    values = {}
    for name in CODING_FIELDS:
        value = row[name]
        if name == "evidence" and isinstance(value, str):
            value = json.loads(value)
        if name == "score" and value is not None:
            value = round(float(value), 6)
        values[name] = value
    return hashlib.sha256(canonical_json(values).encode("utf-8")).hexdigest()


def codings_suggested(
    conn: Connection,
    actor: str,
    source_id: int,
    coder_id: int,
    coder_name: str,
    digests: list[tuple[int, str]],
) -> int:
    """A machine coder finished a source: its suggestions, each pinned by its digest."""
    return append(
        conn,
        "codings.suggested",
        actor,
        {
            "coder_id": coder_id,
            "coder": coder_name,
            "n": len(digests),
            "codings": [list(d) for d in digests],
        },
        source_id=source_id,
    )


def coding_changed(
    conn: Connection,
    actor: str,
    kind: str,
    row: Any,
    code_key: str,
    extra: dict[str, Any] | None = None,
) -> int:
    """A coding was created, accepted, rejected, edited or reopened (``kind``:
    coding.created|accepted|rejected|changed|reopened)."""
    payload = {
        "coding_id": row["id"],
        "digest": coding_digest(row),
        "status": row["status"],
        **(extra or {}),
    }
    return append(conn, kind, actor, payload, source_id=row["source_id"], code_key=code_key)


def coding_deleted(
    conn: Connection, actor: str, row: Any, code_key: str, reason: str | None = None
) -> int:
    """A coding was deleted; the event keeps everything it held."""
    record = {name: row[name] for name in CODING_FIELDS}
    if isinstance(record["evidence"], str):
        record["evidence"] = json.loads(record["evidence"])
    return append(
        conn,
        "coding.deleted",
        actor,
        {"coding_id": row["id"], "coding": record, "reason": reason},
        source_id=row["source_id"],
        code_key=code_key,
    )


def coder_run(
    conn: Connection,
    actor: str,
    coder_id: int,
    coder_name: str,
    params: dict[str, Any],
    summary: dict[str, Any],
) -> int:
    """A coder run ended (how many sources and suggestions, with the coder's exact parameters)."""
    return append(
        conn,
        "coder.run",
        actor,
        {"coder_id": coder_id, "coder": coder_name, "params": params, **summary},
    )


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


def log(
    conn: Connection,
    *,
    kind: str | None = None,
    actor: str | None = None,
    source_id: int | None = None,
    code_key: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = 50,
    kind_prefix: bool = False,
    upto: int | None = None,
) -> list[dict[str, Any]]:
    """The most recent events matching the filters (oldest first); dates are ``YYYY-MM-DD``.

    With ``kind_prefix`` the kind matches its start (``coding.`` is every coding event);
    ``upto`` keeps events up to that id (the chain head read first, for an export that
    ends exactly at it). A payload that is not JSON is returned as stored."""
    query = select(audit_events)
    if upto is not None:
        query = query.where(audit_events.c.id <= upto)
    if kind and kind_prefix:
        query = query.where(audit_events.c.kind.startswith(kind, autoescape=True))
    elif kind:
        query = query.where(audit_events.c.kind == kind)
    if actor:
        query = query.where(audit_events.c.actor == actor)
    if source_id is not None:
        query = query.where(audit_events.c.source_id == source_id)
    if code_key:
        query = query.where(audit_events.c.code_key == code_key)
    if since:
        query = query.where(audit_events.c.ts >= since)
    if until:
        query = query.where(audit_events.c.ts < f"{until}~")  # '~' sorts after any time on that day
    query = query.order_by(audit_events.c.id.desc())
    if limit:
        query = query.limit(limit)
    rows = [dict(r) for r in conn.execute(query).mappings()]
    for row in rows:
        row["payload"] = _loads(row["payload"])
    return rows[::-1]


def _loads(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text  # shown as it is stored (audit verify names the event)


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
    expected_codings: dict[int, tuple[str, int]] = {}  # coding id -> (digest, event id)
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
        _track(row, recorded_text, expected_codings)
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
    problems.extend(_check_codings(conn, expected_codings))
    return problems


def _track(row: Any, recorded_text: dict[int, str], expected: dict[int, tuple[str, int]]) -> None:
    """Update what the log says the data should be, from one event."""
    kind = row["kind"]
    if kind == "source.added" and row["source_id"] is not None:
        recorded_text[row["source_id"]] = json.loads(row["payload"]).get("sha256_text", "")
    elif kind == "codings.suggested":
        for coding_id, digest in json.loads(row["payload"])["codings"]:
            expected[int(coding_id)] = (digest, row["id"])
    elif kind in (
        "coding.created",
        "coding.accepted",
        "coding.rejected",
        "coding.changed",
        "coding.reopened",
    ):
        payload = json.loads(row["payload"])
        expected[int(payload["coding_id"])] = (payload["digest"], row["id"])
    elif kind == "coding.deleted":
        expected.pop(int(json.loads(row["payload"])["coding_id"]), None)
    elif kind == "source.deleted" and row["source_id"] is not None:
        recorded_text.pop(row["source_id"], None)
        for coded in json.loads(row["payload"]).get("codings") or []:
            expected.pop(int(coded["id"]), None)


def _check_codings(conn: Connection, expected: dict[int, tuple[str, int]]) -> list[Problem]:
    problems = []
    seen: set[int] = set()
    for row in conn.execute(
        select(*(codings.c[name] for name in CODING_FIELDS)).order_by(codings.c.id)
    ).mappings():
        seen.add(row["id"])
        if row["id"] not in expected:
            problems.append(
                Problem(
                    None,
                    f"coding #{row['id']} has no audit event (it was written outside diplocode)",
                )
            )
        elif coding_digest(row) != expected[row["id"]][0]:
            problems.append(
                Problem(
                    expected[row["id"]][1],
                    f"coding #{row['id']} differs from what this event recorded (it was edited outside diplocode)",
                )
            )
    for coding_id, (_, event_id) in sorted(expected.items()):
        if coding_id not in seen:
            problems.append(
                Problem(
                    event_id,
                    f"coding #{coding_id} is missing but was never deleted through diplocode",
                )
            )
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
