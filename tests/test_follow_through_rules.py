"""Follow-through runs the key's own engine path, and pins only answers that carry information."""
from __future__ import annotations

import numpy as np
import pytest

from grader.catalog import Catalog
from grader.compare import FOLLOW, WRONG
from grader.pipeline import grade_submission
from grader.submission import Submission

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
