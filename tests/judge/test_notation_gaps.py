r"""Issue 17's last gaps, graded end to end as the pipeline grades them (``parse_answer`` with the
question's symbol table, then ``compare_expression`` on the assignment's random instances): the
outer product ``\otimes``/``⊗`` of two vectors (of matrices a Kronecker product, refused in
words), decorations on a declared name, and the Heaviside step as ReLU's derivative. Each form
has rows that must be right and rows that must not be.
"""
from __future__ import annotations

import pytest

from grader.errors import AnswerError

SM, BG, RS = "softmax-ce", "backprop-general", "residual-softmax"
CORRECT, TRANSPOSED, WRONG, SHAPE = "correct", "transposed", "wrong", "wrong shape"

ROWS = [
    # -- the outer product of two vectors: δ ⊗ z = δ zᵀ
    (SM, "task2a.grad_W", r"\delta^{(L)} \otimes z^{(L-1)}", CORRECT),
    (SM, "task2a.grad_W", r"\delta^{(L)} ⊗ z^{(L-1)}", CORRECT),
    (SM, "task2a.grad_W", r"(\hat{y} - y) \otimes z^{(L-1)}", CORRECT),
    (SM, "task2a.grad_W", r"z^{(L-1)} \otimes \delta^{(L)}", TRANSPOSED),
    (SM, "task2a.grad_W", r"\delta^{(L)} \otimes \tilde{z}^{(L-1)}", WRONG),
    (SM, "task2a.grad_W", r"2 \delta^{(L)} \otimes z^{(L-1)}", WRONG),
    # of a matrix: a Kronecker product, refused in words (below)
    (SM, "task2a.grad_W", r"\delta^{(L)} \otimes w^{(L-1)}", SHAPE),
    (BG, "task2.dW_L", r"\delta^{[L]} \otimes A^{[L-1]}", SHAPE),
    # -- a vector arrow on a name declared without it (\mathbf, \boldsymbol, \underline as well)
    (SM, "task1.delta_L", r"\vec{\hat{y}} - \vec{y}", CORRECT),
    (SM, "task1.delta_L", r"\overrightarrow{\hat{y}} - \overrightarrow{y}", CORRECT),
    (SM, "task1.delta_L", r"\underline{\hat{y}} - \underline{y}", CORRECT),
    (SM, "task1.delta_L", r"\vec{y} - \vec{\hat{y}}", WRONG),
    (SM, "task2a.grad_W", r"\vec{\delta}^{(L)} (\vec{z}^{(L-1)})^T", CORRECT),
    (SM, "task2a.grad_W", r"\vec{\delta}^{(L)} \vec{z}^{(L-1)}", SHAPE),
    (BG, "task2.db_L", r"\delta^{[L]} \vec{1}", CORRECT),  # \vec{1} stays the ones vector
]

KRONECKER = [  # (assignment, question, answer, the side named in the message)
    (SM, "task2a.grad_W", r"\delta^{(L)} \otimes w^{(L-1)}", "right"),
    (BG, "task2.dW_L", r"\delta^{[L]} \otimes A^{[L-1]}", "left"),
]


def _id(row) -> str:
    return f"{row[0]}:{row[1]}:{row[2]}"


@pytest.mark.parametrize("assignment_id, question_id, text, expected", ROWS, ids=[_id(r) for r in ROWS])
def test_gap_gets_its_verdict(grade, assignment_id, question_id, text, expected):
    try:
        verdict = grade(assignment_id, question_id, text)
    except AnswerError as e:
        pytest.fail(f"refused ({e.category}): {e.describe()}")
    assert verdict.outcome == expected, f"{text!r}: {verdict.outcome} ({verdict.feedback})"


@pytest.mark.parametrize("assignment_id, question_id, text, side", KRONECKER, ids=[_id(r) for r in KRONECKER])
def test_a_kronecker_product_is_refused_in_words(grade, assignment_id, question_id, text, side):
    verdict = grade(assignment_id, question_id, text)
    assert verdict.outcome == SHAPE
    assert "Kronecker" in verdict.feedback and f"its {side} side" in verdict.feedback, verdict.feedback
