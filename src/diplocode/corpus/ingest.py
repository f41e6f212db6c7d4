"""Ingestion: files -> sources, segments and audit events, one transaction per source.

The work is split in two so it can run anywhere:

* :func:`prepare` is pure (file bytes in, a :class:`Prepared` out: text, paragraphs,
  languages, sentences, digests) and can run in worker processes or on a Dask cluster;
* :func:`store_prepared` writes one prepared source, its actors, segments and its
  ``source.added`` audit event in **one** transaction.

:func:`ingest` runs both over a batch: a bad file is reported (with its coded error)
and skipped, the batch goes on, and nothing of a failed file is left in the store.
The same bytes are always one source (SHA-256 of the original bytes), so running an
ingest twice adds nothing.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from .. import audit
from ..attribution import gazetteer as gz
from ..attribution.resolver import seed_if_new
from ..errors import DiplocodeError
from ..store import Store, now
from ..store import sources as q
from .langid import Detection, LanguageDetector
from .metadata import SourceMeta, actor_key
from .readers import SUPPORTED, ReadOptions, read_bytes
from .readers.base import file_ext
from .segment import paragraphs, sentences

__all__ = [
    "IngestItem",
    "IngestResult",
    "Prepared",
    "collect",
    "ingest",
    "prepare",
    "store_prepared",
]


@dataclass(frozen=True)
class IngestItem:
    """One file to ingest with what the user said about it."""

    path: Path
    meta: SourceMeta = field(default_factory=SourceMeta)
    origin: str | None = None  # e.g. "manifest sources.csv, row 4", for messages


@dataclass
class Prepared:
    """A source ready to be stored: everything computed, nothing written."""

    path: Path
    meta: SourceMeta
    sha256_bytes: str
    sha256_text: str
    n_bytes: int
    text: str
    media_type: str
    encoding: str | None
    title: str
    pages: list[tuple[int, int, int]]
    reader_meta: dict[str, str]
    paragraphs: list[tuple[int, int]]
    paragraph_langs: list[Detection]
    sentences: list[tuple[int, int, int]]  # (start, end, paragraph ordinal)


@dataclass
class IngestResult:
    """What happened to one file."""

    path: Path
    status: str  # added | duplicate | failed
    source_id: int | None = None
    error: DiplocodeError | None = None
    language: str | None = None
    n_paragraphs: int = 0
    n_sentences: int = 0
    n_chars: int = 0
    n_bytes: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    #: what a summary must say: ``no_actor`` and ``no_group`` (added without them: the source
    #: counts as group 'other' and by no author), ``kept_metadata`` (a duplicate: the stored
    #: source keeps what was said before; correct it with ``corpus.edit.edit_source``)
    notes: tuple[str, ...] = ()


def collect(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[Path]]:
    """Expand folders (recursively, sorted) into readable files.

    Returns ``(files, ignored)``: files named explicitly are always kept (an unknown
    extension then gets its coded error at ingest); files found in folders are kept
    when their extension is supported, and hidden files (``.*``, macOS ``._*``) are
    ignored.
    """
    files: list[Path] = []
    ignored: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.is_file()):
                rel = found.relative_to(path)
                if (
                    any(part.startswith(".") for part in rel.parts)
                    or file_ext(found) not in SUPPORTED
                ):
                    ignored.append(found)
                else:
                    files.append(found)
        else:
            files.append(path)
    return files, ignored


def prepare(
    path: Path,
    data: bytes,
    meta: SourceMeta,
    detector: LanguageDetector,
    options: ReadOptions | None = None,
    sha256_bytes: str | None = None,
) -> Prepared:
    """Read, normalise, split into paragraphs, detect languages, split into sentences."""
    doc = read_bytes(data, path, options)
    text = doc.text
    paras = paragraphs(text, doc.blocks or None)
    if meta.language:
        langs = [Detection(meta.language, 1.0, "declared")] * len(paras)
    else:
        langs = detector.label(text, paras)
    sents: list[tuple[int, int, int]] = []
    for ordinal, ((start, end), det) in enumerate(zip(paras, langs, strict=True)):
        sents.extend((s, e, ordinal) for s, e in sentences(text, start, end, det.language))
    return Prepared(
        path=path,
        meta=meta,
        sha256_bytes=sha256_bytes or hashlib.sha256(data).hexdigest(),
        sha256_text=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        n_bytes=len(data),
        text=text,
        media_type=doc.media_type,
        encoding=doc.encoding,
        title=meta.title or doc.title or path.stem,
        pages=doc.pages,
        reader_meta=dict(doc.metadata),
        paragraphs=paras,
        paragraph_langs=langs,
        sentences=sents,
    )


def _language_shares(prep: Prepared) -> dict[str, float]:
    chars: Counter[str] = Counter()
    for (start, end), det in zip(prep.paragraphs, prep.paragraph_langs, strict=True):
        if det.language:
            chars[det.language] += end - start
    total = sum(chars.values())
    return {lang: round(n / total, 4) for lang, n in chars.most_common()} if total else {}


def store_prepared(
    store: Store,
    prep: Prepared,
    who: str = "system",
    actor_cache: dict[str, int] | None = None,
    new_actors: Collection[str] = (),
) -> IngestResult:
    """Write one prepared source in one transaction; a duplicate is reported, not added.

    Actor names resolve through the project's gazetteer (``Туркменистан`` and
    ``Turkmenistan`` are one actor). An unknown name close to a known one is refused
    (E100) unless it is listed in ``new_actors``; other unknown names create actors,
    reported in the result's ``extra["new_actors"]``."""
    shares = _language_shares(prep)
    language = next(iter(shares), None)
    year, month, day = prep.meta.date
    page_starts = [start for _, start, _ in prep.pages]
    try:
        with store.begin() as conn:
            # no look-up first: the unique digest turns a duplicate into IntegrityError below
            source_id = q.insert_source(
                conn,
                {
                    "title": prep.title,
                    "source_group": prep.meta.group or "other",
                    "date_year": year,
                    "date_month": month,
                    "date_day": day,
                    "language": language,
                    "languages": shares,
                    "url": prep.meta.url,
                    "publisher": prep.meta.publisher,
                    "original_filename": prep.path.name,
                    "media_type": prep.media_type,
                    "encoding": prep.encoding,
                    "sha256_bytes": prep.sha256_bytes,
                    "sha256_text": prep.sha256_text,
                    "n_bytes": prep.n_bytes,
                    "n_chars": len(prep.text),
                    "n_words": count_words(prep.text),
                    "text": prep.text,
                    "page_map": [list(p) for p in prep.pages],
                    "extra": {**prep.reader_meta, **prep.meta.extra},
                    "created_at": now(),
                    "created_by": who,
                },
            )
            links, created = _actor_links(conn, prep, actor_cache, new_actors)
            q.link_actors(conn, source_id, links)
            q.insert_segments(conn, _segment_rows(source_id, prep, page_starts))
            audit.source_added(
                conn,
                who,
                source_id,
                {
                    "file": prep.path.name,
                    "sha256_bytes": prep.sha256_bytes,
                    "sha256_text": prep.sha256_text,
                    "title": prep.title,
                    "actors": [list(a) for a in prep.meta.actors],
                    "group": prep.meta.group or "other",
                    "date": [year, month, day],
                    "languages": shares,
                    "paragraphs": len(prep.paragraphs),
                    "sentences": len(prep.sentences),
                },
            )
    except IntegrityError:
        # another writer stored the same bytes between our check and our insert
        if actor_cache is not None:
            actor_cache.clear()  # ids cached in the rolled-back transaction may not exist
        with store.read() as conn:
            existing = q.source_id_by_sha(conn, prep.sha256_bytes)
        if existing is None:
            raise
        return IngestResult(
            prep.path, "duplicate", existing, n_bytes=prep.n_bytes, notes=("kept_metadata",)
        )
    except BaseException:
        if actor_cache is not None:
            actor_cache.clear()  # the transaction rolled back: cached actor ids may be gone
        raise
    return IngestResult(
        prep.path,
        "added",
        source_id,
        language=language,
        n_paragraphs=len(prep.paragraphs),
        n_sentences=len(prep.sentences),
        n_chars=len(prep.text),
        n_bytes=prep.n_bytes,
        extra={"new_actors": created} if created else {},
        notes=tuple(
            note
            for note, missing in (
                ("no_actor", not prep.meta.actors),
                ("no_group", not prep.meta.group),
            )
            if missing
        ),
    )


