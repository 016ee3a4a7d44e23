"""Follow-through runs the key's own engine path, and pins only answers that carry information."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from grader.keys.catalog import Catalog
from grader.tolerance import Tolerance
from grader.results import FOLLOW, WRONG
from grader.judge.follow_through import pinnable
from grader.batch.orchestrator import grade_submission
from grader.io.answer_files import Submission

MEAN_COURSE = {
    "reference/batch-mean.yaml": """
id: batch-mean
title: "A batch of two, loss averaged"
conventions: {reduction: mean}
networks:
  net: {mlp: {sizes: [2, 2], activation: sigmoid, loss: sse}}
scenarios:
  s:
    network: net
    init: {"W*": 0.5, "b*": 0.1}
    examples:
      - {x: [1, 0], t: [1, 0]}
      - {x: [0, 2], t: [0, 1]}
questions:
  - {id: s.a1, scenario: s, quantity: "a1", text: "outputs, one column per example"}
  - {id: s.L, scenario: s, quantity: "L", text: "the loss (mean over the batch)"}
""",
    "rubrics/batch-mean.yaml": """
assignment: batch-mean
defaults: {points: 1, tolerance: {rtol: 1e-3, atol: 1e-6}, transposed: 0.5, follow_through: 0.5}
""",
}


@pytest.fixture(scope="module")
def mean_course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    for rel, text in MEAN_COURSE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return Catalog(root=root)


def _verdicts(catalog, answers):
    result = grade_submission(Submission("f.yaml", "batch-mean", "s1", answers=answers), catalog)
    assert result.error is None, result.error
    return {q.question: q.verdict.outcome for q in result.questions}


def _text(m: np.ndarray) -> str:
    return "[" + "; ".join(" ".join(repr(float(v)) for v in row) for row in m) + "]"


def test_a_summed_loss_is_not_right_given_the_students_own_outputs(mean_course):
    key = mean_course.key(mean_course.assignment("batch-mean"))
    mine = key["s.a1"].value * 1.2  # a wrong forward pass, pinned for follow-through
    t = np.array([[1.0, 0.0], [0.0, 1.0]])
    summed = 0.5 * float(((mine - t) ** 2).sum())  # the loss of their own outputs, without the 1/m
    assert not np.isclose(summed, key["s.L"].value.item(), rtol=1e-3)
    assert _verdicts(mean_course, {"s.a1": _text(mine), "s.L": repr(summed)})["s.L"] == WRONG
    assert _verdicts(mean_course, {"s.a1": _text(mine), "s.L": repr(summed / 2)})["s.L"] == FOLLOW


# --- no filler earns follow-through ----------------------------------------------------------------

CONSTANTS = [1e-9, -1e-9, 1.0, -1.0, 0.5, 1e-5, 1e200, sys.float_info.max, 1e-300]
SHIPPED = Catalog(salt="constant-sheets")


def constant_sheet(assignment, key, c: float) -> dict:
    """Every numeric question answered with ``c`` in each entry, at the key's shape."""
    sheet = {}
    for q in assignment.questions:
        value = key[q.id].value
        if q.kind == "matrix" and value is not None:
            sheet[q.id] = "[" + "; ".join(" ".join([repr(c)] * value.shape[1]) for _ in range(value.shape[0])) + "]"
    return sheet


def sheet_points(ident: str, c: float) -> tuple[float, int]:
    template = SHIPPED.assignment(ident)
    assignment = SHIPPED.for_student(template, "s1")
    key = SHIPPED.key(assignment)
    result = grade_submission(Submission("f.yaml", ident, "s1", answers=constant_sheet(assignment, key, c)), SHIPPED)
    return result.points, sum(q.verdict.outcome == FOLLOW for q in result.questions)


@pytest.mark.parametrize("ident", SHIPPED.known_ids())
@pytest.mark.parametrize("c", CONSTANTS, ids=repr)
def test_no_constant_sheet_beats_the_all_zero_sheet(ident, c):
    zero, _ = sheet_points(ident, 0.0)
    points, _ = sheet_points(ident, c)
    assert points <= zero, f"{ident}: a sheet of {c!r} scores {points}, the all-zero sheet {zero}"


@pytest.mark.parametrize("c", [1e-9, 1e-300, 1e200, sys.float_info.max], ids=repr)
def test_blank_like_and_huge_fills_earn_no_follow_through(c):
    """Before: 1e-9 scored 29.75/102 on mlp-numeric with 41 follow-through verdicts, 1e200 15.75."""
    assert sheet_points("mlp-numeric", c)[1] == 0


@pytest.mark.parametrize("got, key, pinned", [
    ([[0.5], [0.7]], [[0.4], [0.6]], True),            # a plain wrong answer
    ([[1e-9], [1e-9]], [[0.4], [0.6]], False),         # zero at atol 1e-6
    ([[0.0], [0.0]], [[0.4], [0.6]], False),           # all zero
    ([[np.inf], [0.6]], [[0.4], [0.6]], False),        # not finite
    ([[np.nan], [0.6]], [[0.4], [0.6]], False),
    ([[500.0], [0.6]], [[0.4], [0.6]], True),          # 500 ≤ 1,000 × max(0.6, 1)
    ([[2e3], [0.6]], [[0.4], [0.6]], False),           # implausibly large
    ([[0.3], [0.3]], [[0.4], [0.6]], False),           # one value repeated where the key's differ
    ([[0.3], [0.3]], [[0.2], [0.2]], True),            # ... allowed where the key is constant too
    ([[0.3]], [[0.2]], True),                          # a 1×1 answer
])
def test_pinnable_table(got, key, pinned):
    assert pinnable(np.array(got), np.array(key), Tolerance(rtol=1e-3, atol=1e-6)) is pinned
