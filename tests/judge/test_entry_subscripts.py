r"""A subscript on a bracketed expression is an entry of its value (seed 001 writes
``[(W^{(L-1)})^T \delta^{(L)}]_i`` and ``1_{\{\tilde z_i > 0\}}``): graded entry by entry as an
index-notation answer, right and wrong forms side by side."""
from __future__ import annotations

import pytest

from tests.judge.expression_grading import check_outcome, grade_one

from grader.errors import AnswerError
from grader.judge.answers import parse_answer
from grader.parse.expression import tree as A

SM = "softmax-ce"
CORRECT, WRONG, SHAPE = "correct", "wrong", "wrong shape"
BACK = r"(w^{(L-1)})^T \delta^{(L)}"

ROWS = [
    ("task3.delta_prev", rf"[{BACK}]_i \mathbb{{1}}\{{\tilde{{z}}_i^{{(L-1)}} > 0\}}", CORRECT),
    ("task3.delta_prev", rf"[{BACK}]_i 1_{{\{{\tilde{{z}}_i^{{(L-1)}} > 0\}}}}", CORRECT),
    ("task3.delta_prev", rf"[{BACK}]_{{i}} \phi'(\tilde{{z}}_i^{{(L-1)}})", CORRECT),
    ("task3.delta_prev", rf"({BACK})_i \phi'(\tilde{{z}}_i^{{(L-1)}})", CORRECT),
    ("task3.delta_prev", rf"[{BACK}]_i", WRONG),
    ("task3.delta_prev", rf"[{BACK}]_j \phi'(\tilde{{z}}_i^{{(L-1)}})", WRONG),
    ("task3.delta_prev", rf"[{BACK}]_i 1_{{\{{\tilde{{z}}_i^{{(L-1)}} < 0\}}}}", WRONG),
    ("task3.delta_prev", r"[w^{(L-1)} \delta^{(L)}]_i \phi'(\tilde{z}_i^{(L-1)})", SHAPE),
    ("task1.delta_L", r"[\hat{y} - y]_i", CORRECT),
    ("task1.delta_L", r"[\hat{y} + y]_i", WRONG),
    ("task1.delta_L", r"\sum_{i} [\hat{y} - y]_i", WRONG),
]


@pytest.fixture(scope="module")
def grade(catalog):
    return lambda question_id, text: grade_one(catalog, SM, question_id, text)


@pytest.mark.parametrize("question_id, text, expected", ROWS, ids=[r[1] for r in ROWS])
def test_entry_of_a_bracket_gets_its_verdict(grade, question_id, text, expected):
    check_outcome(grade, question_id, text, expected=expected)


def test_the_entry_is_a_node_of_its_own(catalog):
    assignment = catalog.assignment(SM)
    question = assignment.question("task1.delta_L")
    parsed = parse_answer(question, r"[\hat{y} - y]_{i}", catalog.key(assignment))
    assert isinstance(parsed.expr, A.Entry) and parsed.expr.index == "i" and isinstance(parsed.expr.arg, A.Sub)


@pytest.mark.parametrize("text, column", [(r"[\hat{y} - y]_{ijk}", 14), (r"(\hat{y})_{}", 10)])
def test_an_entry_needs_one_index(grade, text, column):
    with pytest.raises(AnswerError) as info:
        grade("task1.delta_L", text)
    assert info.value.category == "syntax" and info.value.column == column
