"""Ingestion end to end: metadata, segments, languages, idempotence, bad input, atomicity."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from diplocode import audit
from diplocode.corpus.ingest import IngestItem, collect, ingest
from diplocode.corpus.manifest import read_manifest
from diplocode.corpus.metadata import SourceMeta
from diplocode.corpus.readers import ReadOptions
from diplocode.project import Project
from diplocode.store import schema
from diplocode.store.sources import SourceFilter, get_source, list_sources, segments_of

EN = (
    "The Silk Road Economic Belt was announced by President Xi Jinping in Astana in September 2013. "
    "Mr. Xi spoke at Nazarbayev University about people-to-people bonds.\n\n"
    "Scholarships, Confucius Institutes and university partnerships followed. They were meant to build trust."
)
RU = (
    "Россия опирается на историческую память и русскоязычное образовательное пространство. "
    "В 2015 г. в Астане открылся новый центр, т.е. ещё одна площадка для диалога."
)
KK = (
    "Қазақстан көпвекторлы сыртқы саясатты ұстанады және мәдени-гуманитарлық ынтымақтастықты дамытады. "
    "Бұл бағыт 2019 ж. жаңа серпін алды."
)
ZH = "中国与中亚国家加强人文交流。双方同意扩大留学生规模！民心相通是共建一带一路的社会根基。"


def _counts(project: Project) -> dict[str, int]:
    with project.store.read() as conn:
        counts = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar()
            for t in (schema.sources, schema.segments, schema.source_actors, schema.actors)
        }
        events = schema.audit_events
        added = select(func.count()).select_from(events).where(events.c.kind == "source.added")
        counts["audit_events"] = conn.execute(added).scalar()
        return counts


def _ingest(project: Project, items, **kw):
    return list(ingest(project.store, items, languages=project.languages, **kw))


def test_a_text_source_with_metadata(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "xi-astana.txt"
    path.write_text(EN, encoding="utf-8")
    meta = SourceMeta(
        actors=(("China", "author"), ("Kazakhstan", "subject")),
        group="official",
        date=(2013, 9, 7),
        url="https://example.org/x",
    )
    [result] = _ingest(project, [IngestItem(path, meta)])
    assert result.status == "added" and result.language == "en"
    with project.store.read() as conn:
        source = get_source(conn, result.source_id)
        paras = segments_of(conn, result.source_id, "paragraph")
        sents = segments_of(conn, result.source_id, "sentence")
    assert source["title"] == "xi-astana"
    assert source["actors"] == [("China", "author"), ("Kazakhstan", "subject")]
    assert (source["date_year"], source["date_month"], source["date_day"]) == (2013, 9, 7)
    assert source["source_group"] == "official" and source["url"] == "https://example.org/x"
    assert source["original_filename"] == "xi-astana.txt" and source["media_type"] == "text/plain"
    assert len(source["sha256_bytes"]) == 64 and source["text"] == EN
    assert len(paras) == 2
    assert [source["text"][s["start"] : s["end"]] for s in sents][:2] == [
        "The Silk Road Economic Belt was announced by President Xi Jinping in Astana in September 2013.",
        "Mr. Xi spoke at Nazarbayev University about people-to-people bonds.",
    ]
    assert len(sents) == 4
    assert all(s["language"] == "en" for s in sents)
    with project.store.read() as conn:
        [event] = list(audit.events(conn, kind="source.added"))
    assert (
        event["source_id"] == result.source_id
        and event["payload"]["sha256_text"] == source["sha256_text"]
    )


def test_a_multilingual_document_gets_a_language_per_paragraph(
    project: Project, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.txt"
    path.write_text("\n\n".join([KK, RU, EN, ZH, "Түйін сөздер"]), encoding="utf-8")
    [result] = _ingest(project, [IngestItem(path)])
    with project.store.read() as conn:
        paras = segments_of(conn, result.source_id, "paragraph")
        source = get_source(conn, result.source_id)
    assert [p["language"] for p in paras] == ["kk", "ru", "en", "en", "zh", "zh"]
    assert paras[-1]["language_method"] == "inherited"  # too short to detect: takes its neighbour's
    assert set(source["languages"]) == {"kk", "ru", "en", "zh"}


def test_declared_language_overrides_detection(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "kk.txt"
    path.write_text(KK, encoding="utf-8")
    [result] = _ingest(project, [IngestItem(path, SourceMeta(language="ru"))])
    with project.store.read() as conn:
        paras = segments_of(conn, result.source_id, "paragraph")
    assert {(p["language"], p["language_method"]) for p in paras} == {("ru", "declared")}


def test_the_same_bytes_are_one_source(project: Project, tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    a.write_text(RU, encoding="utf-8")
    b = tmp_path / "copy-of-a.txt"
    b.write_bytes(a.read_bytes())
    first = _ingest(project, [IngestItem(a)])
    before = _counts(project)
    again = _ingest(project, [IngestItem(a), IngestItem(b)])
    assert [r.status for r in first] == ["added"]
    assert [r.status for r in again] == ["duplicate", "duplicate"]
    assert {r.source_id for r in again} == {first[0].source_id}
    assert _counts(project) == before


def test_actors_are_shared_between_sources(project: Project, tmp_path: Path) -> None:
    for i, text in enumerate([EN, RU, KK]):
        (tmp_path / f"{i}.txt").write_text(text, encoding="utf-8")
    before = _counts(project)["actors"]  # the built-in gazetteer's actors
    names = ["Kazakhstan", "Қазақстан", "Казахстан"]  # one actor, many names (#9)
    items = [
        IngestItem(tmp_path / f"{i}.txt", SourceMeta(actors=((names[i], "author"),)))
        for i in range(3)
    ]
    _ingest(project, items)
    assert _counts(project)["actors"] == before
    with project.store.read() as conn:
        linked = conn.execute(
            select(func.count(schema.source_actors.c.actor_id.distinct()))
        ).scalar()
    assert linked == 1
    with project.store.read() as conn:
        assert len(list_sources(conn, SourceFilter(actor="kazakhstan"))) == 3
        assert len(list_sources(conn, SourceFilter(language="kk"))) == 1


def _pdf(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for page in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, page)
    pdf.output(str(path))
    return path


def test_pdf_pages_are_kept_for_citation(project: Project, tmp_path: Path) -> None:
    pages = [
        "The first C5+1 ministerial meeting took place in Samarkand in November 2015.",
        "The first China-Central Asia summit was held in Xi'an in May 2023.",
        "The first C5+1 presidential summit took place in New York in September 2023.",
    ]
    [result] = _ingest(
        project,
        [IngestItem(_pdf(tmp_path / "milestones.pdf", pages), SourceMeta(group="analytical"))],
    )
    assert result.status == "added", result.error
    with project.store.read() as conn:
        source = get_source(conn, result.source_id)
        sents = segments_of(conn, result.source_id, "sentence")
    assert [p[0] for p in source["page_map"]] == [1, 2, 3]
    by_page = {s["page"]: source["text"][s["start"] : s["end"]] for s in sents}
    assert "Samarkand" in by_page[1] and "Xi'an" in by_page[2] and "New York" in by_page[3]


# -- bad input: a coded error, the batch goes on, nothing half-written ------------------------
def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    for _ in range(30):
        document.add_paragraph("Cultural and humanitarian cooperation in Central Asia. " * 5)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document/>")
        zf.writestr("word/media/zeros.bin", b"\0" * (40 * 1024 * 1024))
    return path


def _encrypted_pdf(path: Path) -> Path:
    from fpdf import FPDF
    from fpdf.enums import EncryptionMethod

    pdf = FPDF()
    pdf.set_encryption(
        owner_password="owner", user_password="secret", encryption_method=EncryptionMethod.RC4
    )
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Confidential memorandum on scholarships.")
    pdf.output(str(path))
    return path


BAD_INPUTS = {
    "empty": ("empty.txt", lambda p: p.write_bytes(b""), "E001"),
    "garbage-pdf": ("report.pdf", lambda p: p.write_bytes(bytes(range(256)) * 40), "E005"),
    "encrypted-pdf": ("secret.pdf", _encrypted_pdf, "E006"),
    "truncated-docx": ("cut.docx", lambda p: p.write_bytes(_docx_bytes()[:3000]), "E007"),
    "docx-zip-bomb": ("bomb.docx", _zip_bomb, "E008"),
    "too-large": (
        "big.txt",
        lambda p: p.write_text("Большой текст. " * 20000, encoding="utf-8"),
        "E002",
    ),
    "undecodable": (
        "cp1251.txt",
        lambda p: p.write_bytes("Культурное сотрудничество".encode("cp1251")),
        "E004",
    ),
    "binary-as-text": ("blob.txt", lambda p: p.write_bytes(bytes(range(256)) * 20), "E011"),
    "unknown-extension": ("table.xyz", lambda p: p.write_text("a,b\n1,2\n"), "E003"),
    "missing-file": ("does-not-exist.txt", lambda p: None, "E010"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_coded_and_leaves_nothing_behind(
    project: Project, tmp_path: Path, case: str
) -> None:
    name, make, code = BAD_INPUTS[case]
    bad = tmp_path / name
    make(bad)
    good1, good2 = tmp_path / "good1.txt", tmp_path / "good2.txt"
    good1.write_text(EN, encoding="utf-8")
    good2.write_text(KK, encoding="utf-8")
    options = ReadOptions(
        max_file_mb=0.1 if case == "too-large" else 200,
        max_expanded_mb=5,
        encoding="utf-8" if case == "undecodable" else None,
    )
    results = _ingest(
        project, [IngestItem(good1), IngestItem(bad), IngestItem(good2)], options=options
    )
    assert [r.status for r in results] == ["added", "failed", "added"]
    error = results[1].error
    assert error is not None and error.code == code, error
    assert name in str(error)
    assert error.fix  # says how to fix
    counts = _counts(project)
    assert counts["sources"] == 2 and counts["audit_events"] == 2


def test_a_manifest_pointing_at_a_missing_file(project: Project, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(EN, encoding="utf-8")
    manifest = tmp_path / "sources.csv"
    manifest.write_text(
        "path,actors,group,date\na.txt,China,official,2013\nnot-there.txt,Russia,official,2014\n",
        encoding="utf-8",
    )
    parsed = read_manifest(manifest, project.languages)
    [(row, error)] = parsed.errors
    assert (row, error.code) == (3, "E021") and "not-there.txt" in str(error)
    results = _ingest(project, [IngestItem(r.path, r.meta) for r in parsed.rows])
    assert [r.status for r in results] == ["added"]
    assert _counts(project)["sources"] == 1


def test_a_failure_inside_the_transaction_rolls_everything_back(
    project: Project, tmp_path: Path, monkeypatch
) -> None:
    """If anything fails after the source row is written, no row of it remains."""
    path = tmp_path / "a.txt"
    path.write_text(EN, encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "source_added", broken)
    before = _counts(project)
    with pytest.raises(RuntimeError):
        _ingest(project, [IngestItem(path, SourceMeta(actors=(("Chinaland", "author"),)))])
    assert before["sources"] == before["audit_events"] == 0
    assert _counts(project) == before  # not even the new actor


def test_folders_are_walked_and_hidden_files_ignored(tmp_path: Path) -> None:
    (tmp_path / "corpus" / "ru").mkdir(parents=True)
    (tmp_path / "corpus" / "a.txt").write_text(EN)
    (tmp_path / "corpus" / "ru" / "b.md").write_text(RU)
    (tmp_path / "corpus" / "._a.txt").write_bytes(b"\0\1junk")
    (tmp_path / "corpus" / "notes.xlsx").write_bytes(b"PK")
    files, ignored = collect([tmp_path / "corpus"])
    assert [f.name for f in files] == ["a.txt", "b.md"]
    assert sorted(f.name for f in ignored) == ["._a.txt", "notes.xlsx"]


def test_parallel_preparation_gives_identical_results(tmp_path: Path, db_url: str) -> None:
    from concurrent.futures import ProcessPoolExecutor

    for i, text in enumerate([EN, RU, KK, ZH]):
        (tmp_path / f"{i}.txt").write_text(text, encoding="utf-8")
    items = [IngestItem(tmp_path / f"{i}.txt") for i in range(4)]
    with Project.init(db_url) as proj, ProcessPoolExecutor(2) as pool:
        results = list(ingest(proj.store, items, languages=proj.languages, executor=pool))
        with proj.store.read() as conn:
            got = [
                [
                    (s["start"], s["end"], s["language"])
                    for s in segments_of(conn, r.source_id, "sentence")
                ]
                for r in results
            ]
    second = tmp_path / "serial"
    second.mkdir()
    with Project.init(second / "p.db") as proj:
        serial = list(ingest(proj.store, items, languages=proj.languages))
        with proj.store.read() as conn:
            want = [
                [
                    (s["start"], s["end"], s["language"])
                    for s in segments_of(conn, r.source_id, "sentence")
                ]
                for r in serial
            ]
    assert got == want
    assert [r.language for r in results] == ["en", "ru", "kk", "zh"]
