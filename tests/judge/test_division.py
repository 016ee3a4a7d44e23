r"""How far a plain-text ``/`` reaches (issue 17, item 4; grader/parse/expression/division.py):
the denominator is the juxtaposition written right after it up to the first space, so
``2/m (\hat{Y} - Y)`` is (2/m)(Ŷ − Y) and ``1/2m`` is 1/(2m); where the other reading would
grade differently, the feedback says so (grader/judge/symbolic/readings.py).
"""
from __future__ import annotations

import pytest

from grader.parse.expression import tree as A
from grader.parse.expression.parser import parse_expression
from grader.parse.expression.table import SymbolTable

BG = "backprop-general"
NOTE = "read the other way your answer would be correct"

ROWS = [  # (question, answer, verdict, whether the other reading is noted)
    ("task2.delta_L", r"2/m (A^{[L]} - Y)", "correct", False),
    ("task2.delta_L", r"2/m \, (\hat{Y} - Y)", "correct", False),
    ("task2.delta_L", r"2/m * (A^{[L]} - Y)", "correct", False),
    ("task2.delta_L", r"1/m * 2 (A^{[L]} - Y)", "correct", False),
    ("task2.delta_L", r"4/2m (A^{[L]} - Y)", "correct", False),  # 4/(2m)
    ("task2.delta_L", r"2 (A^{[L]} - Y)/m", "correct", False),
    ("task2.delta_L", r"\frac{2}{m}(A^{[L]} - Y)", "correct", False),
    ("task2.delta_L", r"1/2m (A^{[L]} - Y)", "wrong", False),  # 1/(2m): wrong either way
    ("task2.delta_L", r"2/m(A^{[L]} - Y)", "wrong", True),  # 2/(m(A - Y)); (2/m)(A - Y) is right
    ("task2.delta_L", r"2/m\left(\hat{Y} - Y\right)", "wrong", True),
    ("task2.db_L", r"2/m \sum_{i=1}^m (\hat{y}^{(i)} - y^{(i)})", "correct", False),
    ("task2.db_L", r"1/m \sum_{i=1}^m 2 (\hat{y}^{(i)} - y^{(i)})", "correct", False),
    ("task2.db_L", r"1/2m \sum_{i=1}^m (\hat{y}^{(i)} - y^{(i)})", "wrong", False),
]


@pytest.mark.parametrize("question_id, text, expected, noted", ROWS, ids=[r[1] for r in ROWS])
def test_a_division_is_read_as_a_ta_reads_it(grade, question_id, text, expected, noted):
    verdict = grade(BG, question_id, text)
    assert verdict.outcome == expected, verdict.feedback
    assert (NOTE in verdict.feedback) == noted, verdict.feedback


TABLE = SymbolTable.build(symbols={"y": ["y"], "t": ["t"]}, sizes={"m": ["m"]})
HALF = A.Div(A.Num(1), A.Num(2))


@pytest.mark.parametrize("text, tree, other", [
    ("1/2m", A.Div(A.Num(1), A.Product(A.Num(2), A.Size("m"))), A.Product(HALF, A.Size("m"))),
    ("1/2 m", A.Product(HALF, A.Size("m")), A.Div(A.Num(1), A.Product(A.Num(2), A.Size("m")))),
    ("1/2 y t", A.Product(A.Product(HALF, A.Sym("y")), A.Sym("t")),
     A.Div(A.Num(1), A.Product(A.Product(A.Num(2), A.Sym("y")), A.Sym("t")))),
    ("1/2y t", A.Product(A.Div(A.Num(1), A.Product(A.Num(2), A.Sym("y"))), A.Sym("t")),
     A.Div(A.Num(1), A.Product(A.Product(A.Num(2), A.Sym("y")), A.Sym("t")))),
    ("1/2 * y", A.Product(HALF, A.Sym("y")), None),  # explicit: left to right, never ambiguous
    ("y/2", A.Div(A.Sym("y"), A.Num(2)), None),
])
def test_each_reading_and_the_other_one(text, tree, other):
    parsed = parse_expression(text, TABLE)
    assert parsed.expr == tree
    assert parsed.alternative == other
