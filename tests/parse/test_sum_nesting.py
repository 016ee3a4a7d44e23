r"""Nested ``\sum`` is bounded structurally: the evaluation work of a sum is the product of the
ranges of the sums around it, so depth is capped when the answer is parsed (a ``limit`` error
with the column of the first sum too deep), before any evaluation. No timing here: the work is
counted (handler calls of the evaluator)."""
from __future__ import annotations

import pytest

from grader.errors import AnswerError
from grader.judge.answers import parse_answer
from grader.parse.expression.build import MAX_NESTED_SUMS
from grader.judge.symbolic import evaluate as ev
from grader.judge.symbolic.equivalence import compare_expression, expression_key

SM, QUESTION = "softmax-ce", "task3.delta_prev"
BODY = r"\phi'(\tilde{z}_j^{(L-1)}) w_{ij}^{(L-1)} \delta_i^{(L)}"


def nested(n: int) -> str:
    return r"\sum_i " * n + BODY


@pytest.fixture(scope="module")
def grade(catalog):
    def run(text: str):
        assignment = catalog.assignment(SM)
        key = catalog.key(assignment)
        question = assignment.question(QUESTION)
        parsed = parse_answer(question, text, key)
        return compare_expression(parsed, expression_key(assignment, question, key[question.id].exact))
    return run


@pytest.fixture
def work(monkeypatch):
    """Counts evaluator calls (the work): every node evaluation goes through ``evaluate``."""
    count = [0]
    real = ev.evaluate

    def counted(node, env):
        count[0] += 1
        return real(node, env)
    monkeypatch.setattr(ev, "evaluate", counted)
    monkeypatch.setattr("grader.judge.symbolic.equivalence.evaluate", counted)
    return count


@pytest.mark.parametrize("n", [MAX_NESTED_SUMS + 1, 20, 22, 24, 50])
def test_deeply_nested_sums_are_refused_before_any_work(grade, work, n):
    text = nested(n)
    assert len(text) < 2000  # within the length limit: the nesting is what is refused
    with pytest.raises(AnswerError) as info:
        grade(text)
    e = info.value
    assert e.category == "limit"
    assert f"nested {MAX_NESTED_SUMS + 1} deep" in e.message and f"limit {MAX_NESTED_SUMS}" in e.message
    assert e.column == len(r"\sum_i " * MAX_NESTED_SUMS) + 1  # the first sum one too deep
    assert work[0] == 0


def test_sums_up_to_the_limit_are_graded_with_bounded_work(grade, work):
    verdict = grade(nested(1))
    assert verdict.outcome == "correct"
    one = work[0]
    work[0] = 0
    verdict = grade(nested(MAX_NESTED_SUMS))  # the same index summed again: a wrong answer, graded
    assert verdict.outcome != "correct"
    assert 0 < work[0] <= one * 10 ** MAX_NESTED_SUMS


def test_sums_whose_terms_are_too_many_are_refused_before_evaluating(grade, work):
    """Within the nesting limit, the product of the ranges times the body is counted first
    (the ranges depend on the instance's sizes, so this is measured, not parsed)."""
    from grader.judge.symbolic.evaluate import MAX_WORK

    body = "(" + " + ".join([BODY] * 6) + ")"
    text = r"\sum_i " * MAX_NESTED_SUMS + body
    verdict = grade(text)
    assert verdict.outcome == "unreadable" and verdict.error.category == "limit"
    assert f"(limit {MAX_WORK:,})" in verdict.feedback and verdict.error.column == 1
    assert work[0] == 0  # refused before any evaluation