_WORDS = re.compile(r"\w+")


def count_words(text: str) -> int:
    """Words of a text (runs of letters and digits): the denominator of trends per
    10,000 words.

    >>> count_words("Қытай мен Ресей, 2023 ж.")
    5
    """
    return sum(1 for _ in _WORDS.finditer(text))


def _actor_links(
    conn: Any,
    prep: Prepared,
    cache: dict[str, int] | None,
    confirmed: Collection[str],
) -> tuple[list[tuple[int, str]], list[str]]:
    """(actor id, role) per named actor, resolved through the gazetteer; and the names
    that created new actors."""
    links: list[tuple[int, str]] = []
    created: list[str] = []
    for name, role in prep.meta.actors:
        actor_id = cache.get(name) if cache is not None else None
        if actor_id is None:
            actor_id = gz.resolve_actor(conn, name)
        if actor_id is None:
            close = [] if name in confirmed else gz.close_matches(conn, name)
            if close:
                raise DiplocodeError(
                    "E100",
                    where=prep.path.name,
                    name=name,
                    matches=" or ".join(f"'{c}'" for c in close),
                )
            actor_id = q.get_or_create_actor(conn, actor_key(name), name)
            # its own name stands for it from now on (in any language's text); a name that
            # is no valid lexicon entry leaves the actor with its key only
            with contextlib.suppress(DiplocodeError):
                gz.add_name(conn, actor_id, name, "en", "name")
            created.append(name)
        if cache is not None:
            cache[name] = actor_id
        if (actor_id, role) not in links:
            links.append((actor_id, role))
    return links, created


