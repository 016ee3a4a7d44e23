"""Grading answer files in worker processes: in parallel, with a per-answer time limit that
really stops the work, and with a crash of one file costing only that file's row.

Why processes, and why the parent holds the clock: a pathological answer may spend its time
in C (a regex backtracking, a huge integer power) where ``SIGALRM`` is only noticed when the
interpreter regains control, which may be never. SIGKILL from the parent always works. So
even ``--jobs 1`` grades in one worker process whenever there is a time limit; only a library
call with ``time_limit=None`` and one job grades in-process (see :func:`grader.batch.orchestrator.grade_folder`).

Per worker, a duplex pipe and a :class:`grader.judge.budget.Board`:

* parent → worker: ``(index, path, preset)``, a file to grade (``preset``: question id →
  AnswerError for answers that already ran out of time); ``None``: exit.
* worker → parent: ``("done", index, (summary, compressed pickle), growth)``, the result
  packed by :func:`grader.result_store.pack` (compressed here, in parallel, and stored as it
  comes: the parent never holds a result unpacked); ``("raise", index, GraderError, growth)``,
  a configuration error that stops the run; ``("failed", index, why, growth)``, a result that
  could not be sent back. ``growth``: the worker's heap growth so far, in kB (see below).
* the board (shared memory): which answer the worker is on, since when, and the seconds that
  answer has used so far in this file (parse and compare together); written at every
  checkpoint, read by the parent every ``TICK`` and whenever a clock would run out.

Past ``time_limit`` the parent kills the worker, presets that answer to a ``limit`` error and
regrades the file in a fresh worker, so the other answers of the file are still graded; the
batch goes on. Past ``file_time_limit`` (the seconds of all the file's answers, in every attempt
at it: :mod:`grader.judge.time_limits`) the parent kills the worker and the file is rejected. A
worker that dies on its own (a segfault, ``os._exit``) makes its file a ``rejected: internal
error`` row. Each worker grades many files and keeps its own
Catalog, so answer keys are built once per worker, not once per file. Results are put back
in the order of ``paths``: the output does not depend on which worker finished first.

Memory: a worker's Catalog keeps what it builds, and for an assignment with per-student numbers
that is every student's draw, key and variants (~65 KB a student: 650 MB for 10,000). So a
worker whose heap has grown by more than ``MAX_GROWTH_MB`` (and which has graded ``MIN_FILES``)
gets no more files; once it has sent back those it holds it is stopped, and a fresh worker is
forked from the parent, whose keys were built before the first fork (a fresh worker only
rebuilds a few small caches, ~0.5 s). The worker measures its growth itself after each file
(:class:`Growth`): anonymous resident memory, since resident memory also counts the library
code a fork faults in as it first runs it, which is shared and not growth; the first file of
each assignment does not count (the keys of an assignment the warm-up did not guess are built
then, and are needed, not leaked). A forked worker also freezes
the garbage collector's view of what it inherited (``gc.freeze``), so its collections do not
write to, and so copy, the parent's pages (the stored results among them).
"""
from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from grader.judge import budget
from grader.judge.time_limits import file_limit_error
from grader.errors import AnswerError, GraderError, SubmissionError, internal_error
from grader.result_store import ResultStore, pack
from grader.results import StudentResult

TICK = 0.1  # seconds between looks at the clocks (and progress-bar redraws) when nothing happens
GATHER = 0.005  # seconds the parent lets results gather after a wake-up (see _Pool.run)
PREFETCH = 16  # files sent to a worker ahead of its results: more than it grades in GATHER
MAX_GROWTH_MB = 32  # a worker whose heap grew by more than this is replaced (Linux) ...
MIN_FILES = 100  # ... once it has graded this many files (never thrash on caches a fresh worker needs)
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4


def limit_error(limit: float, **where) -> AnswerError:
    return AnswerError(f"took more than {limit:g} s to grade; stopped", category="limit", **where)


NO_PRESET: dict = {}  # shared by every task without one (never changed: a preset is a new dict)


@dataclass(frozen=True, slots=True)
class Task:
    index: int
    path: Path
    preset: dict = field(default_factory=lambda: NO_PRESET)  # question id → AnswerError, not graded again
    spent_before: float = 0.0  # seconds the file used in earlier attempts (stopped on an answer's limit)


