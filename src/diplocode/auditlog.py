"""The audit log in words: each event as a sentence, in English, Russian or Kazakh.

:func:`entries` reads events (filtered as :func:`diplocode.audit.log` filters, with
``kind`` a prefix) and gives each a ``sentence``: who did what to which source and code,
with a short excerpt where there is one (a memo's text, the coded passage while its
source exists). :func:`render` writes them as text (one line per event), JSON Lines or
CSV, ending with the chain head (``audit_head``) so a reader can check an export against
``diplocode audit verify``. The CLI (``diplocode audit log``) and the workbench's
``/audit`` page and ``/api/audit`` are thin layers over these.

The sentence templates live here, one table per language (the library does not depend on
the web workbench's gettext catalogues). Unknown event kinds, and payloads that do not
have the expected shape, get a generic sentence: describing an event never raises.

Blind coding: the log shows every event, as ``/audit`` always has; the coded passage of a
coding event is quoted only when the viewer may see that coding
(:func:`diplocode.workbench._visible`), so the sentences show nothing the raw events and
the source pages do not.

>>> from diplocode.auditlog import excerpt
>>> excerpt("Қазақстан   мен\\nҚытай")
'Қазақстан мен Қытай'
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from . import audit
from .audit import GENESIS, canonical_json
from .errors import DiplocodeError
from .store.schema import actors, audit_events, audit_head, coders, codes, codings, sources

__all__ = [
    "FORMATS",
    "KINDS",
    "LANGUAGES",
    "Log",
    "check_date",
    "check_kind",
    "describe",
    "entries",
    "excerpt",
    "head_sentence",
    "render",
]

#: the languages sentences are written in
LANGUAGES = ("en", "ru", "kk")
#: what :func:`render` writes
FORMATS = ("text", "jsonl", "csv")
#: the event kinds diplocode appends (each has its own sentence)
KINDS = (
    "source.added",
    "source.edited",
    "source.deleted",
    "codebook.imported",
    "codings.suggested",
    "coder.run",
    "coding.created",
    "coding.accepted",
    "coding.rejected",
    "coding.changed",
    "coding.reopened",
    "coding.deleted",
    "memo.written",
    "memo.edited",
    "memo.deleted",
    "actor.created",
    "actor.named",
    "actor.unnamed",
    "actors.seeded",
    "codings.attributed",
    "project.setting_changed",
    "user.added",
    "user.role_changed",
    "user.password_changed",
)
#: the columns of a JSON Lines or CSV export (``payload`` is the event's canonical JSON,
#: the text that is hashed: with ``prev_hash`` and ``hash`` a reader can recompute the chain)
COLUMNS = (
    "id",
    "ts",
    "actor",
    "kind",
    "source_id",
    "code_key",
    "sentence",
    "payload",
    "prev_hash",
    "hash",
)
#: the ``kind`` of the CSV row that carries the chain head
HEAD_KIND = "audit.head"
#: longest excerpt (memo text, coded passage), in characters
EXCERPT_CHARS = 120
#: longest source title or other name quoted in a sentence
NAME_CHARS = 60

# -- the sentences -------------------------------------------------------------------------------
# ``{who}`` is the event's actor; ``{src}`` a source ("#3 “Title”"), ``{code}`` a code
# ("key “Label”"); other fields are named after what they hold. Quoted values (names,
# memo text, passages) are quoted by the code, in the language's quotation marks.
_T: dict[str, dict[str, str]] = {
    "en": {
        "quote": "“{}”",
        "source.added": "{who} added source {src}",
        "source.edited": "{who} edited source {src}: {fields}",
        "source.deleted": "{who} deleted source {src} with {codings} and {memos}",
        "codebook.imported": "{who} imported codebook {name}, version {version} ({codes})",
        "codebook.imported.parent": (
            "{who} imported version {version} of codebook {name} ({codes}), "
            "made from version #{parent}"
        ),
        "codebook.edited": "{who} edited codebook {name} (new version {version}){edit}",
        "codings.suggested": "{who} ran coder {coder} on source {src}: {suggestions}",
        "coder.run": "{who} ran coder {coder}: {sources} coded, {suggestions}",
        "coding.created": "{who} coded a passage of source {src} as {code} (coding #{coding})",
        "coding.accepted": "{who} accepted coding #{coding} ({code}) in source {src}",
        "coding.rejected": "{who} rejected coding #{coding} ({code}) in source {src}",
        "coding.changed": "{who} changed the code of coding #{coding} in source {src}: {change}",
        "coding.reopened": "{who} sent coding #{coding} ({code}) in source {src} back for review",
        "coding.deleted": "{who} deleted coding #{coding} ({code}) in source {src}",
        "memo.written": "{who} wrote a memo{target}",
        "memo.edited": "{who} edited memo #{memo}{target}",
        "memo.deleted": "{who} deleted memo #{memo}{target}",
        "target.coding": " on coding #{coding} in source {src}",
        "target.source": " on source {src}",
        "target.code": " on code {code}",
        "actor.created": "{who} added actor {name} ({kind})",
        "actor.named": "{who} added the name {name} ({lang}) to actor {actor}",
        "actor.unnamed": "{who} removed the name {name} ({lang}) from actor {actor}",
        "actors.seeded": "{who} seeded the built-in gazetteer: {actors}, {names}",
        "codings.attributed": (
            "{who} attributed {codings} in {sources} to the actors they are about "
            "({unattributed} about no known actor)"
        ),
        "blind.on": "{who} turned blind coding on",
        "blind.off": "{who} turned blind coding off: everyone's codings are revealed",
        "project.setting_changed": "{who} changed the project setting {key} to {value}",
        "user.added": "{who} added user {username} with the role {role}",
        "user.role_changed": "{who} changed the role of user {username}: {before} → {after}",
        "user.password_changed": "{who} changed the password of user {username}",
        "generic": "{who}: event {kind}",
        "generic.source": ", source {src}",
        "generic.code": ", code {code}",
        "excerpt": ": {quote}",
        "memo": "; memo: {quote}",
        "note": "; note: {quote}",
        "reason": "; reason: {quote}",
        "renamed": "renamed",
        "merged": "merged",
        "split": "split",
        "deleted": "deleted",
        "all_languages": "all languages",
        "head": "Chain head: event #{id}, hash {hash} (check it with: diplocode audit verify)",
        "field.title": "title",
        "field.group": "group",
        "field.date": "date",
        "field.language": "language",
        "field.url": "URL",
        "field.publisher": "publisher",
        "field.actors": "actors",
        "field.attributes": "attributes",
    },
    "ru": {
        "quote": "«{}»",
        "source.added": "{who} добавил(а) источник {src}",
        "source.edited": "{who} изменил(а) источник {src}: {fields}",
        "source.deleted": "{who} удалил(а) источник {src} (кодировок: {codings}, заметок: {memos})",
        "codebook.imported": (
            "{who} импортировал(а) кодовую книгу {name}, версия {version} (кодов: {codes})"
        ),
        "codebook.imported.parent": (
            "{who} импортировал(а) версию {version} кодовой книги {name} (кодов: {codes}) "
            "на основе версии #{parent}"
        ),
        "codebook.edited": (
            "{who} отредактировал(а) кодовую книгу {name} (новая версия {version}){edit}"
        ),
        "codings.suggested": (
            "{who} запустил(а) кодировщик {coder} по источнику {src} (предложений: {suggestions})"
        ),
        "coder.run": (
            "{who} запустил(а) кодировщик {coder} (источников: {sources}, "
            "предложений: {suggestions})"
        ),
        "coding.created": (
            "{who} закодировал(а) фрагмент источника {src} кодом {code} (кодировка #{coding})"
        ),
        "coding.accepted": "{who} принял(а) кодировку #{coding} ({code}) в источнике {src}",
        "coding.rejected": "{who} отклонил(а) кодировку #{coding} ({code}) в источнике {src}",
        "coding.changed": "{who} изменил(а) код кодировки #{coding} в источнике {src}: {change}",
        "coding.reopened": (
            "{who} вернул(а) кодировку #{coding} ({code}) в источнике {src} на проверку"
        ),
        "coding.deleted": "{who} удалил(а) кодировку #{coding} ({code}) в источнике {src}",
        "memo.written": "{who} написал(а) заметку{target}",
        "memo.edited": "{who} изменил(а) заметку #{memo}{target}",
        "memo.deleted": "{who} удалил(а) заметку #{memo}{target}",
        "target.coding": " к кодировке #{coding} в источнике {src}",
        "target.source": " к источнику {src}",
        "target.code": " к коду {code}",
        "actor.created": "{who} добавил(а) актора {name} ({kind})",
        "actor.named": "{who} добавил(а) актору {actor} имя {name} ({lang})",
        "actor.unnamed": "{who} удалил(а) у актора {actor} имя {name} ({lang})",
        "actors.seeded": (
            "{who} загрузил(а) встроенный справочник акторов (акторов: {actors}, имён: {names})"
        ),
        "codings.attributed": (
            "{who} определил(а), о каких акторах кодировки (кодировок: {codings}, "
            "источников: {sources}, без известного актора: {unattributed})"
        ),
        "blind.on": "{who} включил(а) слепое кодирование",
        "blind.off": "{who} выключил(а) слепое кодирование: кодировки всех участников открыты",
        "project.setting_changed": "{who} изменил(а) настройку проекта {key}: {value}",
        "user.added": "{who} добавил(а) пользователя {username} с ролью {role}",
        "user.role_changed": "{who} изменил(а) роль пользователя {username}: {before} → {after}",
        "user.password_changed": "{who} сменил(а) пароль пользователя {username}",
        "generic": "{who}: событие {kind}",
        "generic.source": ", источник {src}",
        "generic.code": ", код {code}",
        "excerpt": ": {quote}",
        "memo": "; заметка: {quote}",
        "note": "; примечание: {quote}",
        "reason": "; причина: {quote}",
        "renamed": "переименовано",
        "merged": "объединено",
        "split": "разделено",
        "deleted": "удалено",
        "all_languages": "все языки",
        "head": ("Вершина цепочки: событие #{id}, хеш {hash} (проверка: diplocode audit verify)"),
        "field.title": "название",
        "field.group": "группа",
        "field.date": "дата",
        "field.language": "язык",
        "field.url": "URL",
        "field.publisher": "издатель",
        "field.actors": "акторы",
        "field.attributes": "атрибуты",
    },
    "kk": {
        "quote": "«{}»",
        "source.added": "{who} {src} дереккөзін қосты",
        "source.edited": "{who} {src} дереккөзін өзгертті: {fields}",
        "source.deleted": "{who} {src} дереккөзін жойды ({codings} кодтау, {memos} ескертпе)",
        "codebook.imported": (
            "{who} {name} кодтар кітабының {version} нұсқасын импорттады ({codes} код)"
        ),
        "codebook.imported.parent": (
            "{who} {name} кодтар кітабының {version} нұсқасын #{parent} нұсқасы негізінде "
            "импорттады ({codes} код)"
        ),
        "codebook.edited": "{who} {name} кодтар кітабын өңдеді (жаңа нұсқа {version}){edit}",
        "codings.suggested": (
            "{who} {src} дереккөзінде {coder} кодтаушысын іске қосты ({suggestions} ұсыныс)"
        ),
        "coder.run": (
            "{who} {coder} кодтаушысын іске қосты ({sources} дереккөз, {suggestions} ұсыныс)"
        ),
        "coding.created": (
            "{who} {src} дереккөзінің үзіндісін {code} кодымен кодтады (#{coding} кодтау)"
        ),
        "coding.accepted": "{who} {src} дереккөзіндегі #{coding} кодтауды ({code}) қабылдады",
        "coding.rejected": "{who} {src} дереккөзіндегі #{coding} кодтауды ({code}) қабылдамады",
        "coding.changed": "{who} {src} дереккөзіндегі #{coding} кодтаудың кодын өзгертті: {change}",
        "coding.reopened": (
            "{who} {src} дереккөзіндегі #{coding} кодтауды ({code}) қайта тексеруге қайтарды"
        ),
        "coding.deleted": "{who} {src} дереккөзіндегі #{coding} кодтауды ({code}) жойды",
        "memo.written": "{who}{target} ескертпе жазды",
        "memo.edited": "{who}{target} #{memo} ескертпені өңдеді",
        "memo.deleted": "{who}{target} #{memo} ескертпені жойды",
        "target.coding": " {src} дереккөзіндегі #{coding} кодтау туралы",
        "target.source": " {src} дереккөзі туралы",
        "target.code": " {code} коды туралы",
        "actor.created": "{who} {name} акторын қосты ({kind})",
        "actor.named": "{who} {actor} акторына {name} атауын қосты ({lang})",
        "actor.unnamed": "{who} {actor} акторының {name} атауын жойды ({lang})",
        "actors.seeded": (
            "{who} кірістірілген акторлар анықтамалығын жүктеді ({actors} актор, {names} атау)"
        ),
        "codings.attributed": (
            "{who} кодтаулардың қай акторлар туралы екенін анықтады ({sources} дереккөздегі "
            "{codings} кодтау, белгілі акторсыз: {unattributed})"
        ),
        "blind.on": "{who} жасырын кодтауды қосты",
        "blind.off": "{who} жасырын кодтауды өшірді: барлық қатысушылардың кодтаулары ашылды",
        "project.setting_changed": "{who} жоба баптауын өзгертті: {key} = {value}",
        "user.added": "{who} {role} рөлімен {username} пайдаланушысын қосты",
        "user.role_changed": (
            "{who} {username} пайдаланушысының рөлін өзгертті: {before} → {after}"
        ),
        "user.password_changed": "{who} {username} пайдаланушысының құпиясөзін өзгертті",
        "generic": "{who}: {kind} оқиғасы",
        "generic.source": ", дереккөз {src}",
        "generic.code": ", код {code}",
        "excerpt": ": {quote}",
        "memo": "; ескертпе: {quote}",
        "note": "; түсініктеме: {quote}",
        "reason": "; себебі: {quote}",
        "renamed": "қайта аталды",
        "merged": "біріктірілді",
        "split": "бөлінді",
        "deleted": "жойылды",
        "all_languages": "барлық тілдер",
        "head": "Тізбектің соңғы буыны: #{id} оқиға, хеш {hash} (тексеру: diplocode audit verify)",
        "field.title": "атауы",
        "field.group": "тобы",
        "field.date": "күні",
        "field.language": "тілі",
        "field.url": "URL",
        "field.publisher": "баспагері",
        "field.actors": "акторлары",
        "field.attributes": "атрибуттары",
    },
}

#: English counts ("1 coding", "3 codings"); Russian and Kazakh sentences put a count
#: where no plural form is needed ("кодировок: 3", "3 кодтау")
_EN_PLURAL = {
    "coding": "codings",
    "memo": "memos",
    "code": "codes",
    "source": "sources",
    "suggestion": "suggestions",
    "actor": "actors",
    "name": "names",
}

#: source columns (as ``source.edited`` records them) -> the field name shown
_FIELDS = {
    "title": "title",
    "source_group": "group",
    "date_year": "date",
    "date_month": "date",
    "date_day": "date",
    "language": "language",
    "url": "url",
    "publisher": "publisher",
    "actors": "actors",
    "extra": "attributes",
}

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\Z")


# -- reading ---------------------------------------------------------------------------------------
@dataclass
class Log:
    """Events (oldest first, each with its ``sentence``) and the chain head they end at."""

    events: list[dict[str, Any]]
    head: dict[str, Any] = field(default_factory=lambda: {"last_id": 0, "last_hash": GENESIS})
    lang: str = "en"


def _check_lang(lang: str, owner: str) -> None:
    if lang not in LANGUAGES:
        raise DiplocodeError(
            "E060",
            param="lang",
            owner=owner,
            constraint=f"one of {', '.join(LANGUAGES)}",
            value=lang,
        )


def check_date(value: str | None, where: str) -> None:
    """E023 unless ``value`` is empty or a date ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``
    (a date in the future is fine: nothing happened then yet)."""
    if not value:
        return
    match = _DATE.match(value)
    detail = "not YYYY, YYYY-MM or YYYY-MM-DD"
    if match:
        year, month, day = match.groups()
        try:
            _dt.date(int(year), int(month or 1), int(day or 1))
            return
        except ValueError as e:
            detail = str(e)
    raise DiplocodeError("E023", where=where, value=value, detail=detail)


def check_kind(conn: Connection, prefix: str | None, owner: str = "auditlog.entries") -> None:
    """E060 unless ``prefix`` starts an event kind diplocode writes or the log holds."""
    if not prefix:
        return
    stored = set(conn.execute(select(audit_events.c.kind).distinct()).scalars())
    known = sorted(set(KINDS) | stored)
    if not any(k.startswith(prefix) for k in known):
        raise DiplocodeError(
            "E060",
            param="kind",
            owner=owner,
            constraint=f"the start of an event kind ({', '.join(known)})",
            value=prefix,
        )


def entries(
    project: Any,
    *,
    lang: str = "en",
    viewer: Any = None,
    kind: str | None = None,
    actor: str | None = None,
    source_id: int | None = None,
    code_key: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = 50,
) -> Log:
    """The most recent events matching the filters (oldest first), each with its
    ``sentence`` in ``lang``, and the chain head.

    ``kind`` matches the start of the kind (``coding.`` is every coding event); dates are
    ``YYYY-MM-DD`` (E023); ``limit`` 0 or None is every event. The events are read up to
    the head read first, so a whole export (no filters, no limit) ends exactly at the head.
    ``viewer`` (a :class:`~diplocode.users.User`, or None for the command line) decides,
    under blind coding, which coded passages are quoted.
    """
    from .workbench import _blind_for

    _check_lang(lang, "auditlog.entries")
    if limit is not None and limit < 0:
        raise DiplocodeError(
            "E060",
            param="limit",
            owner="auditlog.entries",
            constraint="an integer >= 0",
            value=limit,
        )
    check_date(since, "since")
    check_date(until, "until")
    blind_viewer = viewer if _blind_for(project, viewer) else None
    with project.store.read() as conn:
        check_kind(conn, kind)
        head_row = conn.execute(select(audit_head).where(audit_head.c.id == 1)).mappings().one()
        head = {"last_id": int(head_row["last_id"]), "last_hash": str(head_row["last_hash"])}
        rows = audit.log(
            conn,
            kind=kind,
            kind_prefix=True,
            actor=actor,
            source_id=source_id,
            code_key=code_key,
            since=since,
            until=until,
            limit=limit or None,
            upto=int(head_row["last_id"]),
        )
        for row, sentence in zip(
            rows, describe(conn, rows, lang, blind_viewer=blind_viewer), strict=True
        ):
            row["sentence"] = sentence
    return Log(rows, head, lang)


# -- describing ------------------------------------------------------------------------------------
def excerpt(text: Any, limit: int = EXCERPT_CHARS) -> str:
    """``text`` on one line (whitespace runs as one space, control characters dropped),
    at most ``limit`` characters (cut with "…")."""
    flat = " ".join(_printable(str(text)).split())
    if len(flat) > limit:
        return flat[: limit - 1].rstrip() + "…"
    return flat


def _printable(text: str) -> str:
    # control characters (terminal escapes, NUL) become spaces; newlines and tabs too
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


class _Context:
    """What sentences name, read in a few queries for a batch of events."""

    def __init__(
        self, conn: Connection, events: Sequence[dict[str, Any]], lang: str, blind_viewer: Any
    ) -> None:
        self.lang = lang
        self.titles: dict[int, str] = {}
        self.labels: dict[str, str] = {}
        self.code_keys: dict[int, str] = {}
        self.actor_names: dict[int, str] = {}
        self.passages: dict[int, str] = {}
        self._read(conn, events, blind_viewer)

    def _read(self, conn: Connection, events: Sequence[dict[str, Any]], blind_viewer: Any) -> None:
        source_ids = {int(e["source_id"]) for e in events if e.get("source_id") is not None}
        keys = {str(e["code_key"]) for e in events if e.get("code_key")}
        code_ids: set[int] = set()
        actor_ids: set[int] = set()
        coding_ids: set[int] = set()
        deleted_spans: dict[int, tuple[int, int, int]] = {}  # coding id -> source, start, end
        for e in events:
            p = e.get("payload")
            if not isinstance(p, dict):
                continue
            kind = e.get("kind")
            title = _title_in(kind, p)
            if title and e.get("source_id") is not None:
                self.titles[int(e["source_id"])] = title  # the latest the log knows
            if kind == "coding.changed" and isinstance(p.get("before"), dict):
                if isinstance(p["before"].get("code_id"), int):
                    code_ids.add(p["before"]["code_id"])
            elif kind in ("actor.named", "actor.unnamed") and isinstance(p.get("actor_id"), int):
                actor_ids.add(p["actor_id"])
            if str(kind).startswith("coding.") and isinstance(p.get("coding_id"), int):
                coding_ids.add(p["coding_id"])
                record = p.get("coding")
                if kind == "coding.deleted" and isinstance(record, dict):
                    with contextlib.suppress(KeyError, TypeError, ValueError):
                        deleted_spans[p["coding_id"]] = (
                            int(record["source_id"]),
                            int(record["start"]),
                            int(record["end"]),
                        )
        for chunk in _chunks(source_ids):
            for sid, title in conn.execute(
                select(sources.c.id, sources.c.title).where(sources.c.id.in_(chunk))
            ):
                self.titles[int(sid)] = str(title)  # the current title wins
        if code_ids:
            for cid, key in conn.execute(
                select(codes.c.id, codes.c.key).where(codes.c.id.in_(sorted(code_ids)))
            ):
                self.code_keys[int(cid)] = str(key)
            keys |= set(self.code_keys.values())
        if keys:
            # the label of the newest version that has the key
            for key, labels in conn.execute(
                select(codes.c.key, codes.c.labels)
                .where(codes.c.key.in_(sorted(keys)))
                .order_by(codes.c.codebook_version_id)
            ):
                labels = audit._loads(labels)
                if isinstance(labels, dict):
                    label = labels.get(self.lang) or labels.get("en")
                    if label:
                        self.labels[str(key)] = str(label)
        if actor_ids:
            for aid, name in conn.execute(
                select(actors.c.id, actors.c.name).where(actors.c.id.in_(sorted(actor_ids)))
            ):
                self.actor_names[int(aid)] = str(name)
        self._read_passages(conn, coding_ids - set(deleted_spans), deleted_spans, blind_viewer)

    def _read_passages(
        self,
        conn: Connection,
        live: set[int],
        deleted: dict[int, tuple[int, int, int]],
        blind_viewer: Any,
    ) -> None:
        """The coded passages: of codings that exist (those the viewer may see, under
        blind coding), and of deleted codings (whose span their event records)."""
        from .workbench import _visible

        wanted = EXCERPT_CHARS * 3  # enough to fill an excerpt after spaces are squeezed
        for chunk in _chunks(live):
            query = (
                select(
                    codings.c.id,
                    codings.c.start,
                    codings.c.end,
                    func.substr(sources.c.text, codings.c.start + 1, wanted),
                )
                .join(sources, sources.c.id == codings.c.source_id)
                .join(coders, coders.c.id == codings.c.coder_id)
                .where(codings.c.id.in_(chunk))
            )
            if blind_viewer is not None:
                query = query.where(_visible(blind_viewer))
            for cid, start, end, text in conn.execute(query):
                self.passages[int(cid)] = excerpt((text or "")[: max(int(end) - int(start), 0)])
        for cid, (sid, start, end) in deleted.items():
            if end <= start:
                continue
            text = conn.execute(
                select(func.substr(sources.c.text, start + 1, min(end - start, wanted))).where(
                    sources.c.id == sid
                )
            ).scalar()
            if text:
                self.passages[cid] = excerpt(text)

    # -- pieces of sentences
    def t(self, template: str, /, **values: Any) -> str:
        return _T[self.lang][template].format(**values)

    def quote(self, value: Any, limit: int = EXCERPT_CHARS) -> str:
        return _T[self.lang]["quote"].format(excerpt(value, limit))

    def src(self, source_id: Any) -> str:
        if source_id is None:
            return "?"
        title = self.titles.get(int(source_id))
        return f"#{source_id} {self.quote(title, NAME_CHARS)}" if title else f"#{source_id}"

    def code(self, key: Any) -> str:
        if not key:
            return "?"
        label = self.labels.get(str(key))
        return f"{key} {self.quote(label, NAME_CHARS)}" if label and label != key else str(key)

    def count(self, n: Any, noun: str) -> str:
        """``n`` for Russian and Kazakh (their templates need no plural), "n nouns" in English."""
        if self.lang != "en":
            return str(n)
        return f"{n} {noun if n == 1 else _EN_PLURAL.get(noun, noun + 's')}"


def _title_in(kind: Any, p: dict[str, Any]) -> str | None:
    """The source title an event records (added, retitled or deleted), if any."""
    if kind == "source.added":
        title = p.get("title")
    elif kind == "source.edited":
        title = ((p.get("changes") or {}).get("title") or {}).get("after")
    elif kind == "source.deleted":
        title = (p.get("source") or {}).get("title")
    else:
        return None
    return str(title) if title else None


def _chunks(ids: Iterable[int], size: int = 500) -> Iterable[list[int]]:
    ordered = sorted(ids)
    for i in range(0, len(ordered), size):
        yield ordered[i : i + size]


def describe(
    conn: Connection,
    events: Sequence[dict[str, Any]],
    lang: str = "en",
    *,
    blind_viewer: Any = None,
) -> list[str]:
    """One sentence per event (events as :func:`diplocode.audit.log` gives them, payload
    parsed). ``blind_viewer``: the viewer blind coding applies to, or None."""
    _check_lang(lang, "auditlog.describe")
    ctx = _Context(conn, events, lang, blind_viewer)
    out = []
    for event in events:
        try:
            sentence = _sentence(ctx, event)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            sentence = None
        out.append(excerpt(sentence or _generic(ctx, event), 10_000))
    return out


def _sentence(ctx: _Context, e: dict[str, Any]) -> str | None:
    kind = e["kind"]
    p = e["payload"]
    if not isinstance(p, dict):
        return None
    who = e.get("actor") or "?"
    src = ctx.src(e.get("source_id"))
    code = ctx.code(e.get("code_key"))
    if kind == "source.added":
        return ctx.t(kind, who=who, src=src)
    if kind == "source.edited":
        names = dict.fromkeys(
            ctx.t("field." + _FIELDS.get(str(k), "attributes")) for k in p.get("changes") or {}
        )
        return ctx.t(kind, who=who, src=src, fields=", ".join(names) or "-")
    if kind == "source.deleted":
        sentence = ctx.t(
            kind,
            who=who,
            src=src,
            codings=ctx.count(len(p.get("codings") or []), "coding"),
            memos=ctx.count(int(p.get("memos_deleted") or 0), "memo"),
        )
        return sentence + _detail(ctx, "reason", p.get("reason"))
    if kind == "codebook.imported":
        return _codebook(ctx, who, p)
    if kind == "codings.suggested":
        return ctx.t(
            kind, who=who, src=src, coder=p["coder"], suggestions=ctx.count(p["n"], "suggestion")
        )
    if kind == "coder.run":
        return ctx.t(
            kind,
            who=who,
            coder=p["coder"],
            sources=ctx.count(p["sources_coded"], "source"),
            suggestions=ctx.count(p["suggestions"], "suggestion"),
        )
    if kind.startswith("coding.") and kind in _T["en"]:
        return _coding(ctx, kind, who, src, code, p)
    if kind in ("memo.written", "memo.edited", "memo.deleted"):
        target = ""
        if p.get("coding_id") is not None:
            target = ctx.t("target.coding", coding=p["coding_id"], src=src)
        elif e.get("source_id") is not None:
            target = ctx.t("target.source", src=src)
        elif e.get("code_key"):
            target = ctx.t("target.code", code=code)
        sentence = ctx.t(kind, who=who, memo=p.get("memo_id", "?"), target=target)
        return sentence + _detail(ctx, "excerpt", p.get("text"))
    if kind == "actor.created":
        return ctx.t(kind, who=who, name=ctx.quote(p["name"], NAME_CHARS), kind=p.get("kind", "?"))
    if kind in ("actor.named", "actor.unnamed"):
        name = ctx.actor_names.get(p["actor_id"])
        return ctx.t(
            kind,
            who=who,
            name=ctx.quote(p["name"], NAME_CHARS),
            lang=p.get("lang") or ctx.t("all_languages"),
            actor=ctx.quote(name, NAME_CHARS) if name else f"#{p['actor_id']}",
        )
    if kind == "actors.seeded":
        return ctx.t(
            kind,
            who=who,
            actors=ctx.count(p["actors_created"], "actor"),
            names=ctx.count(p["names_added"], "name"),
        )
    if kind == "codings.attributed":
        return ctx.t(
            kind,
            who=who,
            codings=ctx.count(p["codings"], "coding"),
            sources=ctx.count(p["sources"], "source"),
            unattributed=p.get("unattributed", 0),
        )
    if kind == "project.setting_changed":
        if set(p) == {"blind_coding"}:
            return ctx.t("blind.on" if p["blind_coding"] else "blind.off", who=who)
        key, value = next(iter(p.items()))
        return ctx.t(kind, who=who, key=key, value=excerpt(json.dumps(value, ensure_ascii=False)))
    if kind == "user.added":
        return ctx.t(kind, who=who, username=p["username"], role=p["role"])
    if kind == "user.role_changed":
        return ctx.t(kind, who=who, username=p["username"], before=p["from"], after=p["to"])
    if kind == "user.password_changed":
        return ctx.t(kind, who=who, username=p["username"])
    return None


def _detail(ctx: _Context, key: str, value: Any) -> str:
    """``; note: “…”`` (or the ``key`` template) for a non-empty value, else nothing."""
    if value is None or not str(value).strip():
        return ""
    return ctx.t(key, quote=ctx.quote(value))


def _coding(ctx: _Context, kind: str, who: str, src: str, code: str, p: dict[str, Any]) -> str:
    coding_id = p["coding_id"]
    if kind == "coding.changed":
        old_id = (p.get("before") or {}).get("code_id")
        old = ctx.code_keys.get(old_id) if isinstance(old_id, int) else None
        change = f"{ctx.code(old)} → {code}" if old and old != p.get("code_key") else code
        sentence = ctx.t(kind, who=who, src=src, coding=coding_id, change=change)
    else:
        sentence = ctx.t(kind, who=who, src=src, code=code, coding=coding_id)
    passage = ctx.passages.get(coding_id)
    if passage:
        sentence += ctx.t("excerpt", quote=ctx.quote(passage))
    if kind == "coding.created":
        sentence += _detail(ctx, "memo", p.get("memo"))
    elif kind == "coding.deleted":
        sentence += _detail(ctx, "reason", p.get("reason"))
    else:
        sentence += _detail(ctx, "note", p.get("note"))
    return sentence


def _codebook(ctx: _Context, who: str, p: dict[str, Any]) -> str:
    name = ctx.quote(p["name"], NAME_CHARS)
    version = p.get("version", "?")
    codes_n = ctx.count(p.get("codes", "?"), "code")
    changes = p.get("changes")
    if p.get("edit"):
        # the edit as the workbench described it (English), unless its changes say it
        edit = "" if changes else _detail(ctx, "excerpt", p["edit"])
        sentence = ctx.t("codebook.edited", who=who, name=name, version=version, edit=edit)
    elif p.get("parent_id") is not None:
        sentence = ctx.t(
            "codebook.imported.parent",
            who=who,
            name=name,
            version=version,
            codes=codes_n,
            parent=p["parent_id"],
        )
    else:
        sentence = ctx.t("codebook.imported", who=who, name=name, version=version, codes=codes_n)
    if isinstance(changes, dict):
        parts = []
        for what in ("renamed", "merged"):
            for old, new in (changes.get(what) or {}).items():
                parts.append(f"{ctx.t(what)}: {old} → {new}")
        for old, new in (changes.get("split") or {}).items():
            parts.append(f"{ctx.t('split')}: {old} → {', '.join(map(str, new))}")
        if changes.get("deleted"):
            parts.append(f"{ctx.t('deleted')}: {', '.join(map(str, changes['deleted']))}")
        if parts:
            sentence += "; " + "; ".join(parts)
    return sentence


def _generic(ctx: _Context, e: dict[str, Any]) -> str:
    """Any event: who, the kind, its source and code, and its payload's plain fields."""
    sentence = ctx.t("generic", who=e.get("actor") or "?", kind=e.get("kind") or "?")
    if e.get("source_id") is not None:
        sentence += ctx.t("generic.source", src=ctx.src(e["source_id"]))
    if e.get("code_key"):
        sentence += ctx.t("generic.code", code=ctx.code(e["code_key"]))
    p = e.get("payload")
    if isinstance(p, dict):
        plain = [
            f"{k}: {excerpt(v, NAME_CHARS)}"
            for k, v in p.items()
            if isinstance(v, str | int | float | bool) and v != ""
        ][:4]
        if plain:
            sentence += "; " + ", ".join(plain)
    elif p:
        sentence += "; " + excerpt(p, NAME_CHARS)
    return sentence


