"""Human coding: create, accept, reject, change and delete codings, and write memos.

Every function is one transaction that writes the change and its audit event together.
A machine suggestion never becomes final silently: ``accept`` records who accepted it
and when (status ``accepted``); a human's own coding is ``final``.

>>> import tempfile, os
>>> from diplocode.project import Project
>>> project = Project.init(os.path.join(tempfile.mkdtemp(), "p.db"))
>>> project.close()
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import audit
from .attribution import gazetteer as gz
from .attribution.resolver import SourceContext, attribute_codings
from .errors import DiplocodeError
from .project import Project
from .store import codings as cq
from .store import inserted_id, now
from .store.codebooks import code_ids, resolve_version
from .store.schema import audit_events, coders, codes, codings, memos, sources

__all__ = [
    "accept",
    "change_code",
    "create",
    "delete",
    "delete_memo",
    "edit_memo",
    "reject",
    "reopen",
    "write_memo",
]


def _existing(conn: Any, coding_id: int, owner: str) -> dict[str, Any]:
    """The coding row, or E060 naming the operation that needed it."""
    row = cq.get_coding(conn, coding_id)
    if row is None:
        raise DiplocodeError(
            "E060",
            param="coding",
            owner=owner,
            constraint="the id of an existing coding",
            value=coding_id,
        )
    return row


def _human_coder(conn: Any, who: str) -> int:
    return cq.get_or_create_coder(conn, "human", f"human:{who}", "1", {"user": who})


def create(
    project: Project,
    source_id: int,
    start: int,
    end: int,
    code_key: str,
    who: str,
    *,
    memo: str | None = None,
    codebook: str | int | None = None,
) -> int:
    """A human codes ``[start, end)`` of a source with a code; returns the coding id.

    The same person coding the same span with the same code twice gets E090 (the first
    coding stands)."""
    for attempt in (1, 2):
        try:
            return _create(project, source_id, start, end, code_key, who, memo, codebook)
        except IntegrityError:
            # the first attempt may have lost a race to create this person's coder row
            # (PostgreSQL); a second failure is the coding itself existing already
            if attempt == 1:
                continue
            raise DiplocodeError(
                "E090", code_key=code_key, start=start, end=end, source_id=source_id, who=who
            ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _create(
    project: Project,
    source_id: int,
    start: int,
    end: int,
    code_key: str,
    who: str,
    memo: str | None,
    codebook: str | int | None,
) -> int:
    # validate with a read first: on SQLite a write transaction holds the database's one
    # write lock, so it should only write (the rows read here never change: sources keep
    # their text, codebook versions are immutable)
    with project.store.read() as conn:
        n_chars = conn.execute(select(sources.c.n_chars).where(sources.c.id == source_id)).scalar()
        if n_chars is None:
            raise DiplocodeError("E050", ref=source_id)
        if not 0 <= start < end <= n_chars:
            raise DiplocodeError(
                "E060",
                param="start/end",
                owner="coding.create",
                constraint=f"a non-empty span within 0..{n_chars}",
                value=(start, end),
            )
        version_id = resolve_version(conn, codebook)
        ids = code_ids(conn, version_id)
        if code_key not in ids:
            raise DiplocodeError(
                "E060",
                param="code",
                owner="coding.create",
                constraint=f"a code of codebook version #{version_id}",
                value=code_key,
            )
        coder_id = cq.find_coder(conn, "human", f"human:{who}", "1", {"user": who})
        # who the passage is about, resolved before the write (diplocode.attribution)
        context = SourceContext(conn, source_id, gz.matcher_for(conn)[1])
        context.resolve(start, end)
    with project.store.begin() as conn:
        if coder_id is None:
            coder_id = _human_coder(conn, who)
        coding_id = inserted_id(
            conn.execute(
                codings.insert().values(
                    source_id=source_id,
                    segment_id=None,
                    start=start,
                    end=end,
                    code_id=ids[code_key],
                    codebook_version_id=version_id,
                    coder_id=coder_id,
                    status="final",
                    score=None,
                    evidence={},
                    memo=memo,
                    created_at=now(),
                    created_by=who,
                )
            )
        )
        attribute_codings(conn, context, [(coding_id, start, end)])
        row = cq.get_coding(conn, coding_id)
        assert row is not None
        audit.coding_changed(conn, who, "coding.created", row, code_key, {"memo": memo})
    return coding_id


def _set(
    project: Project,
    coding_id: int,
    who: str,
    kind: str,
    values: dict[str, Any],
    note: str | None,
    expect: str | None = None,
) -> None:
    with project.store.begin() as conn:
        before = _existing(conn, coding_id, kind)
        update = codings.update().where(codings.c.id == coding_id)
        if expect is not None:
            # one conditional UPDATE: on PostgreSQL a concurrent reviewer's UPDATE waits for
            # the row lock and then finds the status changed (a read-then-write check would
            # let both through); on SQLite the write lock already serialises them
            update = update.where(codings.c.status == expect)
        changed = conn.execute(update.values(updated_at=now(), updated_by=who, **values))
        if changed.rowcount == 0:
            current = conn.execute(
                select(codings.c.status, codings.c.updated_by).where(codings.c.id == coding_id)
            ).one()
            raise DiplocodeError(
                "E086",
                coding_id=coding_id,
                status=current.status,
                who=current.updated_by or "someone",
            )
        after = cq.get_coding(conn, coding_id)
        assert after is not None
        extra = {"before": {k: before[k] for k in values if k in before}, "note": note}
        audit.coding_changed(conn, who, kind, after, after["code_key"], extra)


def accept(
    project: Project,
    coding_id: int,
    who: str,
    note: str | None = None,
    *,
    expect: str | None = None,
) -> None:
    """A human accepts a suggestion (status ``accepted``).

    With ``expect="suggested"`` (the review queue), a coding someone else reviewed in
    the meantime raises E086 instead of being overwritten.
    """
    _set(project, coding_id, who, "coding.accepted", {"status": "accepted"}, note, expect)


def reject(
    project: Project,
    coding_id: int,
    who: str,
    note: str | None = None,
    *,
    expect: str | None = None,
) -> None:
    """A human rejects a suggestion (status ``rejected``; the row stays as a record)."""
    _set(project, coding_id, who, "coding.rejected", {"status": "rejected"}, note, expect)


def change_code(
    project: Project,
    coding_id: int,
    code_key: str,
    who: str,
    note: str | None = None,
    *,
    expect: str | None = None,
) -> None:
    """A human replaces the code of a coding with a code of the newest version of its
    codebook (the coding moves to that version); it becomes ``final``."""
    from .store.codebooks import get_version, latest_of

    with project.store.read() as conn:
        row = _existing(conn, coding_id, "coding.change_code")
        name = get_version(conn, row["codebook_version_id"])["name"]
        newest = int(latest_of(conn, name) or row["codebook_version_id"])
        ids = code_ids(conn, newest)
    if code_key not in ids:
        raise DiplocodeError(
            "E060",
            param="code",
            owner="coding.change_code",
            constraint=f"a code of the newest version of codebook {name}",
            value=code_key,
        )
    _set(
        project,
        coding_id,
        who,
        "coding.changed",
        {"code_id": ids[code_key], "codebook_version_id": newest, "status": "final"},
        note,
        expect,
    )


def reopen(
    project: Project,
    coding_id: int,
    who: str,
    note: str | None = None,
    *,
    expect: str | None = None,
) -> None:
    """Undo a review decision: a machine suggestion that was accepted, rejected or given
    another code becomes an unreviewed suggestion again, with the code it was suggested
    with (from the audit trail). A person's own coding has no decision to undo (delete it
    instead). With ``expect`` (the status the reviewer saw), a coding changed in the
    meantime raises E086."""
    with project.store.read() as conn:
        row = _existing(conn, coding_id, "coding.reopen")
        kind = conn.execute(
            select(coders.c.kind).where(coders.c.id == row["coder_id"])
        ).scalar_one()
        first_change = _first_change(conn, coding_id)
    if kind == "human" or row["status"] == "suggested":
        what = "a person's coding" if kind == "human" else "not reviewed yet"
        raise DiplocodeError(
            "E060",
            param="coding",
            owner="coding.reopen",
            constraint="a machine suggestion that was accepted, rejected or changed",
            value=f"#{coding_id} ({what})",
        )
    values: dict[str, Any] = {"status": "suggested"}
    if first_change is not None:  # the code it was suggested with
        values.update(first_change)
    _set(project, coding_id, who, "coding.reopened", values, note, expect or row["status"])


def _first_change(conn: Any, coding_id: int) -> dict[str, Any] | None:
    """The code (and codebook version) a coding had before its first change of code."""
    import json as _json

    for (payload,) in conn.execute(
        select(audit_events.c.payload)
        .where(
            audit_events.c.kind == "coding.changed",
            audit_events.c.payload.like(f'%"coding_id":{int(coding_id)},%'),
        )
        .order_by(audit_events.c.id)
    ):
        data = _json.loads(payload)
        before = data.get("before") or {}
        if data.get("coding_id") == coding_id and "code_id" in before:
            out = {"code_id": before["code_id"]}
            if "codebook_version_id" in before:
                out["codebook_version_id"] = before["codebook_version_id"]
            return out
    return None


def delete(project: Project, coding_id: int, who: str, reason: str | None = None) -> None:
    """Delete a coding; the audit event keeps everything it held."""
    with project.store.begin() as conn:
        row = _existing(conn, coding_id, "coding.delete")
        conn.execute(memos.delete().where(memos.c.coding_id == coding_id))
        conn.execute(codings.delete().where(codings.c.id == coding_id))
        audit.coding_deleted(conn, who, row, row["code_key"], reason)


def write_memo(
    project: Project,
    text: str,
    who: str,
    *,
    source_id: int | None = None,
    coding_id: int | None = None,
    code_key: str | None = None,
) -> int:
    """An analytic memo on a source, a coding or a code (the interpretive audit trail)."""
    if not text.strip():
        raise DiplocodeError(
            "E060", param="text", owner="write_memo", constraint="non-empty text", value=text
        )
    with project.store.begin() as conn:
        if (
            code_key is not None
            and conn.execute(select(codes.c.id).where(codes.c.key == code_key).limit(1)).scalar()
            is None
        ):
            raise DiplocodeError(
                "E060",
                param="code_key",
                owner="write_memo",
                constraint="a code key of a stored codebook",
                value=code_key,
            )
        memo_id = inserted_id(
            conn.execute(
                memos.insert().values(
                    source_id=source_id,
                    coding_id=coding_id,
                    code_key=code_key,
                    text=text,
                    author=who,
                    created_at=now(),
                )
            )
        )
        audit.append(
            conn,
            "memo.written",
            who,
            {"memo_id": memo_id, "coding_id": coding_id, "text": text},
            source_id=source_id,
            code_key=code_key,
        )
    return memo_id


def _own_memo(conn: Any, memo_id: int, who: str) -> dict[str, Any]:
    """The memo row, if ``who`` wrote it (E089 when there is none, E091 when not theirs)."""
    row = conn.execute(select(memos).where(memos.c.id == memo_id)).mappings().one_or_none()
    if row is None:
        raise DiplocodeError("E089", what="memo", ref=memo_id)
    if row["author"] != who:
        raise DiplocodeError("E091", memo_id=memo_id)
    return dict(row)


def edit_memo(project: Project, memo_id: int, text: str, who: str) -> None:
    """Rewrite one's own memo; the audit event keeps the text before and after."""
    if not text.strip():
        raise DiplocodeError(
            "E060", param="text", owner="edit_memo", constraint="non-empty text", value=text
        )
    with project.store.begin() as conn:
        row = _own_memo(conn, memo_id, who)
        conn.execute(memos.update().where(memos.c.id == memo_id).values(text=text))
        audit.append(
            conn,
            "memo.edited",
            who,
            {
                "memo_id": memo_id,
                "coding_id": row["coding_id"],
                "before": row["text"],
                "text": text,
            },
            source_id=row["source_id"],
            code_key=row["code_key"],
        )


def delete_memo(project: Project, memo_id: int, who: str) -> None:
    """Delete one's own memo; the audit event keeps its text."""
    with project.store.begin() as conn:
        row = _own_memo(conn, memo_id, who)
        conn.execute(memos.delete().where(memos.c.id == memo_id))
        audit.append(
            conn,
            "memo.deleted",
            who,
            {"memo_id": memo_id, "coding_id": row["coding_id"], "text": row["text"]},
            source_id=row["source_id"],
            code_key=row["code_key"],
        )
