"""The time limits of every command that grades, in one place.

Two clocks, both counting only the work on what the student sent (reading the file, parsing
and comparing each answer; never building an answer key or misconception variants, which is
our own work):

* per answer (``--time-limit``, :data:`ANSWER_SECONDS`): an answer over it is stopped, scores 0
  with a ``limit`` error (``took more than S s to grade; stopped``), and the file's other
  answers are still graded;
* per file (``--file-time-limit``, :data:`FILE_SECONDS`): the seconds of every answer of one
  file together, the earlier attempts of a file regraded after an answer was stopped included.
  A file over it is rejected (0 points, ``took more than S s in all to grade; stopped``,
  category ``limit``): a backstop for a file made of many answers each just under the
  per-answer limit, which would otherwise hold a worker (or a platform's autograder) for
  answers × limit seconds. An honest file takes well under a second.

Limits are enforced by killing a worker process (:mod:`grader.batch.workers`); ``grade FOLDER`` grades
in workers, and :func:`grade_limited` runs one submission's grading in one for ``grade
gradescope``, ``grade prairielearn`` and ``grade check --score``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from grader.defaults import ANSWER_SECONDS, FILE_SECONDS


@dataclass(frozen=True)
class TimeLimits:
    """Seconds allowed per answer and per file (None: no limit, and grading in this process)."""

    answer: float | None = ANSWER_SECONDS
    file: float | None = FILE_SECONDS

    @property
    def any(self) -> bool:
        return self.answer is not None or self.file is not None


NONE = TimeLimits(None, None)


def file_limit_error(limit: float, **where):
    from grader.errors import SubmissionError
    return SubmissionError(f"took more than {limit:g} s in all to grade; stopped", category="limit", **where)


def _call(grade: Callable, path: Path, *, preset: dict):  # (a module-level function: picklable under spawn)
    from grader.judge.budget import checkpoint
    checkpoint(None)  # the submission was read before: what follows until the first answer is ours (keys)
    return grade(preset=preset)


def grade_limited(grade: Callable, *, limits: TimeLimits, name: str):
    """``grade(preset=...)`` (which returns a StudentResult, ``preset`` as for
    :func:`grader.batch.orchestrator.grade_submission`) run in a worker process under ``limits``; the
    result, or a result whose error says which limit stopped it. In this process when there
    is no limit. A GraderError raised by ``grade`` (a configuration error) is raised here."""
    if not limits.any:
        return grade(preset=None)
    from grader.batch.workers import grade_in_workers
    store = grade_in_workers([Path(name)], partial(_call, grade), jobs=1, time_limit=limits.answer,
                             file_time_limit=limits.file, shown=lambda p: name)
    return store[0]
