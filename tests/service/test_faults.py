"""Faults, for real: ``grade serve`` in its own process under load, a grading worker killed with
SIGKILL (the pool comes back by itself), then the server itself (it finishes the queue once
restarted). Every accepted submission ends graded exactly once, with the points the library gives."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from grader.io.roster import Student
from tests.conftest import SUBMISSIONS
from tests.service.processes import descendants, free_port

pytest.importorskip("starlette")
from grader.service.db import gradings, open_database, submissions  # noqa: E402
from grader.service.tokens import issue_tokens  # noqa: E402

WRONG = SUBMISSIONS / "s1004_wrong_entries.yaml"
STUDENTS = 16


def start(course: Path, url: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "grader", "serve", "--course", str(course), "--database", url,
                             "--port", str(port), "--jobs", "2", "--cooldown", "0", "--lease", "3"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return proc
        except OSError:
            if proc.poll() is not None:
                pytest.fail("grade serve died: " + proc.stderr.read().decode(errors="replace"))
            time.sleep(0.2)
    proc.kill()
    pytest.fail("grade serve did not answer within 60 s")


def submit(port: int, token: str) -> int:
    body = json.dumps({"filename": WRONG.name, "text": WRONG.read_text()}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/submissions", data=body, method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as r:
        assert r.status == 202
        return json.loads(r.read())["id"]


def graded_count(engine) -> int:
    with engine.connect() as db:
        return db.scalar(select(func.count()).select_from(submissions).where(submissions.c.status == "graded"))


def wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} within {seconds} s")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the grading workers")
def test_kill_9_of_a_worker_and_of_the_server_loses_nothing_and_grades_nothing_twice(course, database_url):
    engine = open_database(database_url)
    tokens = [t for _, t in issue_tokens(engine, [Student(f"s{i:04d}") for i in range(STUDENTS)])]
    port = free_port()
    server = start(course, database_url, port)
    try:
        with ThreadPoolExecutor(8) as pool:
            accepted = list(pool.map(lambda t: submit(port, t), tokens))
        wait_for(lambda: graded_count(engine) >= 1, 120, "no submission was graded")
        workers = [p for p in descendants(server.pid) if p != server.pid]
        assert workers, "no grading worker found"
        before = graded_count(engine)
        os.kill(workers[0], signal.SIGKILL)  # a grading worker (or its grading child), mid-load
        wait_for(lambda: graded_count(engine) >= min(before + 3, STUDENTS), 120,
                 "grading did not go on after a worker was killed")
        server.send_signal(signal.SIGKILL)  # the server, with the queue not yet empty
        server.wait(30)
        server = start(course, database_url, port)
        wait_for(lambda: graded_count(engine) == STUDENTS, 240, "the queue did not finish after a restart")
    finally:
        server.kill()
        server.wait(30)
    with engine.connect() as db:
        subs = db.execute(select(submissions.c.id, submissions.c.status)).all()
        rounds = db.execute(select(gradings.c.submission_id, gradings.c.round, gradings.c.points)).all()
    engine.dispose()
    assert sorted(s[0] for s in subs) == sorted(accepted) and len(set(accepted)) == STUDENTS
    assert {s[1] for s in subs} == {"graded"}
    assert sorted(r[0] for r in rounds) == sorted(accepted)  # one grading each: none lost, none twice
    assert {(r[1], r[2]) for r in rounds} == {(0, 34.0)}


def test_a_grading_worker_killed_while_idle_is_replaced(course, tmp_path):
    from starlette.testclient import TestClient

    from grader.service.app import create_app
    from tests.service.conftest import bearer, issue, settings_for, wait_graded

    url = f"sqlite:///{tmp_path / 'idle.sqlite'}"
    toks = issue(url)
    app = create_app(settings_for(course, url, cooldown=0, jobs=1))
    body = {"filename": WRONG.name, "text": WRONG.read_text()}
    with TestClient(app) as client:
        first = client.post("/api/v1/submissions", headers=bearer(toks["s1004"]), json=body).json()["id"]
        assert wait_graded(client, toks["s1004"], first)["result"]["points"] == 34.0
        [worker] = app.state.dispatcher.worker_pids()
        os.kill(worker, signal.SIGKILL)
        second = client.post("/api/v1/submissions", headers=bearer(toks["s1004"]), json=body).json()["id"]
        assert wait_graded(client, toks["s1004"], second)["result"]["points"] == 34.0
        assert app.state.dispatcher.worker_pids() != [worker]