def _segment_rows(
    source_id: int, prep: Prepared, page_starts: Sequence[int]
) -> list[tuple[Any, ...]]:
    """Paragraph then sentence rows, as tuples in ``q.SEGMENT_COLUMNS`` order."""

    def page_of(offset: int) -> int | None:
        if not page_starts:
            return None
        return prep.pages[max(bisect.bisect_right(page_starts, offset) - 1, 0)][0]

    para_pages = [page_of(start) for start, _ in prep.paragraphs]
    langs = prep.paragraph_langs
    rows: list[tuple[Any, ...]] = [
        (
            source_id,
            "paragraph",
            i,
            i,
            start,
            end,
            langs[i].language,
            langs[i].method,
            para_pages[i],
        )
        for i, (start, end) in enumerate(prep.paragraphs)
    ]
    rows.extend(
        (
            source_id,
            "sentence",
            i,
            para,
            start,
            end,
            langs[para].language,
            langs[para].method,
            para_pages[para],
        )
        for i, (start, end, para) in enumerate(prep.sentences)
    )
    return rows


def _load(
    item: IngestItem,
    detector: LanguageDetector,
    options: ReadOptions | None,
    known: Callable[[str], int | None],
) -> Prepared | IngestResult:
    """Read one file and prepare it, or say why not (errors become results)."""
    try:
        path = item.path
        ext = file_ext(path)
        if ext not in SUPPORTED:
            raise DiplocodeError(
                "E003", path=str(path), ext=ext or "(none)", allowed=", ".join(sorted(SUPPORTED))
            )
        if not path.is_file():
            raise DiplocodeError("E010", path=str(path), base=str(Path.cwd()))
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        existing = known(digest)
        if existing is not None:  # same bytes: skip before any parsing
            return IngestResult(
                path, "duplicate", existing, n_bytes=len(data), notes=("kept_metadata",)
            )
        return prepare(path, data, item.meta, detector, options, digest)
    except DiplocodeError as e:
        return IngestResult(item.path, "failed", error=e)


def _prepare_worker(
    args: tuple[IngestItem, tuple[str, ...], int, ReadOptions | None],
) -> Prepared | IngestResult:
    item, languages, min_chars, options = args
    return _load(item, _detector(languages, min_chars), options, lambda _digest: None)


_DETECTORS: dict[tuple[tuple[str, ...], int], LanguageDetector] = {}


def _detector(languages: tuple[str, ...], min_chars: int) -> LanguageDetector:
    key = (languages, min_chars)
    if key not in _DETECTORS:
        _DETECTORS[key] = LanguageDetector(languages, min_chars)
    return _DETECTORS[key]


def ingest(
    store: Store,
    items: Iterable[IngestItem],
    *,
    languages: Sequence[str],
    min_chars: int = 40,
    options: ReadOptions | None = None,
    who: str = "system",
    executor: Executor | None = None,
    new_actors: Collection[str] = (),
) -> Iterator[IngestResult]:
    """Ingest a batch, yielding one :class:`IngestResult` per item, in order.

    With an ``executor`` (e.g. a ``ProcessPoolExecutor``), reading and preparing run
    in parallel while this process writes; the results are identical either way.
    """
    detector = _detector(tuple(languages), min_chars)
    seed_if_new(store, who)  # names resolve through the gazetteer
    actor_cache: dict[str, int] = {}
    with store.read() as reader:

        def known(digest: str) -> int | None:
            try:
                return q.source_id_by_sha(reader, digest)
            finally:
                reader.rollback()  # end the read transaction: the next check sees new commits

        if executor is None:
            prepared: Iterable[Prepared | IngestResult] = (
                _load(item, detector, options, known) for item in items
            )
        else:
            jobs = ((item, tuple(languages), min_chars, options) for item in items)
            prepared = executor.map(_prepare_worker, jobs, chunksize=4)
        for prep in prepared:
            if isinstance(prep, IngestResult):
                yield prep
                continue
            try:
                yield store_prepared(store, prep, who, actor_cache, new_actors)
            except DiplocodeError as e:
                yield IngestResult(prep.path, "failed", error=e)
