"""The vocabulary's rules, each in one place: full marks on a question, a percent of the points,
and the error a bug of ours leaves in a row."""
from __future__ import annotations

import pytest

from grader.errors import GraderError, internal_error
from grader.result_store import ResultStore
from grader.results import CORRECT, FOLLOW, REVIEW, WRONG, QuestionResult, StudentResult, Verdict


@pytest.mark.parametrize("outcome, points, maximum, full", [
    (CORRECT, 1.0, 1.0, True),
    (CORRECT, 0.0, 0.0, True),  # a question worth nothing, answered right
    (WRONG, 0.0, 0.0, False),  # ... and answered wrong: nothing earned, so not full marks
    (FOLLOW, 0.5, 1.0, False),
    (FOLLOW, 1.0, 1.0, True),  # a rubric that credits follow-through in full
    (REVIEW, 2.0, 2.0, True),  # a TA's full score
    (REVIEW, 1.5, 2.0, False),
    (WRONG, 0.999999, 1.0, False),
])
def test_full_marks(outcome, points, maximum, full):
    assert QuestionResult("q", Verdict(outcome), points, maximum).full_marks is full


@pytest.mark.parametrize("points, maximum, expected", [
    (1.0, 3.0, 33.3), (2.0, 3.0, 66.7), (3.0, 3.0, 100.0), (0.0, 5.0, 0.0), (1.0, 0.0, None), (0.0, 0.0, None),
])
def test_percent_is_one_rule_for_a_result_and_its_summary(points, maximum, expected):
    q = QuestionResult("q", Verdict(CORRECT), points, maximum)
    r = StudentResult("a.yaml", questions=(q,), max_points=maximum)
    (summary,) = ResultStore([r]).summaries()
    assert r.percent == summary.percent == expected


def test_awaiting_review_is_an_answer_waiting_for_a_ta():
    waiting = StudentResult("a.yaml", questions=(QuestionResult("q", Verdict(REVIEW), 0.0, 1.0),), max_points=1.0)
    graded = StudentResult("b.yaml", questions=(QuestionResult("q", Verdict(WRONG), 0.0, 1.0),), max_points=1.0)
    assert waiting.awaiting_review and not graded.awaiting_review
    assert [s.awaiting for s in ResultStore([waiting, graded]).summaries()] == [True, False]


def test_internal_error_names_the_exception_or_the_sentence():
    error = internal_error(ZeroDivisionError("division by zero"), file="a.yaml")
    assert isinstance(error, GraderError) and error.category == "internal" and error.file == "a.yaml"
    assert error.message == "internal error while grading (ZeroDivisionError: division by zero); please report it"
    told = internal_error("the grading process died: killed", file="b.yaml", advice="please tell your instructor")
    assert told.message == "internal error while grading (the grading process died: killed); please tell your instructor"
