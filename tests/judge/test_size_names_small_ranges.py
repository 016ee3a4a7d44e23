r"""Shape messages where sizes come from small ranges (issue 17, item 6): backprop-general draws
five sizes from 1..4, so on every instance two of them share a value and a message worded on one
instance could only say "3×m" or "1×m". Each operand's shape is named from its shapes on every
instance (grader/judge/symbolic/size_names.py: named_operands), and a shape that matches the
key's on one draw only (m = n_2 there) is a wrong shape, not a wrong value."""
from __future__ import annotations

import re

import pytest

from grader.judge.answers import parse_answer
from grader.judge.symbolic.equivalence import compare_expression, expression_key

BG, SM = "backprop-general", "softmax-ce"

ROWS = [
    (BG, "task2.dW_l", r"\delta^{[l]} A^{[l-1]}", "cannot multiply a n_2×m by a n_1×m matrix (column 14)"),
    (BG, "task2.dW_l", r"\delta^{[l]} + A^{[l-1]}", "cannot add a n_2×m and a n_1×m matrix (column 14)"),
    (BG, "task2.dW_l", r"\delta^{[l]} (A^{[l-1]} + \delta^{[L]})", "cannot add a n_1×m and a k×m matrix (column 25)"),
    (BG, "task2.dW_L", r"\delta^{[L]} A^{[L-1]}", "cannot multiply a k×m by a n_2×m matrix (column 14)"),
    (BG, "task2.dW_L", r"\delta^{[L]} \odot Z^{[l]}", "cannot multiply element-wise a k×m and a n_2×m matrix (column 14)"),
    (BG, "task2.delta_l", r"W^{[L]} \delta^{[L]}", "cannot multiply a k×n_2 by a k×m matrix (column 9)"),
    # shapes that agree on one draw only
    (BG, "task2.dW_L", r"\delta^{[L]}", "your answer is k×m, expected k×n_2"),
    (BG, "task2.dW_L", r"W^{[L]T} \delta^{[L]}", "your answer is n_2×m, expected k×n_2"),
    (BG, "task2.db_L", r"\delta^{[L]T} \mathbf{1}", "your answer is m×1, expected k×1"),
    (BG, "task2.delta_l", r"A^{[l-1]}", "your answer is n_1×m, expected n_2×m"),
    (SM, "task2a.grad_W", r"\delta^{(L)} z^{(L-1)}", "cannot multiply a C×1 by a d_{L-1}×1 matrix (column 14)"),
    # index notation: an entry that is not one number
    ("residual-softmax", "q2b.dz", r"y - t", "with the indices fixed your answer is K×1, expected 1×1"),
    (SM, "task2a.grad_W_ij", r"\delta_i^{(L)} z^{(L-1)T}", "with the indices fixed your answer is 1×d_{L-1}, expected 1×1"),
    (SM, "task2a.grad_W_ij", r"\delta^{(L)}", "with the indices fixed your answer is C×1, expected 1×1"),
]


def _verdict(catalog, assignment_id, question_id, text):
    assignment = catalog.assignment(assignment_id)
    key = catalog.key(assignment)
    question = assignment.question(question_id)
    return compare_expression(parse_answer(question, text, key), expression_key(assignment, question, key[question.id].exact))


@pytest.mark.parametrize("assignment_id, question_id, text, message", ROWS, ids=[r[2] for r in ROWS])
def test_every_dimension_is_named(catalog, assignment_id, question_id, text, message):
    verdict = _verdict(catalog, assignment_id, question_id, text)
    assert verdict.outcome == "wrong shape", verdict.feedback
    assert verdict.feedback.startswith(message), verdict.feedback
    assert not re.search(r"\b\d+×|×\d+\b", verdict.feedback.replace("1×", "").replace("×1", "")), verdict.feedback