# -- writing ---------------------------------------------------------------------------------------
def head_sentence(head: dict[str, Any], lang: str = "en") -> str:
    """The chain head as a sentence (compare with ``diplocode audit verify``)."""
    _check_lang(lang, "auditlog.head_sentence")
    return _T[lang]["head"].format(id=head["last_id"], hash=head["last_hash"])


def _row(event: dict[str, Any]) -> dict[str, Any]:
    payload = event["payload"]
    return {
        "id": event["id"],
        "ts": event["ts"],
        "actor": event["actor"],
        "kind": event["kind"],
        "source_id": event["source_id"],
        "code_key": event["code_key"],
        "sentence": event["sentence"],
        "payload": payload if isinstance(payload, str) else canonical_json(payload),
        "prev_hash": event.get("prev_hash"),
        "hash": event.get("hash"),
    }


def render(log: Log, fmt: str = "text") -> str:
    """The log as ``text`` (``#id  time  sentence`` per line), ``jsonl`` (one JSON object
    per line: :data:`COLUMNS`, ``payload`` as JSON text) or ``csv`` (a header of
    :data:`COLUMNS`), each ending with the chain head: a last line in text, a last
    ``{"head": {"last_id", "last_hash"}}`` line in JSON Lines, a last row of kind
    :data:`HEAD_KIND` in CSV (its payload ``{"last_id", "last_hash"}``)."""
    if fmt not in FORMATS:
        raise DiplocodeError(
            "E060",
            param="format",
            owner="auditlog.render",
            constraint=f"one of {', '.join(FORMATS)}",
            value=fmt,
        )
    head_text = head_sentence(log.head, log.lang)
    if fmt == "text":
        lines = [
            f"#{e['id']}  {str(e['ts'])[:19].replace('T', ' ')}  {e['sentence']}"
            for e in log.events
        ]
        lines.append(head_text)
        return "\n".join(lines) + "\n"
    if fmt == "jsonl":
        lines = [json.dumps(_row(e), ensure_ascii=False) for e in log.events]
        lines.append(json.dumps({"head": log.head, "sentence": head_text}, ensure_ascii=False))
        return "\n".join(lines) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for e in log.events:
        writer.writerow({k: "" if v is None else v for k, v in _row(e).items()})
    writer.writerow(
        {
            "id": "",
            "ts": "",
            "actor": "",
            "kind": HEAD_KIND,
            "source_id": "",
            "code_key": "",
            "sentence": head_text,
            "payload": canonical_json(log.head),
            "prev_hash": "",
            "hash": log.head["last_hash"],
        }
    )
    return buffer.getvalue()
