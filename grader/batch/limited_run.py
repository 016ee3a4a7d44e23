"""One submission graded in a worker process under the time limits (:mod:`grader.judge.time_limits`):
what ``grade gradescope``, ``grade prairielearn`` and ``grade check --score`` run, so a hostile
file stops there as it would in ``grade FOLDER``.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from grader.judge.time_limits import TimeLimits


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
    from grader.batch.workers import grade_in_workers  # (multiprocessing only when a limit is set)
    store = grade_in_workers([Path(name)], partial(_call, grade), jobs=1, time_limit=limits.answer,
                             file_time_limit=limits.file, shown=lambda p: name)
    return store[0]