def grade_in_workers(paths: list[Path], grade: Callable[..., StudentResult], *, jobs: int,
                     time_limit: float | None, shown: Callable[[Path], str], progress=None,
                     file_time_limit: float | None = None) -> ResultStore:
    """``grade(path, preset=...)`` for every path, in up to ``jobs`` worker processes; results
    in the order of ``paths``, in a ResultStore. ``shown(path)`` names a file in the rows made
    here (crashes, files too slow to read). A GraderError raised by ``grade`` (a configuration error) stops
    the run and is raised here."""
    pool = _Pool(grade, jobs=min(jobs, len(paths)), time_limit=time_limit, shown=shown, progress=progress,
                 file_time_limit=file_time_limit)
    return pool.run([Task(i, p if isinstance(p, Path) else Path(p)) for i, p in enumerate(paths)])


def _context():
    """The ``fork`` start method where it is safe (Linux): a forked worker starts in
    milliseconds with numpy, sympy and lark already imported (``spawn`` re-imports them, about
    a second per worker, and again for every worker replacing a killed one), and it inherits
    the run's Catalog as it is — salt, search folders, any answer key already built — without
    pickling it. The parent starts no threads of its own (a BLAS library's thread pool is
    reset in the child by its own fork handlers). Named explicitly because Python 3.14 makes
    ``forkserver`` the Linux default. macOS and Windows keep their default (``spawn``), where
    ``grade`` and the Catalog are pickled instead."""
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


