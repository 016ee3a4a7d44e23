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
in workers, and :func:`grader.batch.limited_run.grade_limited` runs one submission's grading in one
for ``grade gradescope``, ``grade prairielearn`` and ``grade check --score``.
"""
from __future__ import annotations

from dataclasses import dataclass

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
