r"""A huge term added and taken away around a small one keeps the small one (issue 17, item 5):
``z + z^{1000000} - z^{1000000}`` is z. Identical terms are collected exactly before the
high-precision check (grader/judge/symbolic/cancel.py), and terms that cancel without looking
alike (``z + z^{1000} - z^{999} z``) are evaluated at the digits the largest of them needs
(grader/judge/symbolic/precise.py, up to MAX_DIGITS).
"""
from __future__ import annotations

from fractions import Fraction

import pytest

from grader.judge.symbolic import precise
from grader.judge.symbolic.cancel import collect, constant
from grader.parse.expression import tree as A
from tests.judge.expression_grading import grade_one

RS = "residual-softmax"
CORRECT, WRONG = "correct", "wrong"

ROWS = [
    # identical terms, whatever their size: exact
    ("q1c.W2bar", r"(y - t) (z_2 + z_2^{1000000} - z_2^{1000000})^T", CORRECT),
    ("q1c.W2bar", r"(y - t) (z_2^{1000000} + z_2 - z_2^{1000000})^T", CORRECT),
    ("q1c.W2bar", r"(y - t) (z_2 + 2 z_2^{1000000} - z_2^{1000000} - z_2^{1000000})^T", CORRECT),
    ("q1c.W2bar", r"(y - t) (z_2 + z_2^{1000000}/2 - \frac{1}{2} z_2^{1000000})^T", CORRECT),
    ("q1c.W2bar", r"(y - t) (z_2 - (z_2^{1000000} - z_2^{1000000}))^T", CORRECT),
    ("q1c.W2bar", r"(y - t) (z_2 + z_2^{1000000} - 0.999 z_2^{1000000})^T", WRONG),
    ("q1c.W2bar", r"(y - t) (2 z_2 + z_2^{1000000} - z_2^{1000000})^T", WRONG),
    ("q1c.W2bar", r"(y - t) (z_2 + z_2^{1000000} - z_2^{999999})^T", WRONG),
    ("q1c.ybar", r"y + 10^{200} - t - 10^{200}", CORRECT),
    ("q1c.ybar", r"y + 2^{1000} - t - 2^{1000}", CORRECT),
    ("q1c.ybar", r"y + 2^{1000} - t - 2^{1000} + 10^{-20}", WRONG),
    # different-looking terms that cancel: at the digits the largest needs
    ("q1c.W2bar", r"(y - t) (z_2 + z_2^{1000} - z_2^{999} z_2)^T", CORRECT),
    ("q1c.W2bar", r"(y - t) (z_2 + z_2^{10000} - z_2^{9999} z_2)^T", CORRECT),
    ("q1c.W2bar", r"(y - t) (2 z_2 + z_2^{1000} - z_2^{999} z_2)^T", WRONG),
    ("q1c.W2bar", r"(y - t) (z_2 + z_2^{1000} - z_2^{999} z_2 + 10^{-20})^T", WRONG),
    # index notation, entry by entry
    ("q2b.dz", r"y_k - t_k + y_k^{1000000} - y_k^{1000000}", CORRECT),
    ("q2b.dz", r"y_k - t_k + (y_k + 10^{3})^{100} - (y_k + 10^{3})^{99} (y_k + 10^{3})", CORRECT),
    ("q2b.dz", r"y_k - t_k + (y_k + 10^{3})^{100} - (y_k + 10^{3})^{100} + 10^{-20}", WRONG),
]


@pytest.fixture(scope="module")
def grade(catalog):
    return lambda question_id, text: grade_one(catalog, RS, question_id, text)


@pytest.mark.parametrize("question_id, text, expected", ROWS, ids=[f"{q}:{t}" for q, t, _ in ROWS])
def test_small_terms_survive_big_cancellations(grade, question_id, text, expected):
    verdict = grade(question_id, text)
    assert verdict.outcome == expected, f"{text!r}: {verdict.outcome} ({verdict.feedback})"


Z, W, Y = A.Sym("z"), A.Sym("W"), A.Sym("y")
BIG = A.Pow(Z, 1000)
ZERO = A.Num(Fraction(0))


@pytest.mark.parametrize("tree, collected", [
    (A.Sub(A.Add(Z, BIG), BIG), A.Add(Z, A.Product(ZERO, BIG))),
    (A.Add(Z, A.Neg(A.Neg(Z))), A.Product(A.Num(Fraction(2)), Z)),
    (A.Sub(A.Add(Y, W), W), A.Add(Y, A.Product(ZERO, W))),  # W's shape still counts
    (A.Add(Z, BIG), A.Add(Z, BIG)),  # nothing repeats: the same tree
    (A.Call("exp", (A.Sub(A.Add(Z, BIG), BIG),)), A.Call("exp", (A.Add(Z, A.Product(ZERO, BIG)),))),
])
def test_like_terms_are_collected_exactly(tree, collected):
    assert collect(tree) == collected


def test_a_sum_with_nothing_to_collect_is_the_same_object():
    tree = A.Add(Z, A.Product(A.Num(Fraction(3)), BIG))
    assert collect(tree) is tree


@pytest.mark.parametrize("tree, value", [
    (A.Div(A.Num(Fraction(1)), A.Num(Fraction(2))), Fraction(1, 2)),
    (A.Neg(A.Pow(A.Num(Fraction(10)), -3)), Fraction(-1, 1000)),
    (A.Product(A.Num(Fraction(2)), Z), None),
    (A.Div(A.Num(Fraction(1)), A.Num(Fraction(0))), None),
])
def test_constant_coefficients_are_exact(tree, value):
    assert constant(tree) == value


def test_digits_follow_the_largest_power():
    import mpmath
    import numpy as np
    from grader.judge.symbolic.evaluate import Env
    from grader.engine.backends import HIGH
    with mpmath.workdps(precise.DIGITS):
        env = Env({"z": np.array([[mpmath.mpf(10)]], dtype=object)}, backend=HIGH)
        assert precise.needed_digits(A.Pow(Z, 1000), env) == precise.DIGITS + 1000
        assert precise.needed_digits(A.Pow(Z, -1000), env) == precise.DIGITS  # tiny: no cancellation
        assert precise.needed_digits(Z, env) == precise.DIGITS
