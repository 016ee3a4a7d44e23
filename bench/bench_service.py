"""Load (and fault) benchmark of ``grade serve`` on the loopback address: simulated students
check and submit answer files and write-ups for a fixed time, then the queue drains and the database is audited.

Run from the repository root::

    python bench/bench_service.py                         # 200 students, 60 s, SQLite, 2 grading processes
    python bench/bench_service.py --faults                # also kill -9 a grading worker (at 1/3) and the server (at 2/3)
    python bench/bench_service.py --database postgresql+psycopg://postgres@127.0.0.1:5432/bench

Each student, until the time is up: checks a file (free), submits it, polls its feedback every
2 s until graded, thinks ``--think`` seconds, and starts again. Printed: requests per second,
p50/p99 latency per kind of request, submissions accepted and graded per second, errors
(non-2xx answers, failed connections: with ``--faults``, those from the server's kill until 2 s
after it answers again are counted apart, as the outage's), and the audit: every accepted submission in the database, graded, exactly once.
Bounded: the load stops after ``--seconds``, the drain after ``--drain`` seconds; the server is stopped.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from grader.io.roster import Student  # noqa: E402
from grader.service.db import gradings, open_database, submissions  # noqa: E402
from grader.service.tokens import issue_tokens  # noqa: E402
from tests.service.processes import descendants, free_port  # noqa: E402

FILES = [ROOT / "submissions" / n for n in ("s1001_all_correct.yaml", "s1004_wrong_entries.yaml",
                                            "s1005_wrong_shape.yaml", "s1007_matlab_latex.yaml",
                                            "s1009_unreadable_answers.yaml", "s1008_ex1_only.json",
                                            "writeups/seed000_softmax-ce.md", "writeups/seed003_residual-softmax.md")]


OUTAGE_GRACE = 2.0  # seconds after the restart still counted as the outage (requests sent before it)


def start_server(course: Path, url: str, port: int, jobs: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "grader", "serve", "--course", str(course), "--database", url,
                             "--port", str(port), "--jobs", str(jobs), "--cooldown", "0", "--attempts", "100000",
                             "--lease", "10"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("the server did not start within 60 s")


class Load:
    def __init__(self, base: str, seconds: float, think: float):
        self.base, self.seconds, self.think = base, seconds, think
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.down_errors = 0
        self.server_down = False
        self.accepted: list[int] = []
        self.graded_seen = 0

    def new_client(self, n: int) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
        self.client = httpx.AsyncClient(timeout=120, limits=limits)
        return self.client

    async def call(self, kind: str, method: str, path: str, **kw):
        t = time.perf_counter()
        try:
            r = await self.client.request(method, self.base + path, **kw)
        except httpx.HTTPError as e:
            if self.server_down:
                self.down_errors += 1
            else:
                self.errors[f"{kind} ({type(e).__name__}, sent {time.perf_counter() - t:.1f} s before)"] += 1
            return None
        self.latency[kind].append(time.perf_counter() - t)
        if r.status_code >= 300:
            self.errors[f"{kind} {r.status_code}"] += 1
            return None
        return r.json()

    async def student(self, token: str, n: int, end: float):
        headers = {"Authorization": f"Bearer {token}"}
        i = n
        while time.monotonic() < end:
            path = FILES[i % len(FILES)]
            i += 1
            body = {"filename": path.name, "text": path.read_text()}
            await self.call("check", "POST", "/api/v1/check", json=body, headers=headers)
            sent = await self.call("submit", "POST", "/api/v1/submissions", json=body, headers=headers)
            if sent is None:
                await asyncio.sleep(1.0)
                continue
            self.accepted.append(sent["id"])
            while time.monotonic() < end:
                await asyncio.sleep(2.0)
                got = await self.call("feedback", "GET", f"/api/v1/submissions/{sent['id']}", headers=headers)
                if got and got["status"] == "graded":
                    self.graded_seen += 1
                    break
            await asyncio.sleep(self.think)

    async def run(self, tokens: list[str]):
        end = time.monotonic() + self.seconds
        self.new_client(len(tokens))
        await asyncio.gather(*(self.student(t, n, end) for n, t in enumerate(tokens)))
        await self.client.aclose()


def pct(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[q - 1] if len(xs) > 1 else (xs[0] if xs else 0.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--students", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--think", type=float, default=5.0, help="seconds a student waits after reading feedback")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--database", default="", help="SQLAlchemy URL (default: a new SQLite file)")
    ap.add_argument("--drain", type=float, default=600.0, help="seconds allowed to grade what is queued at the end")
    ap.add_argument("--faults", action="store_true", help="kill -9 a grading worker, then the server (restarted)")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-service-"))
    course = tmp / "course"
    for part in ("reference", "rubrics"):
        shutil.copytree(ROOT / part, course / part)
    url = args.database or f"sqlite:///{tmp / 'service.sqlite'}"
    engine = open_database(url)
    tokens = [t for _, t in issue_tokens(engine, [Student(f"b{i:04d}") for i in range(args.students)])]
    port = free_port()
    server = start_server(course, url, port, args.jobs)
    load = Load(f"http://127.0.0.1:{port}", args.seconds, args.think)
    faults = []

    async def inject():
        nonlocal server
        await asyncio.sleep(args.seconds / 3)
        workers = descendants(server.pid)
        if workers:
            os.kill(workers[0], signal.SIGKILL)
            faults.append(f"kill -9 of grading process {workers[0]} at {args.seconds / 3:.0f} s")
        await asyncio.sleep(args.seconds / 3)
        load.server_down = True
        server.send_signal(signal.SIGKILL)
        server.wait()
        t = time.monotonic()
        server = await asyncio.to_thread(start_server, course, url, port, args.jobs)
        stale = load.client  # its kept-alive connections lead to the killed server: as a browser, start afresh
        load.new_client(args.students)
        await stale.aclose()
        await asyncio.sleep(OUTAGE_GRACE)
        load.server_down = False
        faults.append(f"kill -9 of the server at {2 * args.seconds / 3:.0f} s, back after {time.monotonic() - t:.1f} s")

    async def both():
        await asyncio.gather(load.run(tokens), *([inject()] if args.faults else []))

    started = time.monotonic()
    try:
        asyncio.run(both())
        loaded = time.monotonic() - started

        def counts():
            with engine.connect() as db:
                return dict(db.execute(select(submissions.c.status, func.count()).group_by(submissions.c.status)).all())

        t = time.monotonic()
        while counts().get("graded", 0) < sum(counts().values()) and time.monotonic() - t < args.drain:
            time.sleep(1.0)
        drained = time.monotonic() - t
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    with engine.connect() as db:
        rows = db.execute(select(submissions.c.id, submissions.c.status)).all()
        per = db.execute(select(gradings.c.submission_id, func.count()).where(gradings.c.round == 0)
                         .group_by(gradings.c.submission_id)).all()
    in_db = {r[0] for r in rows}
    graded_once = {sid for sid, n in per if n == 1}
    requests = sum(len(v) for v in load.latency.values())
    print(f"grade serve under load: {args.students} students, {args.seconds:g} s, --jobs {args.jobs}, "
          f"{'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}{', with faults' if args.faults else ''}")
    for f in faults:
        print("  fault:", f)
    print(f"  requests: {requests} in {loaded:.1f} s = {requests / loaded:.1f}/s")
    for kind, xs in sorted(load.latency.items()):
        print(f"  {kind:9s} n={len(xs):6d}  p50 {1000 * pct(xs, 50):7.1f} ms  p99 {1000 * pct(xs, 99):7.1f} ms")
    print(f"  submissions accepted: {len(load.accepted)} ({len(load.accepted) / loaded:.2f}/s); "
          f"graded during the load: {load.graded_seen}; queue drained {drained:.1f} s after the load")
    print(f"  graded per second over load and drain: {len(graded_once) / (loaded + drained):.2f}")
    print(f"  errors: {sum(load.errors.values())} {dict(load.errors) or ''}"
          + (f"; requests refused while the server was down: {load.down_errors}" if args.faults else ""))
    lost = set(load.accepted) - in_db
    unknown = in_db - set(load.accepted)
    twice = {sid for sid, n in per if n > 1}
    ungraded = {r[0] for r in rows if r[1] != "graded"} | (in_db - graded_once - twice)
    print(f"  audit: accepted {len(load.accepted)}, in the database {len(in_db)}, lost {len(lost)}, "
          f"not accepted but stored {len(unknown)}, graded twice {len(twice)}, not graded {len(ungraded)}")
    engine.dispose()
    shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if lost or twice or ungraded or sum(load.errors.values()) else 0)


if __name__ == "__main__":
    main()