class _Worker:
    """One worker process and the files sent to it, in the order it grades them: the first is
    the one in hand. It is sent up to ``PREFETCH`` files ahead, so it never waits for the
    parent between files, even while the parent lets results gather (``GATHER``)."""

    def __init__(self, ctx, grade, siblings: list):
        inherited = siblings if ctx.get_start_method() == "fork" else []
        self.board = budget.Board(ctx.RawArray("c", budget.SIZE))  # zeroed: no clock runs
        self.conn, child_end = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, args=(child_end, self.board.buffer, grade, inherited,
                                                              os.getpid()), daemon=True, name="grader-worker")
        self.process.start()
        child_end.close()  # only the worker holds its end: its death is EOF here
        self.tasks: deque[Task] = deque()
        self.full = False  # grown past MAX_GROWTH_MB: sent no more files, replaced when idle
        self.graded = 0

    def check_growth(self, growth_kb: int) -> None:
        """Called per result, with the heap growth the worker reports."""
        self.graded += 1
        if self.graded >= MIN_FILES and growth_kb > MAX_GROWTH_MB * 1024:
            self.full = True

    def assign(self, task: Task) -> None:
        self.conn.send((task.index, task.path, task.preset))
        self.tasks.append(task)

    def spent(self, now: float) -> tuple[str | None, float]:
        """The answer the worker is on and its seconds so far ((None, 0) while the work is ours
        or it is idle). ``now`` is taken before the board is read, so the seconds are never an
        overestimate. The subject belongs to ``tasks[0]`` once the pipe has been drained: the
        worker sends a file's result before it starts the next file."""
        return self.board.spent(now) if self.tasks else (None, 0.0)

    def file_spent(self, now: float) -> float:
        """The seconds ``tasks[0]`` has used, in this worker and in earlier attempts (0 when idle)."""
        return self.tasks[0].spent_before + self.board.file_spent(now) if self.tasks else 0.0

    def stop(self) -> None:
        """Kill and reap the process (SIGKILL: nothing it is doing can delay this)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()

    def how_it_died(self) -> str:
        self.process.join(timeout=5)
        code = self.process.exitcode
        if code is None:
            return "stopped answering"
        if code < 0:
            try:
                return f"killed by signal {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"


class _Pool:
    def __init__(self, grade, *, jobs: int, time_limit: float | None, shown, progress, file_time_limit=None):
        self.grade, self.jobs, self.limit, self.shown, self.progress = grade, max(1, jobs), time_limit, shown, progress
        self.file_limit = file_time_limit
        self.ctx = _context()
        self.workers: list[_Worker] = []
        self.pending: deque[Task] = deque()
        self.results: dict[int, tuple[bytes, bytes]] = {}  # packed results that came before an earlier one's
        self.store = ResultStore()  # results in order, each stored as soon as those before it are

    def run(self, tasks: list[Task]) -> ResultStore:
        self.pending.extend(tasks)
        try:
            while len(self.store) < len(tasks):
                self._dispatch()
                busy = [w for w in self.workers if w.tasks]
                ready = wait([w.conn for w in busy], timeout=self._timeout(busy))
                for w in [w for w in busy if w.conn in ready]:
                    self._drain(w)
                self._enforce_limit()
                if self.progress is not None:
                    self.progress.tick()
                if ready:  # one wake-up per few results, not per file: on 2 cores each wake-up of
                    self._dispatch()  # the parent preempts a worker (and evicts its caches)
                    time.sleep(GATHER)
        finally:
            self._shutdown()
        return self.store

    def _dispatch(self) -> None:
        """Top every worker up to ``PREFETCH`` files (fewer near the end, so that the workers
        finish together); new workers up to ``jobs`` while files wait. A worker that has grown
        too big is stopped once idle (and so replaced while files wait)."""
        for w in [w for w in self.workers if w.full and not w.tasks]:
            self._retire(w)
        ahead = max(2, min(PREFETCH, len(self.pending) // self.jobs))
        for w in list(self.workers):
            while self.pending and len(w.tasks) < ahead and not w.full:
                try:
                    w.assign(self.pending[0])
                except OSError:  # it died while idle: its files go to others
                    self._retire(w)
                    break
                self.pending.popleft()
        while self.pending and len(self.workers) < self.jobs:
            self.workers.append(_Worker(self.ctx, self.grade, [x.conn for x in self.workers]))
            self._dispatch()

    def _timeout(self, busy: list[_Worker]) -> float:
        """Wake up when the first running clock would run out (or after a TICK)."""
        now = time.monotonic()
        left = [] if self.limit is None else \
            [self.limit - spent for subject, spent in (w.spent(now) for w in busy) if subject is not None]
        if self.file_limit is not None:
            left += [self.file_limit - w.file_spent(now) for w in busy]
        return max(0.0, min([TICK, *left]))

    def _drain(self, w: _Worker) -> None:
        """Every message the worker has sent; EOF means it died with ``tasks[0]`` in hand."""
        try:
            while w.tasks and w.conn.poll():
                kind, index, payload, growth = w.conn.recv()
                task = w.tasks.popleft()
                assert task.index == index, "a worker answered out of order"
                if kind == "raise":
                    raise payload
                self._done(task, payload if kind == "done" else pack(self._internal_error(task, payload)))
                w.check_growth(growth)
        except (EOFError, OSError):
            subject, _ = w.spent(time.monotonic())
            why = w.how_it_died() + (f", on question {subject}" if subject else "")
            task = w.tasks.popleft() if w.tasks else None
            self._retire(w)
            if task is not None:
                self._done(task, pack(self._internal_error(task, f"the grading process died: {why}")))

    def _enforce_limit(self) -> None:
        """Kill a worker whose running answer is past the limit; regrade its file without that
        answer. A file past the per-file limit is rejected."""
        if self.limit is None and self.file_limit is None:
            return
        for w in [w for w in self.workers if w.tasks]:
            now = time.monotonic()
            subject, spent = w.spent(now)
            file_spent = w.file_spent(now)
            over_file = self.file_limit is not None and file_spent > self.file_limit
            if not over_file and (self.limit is None or spent <= self.limit):
                continue
            if w.conn.poll():  # it finished its file (or died) meanwhile: take that, look again next time
                self._drain(w)
                continue
            task = w.tasks.popleft()
            self._retire(w)
            name = self.shown(task.path)
            if over_file:
                self._done(task, pack(StudentResult(name, error=file_limit_error(self.file_limit, file=name))))
            elif subject == budget.FILE or subject in task.preset:  # (the latter cannot happen; never loop)
                error = SubmissionError(f"took more than {self.limit:g} s to read; stopped", file=name, category="limit")
                self._done(task, pack(StudentResult(name, error=error)))
            else:
                preset = {**task.preset, subject: limit_error(self.limit, file=name, question=subject)}
                # regraded first, in a fresh process, the seconds so far still on the file's clock
                self.pending.appendleft(Task(task.index, task.path, preset, file_spent))

    def _done(self, task: Task, packed: tuple[bytes, bytes]) -> None:
        """(Task indices are 0, 1, ... in the order of the paths.)"""
        self.results[task.index] = packed
        while len(self.store) in self.results:
            self.store.append_packed(self.results.pop(len(self.store)))
        if self.progress is not None:
            self.progress.advance()

    def _internal_error(self, task: Task, why: str) -> StudentResult:
        name = self.shown(task.path)
        return StudentResult(name, error=internal_error(why, file=name))

    def _retire(self, w: _Worker) -> None:
        """Stop a worker; the files it was sent but had not started go back to the queue."""
        w.stop()
        self.workers.remove(w)
        self.pending.extendleft(reversed(w.tasks))
        w.tasks.clear()

    def _shutdown(self) -> None:
        """Workers are asked to exit (they are idle after a complete run); any that are not
        (the run is being abandoned: a configuration error, Ctrl-C) are killed."""
        for w in self.workers:
            try:
                w.conn.send(None)
            except OSError:
                pass
        deadline = time.monotonic() + 2.0
        for w in self.workers:
            if not w.tasks:
                w.process.join(timeout=max(0.0, deadline - time.monotonic()))
            w.stop()
        self.workers.clear()


def _worker_main(conn, board, grade, inherited: list, parent_pid: int) -> None:
    """The worker's loop: grade the files it is sent, announcing each answer it starts."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which then kills us
    gc.freeze()  # what was inherited stays out of our collections: they would copy the parent's pages
    for c in inherited:  # the parent's ends of sibling workers' pipes, copied by fork: a sibling
        c.close()        # must see EOF when the parent dies, whoever else is still alive
    _die_with_parent(parent_pid)
    budget.attach(budget.Board(board))
    growth = Growth()
    try:
        while (task := conn.recv()) is not None:
            index, path, preset = task
            budget.begin_file()
            try:
                result = grade(path, preset=preset)
            except GraderError as e:  # a configuration error: the run stops
                conn.send(("raise", index, e, growth.kb))
                return
            budget.end_file()  # before the result goes: the parent never charges this file's seconds to the next
            kb = growth.after(result.assignment)
            try:
                conn.send(("done", index, pack(result), kb))
            except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as e:  # a result that does not pickle: our bug
                conn.send(("failed", index, f"result not sent back ({type(e).__name__}: {e})", kb))
    except (EOFError, OSError):
        pass  # the parent is gone (or closed the pipe): nothing is left to do


