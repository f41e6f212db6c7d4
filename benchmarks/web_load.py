"""Web load benchmark: simulated coders applying and reviewing codings in the workbench.

Builds the demo project (32 short texts, coded by the lexicon coder, so the review queue
holds its machine suggestions) on SQLite (a temporary file) and, with ``--pg URL``, on
PostgreSQL (a fresh database ``bench_web_<random>`` created on that server and dropped at
the end). Adds ``--coders`` users (role coder) and serves the app in team mode with uvicorn
in a separate process on 127.0.0.1. Each simulated coder logs in through ``POST /login``,
fetches its CSRF token from ``GET /api/me`` and then runs a closed loop (one request in
flight, no think time) for ``--seconds``:

- **create** (45 %): ``POST /api/codings`` with a random span of a random source and a
  random code of the codebook;
- **review** (25 %, while suggestions remain): ``GET /api/review?limit=20`` (counted as a
  read), then ``POST /api/codings/{id}/accept`` or ``/reject`` on one of the items. Two
  coders racing for the same suggestion: the loser gets 409 E086, counted as a
  *conflict*, not an error;
- **read** (30 %): the source page ``GET /sources/{id}`` (HTML) or ``GET /api/sources``.

After the run the server is stopped and the store is checked: every acknowledged create
must exist with its source, span, code and coder; every acknowledged accept/reject must
show that status and reviewer; the number of human codings must equal the number of
acknowledged creates; no suggestion may be acknowledged as reviewed twice; and
``audit.verify`` must find the hash chain intact. *Lost* counts acknowledged writes the
store does not show. *Errors* are 5xx, connection errors and 4xx other than the expected
409 conflicts.

    python benchmarks/web_load.py [--seconds 60] [--coders 20] [--workers 1] [--think 0]
        [--pg postgresql://postgres@127.0.0.1:55433/postgres] [--sqlite-only]

``--think S`` makes each coder pause a random time (exponential, mean S seconds) before
each action, like a person reading; the default 0 is a closed loop that measures the
server at saturation. ``--workers N`` runs ``diplocode serve --workers N``.

Goal (issue): p95 < 150 ms, 0 lost, 0 errors. The load generator and the server share the
machine (it reports its CPU count): the figures include that contention. Prints figures;
writes JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import func, select

from diplocode import audit
from diplocode.project import Project
from diplocode.store import is_url
from diplocode.store.schema import audit_events, coders, codes, codings, sources

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "a long enough password"
GOAL_P95_MS = 150.0

#: request kind -> the group it is reported under
GROUPS = {
    "create": "create",
    "accept": "review",
    "reject": "review",
    "review_queue": "read",
    "source_page": "read",
    "sources_api": "read",
}


# -- the project ------------------------------------------------------------------------------
def build_project(where: str, n_users: int) -> tuple[dict[int, int], list[str], int]:
    """The demo project at ``where`` (a file or a database URL), coded by the lexicon coder,
    with users ``coder0..``; returns ({source id: length}, code keys, open suggestions)."""
    from diplocode.demo import CORPUS, build_demo_project, code_demo_project
    from diplocode.users import add_user

    if is_url(where):
        # build_demo_project turns its argument into a Path, which collapses the "//" of a
        # URL; the same steps, with the URL kept as a string
        from diplocode.corpus.ingest import IngestItem, ingest
        from diplocode.corpus.manifest import read_manifest

        project = Project.init(where, name="diplocode demo")
        parsed = read_manifest(CORPUS / "manifest.csv", project.languages)
        items = [IngestItem(r.path, r.meta, f"manifest.csv, row {r.row}") for r in parsed.rows]
        list(ingest(project.store, items, languages=project.languages, who="demo"))
    else:
        project, _ = build_demo_project(where)
    try:
        summary = code_demo_project(project)
        for i in range(n_users):
            add_user(project, f"coder{i}", PASSWORD, "coder")
        _, codebook = project.codebook()
        keys = [c.key for c in codebook.codes()]
        with project.store.read() as conn:
            lengths = {
                int(i): int(n) for i, n in conn.execute(select(sources.c.id, sources.c.n_chars))
            }
    finally:
        project.close()
    return lengths, keys, summary.suggestions


def create_pg_database(server_url: str) -> tuple[str, str]:
    """A fresh database on the server: (its name, its URL)."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"bench_web_{secrets.token_hex(4)}"
    admin = make_url(server_url).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, admin.set(database=name).render_as_string(hide_password=False)


