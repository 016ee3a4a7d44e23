"""A shape mismatch on an expression answer quotes the sizes as the assignment names them
(``C×1``, ``C×d_{L-1}``), never the sizes one random instance drew."""
from __future__ import annotations

import pytest

from grader.judge.answers import parse_answer
from grader.judge.symbolic.equivalence import compare_expression, expression_key

SM, BG = "softmax-ce", "backprop-general"

ROWS = [
    (SM, "task2a.grad_W", r"\delta^{(L)}", "your answer is C×1, expected C×d_{L-1}"),
    (SM, "task2a.grad_W", r"(z^{(L-1)})^T", "your answer is 1×d_{L-1}, expected C×d_{L-1}"),
    (BG, "task2.dW_L", r"\delta^{[L]} \mathbf{1}", "your answer is k×1, expected k×n_2"),
    # shape errors met while evaluating: said on the instance whose sizes tell the most
    (SM, "task3.delta_prev", r"w^{(L-1)} \delta^{(L)}", "cannot multiply a C×d_{L-1} by a C×1 matrix (column 11)"),
    (SM, "task2a.grad_W", r"\delta^{(L)} z^{(L-1)}", "cannot multiply a C×1 by a d_{L-1}×1 matrix (column 14)"),
    (SM, "task2a.grad_W", r"\delta^{(L)} + z^{(L-1)}", "cannot add a C×1 and a d_{L-1}×1 matrix (column 14)"),
]


@pytest.mark.parametrize("assignment_id, question_id, text, message", ROWS, ids=[r[2] for r in ROWS])
def test_shape_message_names_the_sizes(catalog, assignment_id, question_id, text, message):
    assignment = catalog.assignment(assignment_id)
    key = catalog.key(assignment)
    question = assignment.question(question_id)
    verdict = compare_expression(parse_answer(question, text, key), expression_key(assignment, question, key[question.id].exact))
    assert verdict.outcome == "wrong shape"
    assert verdict.feedback.startswith(message), verdict.feedback