def anonymous_kb() -> int | None:
    """This process's anonymous resident memory in kB (resident less file-backed and shared
    pages, from /proc/self/statm), or None where /proc cannot say."""
    try:
        with open("/proc/self/statm", "rb") as f:
            fields = f.read().split()
        return (int(fields[1]) - int(fields[2])) * PAGE_KB
    except (OSError, ValueError, IndexError):
        return None


class Growth:
    """A worker's heap growth in kB, summed over the files it grades except the first file of
    each assignment (the keys that file may build are needed, not leaked).

    >>> g = Growth(read=iter([100, 130, 135, 150]).__next__)
    >>> g.after("a"), g.after("a"), g.after("b")  # +30 on a's first file: not counted
    (0, 5, 5)
    """

    def __init__(self, read: Callable[[], int | None] = anonymous_kb):
        self.read, self.last, self.met, self.kb = read, read(), set(), 0

    def after(self, assignment: str) -> int:
        """The growth so far, after a file of ``assignment``."""
        now = self.read()
        if now is not None and self.last is not None and assignment in self.met:
            self.kb += now - self.last
        self.met.add(assignment)
        self.last = now
        return self.kb


def _die_with_parent(parent_pid: int) -> None:
    """On Linux ask the kernel to SIGKILL this worker when the parent dies, even by SIGKILL, so
    an orphan never grinds on a pathological answer nobody waits for."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(0)
