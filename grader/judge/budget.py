"""Checkpoints for the per-answer time budget.

The time limit on one answer is enforced by the *parent* process (:mod:`grader.batch.workers`): a
worker that runs past it is killed with SIGKILL, which stops anything — a regex backtracking
in C, a huge integer power, a loop that never checks for signals — where ``SIGALRM`` would wait
for the interpreter to regain control. For that the parent must know, at every moment, whose
work the worker is doing. The grading code says so by calling :func:`checkpoint`:

* ``checkpoint(qid)`` — from now on the work is on the student's answer to ``qid``: its clock runs;
* ``checkpoint(None)`` — from now on the work is ours (building an answer key, misconception
  variants, scoring): no answer's clock runs;
* ``begin_file()`` — a new file: reading it is on the clock (subject ``FILE``).

Outside a worker (grading in-process, ``grade check``, tests) a checkpoint costs one global
lookup. In a worker it is written to a :class:`Board`, a few bytes of memory shared with the
parent: which answer, since when (the monotonic clock, system-wide on Linux) and how many
seconds that answer had already used (parse and compare are separate visits), and the seconds
the file's answers (and its reading) had used before then: the clock of the per-file limit,
which, like the per-answer one, never counts our own work. The first
version sent each checkpoint as a message over the worker's pipe; at ~100 answers per file
the parent spent about a quarter of a second per 100 files just reading them. A shared board
costs the worker a ``struct.pack_into`` per answer and the parent nothing until it looks, and
the parent can read it while the worker is stuck in C holding the GIL.
"""
from __future__ import annotations

import struct
import time

FILE = ""  # the subject "reading the answer file" (question ids are never empty)

_HEAD = struct.Struct("=IBdddH")  # sequence, running (0: our work, no clock), since, used before, file used, len(qid)
_SEQ = struct.Struct("=I")
MAX_QID = 1000  # bytes of a question id kept (ids are the assignment's own, far shorter)
SIZE = _HEAD.size + MAX_QID


class Board:
    """The worker's current subject, in a shared buffer (``multiprocessing.RawArray``).

    A seqlock: the worker (the only writer) makes the sequence odd while it writes, even when
    done; the parent (the only reader) retries a read that saw an odd or changed sequence.
    A zeroed buffer reads as "our own work": no clock runs.
    """

    def __init__(self, buffer):
        self.buffer = buffer
        self._seq = 0
        self._last: tuple[str | None, float, float, float] = (None, 0.0, 0.0, 0.0)

    def publish(self, subject: str | None, since: float, used: float, file_used: float = 0.0) -> None:
        raw = b"" if subject is None else subject.encode("utf-8")[:MAX_QID]
        self._seq += 1
        _SEQ.pack_into(self.buffer, 0, self._seq)
        _HEAD.pack_into(self.buffer, 0, self._seq, subject is not None, since, used, file_used, len(raw))
        self.buffer[_HEAD.size:_HEAD.size + len(raw)] = raw
        self._seq += 1
        _SEQ.pack_into(self.buffer, 0, self._seq)

    def read(self) -> tuple[str | None, float, float, float]:
        """(subject or None, since, seconds the subject used before ``since``, seconds the
        file used before ``since``)."""
        for _ in range(1000):
            seq, running, since, used, file_used, size = _HEAD.unpack_from(self.buffer, 0)
            raw = bytes(self.buffer[_HEAD.size:_HEAD.size + size])
            if seq % 2 == 0 and _SEQ.unpack_from(self.buffer, 0)[0] == seq:
                self._last = (raw.decode("utf-8", "replace") if running else None, since, used, file_used)
                break
        return self._last  # (after 1000 torn reads, the last consistent one: at worst one tick late)

    def spent(self, now: float) -> tuple[str | None, float]:
        """The running subject and its seconds so far (None, 0 while the work is ours)."""
        subject, since, used, _ = self.read()
        return (subject, used + max(0.0, now - since)) if subject is not None else (None, 0.0)

    def file_spent(self, now: float) -> float:
        """Seconds the current file's answers (and its reading) have used so far."""
        subject, since, _, file_used = self.read()
        return file_used + max(0.0, now - since) if subject is not None else file_used


_board: Board | None = None  # set in a worker only
_subject: str | None = None  # the running subject, its start, and the seconds each answer used
_since = 0.0
_used: dict[str, float] = {}
_file_used = 0.0  # the sum of _used


def attach(board: Board) -> None:
    """Called once in a worker process: checkpoints now go to ``board``."""
    global _board
    _board = board


def begin_file() -> None:
    """A new answer file starts: every answer's clock is back at 0, reading the file runs."""
    global _subject, _file_used
    _used.clear()
    _subject, _file_used = None, 0.0
    checkpoint(FILE)


def end_file() -> None:
    """The file is graded: no clock runs, and the file's seconds are back at 0."""
    global _file_used
    checkpoint(None)
    _file_used = 0.0
    if _board is not None:
        _board.publish(None, time.monotonic(), 0.0, 0.0)


def checkpoint(qid: str | None) -> None:
    """Announce whose work follows: the answer to ``qid``, ``None`` for ours, ``FILE`` for
    reading the file. A no-op outside a worker process."""
    global _subject, _since, _file_used
    if _board is None or qid == _subject:
        return
    now = time.monotonic()
    if _subject is not None:
        _used[_subject] = _used.get(_subject, 0.0) + (now - _since)
        _file_used += now - _since
    _subject, _since = qid, now
    _board.publish(qid, now, _used.get(qid, 0.0) if qid is not None else 0.0, _file_used)
