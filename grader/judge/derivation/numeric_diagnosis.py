r"""What a wrong numeric step is: the numbers a student wrote for a quantity compared with the
misconception runs' values of it (:func:`grader.keys.misconception_runs.variant_values`: the
update's sign, η left out, the batch averaged, the one example where the batch is asked, …),
with its transpose, and with its shape (:mod:`grader.judge.delta_shape`: seed 004's 2×2
hidden deltas). Flags are catalogue ids, as :func:`grader.judge.derivation.diagnosis.diagnose_step`'s."""
from __future__ import annotations

import numpy as np

from grader.course.assignment import Assignment
from grader.judge.delta_shape import delta_shape_flags
from grader.results import TRANSPOSED

MATCH_RTOL, MATCH_ATOL = 1e-3, 1e-6  # a rubric's default: the numbers were copied from a computation


def variants(assignment: Assignment) -> dict:
    """variant name → question id → value (every fixed scenario's numeric questions), once."""
    from grader.keys.misconception_runs import variant_values
    cache_key = (assignment.path, assignment.id, assignment.variant)
    if cache_key not in _VARIANTS:
        _VARIANTS[cache_key] = variant_values(assignment, None, keep_equal=True)
    return _VARIANTS[cache_key]


_VARIANTS: dict = {}


def scenario_runs(assignment: Assignment) -> dict:
    """Each fixed scenario's float evaluation (the key's numbers, as numpy gives them), once."""
    from grader.engine.autodiff import FLOAT
    from grader.keys.answer_key import run_scenarios
    cache_key = (assignment.path, assignment.id, assignment.variant)
    if cache_key not in _RUNS:
        _RUNS[cache_key] = run_scenarios(assignment, backend=FLOAT)
    return _RUNS[cache_key]


_RUNS: dict = {}


def _close(got: np.ndarray, want: np.ndarray, unit) -> bool:
    return got.shape == want.shape and bool(
        (np.abs(got - want) <= unit + MATCH_ATOL + MATCH_RTOL * np.abs(want)).all())


def written_flags(value: np.ndarray, unit, truth: np.ndarray | None, questions: list[str],
                  assignment: Assignment) -> tuple[str, ...]:
    """Why numbers ``value`` (each good to ``unit``) written for a quantity whose value is
    ``truth`` (the questions asking it: ``questions``) are wrong: the misconceptions whose
    value they are (not the truth's), the transposed layout, a δ of the wrong shape."""
    flags = []
    for name, values in variants(assignment).items():
        mid = name.split("@")[0]
        for qid in questions:
            v = values.get(qid)
            if v is not None and mid not in flags and _close(value, v, unit) and not (
                    truth is not None and _close(truth, v, 0)):
                flags.append(mid)
    if truth is None:
        return tuple(flags)
    if value.shape != truth.shape and _close(value.T, truth, np.transpose(unit)):
        flags.append(TRANSPOSED + "-answer")
    for qid in questions:
        flags += [f for f in delta_shape_flags(value.shape, truth.shape, assignment.question(qid), assignment)
                  if f not in flags]
    return tuple(flags)
