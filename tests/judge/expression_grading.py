"""Grade one expression answer as the pipeline does: parse with the question's table, then
compare with the question's key (shared by the tables of expression answers)."""
from __future__ import annotations

import pytest

from grader.errors import AnswerError
from grader.judge.answers import parse_answer
from grader.judge.symbolic.equivalence import compare_expression, expression_key


def grade_one(catalog, assignment_id: str, question_id: str, text: str):
    """The verdict of ``text`` as the answer to ``question_id`` (raises AnswerError when unread)."""
    assignment = catalog.assignment(assignment_id)
    key = catalog.key(assignment)
    question = assignment.question(question_id)
    return compare_expression(parse_answer(question, text, key), expression_key(assignment, question, key[question.id].exact))


def check_outcome(grade, *args, expected: str):
    """``grade(*args)`` (its last argument the answer's text) gives the outcome ``expected``; a
    refusal fails the test with its reason. Returns the verdict."""
    try:
        verdict = grade(*args)
    except AnswerError as e:
        pytest.fail(f"refused ({e.category}): {e.describe()}")
    assert verdict.outcome == expected, f"{args[-1]!r}: {verdict.outcome} ({verdict.feedback})"
    return verdict


def check_refusal(grade, *args, category: str) -> AnswerError:
    """``grade(*args)`` is refused with ``category`` and a column inside the answer; returns the error."""
    with pytest.raises(AnswerError) as info:
        grade(*args)
    err = info.value
    assert err.category == category, err.describe()
    assert err.column is not None and 1 <= err.column <= len(args[-1]) + 1
    return err


def row_id(row) -> str:
    """A table row's test id: its first three cells."""
    return ":".join(str(cell) for cell in row[:3])