def drop_pg_database(server_url: str, name: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(server_url).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the server -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(where: str, port: int, log: Path, workers: int = 1) -> subprocess.Popen[bytes]:
    """``diplocode serve --team`` as a user would start it, in its own process(es)."""
    cli = Path(sys.executable).with_name("diplocode")
    proc = subprocess.Popen(
        [str(cli), "serve", where, "--team", "--port", str(port), "--workers", str(workers)],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}): {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError("the server did not answer within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # uvicorn shuts down gracefully
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process and its live descendants (the uvicorn worker
    processes) from Linux /proc, or None."""

    def stat(p: int) -> list[str] | None:
        try:
            return Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None

    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := stat(int(entry.name))) is not None:
            parents[int(entry.name)] = int(fields[1])
    family, grew = {pid}, True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in family and child not in family:
                family.add(child)
                grew = True
    total = 0.0
    for p in family:
        fields = stat(p)
        if fields is None:
            if p == pid:
                return None
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


# -- the simulated coders ---------------------------------------------------------------------
@dataclass
class Sample:
    kind: str
    status: int  # 0: no response (connection error, timeout)
    ms: float
    error: str | None = None  # the API's error code, or the exception's name


@dataclass
class Coder:
    name: str
    samples: list[Sample] = field(default_factory=list)
    #: acknowledged creates: (coding id, source id, start, end, code)
    created: list[tuple[int, int, int, int, str]] = field(default_factory=list)
    #: acknowledged reviews: (coding id, "accepted" | "rejected")
    reviewed: list[tuple[int, str]] = field(default_factory=list)
    unacknowledged_creates: int = 0
    login_ms: float = 0.0


async def login(client: httpx.AsyncClient, coder: Coder) -> None:
    t0 = time.perf_counter()
    resp = await client.post(
        "/login", data={"username": coder.name, "password": PASSWORD, "next": "/"}
    )
    token = resp.cookies.get("dc_session")
    if resp.status_code != 303 or not token:
        raise RuntimeError(f"{coder.name} could not log in: {resp.status_code} {resp.text[:300]}")
    client.cookies.clear()
    client.headers["Cookie"] = f"dc_session={token}"
    me = await client.get("/api/me")
    me.raise_for_status()
    client.headers["X-CSRF-Token"] = me.json()["csrf"]
    coder.login_ms = (time.perf_counter() - t0) * 1000


async def request(
    client: httpx.AsyncClient, coder: Coder, kind: str, method: str, url: str, **kw: Any
) -> httpx.Response | None:
    t0 = time.perf_counter()
    try:
        resp = await client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        coder.samples.append(Sample(kind, 0, (time.perf_counter() - t0) * 1000, type(exc).__name__))
        return None
    ms = (time.perf_counter() - t0) * 1000
    error = None
    if resp.status_code >= 400:
        try:
            error = resp.json()["error"]["code"]
        except Exception:
            error = f"HTTP {resp.status_code}"
    coder.samples.append(Sample(kind, resp.status_code, ms, error))
    return resp


async def run_coder(
    base: str,
    coder: Coder,
    lengths: dict[int, int],
    keys: list[str],
    start: asyncio.Event,
    deadline: list[float],
    seed: int,
    think: float = 0.0,
) -> None:
    rng = random.Random(seed)
    source_ids = sorted(lengths)
    queue_open = True
    # keep idle connections shorter than the server does (diplocode serve: 75 s)
    # like a browser: no Nagle delay on small writes (without TCP_NODELAY a POST sent
    # right after a response waits ~40 ms for the server's delayed ACK)
    transport = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(keepalive_expiry=30.0),
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
    )
    async with httpx.AsyncClient(base_url=base, timeout=60.0, transport=transport) as client:
        await login(client, coder)
        await start.wait()
        while time.perf_counter() < deadline[0]:
            if think > 0:  # a person reading between actions: exponential pauses
                await asyncio.sleep(min(rng.expovariate(1 / think), 10 * think))
                if time.perf_counter() >= deadline[0]:
                    break
            roll = rng.random()
            if roll < 0.25 and queue_open:
                resp = await request(client, coder, "review_queue", "GET", "/api/review?limit=20")
                items = resp.json()["items"] if resp is not None and resp.status_code == 200 else []
                if resp is not None and resp.status_code == 200 and not items:
                    queue_open = False
                if items and time.perf_counter() < deadline[0]:
                    item = rng.choice(items)
                    action = "accept" if rng.random() < 0.7 else "reject"
                    resp = await request(
                        client,
                        coder,
                        action,
                        "POST",
                        f"/api/codings/{item['id']}/{action}",
                        json={"note": None},
                    )
                    if resp is not None and resp.status_code == 200:
                        coder.reviewed.append((int(item["id"]), resp.json()["status"]))
            elif roll < 0.70:
                sid = rng.choice(source_ids)
                n = lengths[sid]
                s = rng.randrange(0, n - 1)
                e = s + rng.randint(1, min(200, n - s))
                code = rng.choice(keys)
                resp = await request(
                    client,
                    coder,
                    "create",
                    "POST",
                    "/api/codings",
                    json={"source_id": sid, "start": s, "end": e, "code": code},
                )
                if resp is not None and resp.status_code in (200, 201):
                    coder.created.append((int(resp.json()["coding_id"]), sid, s, e, code))
                elif resp is None:
                    coder.unacknowledged_creates += 1
            elif roll < 0.85:
                await request(
                    client, coder, "source_page", "GET", f"/sources/{rng.choice(source_ids)}"
                )
            else:
                await request(client, coder, "sources_api", "GET", "/api/sources")


async def load(
    base: str,
    n: int,
    seconds: float,
    lengths: dict[int, int],
    keys: list[str],
    pid: int,
    think: float = 0.0,
) -> tuple[list[Coder], float, dict[str, float | None]]:
    """Log every coder in, then run them all for ``seconds``; returns the coders, the
    elapsed time and the CPU seconds the server and this process spent in that window."""
    coders_ = [Coder(f"coder{i}") for i in range(n)]
    start = asyncio.Event()
    deadline = [float("inf")]
    tasks = [
        asyncio.create_task(run_coder(base, c, lengths, keys, start, deadline, seed=i, think=think))
        for i, c in enumerate(coders_)
    ]
    # every coder logs in first (argon2id: deliberately slow); the clock starts after that
    while not all(c.login_ms for c in coders_):
        for t in tasks:
            if t.done() and t.exception():
                raise t.exception()  # type: ignore[misc]
        await asyncio.sleep(0.05)
    server0, client0 = cpu_seconds(pid), time.process_time()
    t0 = time.perf_counter()
    deadline[0] = t0 + seconds
    start.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    server1, client1 = cpu_seconds(pid), time.process_time()
    cpu = {
        "server": None if server0 is None or server1 is None else round(server1 - server0, 1),
        "client": round(client1 - client0, 1),
    }
    return coders_, elapsed, cpu


# -- the checks -------------------------------------------------------------------------------
def check_store(where: str, coders_: list[Coder]) -> dict[str, Any]:
    """Compare what the server acknowledged with what the store holds."""
    project = Project.open(where)
    try:
        with project.store.read() as conn:
            rows = {
                r.id: r
                for r in conn.execute(
                    select(
                        codings.c.id,
                        codings.c.source_id,
                        codings.c.start,
                        codings.c.end,
                        codings.c.status,
                        codings.c.created_by,
                        codings.c.updated_by,
                        codes.c.key,
                        coders.c.kind,
                    )
                    .join(codes, codes.c.id == codings.c.code_id)
                    .join(coders, coders.c.id == codings.c.coder_id)
                )
            }
            events = Counter(
                dict(
                    conn.execute(
                        select(audit_events.c.kind, func.count()).group_by(audit_events.c.kind)
                    ).all()
                )
            )
            problems = [str(p) for p in audit.verify(conn)]
    finally:
        project.close()
    lost_creates = 0
    for c in coders_:
        for cid, sid, s, e, code in c.created:
            row = rows.get(cid)
            if row is None or (row.source_id, row.start, row.end, row.key, row.created_by) != (
                sid,
                s,
                e,
                code,
                c.name,
            ):
                lost_creates += 1
    by_coding: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for c in coders_:
        for cid, status in c.reviewed:
            by_coding[cid].append((c.name, status))
    lost_reviews = 0
    for cid, acks in by_coding.items():
        row = rows.get(cid)
        for who, status in acks:
            if row is None or row.status != status or row.updated_by != who:
                lost_reviews += 1
    acknowledged_creates = sum(len(c.created) for c in coders_)
    acknowledged_reviews = sum(len(c.reviewed) for c in coders_)
    human = sum(1 for r in rows.values() if r.kind == "human")
    machine_reviewed = sum(
        1 for r in rows.values() if r.kind != "human" and r.status in ("accepted", "rejected")
    )
    return {
        "acknowledged_creates": acknowledged_creates,
        "unacknowledged_creates": sum(c.unacknowledged_creates for c in coders_),
        "human_codings_in_store": human,
        "acknowledged_reviews": acknowledged_reviews,
        "reviewed_suggestions_in_store": machine_reviewed,
        "double_reviews": sum(len(a) - 1 for a in by_coding.values() if len(a) > 1),
        # suggestions two coders were both told they reviewed: (id, [(coder, status)], store)
        "double_review_examples": [
            (
                cid,
                acks,
                rows[cid].status if cid in rows else None,
                rows[cid].updated_by if cid in rows else None,
            )
            for cid, acks in sorted(by_coding.items())
            if len(acks) > 1
        ][:5],
        "created_events": events.get("coding.created", 0),
        "review_events": events.get("coding.accepted", 0) + events.get("coding.rejected", 0),
        "lost_creates": lost_creates,
        "lost_reviews": lost_reviews,
        "lost": lost_creates + lost_reviews,
        "count_check": human == acknowledged_creates and machine_reviewed == len(by_coding),
        "audit_problems": problems[:10],
        "audit_verified": not problems,
    }


# -- the figures ------------------------------------------------------------------------------
def latency(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {"n": 0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return {
        "n": len(ms),
        "p50_ms": round(float(p50), 1),
        "p95_ms": round(float(p95), 1),
        "p99_ms": round(float(p99), 1),
        "max_ms": round(float(max(ms)), 1),
    }


def classify(sample: Sample) -> str:
    if 200 <= sample.status < 300:
        return "ok"
    if sample.status == 409 and sample.error == "E086" and GROUPS[sample.kind] == "review":
        return "conflict"
    return "error"


def summarise(coders_: list[Coder], elapsed: float) -> dict[str, Any]:
    samples = [s for c in coders_ for s in c.samples]
    outcome = [classify(s) for s in samples]
    errors = Counter(
        f"{s.kind} {s.status} {s.error or ''}".strip()
        for s, o in zip(samples, outcome, strict=True)
        if o == "error"
    )
    out: dict[str, Any] = {
        "requests": len(samples),
        "seconds": round(elapsed, 2),
        "throughput_rps": round(len(samples) / elapsed, 1),
        "overall": latency([s.ms for s in samples]),
        "errors": sum(1 for o in outcome if o == "error"),
        "error_kinds": dict(errors.most_common(10)),
        "conflicts": sum(1 for o in outcome if o == "conflict"),
        "login_ms": latency([c.login_ms for c in coders_]),
    }
    out["groups"] = {
        g: latency([s.ms for s in samples if GROUPS[s.kind] == g])
        for g in ("create", "review", "read")
    }
    out["kinds"] = {k: latency([s.ms for s in samples if s.kind == k]) for k in GROUPS}
    return out


def report(label: str, r: dict[str, Any]) -> None:
    print(f"\n== {label} ==")
    print(
        f"requests {r['requests']:,} in {r['seconds']:.1f} s -> {r['throughput_rps']:.1f} req/s; "
        f"server CPU {r['server_cpu_s']} s, load generator CPU {r['client_cpu_s']} s; "
        f"machine load average (1, 5, 15 min) before {r['loadavg_before']}, "
        f"after {r['loadavg_after']}"
    )
    print(f"{'kind':14s} {'n':>7s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'max ms':>8s}")
    rows = [("overall", r["overall"])]
    rows += [(f"[{g}]", v) for g, v in r["groups"].items()]
    rows += [(f"  {k}", v) for k, v in r["kinds"].items()]
    rows += [("login", r["login_ms"])]
    for name, v in rows:
        print(
            f"{name:14s} {v['n']:>7,} {v['p50_ms']:>8.1f} {v['p95_ms']:>8.1f} "
            f"{v['p99_ms']:>8.1f} {v['max_ms']:>8.1f}"
        )
    s = r["store"]
    print(
        f"errors {r['errors']} {r['error_kinds'] or ''} | conflicts (409 E086) {r['conflicts']} | "
        f"lost {s['lost']} (creates {s['lost_creates']}, reviews {s['lost_reviews']}) | "
        f"double reviews {s['double_reviews']}"
        + (f" e.g. {s['double_review_examples'][:2]}" if s["double_reviews"] else "")
    )
    print(
        f"creates acknowledged {s['acknowledged_creates']:,}, human codings in store "
        f"{s['human_codings_in_store']:,}, coding.created events {s['created_events']:,}, "
        f"unacknowledged {s['unacknowledged_creates']} | reviews acknowledged "
        f"{s['acknowledged_reviews']:,}, reviewed in store {s['reviewed_suggestions_in_store']:,} "
        f"of {r['suggestions']}, review events {s['review_events']:,} | count check "
        f"{'ok' if s['count_check'] else 'FAILED'} | audit verified {s['audit_verified']}"
        + (f" {s['audit_problems']}" if s["audit_problems"] else "")
    )
    print(
        f"goal (p95 < {GOAL_P95_MS:.0f} ms, 0 lost, 0 errors): "
        f"{'MET' if r['goal_met'] else 'NOT MET'}"
    )
    if r.get("server_log_tail"):
        print("server log (tail):\n" + r["server_log_tail"])


def run_backend(label: str, where: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    lengths, keys, suggestions = build_project(where, args.coders)
    print(
        f"[{label}] demo project: {len(lengths)} sources, {suggestions} suggestions, "
        f"{len(keys)} codes, {args.coders} users ({time.perf_counter() - t0:.1f} s)"
    )
    load_before = os.getloadavg()
    port = free_port()
    log = tmp / f"server-{label}.log"
    proc = start_server(where, port, log, args.workers)
    try:
        coders_, elapsed, cpu = asyncio.run(
            load(
                f"http://127.0.0.1:{port}",
                args.coders,
                args.seconds,
                lengths,
                keys,
                proc.pid,
                args.think,
            )
        )
    finally:
        stop_server(proc)
    result = summarise(coders_, elapsed)
    result["backend"] = label
    result["suggestions"] = suggestions
    result["server_cpu_s"] = cpu["server"]
    result["client_cpu_s"] = cpu["client"]
    result["loadavg_before"] = [round(x, 2) for x in load_before]
    result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    result["store"] = check_store(where, coders_)
    result["goal_met"] = (
        result["overall"]["p95_ms"] < GOAL_P95_MS
        and result["store"]["lost"] == 0
        and result["errors"] == 0
        and result["store"]["audit_verified"]
        and result["store"]["count_check"]
    )
    text = log.read_text(errors="replace").strip()
    result["server_log_tail"] = text[-3000:] if text else ""
    report(label, result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--coders", type=int, default=20)
    parser.add_argument("--pg", help="a PostgreSQL server URL; a fresh database is made on it")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes (diplocode serve --workers)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause in seconds between a coder's actions (exponential); 0: closed loop",
    )
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args()
    pacing = f"think time {args.think:g} s (mean)" if args.think else "closed loop, no think time"
    print(
        f"{args.coders} coders x {args.seconds:.0f} s, {pacing}, on 127.0.0.1; "
        f"{args.workers} server process(es); {os.cpu_count()} CPUs shared by the server "
        "and the load generator"
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="diplocode-web-load-") as tmp:
        results.append(run_backend("sqlite", str(Path(tmp) / "web.db"), args, Path(tmp)))
        if args.pg and not args.sqlite_only:
            name, url = create_pg_database(args.pg)
            try:
                results.append(run_backend("postgresql", url, args, Path(tmp)))
            finally:
                drop_pg_database(args.pg, name)
    from _results import write_results

    out = write_results(
        args.out,
        "web_load",
        {
            "seconds": args.seconds,
            "coders": args.coders,
            "workers": args.workers,
            "think_s": args.think,
            "goal": {"p95_ms": GOAL_P95_MS, "lost": 0, "errors": 0},
            "results": results,
        },
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
