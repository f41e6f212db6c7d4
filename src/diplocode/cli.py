"""The ``diplocode`` command line: thin commands that parse arguments and call the library."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, TypeGuard

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from . import __version__
from .errors import DiplocodeError

app = typer.Typer(
    name="diplocode",
    help="Transparent, multilingual, comparative analysis of diplomatic and policy documents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Inspect and upgrade the project database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
codebook_app = typer.Typer(
    help="Codebooks: list, show, validate, import, export, diff.", no_args_is_help=True
)
app.add_typer(codebook_app, name="codebook")
audit_app = typer.Typer(help="The audit trail: every change, hash-chained.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
source_app = typer.Typer(
    help="Correct a source's metadata, delete a source, restore a deleted one.",
    no_args_is_help=True,
)
app.add_typer(source_app, name="source")
actors_app = typer.Typer(
    help="Actors and the gazetteer of their names (who each passage is about).",
    no_args_is_help=True,
)
app.add_typer(actors_app, name="actors")

console = Console()
err_console = Console(stderr=True)

ProjectOpt = Annotated[
    str | None,
    typer.Option(
        "--project",
        "-p",
        help="Project file or database URL (default: $DIPLOCODE_PROJECT or ./diplocode.db).",
        show_default=False,
    ),
]


def _fail(error: DiplocodeError, code: int = 2) -> None:
    err_console.print(f"[bold red]error[/] {error}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


def _bad_choice(param: str, owner: str, constraint: str, value: object) -> None:
    _fail(DiplocodeError("E060", param=param, owner=owner, constraint=constraint, value=value))


def _one_of(param: str, owner: str, value: str, allowed: Sequence[str]) -> None:
    """E060 listing ``allowed`` unless ``value`` is one of them (before any work is done)."""
    if value not in allowed:
        _bad_choice(param, owner, f"one of {', '.join(allowed)}", value)


#: How the command line spells the source filter's fields (for its error messages).
_FILTER_FLAGS = {
    "actor": "--actor",
    "group": "--group",
    "language": "--lang",
    "year_from": "--from",
    "year_to": "--to",
}


def _source_filter(proj: Any, **fields: Any) -> Any:
    """The source filter from command-line options, validated for the project
    (:meth:`SourceFilter.validate`: E025, E024, E060, E120, E103; exit code 2)."""
    from .store.sources import SourceFilter

    return _validated(proj, SourceFilter(**fields))


def _validated(proj: Any, flt: Any) -> Any:
    try:
        with proj.store.read() as conn:
            flt = flt.validate(proj.languages, conn, names=_FILTER_FLAGS)
    except DiplocodeError as e:
        _fail(e)
    return flt


def _open(project: str | None):
    from .project import Project, find_project

    try:
        return Project.open(find_project(project))
    except DiplocodeError as e:
        _fail(e)


def _who(user: str | None) -> str:
    """Who acts, for the audit trail: --user, else $DIPLOCODE_USER, else $USER, else 'system'."""
    return user or os.environ.get("DIPLOCODE_USER") or os.environ.get("USER") or "system"


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"diplocode {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """diplocode: code diplomatic and policy documents in English, Russian, Kazakh and Chinese."""


@app.command()
def init(
    where: Annotated[
        str,
        typer.Argument(help="A new SQLite file (e.g. project.db) or postgresql://user@host/db."),
    ] = "diplocode.db",
    languages: Annotated[
        str, typer.Option("--languages", help="Comma-separated ISO codes to detect among.")
    ] = "en,ru,kk,zh,tr,ky,uz,tg,tk",
    name: Annotated[str | None, typer.Option(help="A name for the project.")] = None,
    codebook: Annotated[
        str,
        typer.Option("--codebook", help="A built-in codebook, a YAML/JSON file, or 'none'."),
    ] = "cultural-diplomacy",
) -> None:
    """Create a new project.

    Example: diplocode init central-asia.db
    """
    from .project import Project, describe

    book = None if codebook.lower() == "none" else _load_codebook_arg(codebook)
    try:
        project = Project.init(
            where,
            languages=[x.strip() for x in languages.split(",") if x.strip()],
            name=name,
            codebook=book,
        )
    except DiplocodeError as e:
        _fail(e)
    with project:
        console.print(
            f"Created project [bold]{describe(where)}[/] (languages: {', '.join(project.languages)})."
        )
        console.print(f"Next: diplocode add FILES_OR_FOLDERS --project {describe(where)}")


@app.command()
def add(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders (walked recursively).", show_default=False),
    ] = None,
    project: ProjectOpt = None,
    actor: Annotated[
        list[str] | None,
        typer.Option(
            "--actor", "-a", help="NAME or NAME:ROLE (author, co-signatory, subject); repeatable."
        ),
    ] = None,
    group: Annotated[
        str | None,
        typer.Option(
            "--group", "-g", help="official, academic, analytical, media, interview or other."
        ),
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", "-d", help="YYYY, YYYY-MM or YYYY-MM-DD.")
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", help="Declare the language of every paragraph instead of detecting it."
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="Title (default: from the file, else its name).")
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="Where the source was published.")
    ] = None,
    publisher: Annotated[str | None, typer.Option("--publisher", help="Who published it.")] = None,
    manifest: Annotated[
        Path | None,
        typer.Option(
            "--manifest", "-m", help="CSV/TSV/YAML with a 'path' column and metadata per file."
        ),
    ] = None,
    max_file_mb: Annotated[
        float | None,
        typer.Option("--max-file-mb", help="Refuse files larger than this (default 200)."),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="Force the text encoding of TXT/MD files.")
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Worker processes for reading (1 = none).")
    ] = 1,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            help="Who is adding, for the audit trail (default: $DIPLOCODE_USER, else $USER).",
        ),
    ] = None,
    new_actor: Annotated[
        list[str] | None,
        typer.Option(
            "--new-actor",
            help="Confirm that this actor name is a new actor although it looks like a known one; repeatable.",
        ),
    ] = None,
) -> None:
    """Add sources (PDF, DOCX, HTML, TXT, Markdown, ODT) to the project.

    Actor names resolve through the project's gazetteer (Туркменистан, Turkmenistan and
    Түрікменстан are one actor); a name close to a known actor's is refused (E100) unless
    confirmed with --new-actor.

    Example: diplocode add speeches/ --actor China --group official --date 2015
    Example: diplocode add --manifest sources.csv
    """
    from .corpus.ingest import IngestItem, IngestResult, collect, ingest
    from .corpus.manifest import read_manifest
    from .corpus.metadata import build
    from .corpus.readers import ReadOptions

    if not paths and manifest is None:
        err_console.print("Nothing to add: give files, folders, or --manifest FILE.")
        raise typer.Exit(2)
    if jobs < 1:
        _bad_choice("jobs", "diplocode add", "an integer >= 1", jobs)
    if max_file_mb is not None and max_file_mb <= 0:
        _bad_choice("max-file-mb", "diplocode add", "a number > 0", max_file_mb)
    with _open(project) as proj:
        languages = proj.languages
        try:
            defaults = build(
                locate=lambda field: f"--{field}" if field != "actors" else "--actor",
                languages=languages,
                title=title,
                actors=actor,
                group=group,
                date=date,
                language=lang,
                url=url,
                publisher=publisher,
            )
        except DiplocodeError as e:
            _fail(e)
        items: list[IngestItem] = []
        failed_early: list[IngestResult] = []
        ignored: list[Path] = []
        if manifest is not None:
            try:
                parsed = read_manifest(manifest, languages)
            except DiplocodeError as e:
                _fail(e)
            for row_no, error in parsed.errors:
                failed_early.append(
                    IngestResult(Path(f"{manifest.name}:row {row_no}"), "failed", error=error)
                )
            items += [
                IngestItem(r.path, r.meta.over(defaults), f"{manifest.name}, row {r.row}")
                for r in parsed.rows
            ]
        if paths:
            files, ignored = collect(paths)
            items += [IngestItem(f, defaults) for f in files]
        options = ReadOptions(
            encoding=encoding, **({"max_file_mb": max_file_mb} if max_file_mb else {})
        )
        results = list(failed_early)
        executor = None
        if jobs > 1:
            from concurrent.futures import ProcessPoolExecutor

            executor = ProcessPoolExecutor(max_workers=jobs)
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
            disable=len(items) < 2,
        ) as progress:
            task = progress.add_task("Adding sources", total=len(items))
            for result in ingest(
                proj.store,
                items,
                languages=languages,
                options=options,
                who=_who(user),
                executor=executor,
                new_actors=tuple(new_actor or ()),
            ):
                results.append(result)
                progress.advance(task)
        if executor is not None:
            executor.shutdown()
    _print_ingest_summary(results, ignored)
    _print_metadata_gaps(results)
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


def _print_metadata_gaps(results) -> None:
    """What the summary must not hide (the ingest's ``notes``): sources added without an
    actor or a group, and files already in the project whose metadata was left as it was."""

    def ids(note: str) -> tuple[int, str]:
        found = [r.source_id for r in results if note in r.notes and r.source_id]
        return len(found), ", ".join(f"#{i}" for i in found[:10]) + (
            " ..." if len(found) > 10 else ""
        )

    n, shown = ids("no_actor")
    if n:
        console.print(
            f"[yellow]{n} source(s) have no actor[/] ({shown}): they count only where a passage "
            "names an actor, never by author or subject. Add one with "
            "'diplocode source edit N --actor NAME[:ROLE]'.",
            highlight=False,
        )
    n, _ = ids("no_group")
    if n:
        console.print(
            f"[yellow]{n} source(s) have no group[/] and count as 'other'; "
            "set one with 'diplocode source edit N --group official|academic|analytical|...'.",
            highlight=False,
        )
    n, shown = ids("kept_metadata")
    if n:
        console.print(
            f"{n} file(s) already in the project kept their metadata ({shown}): "
            "correct it with 'diplocode source edit N ...'.",
            highlight=False,
        )


def _print_ingest_summary(results, ignored) -> None:
    counts = Counter(r.status for r in results)
    langs = Counter(r.language for r in results if r.status == "added" and r.language)
    console.print(
        f"[bold]{counts['added']}[/] added, {counts['duplicate']} already in the project, "
        f"[{'red' if counts['failed'] else 'green'}]{counts['failed']} failed[/]"
        + (f"; languages: {', '.join(f'{k} {v}' for k, v in langs.most_common())}" if langs else "")
        + (f"; {len(ignored)} files of other types ignored" if ignored else "")
    )
    created = sorted({n for r in results for n in r.extra.get("new_actors", [])})
    if created:
        console.print(
            f"[yellow]New actors created:[/] {', '.join(created)}. They have no other names yet: "
            "add them with 'diplocode actors name ACTOR NAME --lang LANG' so passages that "
            "mention them are attributed.",
            highlight=False,
        )
    failed = [r for r in results if r.status == "failed"]
    if failed:
        table = Table(title="Failed", show_lines=False, title_justify="left")
        table.add_column("file", overflow="fold")
        table.add_column("code")
        table.add_column("what and how to fix", overflow="fold")
        for r in failed:
            assert r.error is not None
            table.add_row(str(r.path), r.error.code, f"{r.error.what} {r.error.fix}")
        console.print(table)


@app.command("sources")
def list_sources_cmd(
    project: ProjectOpt = None,
    actor: Annotated[
        str | None, typer.Option("--actor", "-a", help="Only sources with this actor.")
    ] = None,
    group: Annotated[str | None, typer.Option("--group", "-g")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Main language.")] = None,
    year_from: Annotated[int | None, typer.Option("--from", help="From this year.")] = None,
    year_to: Annotated[int | None, typer.Option("--to", help="Up to this year.")] = None,
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Text in the title or file name.")
    ] = None,
    where: WhereOpt = None,
    limit: Annotated[int, typer.Option(help="Show at most this many.")] = 200,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """List sources, with filters (custom attributes with --where KEY=VALUE).

    Example: diplocode sources --actor Kazakhstan --from 2013 --to 2025
    """
    from .store.sources import count_sources, list_sources

    _one_of("format", "diplocode sources", fmt, ("table", "csv", "json"))
    if limit < 0:
        _bad_choice("limit", "diplocode sources", "an integer >= 0", limit)
    from .store.sources import parse_attributes

    try:
        attributes = parse_attributes(where or [], "--where")
    except DiplocodeError as e:
        _fail(e)
    with _open(project) as proj:
        flt = _source_filter(
            proj,
            actor=actor,
            group=group,
            language=lang,
            year_from=year_from,
            year_to=year_to,
            text=search,
            attributes=attributes,
        )
        with proj.store.read() as conn:
            rows = list_sources(conn, flt, limit=limit)
            total = count_sources(conn, flt)
    if fmt in ("csv", "json"):
        _dump_rows(rows, fmt)
        return
    table = Table(title=f"{len(rows)} of {total} sources", title_justify="left")
    # short columns keep their width; title and actors share what is left and wrap
    table.add_column("#", no_wrap=True, min_width=2, justify="right")
    table.add_column("title", overflow="fold", ratio=3, min_width=16)
    table.add_column("actors", overflow="fold", ratio=2, min_width=12)
    table.add_column("group", no_wrap=True, min_width=8)
    table.add_column("date", no_wrap=True, min_width=7)
    table.add_column("lang", no_wrap=True, min_width=4)
    table.add_column("chars", no_wrap=True, justify="right", min_width=5)
    shown_attributes = any(r["attributes"] for r in rows)
    if shown_attributes:
        table.add_column("attributes", overflow="fold", ratio=2, min_width=10)
    wide = console.width >= 120  # the digest only where it fits; --format csv/json always has it
    if wide:
        table.add_column("sha256", no_wrap=True, min_width=10)
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["title"],
            ", ".join(n if role == "author" else f"{n} ({role})" for n, role in r["actors"]),
            r["source_group"],
            _date(r),
            r["language"] or "-",
            f"{r['n_chars']:,}",
            *(
                [", ".join(f"{k}={v}" for k, v in r["attributes"].items())]
                if shown_attributes
                else []
            ),
            *([r["sha256_bytes"][:10]] if wide else []),
        )
    console.print(table)


def _date(r: dict[str, Any]) -> str:
    parts = [r["date_year"], r["date_month"], r["date_day"]]
    return (
        "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts) if p is not None) or "-"
    )


def _dump_rows(rows: list[dict[str, Any]], fmt: str) -> None:
    import csv
    import json

    for r in rows:
        if isinstance(r.get("actors"), list):
            r["actors"] = "; ".join(f"{n}:{role}" for n, role in r["actors"])
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    if rows:
        # custom attributes as columns of their own (attr:KEY), in CSV
        keys = sorted({k for r in rows for k in (r.get("attributes") or {})})
        flat = [
            {
                **{k: v for k, v in r.items() if k != "attributes"},
                **{f"attr:{k}": (r.get("attributes") or {}).get(k, "") for k in keys},
            }
            for r in rows
        ]
        writer = csv.DictWriter(sys.stdout, fieldnames=list(flat[0]))
        writer.writeheader()
        writer.writerows(flat)


@app.command()
def show(
    source: Annotated[str, typer.Argument(help="Source number or SHA-256 prefix.")],
    project: ProjectOpt = None,
    paragraphs: Annotated[
        int,
        typer.Option(
            "--paragraphs", "-n", help="Show this many paragraphs with their language and page."
        ),
    ] = 5,
) -> None:
    """Show one source: metadata, languages, pages and its first paragraphs.

    Example: diplocode show 12
    """
    from .store.sources import get_source, resolve_source, segments_of

    if paragraphs < 0:
        _bad_choice("paragraphs", "diplocode show", "an integer >= 0", paragraphs)
    with _open(project) as proj, proj.store.read() as conn:
        try:
            sid = resolve_source(conn, source)
        except DiplocodeError as e:
            _fail(e)
        src = get_source(conn, sid)
        paras = segments_of(conn, sid, "paragraph")
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold")
    meta.add_column(overflow="fold")
    n_sent = sum(n for (kind, _), n in src["segment_counts"].items() if kind == "sentence")
    for key, value in [
        ("source", f"#{src['id']}"),
        ("title", src["title"]),
        ("actors", ", ".join(f"{n} ({r})" for n, r in src["actors"]) or "-"),
        ("group", src["source_group"]),
        ("date", _date(src)),
        ("languages", ", ".join(f"{k} {v:.0%}" for k, v in src["languages"].items()) or "-"),
        (
            "file",
            f"{src['original_filename']} ({src['media_type']}, {src['n_bytes']:,} bytes{', ' + src['encoding'] if src['encoding'] else ''})",
        ),
        ("pages", str(len(src["page_map"])) if src["page_map"] else "-"),
        ("segments", f"{len(paras)} paragraphs, {n_sent} sentences, {src['n_chars']:,} characters"),
        ("url", src["url"] or "-"),
        ("publisher", src["publisher"] or "-"),
        ("sha256", src["sha256_bytes"]),
        ("sha256 text", src["sha256_text"]),
        ("added", f"{src['created_at']} by {src['created_by']}"),
    ]:
        meta.add_row(key, value)
    console.print(meta)
    text = src["text"]
    for p in paras[:paragraphs]:
        where = f"p.{p['page']} " if p["page"] else ""
        snippet = text[p["start"] : p["end"]]
        snippet = snippet if len(snippet) <= 300 else snippet[:300] + "…"
        console.print(
            f"\n[dim]¶{p['ordinal'] + 1} {where}\\[{p['language'] or '?'}, {p['language_method']}] {p['start']}-{p['end']}[/]"
        )
        console.print(snippet, highlight=False, markup=False)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the demo project.")] = Path(
        "diplocode-demo"
    ),
    corpus: Annotated[
        Path | None,
        typer.Option(
            "--corpus", help="Your own folder with a manifest.csv instead of the built-in corpus."
        ),
    ] = None,
    framework: Annotated[
        str,
        typer.Option(
            "--framework",
            help="Which built-in demo: cultural-diplomacy (China, Russia, the USA) or turkic-states (the Organization of Turkic States).",
        ),
    ] = "cultural-diplomacy",
) -> None:
    """Build a project from a built-in illustrative corpus and show what it holds.

    Example: diplocode demo
    Example: diplocode demo --framework turkic-states --out turkic-demo
    Example: diplocode demo --corpus my-sources/ --out my-demo
    """
    from .demo import DEMOS, build_demo_project, code_demo_project, demo_comparison
    from .report import build_report

    if framework not in DEMOS:
        _bad_choice("framework", "diplocode demo", f"one of {', '.join(DEMOS)}", framework)
    default_corpus, codebook, shown = DEMOS[framework]
    out.mkdir(parents=True, exist_ok=True)
    where = out / "demo.db"
    console.print(
        f"Building a project from {'the built-in illustrative corpus (' + framework + ')' if corpus is None else corpus} ..."
    )
    try:
        proj, results = build_demo_project(where, corpus or default_corpus, codebook=codebook)
        summary = code_demo_project(proj)
        result = demo_comparison(proj)
        written = build_report(proj, out / "report", result)
        models = result.table("models")
    except DiplocodeError as e:
        _fail(e)
    proj.close()
    _print_ingest_summary(results, [])
    console.print(
        f"Lexicon coder: {summary.suggestions} suggestions with evidence in {summary.sources_coded} sources; "
        f"who each passage is about: "
        + ", ".join(f"{n} by {rule}" for rule, n in summary.attribution.items())
        + "."
    )
    list_sources_cmd(
        project=str(where),
        actor=None,
        group=None,
        lang=None,
        year_from=None,
        year_to=None,
        search=None,
        limit=50,
        fmt="table",
    )
    first = next((r for r in results if r.status == "added" and r.language == "kk"), None)
    if first is not None:
        console.print()
        show(source=str(first.source_id), project=str(where), paragraphs=3)
    cells = {k: v for k, v in (models.cells or {}).items() if k[0] in shown}
    console.print(
        f"\n[bold]{models.title} (Table 2) from machine suggestions, not yet reviewed[/]",
        highlight=False,
    )
    console.print(f"[dim]{result.note()}[/]", highlight=False)
    _print_models(cells, result)
    console.print(
        f"\nThe report (machine suggestions, labelled as such) is in [bold]{out / 'report'}[/]: "
        f"open {written['html'][0]} in a web browser; tables.docx, tables.xlsx and tables.tex "
        "hold Table 1 and Table 2 for a paper, figures/ the charts."
    )
    console.print(
        f"\nThe project is [bold]{where}[/]. Try:\n"
        f"  diplocode serve {where}      # review the suggestions in the browser\n"
        f"  diplocode sources -p {where} --lang ru\n"
        f"  diplocode show 1 -p {where}\n"
        f"  diplocode compare -p {where} --include-suggested --format md\n"
        f"  diplocode compare -p {where} --include-suggested --actor-role author\n"
        f"  diplocode audit log -p {where}\n"
        "Your own sources: diplocode init my.db && diplocode add FOLDER --actor NAME --group official -p my.db\n"
        "or: diplocode demo --corpus FOLDER (a folder holding manifest.csv with path,title,actors,group,date,lang)"
    )
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


# -- codebooks ----------------------------------------------------------------------------
def _is_codebook_file(ref: str | None) -> TypeGuard[str]:
    return ref is not None and (
        Path(ref).suffix.lower() in (".yaml", ".yml", ".json") or Path(ref).exists()
    )


def _load_codebook_arg(ref: str):
    """A codebook from a file path or a built-in name (E073 lists the built-ins)."""
    from .codebook.io import load, load_builtin

    try:
        return load(ref) if _is_codebook_file(ref) else load_builtin(ref)
    except DiplocodeError as e:
        _fail(e)


@codebook_app.command("validate")
def codebook_validate(
    path: Annotated[str, typer.Argument(help="A YAML/JSON codebook file or a built-in name.")],
) -> None:
    """Check a codebook without importing it; errors name the file, line and key.

    Example: diplocode codebook validate my-codebook.yaml
    """
    codebook = _load_codebook_arg(path)
    codes = list(codebook.codes())
    langs = sorted({lang for c in codes for lang in c.lexicon})
    entries = sum(len(v) for c in codes for v in c.lexicon.values())
    console.print(
        f"[green]valid[/]: {codebook.name} {codebook.version}, {len(codebook.dimensions)} dimensions, "
        f"{len(codes)} codes, {entries} lexicon entries ({', '.join(langs) or 'no lexicons'}); hash {codebook.content_hash()[:12]}"
    )


@codebook_app.command("import")
def codebook_import(
    path: Annotated[
        str,
        typer.Argument(help="A YAML/JSON codebook file or a built-in name (cultural-diplomacy)."),
    ],
    project: ProjectOpt = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Who imports it (audit trail).")
    ] = None,
) -> None:
    """Store a codebook version in the project (content already stored is not stored twice).

    Example: diplocode codebook import my-codebook.yaml
    """
    codebook = _load_codebook_arg(path)
    with _open(project) as proj:
        version_id, created = proj.import_codebook(codebook, _who(user))
    state = "imported as" if created else "already stored as"
    console.print(
        f"{codebook.name} {codebook.version} {state} version #{version_id} (hash {codebook.content_hash()[:12]})."
    )


@codebook_app.command("list")
def codebook_list(project: ProjectOpt = None) -> None:
    """List the codebook versions stored in the project.

    Example: diplocode codebook list
    """
    from .store.codebooks import list_versions

    with _open(project) as proj, proj.store.read() as conn:
        rows = list_versions(conn)
    table = Table(title=f"{len(rows)} codebook versions", title_justify="left")
    for col in ("#", "name", "version", "codes", "hash", "parent", "created"):
        table.add_column(col, no_wrap=True, min_width=len(col))
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["name"],
            r["version"],
            str(r["n_codes"]),
            r["content_hash"][:12],
            str(r["parent_id"] or "-"),
            f"{r['created_at'][:10]} {r['created_by']}",
        )
    console.print(table)


@codebook_app.command("show")
def codebook_show(
    ref: Annotated[
        str | None,
        typer.Argument(
            help="Version number, name, name@version or hash prefix; or a file; default: latest."
        ),
    ] = None,
    project: ProjectOpt = None,
    lang: Annotated[
        str, typer.Option("--lang", help="Language of labels and definitions: en, ru or kk.")
    ] = "en",
    lexicon: Annotated[bool, typer.Option("--lexicon", help="Also list lexicon entries.")] = False,
) -> None:
    """Show dimensions and codes with labels and definitions (en, ru or kk).

    Example: diplocode codebook show --lang kk
    """
    from .codebook.model import UI_LANGUAGES

    _one_of("lang", "diplocode codebook show", lang, UI_LANGUAGES)
    if _is_codebook_file(ref):
        codebook = _load_codebook_arg(ref)
    else:
        with _open(project) as proj:
            try:
                _, codebook = proj.codebook(ref)
            except DiplocodeError as e:
                _fail(e)
    console.print(
        f"[bold]{codebook.title.get(lang) or codebook.name}[/] ({codebook.name} {codebook.version}, hash {codebook.content_hash()[:12]})"
    )
    for dim in codebook.dimensions:
        table = Table(
            title=f"{dim.key}: {dim.label.get(lang, dim.label['en'])}",
            title_justify="left",
            show_lines=False,
        )
        table.add_column("code", no_wrap=True)
        table.add_column("label", ratio=1)
        table.add_column("definition", ratio=3)
        if lexicon:
            table.add_column("lexicon", ratio=2)
        for code in dim.codes:
            cells = [
                code.key,
                code.label.get(lang, code.label["en"]),
                code.definition.get(lang, code.definition.get("en", "")),
            ]
            if lexicon:
                cells.append("; ".join(f"{k}: {', '.join(v)}" for k, v in code.lexicon.items()))
            table.add_row(*cells)
        console.print(table)


@codebook_app.command("export")
def codebook_export(
    ref: Annotated[str | None, typer.Argument(help="Version (default: latest).")] = None,
    project: ProjectOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (default: standard output).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="yaml or json.")] = "yaml",
) -> None:
    """Write a stored codebook version as YAML or JSON, without its 'changes:' (importing it
    back unchanged stores nothing new; edit it and declare changes relative to the newest).

    Example: diplocode codebook export --out codebook.yaml
    """
    from .codebook.io import dumps

    _one_of("format", "diplocode codebook export", fmt, ("yaml", "json"))
    with _open(project) as proj:
        try:
            _, codebook = proj.codebook(ref)
        except DiplocodeError as e:
            _fail(e)
    text = dumps(codebook.without_changes(), fmt)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")


@codebook_app.command("diff")
def codebook_diff(
    old: Annotated[
        str, typer.Argument(help="Older version (number, name@version, hash prefix) or a file.")
    ],
    new: Annotated[
        str | None, typer.Argument(help="Newer version or file (default: latest).")
    ] = None,
    project: ProjectOpt = None,
) -> None:
    """Codes and lexicon entries added, removed or changed between two versions.

    Example: diplocode codebook diff 1 2
    """
    from .codebook.io import diff

    def resolve(ref: str | None):
        if _is_codebook_file(ref):
            return _load_codebook_arg(ref)
        with _open(project) as proj:
            try:
                return proj.codebook(ref)[1]
            except DiplocodeError as e:
                _fail(e)

    d = diff(resolve(old), resolve(new))
    if d.is_empty():
        console.print("no differences")
        return
    for key in d.codes_added:
        console.print(f"[green]+ code[/] {key}")
    for key in d.codes_removed:
        console.print(f"[red]- code[/] {key}")
    for key, fields in d.codes_changed.items():
        console.print(f"[yellow]~ code[/] {key}: {', '.join(fields)}")
    for key, langs in d.lexicon_added.items():
        for lang, entries in langs.items():
            console.print(
                f"[green]+ lexicon[/] {key} [{lang}]: {', '.join(entries)}",
                highlight=False,
                markup=True,
            )
    for key, langs in d.lexicon_removed.items():
        for lang, entries in langs.items():
            console.print(
                f"[red]- lexicon[/] {key} [{lang}]: {', '.join(entries)}",
                highlight=False,
                markup=True,
            )


_EditUser = Annotated[str | None, typer.Option("--user", help="Who edits it (audit trail).")]


def _edited(project: str | None, what: str, call: Any) -> None:
    """Run one codebook edit (a new version) and say what it made."""
    with _open(project) as proj:
        try:
            version_id, version = call(proj)
        except DiplocodeError as e:
            _fail(e)
    console.print(
        f"{what}: new version {version} (#{version_id}); codings made under earlier versions "
        "keep counting through the declared change."
    )


@codebook_app.command("rename")
def codebook_rename(
    old: Annotated[str, typer.Argument(help="The code's key.")],
    new: Annotated[str, typer.Argument(help="Its new key.")],
    project: ProjectOpt = None,
    user: _EditUser = None,
) -> None:
    """Give a code a new key (a new codebook version); its codings count under the new key.

    Example: diplocode codebook rename scholarships_mobility mobility
    """
    from .codebook import edit

    _edited(
        project, f"renamed {old} to {new}", lambda p: edit.rename_code(p, old, new, by=_who(user))
    )


@codebook_app.command("merge")
def codebook_merge(
    keys: Annotated[list[str], typer.Argument(help="The codes to merge.")],
    into: Annotated[str, typer.Option("--into", help="The code they join (it stays).")],
    project: ProjectOpt = None,
    user: _EditUser = None,
) -> None:
    """Merge codes into one (a new codebook version): their codings count as it.

    Example: diplocode codebook merge language_programs scholarships_mobility --into education
    """
    from .codebook import edit

    _edited(
        project,
        f"merged {', '.join(keys)} into {into}",
        lambda p: edit.merge_codes(p, keys, into, by=_who(user)),
    )


@codebook_app.command("split")
def codebook_split(
    key: Annotated[str, typer.Argument(help="The code to split.")],
    into: Annotated[
        list[str],
        typer.Option("--into", help="A new code, KEY or KEY=Label; two or more, in order."),
    ],
    project: ProjectOpt = None,
    user: _EditUser = None,
) -> None:
    """Split a code into new codes (a new codebook version): its codings count as the
    first until a person recodes them.

    Example: diplocode codebook split education --into scholarships=Scholarships --into language=Language
    """
    from .codebook import edit

    parts: list[dict[str, Any]] = []
    keys: list[str] = []
    for item in into:
        new_key, _, label = item.partition("=")
        keys.append(new_key.strip())
        parts.append({"key": new_key.strip(), "label": {"en": label.strip() or new_key.strip()}})
    _edited(
        project,
        f"split {key} into {', '.join(keys)}",
        lambda p: edit.split_code(p, key, parts, by=_who(user)),
    )


@codebook_app.command("move")
def codebook_move(
    key: Annotated[str, typer.Argument(help="The code's key.")],
    dimension: Annotated[str, typer.Option("--dimension", help="The dimension it moves to.")],
    project: ProjectOpt = None,
    user: _EditUser = None,
) -> None:
    """Move a code to another dimension (a new codebook version); its codings follow it.

    Example: diplocode codebook move energy_security --dimension effect
    """
    from .codebook import edit

    _edited(
        project,
        f"moved {key} to {dimension}",
        lambda p: edit.move_code(p, key, dimension, by=_who(user)),
    )


@codebook_app.command("delete")
def codebook_delete(
    key: Annotated[str, typer.Argument(help="The code's key.")],
    into: Annotated[
        str | None,
        typer.Option("--into", help="A code its codings then count as (a merge)."),
    ] = None,
    project: ProjectOpt = None,
    user: _EditUser = None,
) -> None:
    """Delete a code (a new codebook version): only when no coding counts as it, or with --into.

    Example: diplocode codebook delete unused_code
    """
    from .codebook import edit

    _edited(project, f"deleted {key}", lambda p: edit.delete_code(p, key, by=_who(user), into=into))


@codebook_app.command("add-code")
def codebook_add_code(
    key: Annotated[str, typer.Argument(help="The new code's key.")],
    dimension: Annotated[str, typer.Option("--dimension", help="The dimension it joins.")],
    label: Annotated[str, typer.Option("--label", help="Its English label.")],
    project: ProjectOpt = None,
    user: _EditUser = None,
) -> None:
    """Add a code to a dimension (a new codebook version).

    Example: diplocode codebook add-code digital_silk_road --dimension channel --label "Digital Silk Road"
    """
    from .codebook import edit

    _edited(
        project,
        f"added {key}",
        lambda p: edit.add_code(p, dimension, key, by=_who(user), label={"en": label}),
    )


# -- correcting sources -------------------------------------------------------------------------
@source_app.command("edit")
def source_edit(
    ref: Annotated[str, typer.Argument(help="Source number or SHA-256 prefix.")],
    project: ProjectOpt = None,
    title: Annotated[str | None, typer.Option("--title")] = None,
    group: Annotated[str | None, typer.Option("--group", help="Source group.")] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="YYYY, YYYY-MM or YYYY-MM-DD; '' clears it.")
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Main language; '' clears it.")] = None,
    url: Annotated[str | None, typer.Option("--url")] = None,
    publisher: Annotated[str | None, typer.Option("--publisher")] = None,
    actor: Annotated[
        list[str] | None,
        typer.Option(
            "--actor", "-a", help="NAME[:ROLE], repeatable: replaces the source's actors."
        ),
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="KEY=VALUE: a custom attribute, repeatable.")
    ] = None,
    unset: Annotated[
        list[str] | None, typer.Option("--unset", help="KEY: remove a custom attribute.")
    ] = None,
    user: _EditUser = None,
) -> None:
    """Correct what is known about a source (an audit event); a change of actors
    re-attributes its codings, so comparisons follow.

    Example: diplocode source edit 12 --date 2023-05-18 --actor China --actor "Kazakhstan:subject"
    """
    from .corpus.edit import edit_source
    from .store.sources import parse_attributes

    try:
        attributes: dict[str, str | None] = dict(parse_attributes(set_ or [], "--set"))
    except DiplocodeError as e:
        _fail(e)
    for key in unset or []:
        attributes[key.strip()] = None
    given: dict[str, Any] = {
        name: value
        for name, value in (
            ("title", title),
            ("group", group),
            ("date", date),
            ("language", lang),
            ("url", url),
            ("publisher", publisher),
        )
        if value is not None
    }
    if actor:
        given["actors_"] = list(actor)
    if not given and not attributes:
        _fail(
            DiplocodeError(
                "E060",
                param="options",
                owner="diplocode source edit",
                constraint="at least one of --title, --group, --date, --lang, --url, --publisher, --actor, --set, --unset",
                value="none",
            )
        )
    with _open(project) as proj:
        try:
            changed = edit_source(proj, ref, _who(user), attributes=attributes or None, **given)
        except DiplocodeError as e:
            _fail(e)
    if not changed:
        console.print("nothing changed")
        return
    for name, (before, after) in changed.items():
        console.print(f"{name}: {before!r} -> {after!r}", highlight=False, markup=False)


@source_app.command("delete")
def source_delete(
    ref: Annotated[str, typer.Argument(help="Source number or SHA-256 prefix.")],
    project: ProjectOpt = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (audit trail).")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    user: _EditUser = None,
) -> None:
    """Delete a source with its segments, codings and memos; the audit event keeps what
    restoring it needs ('diplocode source restore').

    Example: diplocode source delete 12 --reason "duplicate of 7" --yes
    """
    from .corpus.edit import delete_source

    if not yes and not typer.confirm(f"Delete source {ref} with its codings and memos?"):
        raise typer.Exit(1)
    with _open(project) as proj:
        try:
            done = delete_source(proj, ref, _who(user), reason)
        except DiplocodeError as e:
            _fail(e)
    console.print(
        f"deleted source #{done['source_id']} ({done['title']}): {done['codings']} codings, "
        f"{done['memos']} memos; 'diplocode source restore {done['source_id']}' adds it back."
    )


@source_app.command("restore")
def source_restore(
    source_id: Annotated[int, typer.Argument(help="The deleted source's number.")],
    project: ProjectOpt = None,
    user: _EditUser = None,
) -> None:
    """Add a deleted source back from the audit trail (its metadata and text; its codings
    are listed in the deletion event, not restored).

    Example: diplocode source restore 12
    """
    from .corpus.edit import restore_source

    with _open(project) as proj:
        try:
            new_id = restore_source(proj, source_id, _who(user))
        except DiplocodeError as e:
            _fail(e)
    console.print(f"restored deleted source #{source_id} as source #{new_id}")


# -- coding -----------------------------------------------------------------------------------
@app.command()
def code(
    project: ProjectOpt = None,
    coder: Annotated[
        str, typer.Option("--coder", help="lexicon (diplocode.lexicon.v1).")
    ] = "lexicon",
    codebook: Annotated[
        str | None, typer.Option("--codebook", help="Codebook version (default: latest).")
    ] = None,
    unit: Annotated[str, typer.Option("--unit", help="sentence or paragraph.")] = "sentence",
    actor: Annotated[
        str | None, typer.Option("--actor", "-a", help="Only sources with this actor.")
    ] = None,
    group: Annotated[str | None, typer.Option("--group", "-g")] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Only sources in this main language.")
    ] = None,
    year_from: Annotated[int | None, typer.Option("--from")] = None,
    year_to: Annotated[int | None, typer.Option("--to")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Who runs it (audit trail).")] = None,
) -> None:
    """Run an automatic coder: suggestions with evidence, never final codings.

    Running it again adds nothing; a new codebook version is a new run.

    Example: diplocode code --coder lexicon --actor China
    """
    from .coders import get as get_coder
    from .coders.lexicon import UNITS
    from .engine import run_coder

    try:
        coder_cls = get_coder(coder)  # E060 listing the registered coders
    except DiplocodeError as e:
        _fail(e)
    _one_of("unit", "diplocode code", unit, UNITS)
    with _open(project) as proj:
        flt = _source_filter(
            proj, actor=actor, group=group, language=lang, year_from=year_from, year_to=year_to
        )
        try:
            version_id, cb = proj.codebook(codebook)
            coder_obj = coder_cls(cb, unit=unit)
        except DiplocodeError as e:
            _fail(e)
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
        ) as progress:
            task = progress.add_task("Coding sources", total=None)

            def tick(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            try:
                summary = run_coder(
                    proj.store, coder_obj, version_id, flt=flt, who=_who(user), on_source=tick
                )
            except DiplocodeError as e:
                _fail(e)
    console.print(
        f"{summary.coder} (coder #{summary.coder_id}, codebook version #{summary.codebook_version_id}): "
        f"{summary.sources_coded} sources coded, {summary.sources_skipped} already done, "
        f"[bold]{summary.suggestions}[/] suggestions in {summary.seconds:.1f}s"
        + (
            f"; {summary.already_there} not suggested again (the span and code were there "
            "already: suggested under an earlier codebook version or decided by a person)"
            if summary.already_there
            else ""
        )
    )


# -- actors -----------------------------------------------------------------------------------
def _print_attribution(summary: Any) -> None:
    if summary is None:
        console.print("Attribution is up to date.")
        return
    rules = ", ".join(f"{n} by {rule}" for rule, n in sorted(summary.rules.items())) or "none"
    console.print(
        f"Re-attributed {summary.codings} codings in {summary.sources} sources ({rules}; "
        f"{summary.unattributed} about no known actor)."
    )


@actors_app.command("list")
def actors_list(
    project: ProjectOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """List the actors with how many names, sources and codings about them they have.

    Example: diplocode actors list
    """
    from .attribution.gazetteer import list_actors

    if fmt not in ("table", "csv", "json"):
        _bad_choice("format", "diplocode actors list", "one of table, csv, json", fmt)
    with _open(project) as proj:
        rows = list_actors(proj.store)
    if fmt != "table":
        _dump_rows(rows, fmt)
        return
    table = Table(title=f"{len(rows)} actors", title_justify="left")
    for col in ("key", "name", "kind", "names", "sources", "codings about"):
        table.add_column(
            col, justify="right" if col in ("names", "sources", "codings about") else "left"
        )
    for r in rows:
        table.add_row(
            r["key"],
            r["name"],
            r["kind"],
            str(r["names"]),
            str(r["sources"]),
            str(r["codings_about"]),
        )
    console.print(table)


@actors_app.command("show")
def actors_show(
    actor: Annotated[str, typer.Argument(help="Key, name or any gazetteer name of the actor.")],
    project: ProjectOpt = None,
) -> None:
    """Show an actor's names per language: names, short names, adjectives, capitals,
    leaders and institutions that stand for it.

    Example: diplocode actors show Қытай
    """
    from .attribution.gazetteer import actor_names_of

    with _open(project) as proj:
        try:
            found, names = actor_names_of(proj.store, actor)
        except DiplocodeError as e:
            _fail(e)
    console.print(f"[bold]{found['name']}[/] ({found['key']}, {found['kind']})", highlight=False)
    table = Table(show_header=True, title_justify="left")
    table.add_column("lang")
    table.add_column("kind")
    table.add_column("names", overflow="fold")
    grouped: dict[tuple[str, str], list[str]] = {}
    for n in names:
        grouped.setdefault((n["lang"], n["kind"]), []).append(n["name"])
    for (lang, kind), values in grouped.items():
        table.add_row(lang, kind, "; ".join(values))
    console.print(table)


@actors_app.command("add")
def actors_add(
    name: Annotated[str, typer.Argument(help="The actor's canonical name (shown in tables).")],
    project: ProjectOpt = None,
    kind: Annotated[
        str, typer.Option("--kind", help="state, organization, bloc or other.")
    ] = "state",
    key: Annotated[
        str | None, typer.Option("--key", help="A key (default: from the name).")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="Who (audit trail).")] = None,
) -> None:
    """Add an actor to the project's gazetteer (then give it names with 'actors name').

    Example: diplocode actors add "Asian Development Bank" --kind organization
    """
    from .attribution.gazetteer import create_actor

    with _open(project) as proj:
        try:
            actor_id = create_actor(proj.store, name, _who(user), kind=kind, key=key)
        except DiplocodeError as e:
            _fail(e)
    console.print(f"Added actor #{actor_id} {name}.", highlight=False)


@actors_app.command("name")
def actors_name(
    actor: Annotated[str, typer.Argument(help="Key, name or any gazetteer name of the actor.")],
    name: Annotated[str, typer.Argument(help="A name in dictionary form, 'stem*' or 're:...'.")],
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the name: en, ru, kk, zh, tr ...")
    ],
    project: ProjectOpt = None,
    kind: Annotated[
        str,
        typer.Option("--kind", help="name, short, adjective, capital, leader or institution."),
    ] = "name",
    user: Annotated[str | None, typer.Option("--user", help="Who (audit trail).")] = None,
) -> None:
    """Add a name that stands for an actor, and re-attribute the codings.

    Example: diplocode actors name russia "Русский дом" --lang ru --kind institution
    """
    from .attribution import ensure_attributed
    from .attribution.gazetteer import name_actor

    with _open(project) as proj:
        try:
            _, added = name_actor(proj.store, actor, name, lang, _who(user), kind=kind)
            summary = ensure_attributed(proj.store, _who(user))
        except DiplocodeError as e:
            _fail(e)
    console.print("Added the name." if added else "That name was there already.")
    _print_attribution(summary)


@actors_app.command("unname")
def actors_unname(
    actor: Annotated[str, typer.Argument(help="Key, name or any gazetteer name of the actor.")],
    name: Annotated[str, typer.Argument(help="The name to remove.")],
    project: ProjectOpt = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Only in this language (default: all).")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="Who (audit trail).")] = None,
) -> None:
    """Remove a name of an actor, and re-attribute the codings.

    Example: diplocode actors unname china "China" --lang en
    """
    from .attribution import ensure_attributed
    from .attribution.gazetteer import unname_actor

    with _open(project) as proj:
        try:
            removed = unname_actor(proj.store, actor, name, _who(user), lang=lang)
            summary = ensure_attributed(proj.store, _who(user)) if removed else None
        except DiplocodeError as e:
            _fail(e)
    console.print(f"Removed {removed} name(s).")
    if removed:
        _print_attribution(summary)


@actors_app.command("attribute")
def actors_attribute(
    project: ProjectOpt = None,
    again: Annotated[
        bool, typer.Option("--again", help="Re-attribute every coding even if up to date.")
    ] = False,
    user: Annotated[str | None, typer.Option("--user", help="Who (audit trail).")] = None,
) -> None:
    """Bring "who each passage is about" up to date with the gazetteer (compare and report
    do this by themselves).

    Example: diplocode actors attribute --again
    """
    from .attribution import ensure_attributed, reattribute

    with _open(project) as proj:
        summary = (
            reattribute(proj.store, _who(user))
            if again
            else ensure_attributed(proj.store, _who(user))
        )
    _print_attribution(summary)


# -- audit ------------------------------------------------------------------------------------
@audit_app.command("verify")
def audit_verify(project: ProjectOpt = None) -> None:
    """Check the hash chain and the data it vouches for; names the first broken event.

    Example: diplocode audit verify
    """
    from . import audit as audit_lib

    with _open(project) as proj, proj.store.read() as conn:
        problems = audit_lib.verify(conn)
    if not problems:
        console.print(
            "[green]intact[/]: every event's hash and link checks out, and sources and codings match the log."
        )
        return
    err_console.print(
        f"[bold red]{len(problems)} problem(s)[/]; the first: {problems[0]}", highlight=False
    )
    for p in problems[1:20]:
        err_console.print(f"  {p}", highlight=False)
    raise typer.Exit(1)


@audit_app.command("log")
def audit_log(
    project: ProjectOpt = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="Events whose kind starts with this: source.added, coding. (every coding "
            "event), memo ...",
        ),
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="Who acted.")] = None,
    source: Annotated[int | None, typer.Option("--source", help="Source number.")] = None,
    code_key: Annotated[str | None, typer.Option("--code", help="Code key.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="From this date (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Up to this date (YYYY-MM-DD).")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", help="The last this many events; 0: all of them.")
    ] = 50,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="text (a sentence per event), jsonl, csv; or table, json (the events as "
            "stored, with their sentences).",
        ),
    ] = "text",
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the sentences: en, ru or kk.")
    ] = "en",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (default: standard output).")
    ] = None,
) -> None:
    """Show the audit trail as sentences (who did what to which source and code), filtered.

    text, jsonl and csv end with the chain head (event id and hash, as in the audit_head
    table): an export with --limit 0 and no filters ends at it, which 'diplocode audit
    verify' vouches for. jsonl and csv carry each event's id, ts, actor, kind, source_id,
    code_key, sentence, payload (the canonical JSON that is hashed), prev_hash and hash.

    Example: diplocode audit log --kind coding. --lang kk
    Example: diplocode audit log --limit 0 --format jsonl --out audit.jsonl
    """
    import json as _json

    from rich.text import Text

    from . import auditlog

    owner = "diplocode audit log"
    _one_of("format", owner, fmt, (*auditlog.FORMATS, "table", "json"))
    _one_of("lang", owner, lang, auditlog.LANGUAGES)
    if limit < 0:
        _bad_choice("limit", owner, "an integer >= 0", limit)
    if source is not None and source < 1:
        _bad_choice("source", owner, "a source number (>= 1)", source)
    if out is not None and (out.is_dir() or not out.parent.is_dir()):
        _bad_choice("out", owner, "a file in an existing folder", str(out))
    try:
        auditlog.check_date(since, "--since")
        auditlog.check_date(until, "--until")
    except DiplocodeError as e:
        _fail(e)
    with _open(project) as proj:
        try:
            log = auditlog.entries(
                proj,
                lang=lang,
                kind=kind,
                actor=user,
                source_id=source,
                code_key=code_key,
                since=since,
                until=until,
                limit=limit,
            )
        except DiplocodeError as e:
            _fail(e)
    if fmt in auditlog.FORMATS:
        text = auditlog.render(log, fmt)
    elif fmt == "json":
        text = _json.dumps(log.events, ensure_ascii=False, indent=2) + "\n"
    else:
        text = ""
    if out is not None:
        if fmt == "table":
            text = auditlog.render(log, "text")
        out.write_text(text, encoding="utf-8", newline="")
        console.print(f"wrote {out} ({len(log.events)} events)")
        return
    if fmt != "table":
        sys.stdout.write(text)
        return
    table = Table(title=f"{len(log.events)} events", title_justify="left")
    for col in ("#", "when", "kind", "what"):
        table.add_column(
            col, overflow="fold" if col == "what" else "ellipsis", no_wrap=col != "what"
        )
    for r in log.events:  # Text: no rich markup in what people wrote
        table.add_row(str(r["id"]), r["ts"][:19], Text(r["kind"]), Text(r["sentence"]))
    console.print(table, highlight=False)
    console.print(Text(auditlog.head_sentence(log.head, lang)), highlight=False)


# -- comparison ------------------------------------------------------------------------------
#: How the command line spells the comparison's options (for error messages).
_COMPARE_FLAGS = {
    "by": "--by",
    "unit": "--unit",
    "normalise": "--normalise",
    "top": "--top",
    "quotes": "--quotes",
}


def _compare_spec(
    *,
    actor_role: str | None,
    unit: str | None,
    include_suggested: bool,
    start: int | None,
    end: int | None,
    codebook: str | None,
    groups: list[str] | None,
    languages: list[str] | None,
    actors: list[str] | None,
    by: str | None,
    normalise: str | None,
    lang: str | None,
    top: int | None = None,
    quotes: int | None = None,
    where: list[str] | None = None,
) -> tuple[Any, set[str]]:
    """The comparison spec from command-line options, and which options were given."""
    from .analysis.compare import Spec
    from .store.sources import parse_attributes

    given = {
        name
        for name, value in (
            ("by", by),
            ("unit", unit),
            ("normalise", normalise),
            ("top", top),
            ("quotes", quotes),
        )
        if value is not None
    }
    spec = Spec(
        actor_role=actor_role or "about",
        unit=unit or "segment",
        include_suggested=include_suggested,
        start=start,
        end=end,
        codebook=codebook,
        groups=tuple(g.strip().lower() for g in groups or ()),
        languages=tuple(x.strip().lower() for x in languages or ()),
        actors=tuple(actors or ()),
        attributes=parse_attributes(where or [], "--where"),
        by=by or "actor",
        normalise=normalise or "count",
        lang=lang or "en",
        top=top if top is not None else 3,
        quotes=quotes if quotes is not None else 2,
    )
    return spec, given


ActorRoleOpt = Annotated[
    str | None,
    typer.Option(
        "--actor-role",
        help="Rows are the actor each passage is ABOUT (default), the sources' AUTHORs, or their SUBJECTs.",
    ),
]
GroupFilterOpt = Annotated[
    list[str] | None, typer.Option("--group", "-g", help="Only sources of this group; repeatable.")
]
SourceLangOpt = Annotated[
    list[str] | None,
    typer.Option("--source-lang", help="Only sources in this main language; repeatable."),
]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        help="KEY=VALUE: only sources whose custom attribute (a manifest column) KEY is VALUE; repeatable.",
    ),
]
ActorFilterOpt = Annotated[
    list[str] | None,
    typer.Option("--actor", "-a", help="Only rows of this actor (any of its names); repeatable."),
]
PeriodFromOpt = Annotated[
    int | None, typer.Option("--from", help="First year (default: the data's first year).")
]
PeriodToOpt = Annotated[
    int | None, typer.Option("--to", help="Last year (default: the data's last year).")
]
LabelLangOpt = Annotated[
    str | None, typer.Option("--lang", help="Language of labels and titles: en, ru or kk.")
]
IncludeSuggestedOpt = Annotated[
    bool,
    typer.Option("--include-suggested", help="Count machine suggestions too (labelled as such)."),
]
UnitOpt = Annotated[
    str | None, typer.Option("--unit", help="Count coded passages (segment) or documents.")
]
CodebookOpt = Annotated[
    str | None, typer.Option("--codebook", help="Codebook version (default: the latest).")
]


@app.command()
def compare(
    project: ProjectOpt = None,
    table: Annotated[
        str,
        typer.Option(
            "--table",
            "-t",
            help="models, crosstab, distinctive, overlap, trends, triangulation, cooccurrence or operationalisation.",
        ),
    ] = "models",
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Rows of crosstab/distinctive/overlap/trends/triangulation: actor, year, group or language.",
        ),
    ] = None,
    actor_role: ActorRoleOpt = None,
    unit: UnitOpt = None,
    include_suggested: IncludeSuggestedOpt = False,
    lang: LabelLangOpt = None,
    start: PeriodFromOpt = None,
    end: PeriodToOpt = None,
    normalise: Annotated[
        str | None,
        typer.Option("--normalise", help="Trends: count, per_document or per_10k_words."),
    ] = None,
    group: GroupFilterOpt = None,
    source_lang: SourceLangOpt = None,
    actor: ActorFilterOpt = None,
    where: WhereOpt = None,
    codebook: CodebookOpt = None,
    top: Annotated[
        int | None, typer.Option("--top", help="Models: leading codes per cell (3).")
    ] = None,
    quotes: Annotated[
        int | None, typer.Option("--quotes", help="Models: quotes per cell (2).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json or md.")] = "table",
    user: Annotated[str | None, typer.Option("--user", help="Who runs it (audit trail).")] = None,
) -> None:
    """Compare actors: the models table (the article's Table 2) and the statistics behind it.

    Counts final and accepted codings; --include-suggested adds machine suggestions. Every
    output states the codebook version, the statuses counted, the actor role, the unit and
    the period (by default the data's own range), and how many codings were left out.

    Example: diplocode compare --include-suggested
    Example: diplocode compare --table distinctive --by group --format csv
    Example: diplocode compare --table trends --normalise per_10k_words --from 2013 --to 2025
    """
    from .analysis.compare import check_applies
    from .analysis.compare import compare as run_compare
    from .report.export import FORMATS, table_csv, table_json, table_markdown

    try:
        if fmt not in FORMATS:
            _bad_choice("format", "diplocode compare", f"one of {', '.join(FORMATS)}", fmt)
        spec, given = _compare_spec(
            actor_role=actor_role,
            unit=unit,
            include_suggested=include_suggested,
            start=start,
            end=end,
            codebook=codebook,
            groups=group,
            languages=source_lang,
            actors=actor,
            where=where,
            by=by,
            normalise=normalise,
            lang=lang,
            top=top,
            quotes=quotes,
        )
        check_applies(table, given, _COMPARE_FLAGS)
        with _open(project) as proj:
            result = run_compare(proj, spec, who=_who(user))
            shown = result.table(table)
    except DiplocodeError as e:
        _fail(e)
    if fmt == "csv":
        sys.stdout.write(table_csv(result, shown))
    elif fmt == "json":
        import json

        sys.stdout.write(json.dumps(table_json(result, shown), ensure_ascii=False, indent=2) + "\n")
    elif fmt == "md":
        sys.stdout.write(table_markdown(result, shown))
    else:
        _print_table(result, shown)


def _print_table(result: Any, shown: Any) -> None:
    """A comparison table in the terminal: title, note, rows (or why there are none), legend."""
    from .report.export import format_value

    console.print(f"[bold]{shown.title}[/]", highlight=False)
    console.print(f"[dim]{result.note()}[/]", highlight=False)
    if shown.frame.empty:
        console.print(
            f"No rows: {shown.empty_reason or 'nothing to show'}. Code sources with 'diplocode code', "
            "review the suggestions, or pass --include-suggested.",
            highlight=False,
        )
        return
    if shown.cells is not None:
        _print_models(shown.cells, result)
    else:
        table = Table(show_lines=False, title_justify="left")
        columns = [str(c) for c in shown.frame.columns]
        for col in columns:
            table.add_column(col, overflow="fold")
        for row in shown.frame.itertuples(index=False):
            table.add_row(*(format_value(v, c) for v, c in zip(row, columns, strict=True)))
        console.print(table)
    for item in shown.legend:
        console.print(f"[dim]· {item}[/]", highlight=False)


def _print_models(cells: dict[tuple[str, str], Any], result: Any) -> None:
    """Table 2 in a terminal: one block per actor, a line per column with its leading codes,
    counts, shares and intervals, and the quotes labelled with the code they support."""
    titles = {c.key: c.title_in(result.spec.lang) for c in result.layout.columns}
    for actor in dict.fromkeys(a for a, _ in cells):
        table = Table(
            title=actor, title_justify="left", show_header=False, box=None, padding=(0, 1)
        )
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        for (who, column), cell in cells.items():
            if who != actor:
                continue
            body = (
                "; ".join(
                    f"{c.label} ({c.count}, {c.share:.0%}"
                    + (
                        f" [{c.ci_low:.0%}–{c.ci_high:.0%}]"
                        if c.ci_low is not None and c.ci_high is not None and c.ci_low == c.ci_low
                        else ""
                    )
                    + ")"
                    for c in cell.codes
                )
                or "-"
            )
            for q in cell.quotes:
                text = q.text[:160] + ("…" if len(q.text) > 160 else "")
                body += f"\n  [dim]{q.label}: “{text}” — {q.citation()}[/]"
            table.add_row(titles.get(column, column), body)
        console.print(table)


@app.command()
def report(
    project: ProjectOpt = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write the report into.")
    ] = Path("diplocode-report"),
    formats: Annotated[
        str, typer.Option("--format", help="Comma-separated: html, docx, xlsx, tex, png, svg.")
    ] = "html,docx,xlsx,tex,png,svg",
    include_suggested: IncludeSuggestedOpt = False,
    actor_role: ActorRoleOpt = None,
    unit: UnitOpt = None,
    start: PeriodFromOpt = None,
    end: PeriodToOpt = None,
    normalise: Annotated[
        str | None,
        typer.Option("--normalise", help="Trend charts: count, per_document or per_10k_words."),
    ] = None,
    group: GroupFilterOpt = None,
    source_lang: SourceLangOpt = None,
    actor: ActorFilterOpt = None,
    where: WhereOpt = None,
    codebook: CodebookOpt = None,
    lang: LabelLangOpt = None,
    user: Annotated[str | None, typer.Option("--user", help="Who runs it (audit trail).")] = None,
) -> None:
    """Write the comparison report: one HTML file, DOCX and LaTeX tables, XLSX, PNG/SVG figures.

    The same comparison as 'diplocode compare' with the same options (the period defaults
    to the data's own range); every output states what was counted.

    Example: diplocode report --out report/ --include-suggested
    Example: diplocode report --out report-kk/ --lang kk --actor-role author
    """
    from .analysis.compare import compare as run_compare
    from .report import FORMATS, build_report

    wanted = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        _bad_choice(
            "format", "diplocode report", f"a list drawn from {', '.join(FORMATS)}", formats
        )
    try:
        spec, _ = _compare_spec(
            actor_role=actor_role,
            unit=unit,
            include_suggested=include_suggested,
            start=start,
            end=end,
            codebook=codebook,
            groups=group,
            languages=source_lang,
            actors=actor,
            where=where,
            by=None,
            normalise=normalise,
            lang=lang,
        )
        with _open(project) as proj:
            result = run_compare(proj, spec, who=_who(user))
            written = build_report(proj, out, result, formats=wanted)
    except DiplocodeError as e:
        _fail(e)
    console.print(f"[dim]{result.note()}[/]", highlight=False)
    if result.empty:
        console.print(
            "[yellow]No codings are counted: the report's tables say so.[/] Code sources, "
            "review the suggestions, or pass --include-suggested."
        )
    for kind, paths in written.items():
        console.print(
            f"{kind}: "
            + ", ".join(str(p) for p in paths[:4])
            + (f" (+{len(paths) - 4} more)" if len(paths) > 4 else "")
        )
    if "html" in written:
        console.print(
            f"Open {written['html'][0]} in a web browser (it is one self-contained file)."
        )


@db_app.command("status")
def db_status(project: ProjectOpt = None) -> None:
    """Show the schema revision and what the project holds."""
    from sqlalchemy import func, select

    from .store import schema

    with _open(project) as proj, proj.store.read() as conn:
        console.print(f"schema revision {proj.store.revision()} ({proj.store.dialect})")
        for table in (
            schema.sources,
            schema.segments,
            schema.actors,
            schema.codings,
            schema.audit_events,
        ):
            console.print(
                f"{table.name}: {conn.execute(select(func.count()).select_from(table)).scalar():,}"
            )


@db_app.command("upgrade")
def db_upgrade(
    project: ProjectOpt = None,
    no_backup: Annotated[
        bool, typer.Option("--no-backup", help="Upgrade without taking a backup first.")
    ] = False,
) -> None:
    """Upgrade an older project's schema (a backup is taken first unless --no-backup)."""
    from .project import Project, find_project

    try:
        with Project.open(find_project(project), backup=not no_backup) as proj:
            console.print(f"schema revision {proj.store.revision()}")
    except DiplocodeError as e:
        _fail(e)


#: how long the server keeps an idle connection: longer than browsers' and clients' own
#: keep-alive, so a client never sends on a connection the server is closing
KEEP_ALIVE_S = 75

user_app = typer.Typer(
    help="Users of a team project (for 'diplocode serve --team').", no_args_is_help=True
)
app.add_typer(user_app, name="user")


def _password(password_stdin: bool, prompt: str = "Password") -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name (no spaces).")],
    role: Annotated[str, typer.Option(help="owner, coder or viewer.")] = "coder",
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    project: ProjectOpt = None,
    user: Annotated[str | None, typer.Option(help="Who adds (for the audit trail).")] = None,
) -> None:
    """Add a user; the password is asked for (or read with --password-stdin) and stored as an argon2id hash.

    Example: diplocode user add aigerim --role owner
    """
    from .users import ROLES, add_user

    _one_of("role", "diplocode user add", role, ROLES)  # before the password is asked for
    with _open(project) as proj:
        try:
            added = add_user(
                proj, username, _password(password_stdin), role, display_name=name, by=_who(user)
            )
        except DiplocodeError as e:
            _fail(e)
        console.print(f"added {added.username} ({added.role})")


@user_app.command("list")
def user_list(project: ProjectOpt = None) -> None:
    """List users and their roles.

    Example: diplocode user list
    """
    from .users import list_users

    with _open(project) as proj:
        table = Table("user", "name", "role")
        for u in list_users(proj):
            table.add_row(u.username, u.display_name or "", u.role)
        console.print(table)


@user_app.command("role")
def user_role(
    username: Annotated[str, typer.Argument()],
    role: Annotated[str, typer.Argument(help="owner, coder or viewer.")],
    project: ProjectOpt = None,
    user: Annotated[str | None, typer.Option(help="Who changes it (for the audit trail).")] = None,
) -> None:
    """Change a user's role.

    Example: diplocode user role daniyar viewer
    """
    from .users import set_role

    with _open(project) as proj:
        try:
            set_role(proj, username, role, by=_who(user))
        except DiplocodeError as e:
            _fail(e)
        console.print(f"{username} is now {role}")


@user_app.command("password")
def user_password(
    username: Annotated[str, typer.Argument()],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    project: ProjectOpt = None,
    user: Annotated[str | None, typer.Option(help="Who changes it (for the audit trail).")] = None,
) -> None:
    """Set a new password (the user's sessions end).

    Example: diplocode user password daniyar
    """
    from .users import set_password

    with _open(project) as proj:
        try:
            set_password(proj, username, _password(password_stdin), by=_who(user))
        except DiplocodeError as e:
            _fail(e)
        console.print(f"new password set for {username}")


@app.command()
def serve(
    project_arg: Annotated[
        str | None,
        typer.Argument(metavar="PROJECT", help="Project file or database URL.", show_default=False),
    ] = None,
    project: ProjectOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    team: Annotated[
        bool, typer.Option("--team", help="Require login (users from 'diplocode user add').")
    ] = False,
    user: Annotated[
        str | None, typer.Option(help="Single-user mode: who acts (for the audit trail).")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(min=1, help="Server processes (a team on a multi-core server: one per core)."),
    ] = 1,
) -> None:
    """Open the web workbench: read, code, memo and review in the browser.

    Without --team it serves only this machine (127.0.0.1) with no login; with --team
    every user logs in and their role decides what they may do.

    Example: diplocode serve central-asia.db
    Example: diplocode serve postgresql://diplocode@db/ca --team --host 0.0.0.0 --workers 4
    """
    import uvicorn

    from .project import find_project
    from .web.app import create_app

    if not team and host not in ("127.0.0.1", "localhost", "::1"):
        _bad_choice(
            "host", "serve", "127.0.0.1 without --team (single-user mode has no login)", host
        )
    _port_free(host, port)  # before anything is printed: a busy port is E092, exit 2
    proj = _open(project_arg or project)
    if team:
        from .users import list_users

        if not any(u.role == "owner" for u in list_users(proj)):
            console.print(
                "[yellow]no owner yet:[/] add one with 'diplocode user add NAME --role owner'"
            )
    console.print(
        f"diplocode workbench for [bold]{proj.name}[/] at http://{host}:{port}/ "
        f"({'team mode: login required' if team else 'single-user mode'}"
        f"{f', {workers} processes' if workers > 1 else ''}); Ctrl+C stops it"
    )
    if workers > 1:
        import secrets

        proj.close()
        os.environ.update(
            DIPLOCODE_SERVE_PROJECT=find_project(project_arg or project),
            DIPLOCODE_SERVE_TEAM="1" if team else "0",
            DIPLOCODE_SERVE_USER=_who(user),
            DIPLOCODE_SERVE_CSRF=secrets.token_urlsafe(32),
        )
        from .web.app import serve_workers

        serve_workers(host, port, workers, log_level="warning", timeout_keep_alive=KEEP_ALIVE_S)
        return
    application = create_app(proj, team=team, local_user=_who(user))
    try:
        uvicorn.run(
            application,
            host=host,
            port=port,
            log_level="warning",
            timeout_keep_alive=KEEP_ALIVE_S,
        )
    finally:
        proj.close()


def _port_free(host: str, port: int) -> None:
    """Fail with E092 (exit 2) when ``host:port`` cannot be bound because another program
    listens there. The listener is bound as uvicorn binds it (``SO_REUSEADDR``, every
    address ``host`` resolves to), then closed again; other errors are left to uvicorn."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError:
        return  # a host that does not resolve: uvicorn says so
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    _fail(DiplocodeError("E092", host=host, port=port))
                return


# -- code and retrieve ----------------------------------------------------------------------------
RETRIEVE_FORMATS = ("table", "csv", "json", "docx")
LABEL_LANGS = ("en", "ru", "kk")


@app.command()
def retrieve(
    code: Annotated[
        list[str] | None,
        typer.Option(
            "--code",
            "-c",
            help="A code key, a prefix glob (strength.*) or a dimension (dim:channel); repeatable.",
            show_default=False,
        ),
    ] = None,
    project: ProjectOpt = None,
    actor: Annotated[
        str | None, typer.Option("--actor", "-a", help="Only sources with this actor.")
    ] = None,
    group: Annotated[str | None, typer.Option("--group", "-g", help="Source group.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Main language of the source.")] = None,
    year_from: Annotated[int | None, typer.Option("--from", help="From this year.")] = None,
    year_to: Annotated[int | None, typer.Option("--to", help="Up to this year.")] = None,
    include_suggested: Annotated[
        bool,
        typer.Option(
            "--include-suggested", help="Add unreviewed machine suggestions (labelled as such)."
        ),
    ] = False,
    coder: Annotated[
        str | None,
        typer.Option("--coder", help="Only this coder's codings: a user name or a coder name."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=0, help="At most this many passages.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="table, csv, json or docx (docx needs --out).")
    ] = "table",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of the terminal.")
    ] = None,
    label_lang: Annotated[
        str, typer.Option("--label-lang", help="Language of the code labels: en, ru or kk.")
    ] = "en",
) -> None:
    """List every passage coded with a code, with its citation, status and coder.

    Counts final and accepted codings; --include-suggested adds machine suggestions.

    Example: diplocode retrieve --code scholarships_mobility --actor China
    Example: diplocode retrieve --code 'strength.*' --from 2015 --format docx --out strengths.docx
    """
    import json
    from dataclasses import asdict

    from .corpus.metadata import check_group
    from .report.retrieval import write_csv, write_docx
    from .retrieve import retrieve as retrieve_passages
    from .store.sources import SourceFilter

    if fmt not in RETRIEVE_FORMATS:
        _bad_choice("format", "diplocode retrieve", f"one of {', '.join(RETRIEVE_FORMATS)}", fmt)
    if label_lang not in LABEL_LANGS:
        _bad_choice(
            "label-lang", "diplocode retrieve", f"one of {', '.join(LABEL_LANGS)}", label_lang
        )
    if fmt == "docx" and out is None:
        _fail(DiplocodeError("E214"))
    if year_from is not None and year_to is not None and year_from > year_to:
        _bad_choice("to", "diplocode retrieve", f"a year from {year_from} on", year_to)
    try:
        flt = SourceFilter(
            actor=actor,
            group=check_group(group, "--group"),
            language=lang,
            year_from=year_from,
            year_to=year_to,
        )
    except DiplocodeError as e:
        _fail(e)
    with _open(project) as proj:
        flt = _validated(proj, flt)
        try:
            found = retrieve_passages(
                proj,
                code or [],
                flt=flt,
                include_suggested=include_suggested,
                coder=coder,
                lang=label_lang,
                limit=limit,
            )
        except DiplocodeError as e:
            _fail(e)
    if fmt == "docx":
        assert out is not None
        write_docx(found, out)
    elif fmt == "csv":
        write_csv(found, out if out is not None else sys.stdout)
    elif fmt == "json":
        data = {
            "note": found.note,
            "codebook": found.codebook,
            "codebook_version_id": found.codebook_version_id,
            "statuses": found.statuses,
            "include_suggested": found.include_suggested,
            "codes": found.codes,
            "total": found.total,
            "passages": [asdict(p) for p in found.passages],
        }
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if out is not None:
            out.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    else:
        _print_passages(found)
    if out is not None:
        err_console.print(f"{len(found.passages)} passages written to {out}. {found.note}")


def _print_passages(found: Any) -> None:
    table = Table(title=found.note, title_justify="left", show_lines=True)
    table.add_column("#", no_wrap=True, justify="right")
    table.add_column("code", overflow="fold", ratio=1, min_width=10)
    table.add_column("passage", overflow="fold", ratio=4, min_width=24)
    table.add_column("citation", overflow="fold", ratio=2, min_width=12)
    table.add_column("status / coder", overflow="fold", ratio=1, min_width=10)
    for p in found.passages:
        table.add_row(
            str(p.coding_id),
            p.label,
            f"“{p.text}”",
            p.citation,
            f"{p.status}{' (unreviewed)' if p.status == 'suggested' else ''}\n{p.coder}",
        )
    console.print(table)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
