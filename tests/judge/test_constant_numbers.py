"""Numbers written as arithmetic in numeric answers (grader/judge/constant_numbers.py): the value
each names, the error each refusal keeps, and a question graded through them."""
from __future__ import annotations

import math

import numpy as np
import pytest

from grader.errors import AnswerError
from grader.judge.answers import parse_answer
from grader.judge.compare import compare_matrix
from grader.judge.constant_numbers import constant_value, read_numbers
from grader.results import CORRECT, WRONG
from grader.tolerance import Tolerance

SIG = 1 / (1 + math.exp(-0.5))

READ = [  # text → rows of values
    (r"e^{-1}", [[math.exp(-1)]]),
    (r"\sqrt{2}/2", [[math.sqrt(2) / 2]]),
    ("0.1 + 0.2", [[0.1 + 0.2]]),
    (r"\ln 2", [[math.log(2)]]),
    ("ln(2)", [[math.log(2)]]),
    (r"\frac{1}{1+e^{-0.5}}", [[SIG]]),
    (r"\sigma(0.5)", [[SIG]]),
    ("sigmoid(0.5)", [[SIG]]),
    (r"\sigma(0.5)(1 - \sigma(0.5))", [[SIG * (1 - SIG)]]),
    ("tanh(0.3)", [[math.tanh(0.3)]]),
    (r"1 - \tanh^2(0.3)", [[1 - math.tanh(0.3) ** 2]]),
    ("0.5*(1-0.5)", [[0.25]]),
    ("0.5 (1 - 0.5)", [[0.25]]),
    ("np.exp(-1)", [[math.exp(-1)]]),
    (r"\max(0, -0.3)", [[0.0]]),
    ("-(0.2 - 1) * 0.5", [[0.4]]),
    (r"$\frac{e^{2}}{e^{2} + e^{1}}$", [[math.exp(2) / (math.exp(2) + math.e)]]),
    (r"\begin{bmatrix} \frac{1}{2} & e^{-1} \\ 1 - 0.25 & \sigma(0) \end{bmatrix}", [[0.5, math.exp(-1)], [0.75, 0.5]]),
    (r"\begin{pmatrix} 0.1 - 0.3 \\ \tanh(0) \end{pmatrix}", [[-0.2], [0.0]]),
    (r"\sqrt{2}", [[math.sqrt(2)]]),  # once in the hostile corpus (tests/hostile): a TA reads them
    (r"\frac{\frac{1}{2}}{3}", [[1 / 6]]),
    (r"\begin{bmatrix} \frac{\frac{1}{2}}{3} \end{bmatrix}", [[1 / 6]]),
    ("2^{64}", [[2.0 ** 64]]),
    ("0.25", [[0.25]]),  # plain numbers are the numeric grammar's, unchanged
]

REFUSED = [  # text → (column of the numeric grammar's error, a word of its message)
    ("x", (1, "expected a number")),  # a name is not a number: no symbols here
    ("2 x", (3, "unexpected 'x'")),
    ("W^T", (1, "expected a number")),
    (r"\begin{bmatrix} 1 & x \end{bmatrix}", (21, "expected a number")),
    ("e^{1000}", (1, "expected a number")),  # overflows: not a finite number
    ("1/0", (2, "division by zero")),
    (r"\sigma(0.5", (1, "expected a number")),  # unbalanced: neither grammar reads it
    ("0,25", (2, "decimal comma")),
    # arithmetic-looking text that is something else (the module's rules): the numeric error stands
    ("2024-01-01", (5, "unexpected '-'")),  # a date
    ("0·5", (3, "scientific notation")),  # a decimal point in some countries
    ("[1-2]", (3, "expected ','")),  # a malformed list, not -1
    ("[1 - 2]", (4, "sign right before")),
    ("=1+1", (3, "unexpected '+'")),  # a spreadsheet formula
    ("1 = 1", (3, "unexpected character")),
    (r"\catcode`\@=11", (9, "unexpected character")),
    ("{{7*7}}", (1, "expected a number")),
    ("2**64", (3, "scientific notation")),
    ("$0.5", (1, "unmatched")),
    ("$$0.5$", (1, "unmatched")),
    (r"\left5", (1, "expected a number")),
    (r"\frac12", (6, "expected '{'")),
    ("2^{1000}", (2, "unexpected '^'")),  # past the numeric grammar's range, as 10^{1000} is
]


@pytest.mark.parametrize("text, rows", READ, ids=repr)
def test_arithmetic_reads_as_the_number_it_names(text, rows):
    np.testing.assert_allclose(read_numbers(text).values, rows, rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("text, error", REFUSED, ids=repr)
def test_what_names_no_number_keeps_the_numeric_error(text, error):
    column, word = error
    with pytest.raises(AnswerError) as e:
        read_numbers(text)
    assert e.value.column == column and word in e.value.message


def test_a_constant_expression_is_one_bounded_finite_number():
    assert constant_value("[1, 2]") is None  # several numbers are the numeric grammar's
    assert constant_value("1" * 600) is None  # longer than arithmetic for one number
    assert constant_value(r"\exp(\exp(\exp(10)))") is None  # inf


def test_a_numeric_question_graded_through_arithmetic(catalog):
    assignment = catalog.assignment("mlp-numeric")
    key = catalog.key(assignment)
    question = assignment.question("ex1a.z1")  # a 3×1 vector
    values, tol = [float(v) for v in key[question.id].value[:, 0]], Tolerance(rtol=1e-9, atol=1e-12)

    def written(first: str) -> str:  # a bmatrix whose first entry is arithmetic
        return r"\begin{bmatrix} " + first + r" \\ " + r" \\ ".join(map(repr, values[1:])) + r" \end{bmatrix}"

    exact = written(f"{values[0]!r} + 0.5 - \\frac{{1}}{{2}}")  # the key's value, as arithmetic
    assert compare_matrix(parse_answer(question, exact, key), key[question.id], tol=tol).outcome == CORRECT
    off = written(f"{values[0]!r} + 0.5")
    assert compare_matrix(parse_answer(question, off, key), key[question.id], tol=tol).outcome == WRONG
