"""Grading off the request path: a thread that claims queued submissions and grades them in a
process pool, with the CLI's time limits (each grading also runs in its own killable child, as
``grade gradescope`` does: :func:`grader.batch.limited_run.grade_limited`).

A pool worker killed (kill -9, out of memory) breaks the pool: its claims are queued again, a new
pool is made, and grading goes on by itself. A submission that breaks the pool three times is
recorded as an internal error rather than retried for ever. A server killed mid-grading leaves
claims behind; :func:`grader.service.queue.requeue_stale` gives them back after the lease (at
once on start with SQLite, which only one server uses).
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from sqlalchemy.engine import Engine

from grader.errors import internal_error
from grader.results import StudentResult
from grader.service import queue
from grader.service.grading import grade_text, rubric_hash, stored, catalog_for
from grader.service.settings import ServiceSettings
from grader.service.db import people, submissions

log = logging.getLogger("grader.service")
MAX_BREAKS = 3  # a submission that kills its worker this often is recorded as an internal error
STALE_CHECK_SECONDS = 5.0
WORKER_NICENESS = 10  # added to the grading processes' niceness


def worker_init(parent: int) -> None:
    """A pool worker yields the CPU to the server's requests (grading is background work: a
    nicer priority keeps pages and submissions answering under load), and ends when the server
    does, even on a kill -9 of the server (Linux's parent-death signal; elsewhere the worker
    ends when its pipe to the server closes)."""
    try:
        os.nice(WORKER_NICENESS)
    except (OSError, AttributeError):
        pass
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the server died before the signal was set
        os._exit(1)


class Dispatcher:
    """Claims, grades and records, until :meth:`stop`. ``wake`` after an insert starts at once."""

    def __init__(self, engine: Engine, settings: ServiceSettings):
        self.engine = engine
        self.settings = settings
        self.worker = f"{socket.gethostname()[:20]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="grader-dispatcher", daemon=True)
        self._pool: ProcessPoolExecutor | None = None
        self._breaks: dict[int, int] = {}
        self.pool_restarts = 0

    def start(self) -> None:
        if self.settings.url.startswith("sqlite"):
            queue.requeue_stale(self.engine, 0.0)  # one server per SQLite file: every claim left is a dead one's
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def worker_pids(self) -> list[int]:
        """The pool's process ids (for the fault tests and the load script)."""
        return [p.pid for p in (getattr(self._pool, "_processes", None) or {}).values()]

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.settings.jobs, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=worker_init, initargs=(os.getpid(),))

    def _run(self) -> None:
        inflight: dict[Future, queue.Claimed] = {}
        last_stale = 0.0
        self._pool = self._new_pool()
        while not self._stop.is_set():
            try:
                if time.time() - last_stale > STALE_CHECK_SECONDS:
                    queue.requeue_stale(self.engine, self.settings.lease_seconds)
                    last_stale = time.time()
                free = self.settings.jobs - len(inflight)
                if free > 0:
                    claimed = queue.claim(self.engine, self.worker, limit=free)
                    for i, c in enumerate(claimed):
                        try:
                            inflight[self._pool.submit(grade_text, *self._arguments(c))] = c
                        except BrokenProcessPool:  # a worker died while idle
                            self._restart([*claimed[i:], *inflight.values()])
                            inflight.clear()
                            break
                if not inflight:
                    self._wake.wait(0.5)
                    self._wake.clear()
                    continue
                done, _ = wait(list(inflight), timeout=0.5, return_when=FIRST_COMPLETED)
                for fut in done:
                    self._finish(fut, inflight.pop(fut), inflight)
            except Exception:  # noqa: BLE001 - a database hiccup must not stop grading for good
                log.exception("grading loop error; retrying")
                time.sleep(1.0)

    def _arguments(self, c: queue.Claimed) -> tuple:
        s = self.settings
        with self.engine.connect() as db:
            who = db.execute(people.select().with_only_columns(people.c.id, people.c.name)
                             .join(submissions, submissions.c.person_id == people.c.id)
                             .where(submissions.c.id == c.id)).one()
        return (str(s.course), s.salt, s.unsalted, c.assignment, c.filename, c.text, s.limits, tuple(who))

    def _finish(self, fut: Future, c: queue.Claimed, inflight: dict) -> None:
        try:
            graded = fut.result()
        except BrokenProcessPool:
            self._broken(c, inflight)
            return
        except Exception as e:  # noqa: BLE001 - a bug of ours on one submission: its result says so
            graded = self._internal(c, e)
        queue.record(self.engine, c.id, graded)

    def _broken(self, c: queue.Claimed, inflight: dict) -> None:
        """A worker died grading ``c``: every claim in flight goes back to the queue, on a new pool."""
        lost = [c, *inflight.values()]
        inflight.clear()
        self._breaks[c.id] = self._breaks.get(c.id, 0) + 1
        if self._breaks[c.id] >= MAX_BREAKS:
            queue.record(self.engine, c.id, self._internal(c, RuntimeError("the grading process died")))
            lost = lost[1:]
        self._restart(lost)

    def _restart(self, lost: list[queue.Claimed]) -> None:
        queue.release(self.engine, [x.id for x in lost])
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()
        self.pool_restarts += 1
        log.warning("a grading worker died: %d submission(s) queued again, pool restarted", len(lost))

    def _internal(self, c: queue.Claimed, e: Exception):
        catalog = catalog_for(str(self.settings.course), self.settings.salt, self.settings.unsalted)
        error = internal_error(e, file=c.filename, advice="this is not your fault, please tell your instructor")
        result = StudentResult(c.filename, assignment=c.assignment, error=error)
        try:
            result = replace(result, max_points=catalog.rubric(catalog.assignment(c.assignment)).max_points)
            hashed = rubric_hash(catalog, c.assignment)
        except Exception:  # noqa: BLE001
            hashed = "unknown"
        return stored(result, hashed)
