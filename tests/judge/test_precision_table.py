r"""Expression answers are exact formulas: decided in high precision where float64 cannot decide
(:mod:`grader.judge.symbolic.precise`). Overflow (``z^{1000000} - z^{1000000}`` is inf − inf in
float64), underflow (``a^{1000}/a^{1000}`` is 0/0), cancellation of 48 digits in an exact
identity with a 16th power, and near ties that a float tolerance would hide (``y - t + 10^{-9}``).
Each row is graded as the pipeline grades it; numbers keep their tolerance (a rounded number is
not a formula)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from tests.judge.expression_grading import check_outcome, grade_one

from grader.errors import AnswerError
from grader.judge.symbolic import precise
from grader.judge.symbolic.closeness import Target
from grader.parse.expression import tree as A

RS = "residual-softmax"
CORRECT, TRANSPOSED, WRONG = "correct", "transposed", "wrong"

ROWS = [
    # huge integer exponents: inf - inf or 0/0 in float64, exact at 100 digits
    ("q1c.ybar", r"y - t + 2^{100} - 2^{100}", CORRECT),
    ("q1c.ybar", r"y - t + 2^{100} - 2^{99}", WRONG),
    ("q1c.W2bar", r"(y - t) (z_2^{1000000} - z_2^{1000000} + z_2)^T", CORRECT),
    ("q1c.W2bar", r"(y - t) (z_2^{1000000} - z_2^{999999} + z_2)^T", WRONG),
    ("q1c.W2bar", r"(y - t) (z_2^{1001} / z_2^{1000})^T", CORRECT),
    ("q1c.W2bar", r"(y - t) (z_2^{1000} / z_2^{1000})^T", WRONG),
    ("q1c.W2bar", r"(y - t) ((10^{-200} z_2)^{1000} / (10^{-200} z_2)^{998} \cdot 10^{200})^T", WRONG),
    ("q1c.W2bar", r"(y - t) ((10^{-200} z_2)^{1000} / (10^{-200} z_2)^{999} \cdot 10^{200})^T", CORRECT),
    # an exact identity with a 16th power: float64 cancels 48 digits
    ("q1c.ybar", r"y - t + ((y + 10^{3})^{2})^{8} - (y + 10^{3})^{16}", CORRECT),
    ("q1c.ybar", r"y - t + ((y + 10^{3})^{2})^{8} - (y + 10^{3})^{16} + 10^{-9}", WRONG),
    ("q1c.W2bar", r"(y - t) ((z_2 + 10^{3})^{16} - ((z_2 + 10^{3})^{4})^{4} + z_2)^T", CORRECT),
    ("q1c.W2bar", r"(y - t) ((z_2 + 10^{3})^{16} - ((z_2 + 10^{3})^{4})^{4} + 2 z_2)^T", WRONG),
    # near ties: a term of 1e-9 is a term (float64's rtol of 1e-7 would accept them)
    ("q1c.ybar", r"y - t + 10^{-9}", WRONG),
    ("q1c.ybar", r"(1 + 10^{-9})(y - t)", WRONG),
    ("q1c.ybar", r"y - t - 10^{-12}", WRONG),
    ("q1c.W2bar", r"(1 + 10^{-9})(y - t) z_2^T", WRONG),
    ("q1c.W2bar", r"(y - t) z_2^T + 10^{-9}", WRONG),
    ("q1c.W2bar", r"z_2 (1 + 10^{-9})(y - t)", WRONG),  # not even transposed
    ("q1c.ybar", r"y - t", CORRECT),
    ("q1c.ybar", r"(1 + 10^{-9} - 10^{-9})(y - t)", CORRECT),
    ("q1c.ybar", r"\frac{(y - t) \cdot 3}{3}", CORRECT),
    ("q1c.W2bar", r"(y - t) z_2^T", CORRECT),
    ("q1c.W2bar", r"z_2 (y - t)", TRANSPOSED),
    ("q1c.W2bar", r"((y - t) z_2^T)^{1}", CORRECT),
    # index notation, entry by entry: the same
    ("q2b.dz", r"y_k - t_k", CORRECT),
    ("q2b.dz", r"y_k \sum_j t_j - t_k", CORRECT),
    ("q2b.dz", r"y_k - t_k + 10^{-9}", WRONG),
    ("q2b.dz", r"(1 + 10^{-9}) y_k - t_k", WRONG),
    ("q2b.dz", r"y_k - t_k + ((y_k + 10^{3})^{2})^{8} - (y_k + 10^{3})^{16}", CORRECT),
]


@pytest.fixture(scope="module")
def grade(catalog):
    return lambda question_id, text: grade_one(catalog, RS, question_id, text)


@pytest.mark.parametrize("question_id, text, expected", ROWS, ids=[f"{q}:{t}" for q, t, _ in ROWS])
def test_exact_formula_gets_its_verdict(grade, question_id, text, expected):
    check_outcome(grade, question_id, text, expected=expected)


@pytest.mark.parametrize("text", [r"z_2^{1000001}", r"((z_2^{1000})^{1000})^{2}", r"z_2^{9^{9^{9}}}",
                                  r"z_2^{2^{1000000}}"])
def test_exponents_past_a_million_are_refused(grade, text):
    with pytest.raises(AnswerError) as info:
        grade("q1c.W2bar", text)
    assert info.value.category == "limit"
    assert 1 <= info.value.column <= len(text)


def test_float_agreement_needs_no_recheck():
    """An equivalent formula agreeing to round-off, or a far-off one without high powers, is
    decided by float64 alone (the cost of the check stays the float path's)."""
    key = np.array([[0.25], [-1.5]])
    target = Target(key)
    expr = A.Num(Fraction(1, 2))  # no powers, no huge constants

    def rechecked(got, expr=expr):
        return precise.recheck(target.closeness(got), got, target, expr)
    assert target.closeness(key * (1 + 1e-15)) == 2 and not rechecked(key * (1 + 1e-15))
    assert target.closeness(key + 1e-9) == 1 and rechecked(key + 1e-9)
    assert rechecked(key * (1 + 1e-9))
    assert target.closeness(key + 1.0) == 0 and not rechecked(key + 1.0)
    assert rechecked(key + 1.0, A.Pow(A.Num(Fraction(3)), 16))
    assert rechecked(np.array([[np.inf], [0.0]]))
    inf_key = np.array([[np.inf], [0.0]])
    assert not precise.recheck(0, inf_key + 1, Target(inf_key), expr)
