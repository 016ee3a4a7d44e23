"""Tables of accepted and rejected numeric answers for :mod:`grader.parse.numeric.reader`."""
from __future__ import annotations

import doctest
import random
from fractions import Fraction

import numpy as np
import pytest

import grader.parse.numeric.reader as numeric
from grader.errors import AnswerError
from grader.parse.numeric.reader import parse_integer, parse_number, parse_numeric

THIRD = 1 / 3
BM = r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"

# (answer, expected 2-D values, flat)
ACCEPTED = [
    # scalars
    ("0.5", [[0.5]], True),
    ("-1.5", [[-1.5]], True),
    ("+2", [[2]], True),
    (".5", [[0.5]], True),
    ("5.", [[5]], True),
    ("1e-3", [[0.001]], True),
    ("1E+3", [[1000]], True),
    ("1/3", [[THIRD]], True),
    ("-1/3", [[-THIRD]], True),
    (r"\frac{1}{3}", [[THIRD]], True),
    (r"-\frac{1}{3}", [[-THIRD]], True),
    (r"\dfrac{2}{6}", [[THIRD]], True),
    (r"\tfrac{-1}{4}", [[-0.25]], True),
    (r"1.5 \times 10^{-3}", [[0.0015]], True),
    (r"1.5\cdot10^{-3}", [[0.0015]], True),
    ("1.5 * 10^-3", [[0.0015]], True),
    ("1.5 × 10^{-3}", [[0.0015]], True),
    ("10^{-3}", [[0.001]], True),
    ("\u22120.25", [[-0.25]], True),
    ("  0.5 \n", [[0.5]], True),
    ("- 0.5", [[-0.5]], True),
    ("$0.5$", [[0.5]], True),
    (r"$$-\frac{1}{2}$$", [[-0.5]], True),
    (r"\(0.5\)", [[0.5]], True),
    (r"$\; 0.5 \quad$", [[0.5]], True),
    (r"-\!\frac{1}{\,2}", [[-0.5]], True),
    ("0.12345678901234567890123456789", [[0.12345678901234567890123456789]], True),  # 30 digits
    # YAML lists (every scalar a str) and library-caller numbers
    (["0.1", "0.2"], [[0.1], [0.2]], True),
    (["1/3", r"\frac{2}{3}", "-1e-1"], [[THIRD], [2 / 3], [-0.1]], True),
    ([["1", "2"], ["3", "4"]], [[1, 2], [3, 4]], False),
    ([["1"], ["2"]], [[1], [2]], False),
    ([[1, 2.5]], [[1, 2.5]], False),
    (0.25, [[0.25]], True),
    (3, [[3]], True),
    (Fraction(1, 3), [[THIRD]], True),
    # Python / numpy brackets
    ("[[1, 2], [3, 4]]", [[1, 2], [3, 4]], False),
    ("[1, 2, 3]", [[1], [2], [3]], True),
    ("[1 2 3]", [[1], [2], [3]], True),
    ("[5]", [[5]], True),
    ("[[5]]", [[5]], False),
    ("[[1, 2, 3]]", [[1, 2, 3]], False),
    ("[[0.1626 0.1626]\n [0.0261 0.0261]]", [[0.1626, 0.1626], [0.0261, 0.0261]], False),
    ("[ 1.  -2.5]", [[1], [-2.5]], True),
    ("[1.e-03 2.e+00]", [[0.001], [2]], True),
    ("[0.1 0.2\n 0.3]", [[0.1], [0.2], [0.3]], True),  # numpy wraps long 1-D arrays
    ("[[1, 2],\n [3, 4],]", [[1, 2], [3, 4]], False),
    ("[1/3, 2/3]", [[THIRD], [2 / 3]], True),
    ("array([[1., 2.],\n       [3., 4.]])", [[1, 2], [3, 4]], False),
    ("np.array([1, 2])", [[1], [2]], True),
    ("numpy.array([[1, 2]])", [[1, 2]], False),
    # MATLAB
    ("[1 2; 3 4]", [[1, 2], [3, 4]], False),
    ("[1, 2; 3, 4]", [[1, 2], [3, 4]], False),
    ("[1; 2; 3]", [[1], [2], [3]], False),
    ("[1 2; 3 4;]", [[1, 2], [3, 4]], False),
    ("[1 -2]", [[1], [-2]], True),
    ("[1 +2 -3e-1]", [[1], [2], [-0.3]], True),
    # LaTeX
    (BM, [[1, 2], [3, 4]], False),
    (BM.replace("bmatrix", "pmatrix"), [[1, 2], [3, 4]], False),
    (BM.replace("bmatrix", "Bmatrix"), [[1, 2], [3, 4]], False),
    (BM.replace("bmatrix", "matrix"), [[1, 2], [3, 4]], False),
    (r"\begin{bmatrix} \frac{1}{3} & -1.5\times10^{-3} \end{bmatrix}", [[THIRD, -0.0015]], False),
    (r"\begin{bmatrix} 1 \\ 2 \\ \end{bmatrix}", [[1], [2]], False),
    (r"$\begin{bmatrix} 1 & 2 & 3 \end{bmatrix}$", [[1, 2, 3]], False),
    (r"\left[ 1 2; 3 4 \right]", [[1, 2], [3, 4]], False),
    (r"\left[ 1, 2, 3 \right]", [[1], [2], [3]], True),
    # transpose
    ("[1 1 0 0 0]^T", [[1], [1], [0], [0], [0]], False),
    ("[1 2 3]^{T}", [[1], [2], [3]], False),
    (r"[1 2 3]^\top", [[1], [2], [3]], False),
    (r"[1 2 3]^{\top}", [[1], [2], [3]], False),
    ("[1 2 3]'", [[1], [2], [3]], False),
    ("[[1, 2, 3]]^T", [[1], [2], [3]], False),
    ("[1; 2; 3]^T", [[1, 2, 3]], False),
    (BM + "^T", [[1, 3], [2, 4]], False),
    ("np.array([[1, 2]]).T", [[1], [2]], False),
    # commas between digits that are separators (grader/parse/numeric/decimal_comma.py)
    ("[1,2;3,4]", [[1, 2], [3, 4]], False),
    ("[0,1,0]", [[0], [1], [0]], True),
    ("[10,20,30]", [[10], [20], [30]], True),
    ("[1.5,2.5]", [[1.5], [2.5]], True),
    ("[1e-3,500]", [[0.001], [500]], True),
    ("[0,5; 0,3]", [[0, 5], [0, 3]], False),  # one digit after the comma: a list, as documented
    ("[0, 113937]", [[0], [113937]], True),  # a space after the comma: a separator
    # entries without brackets, as a TA reads them (a glued "1,5" stays a decimal-comma error)
    ("1 2", [[1], [2]], True),
    ("0.5, -0.25", [[0.5], [-0.25]], True),
    ("1 2; 3 4", [[1, 2], [3, 4]], False),
    # what libraries print around numbers (grader/parse/numeric/printed_forms.py)
    ("tensor([[0.5000, -0.2500]])", [[0.5, -0.25]], False),
    ("tensor([0.5, -0.25], dtype=torch.float64, requires_grad=True)", [[0.5], [-0.25]], True),
    ("tensor(0.5000, grad_fn=<AddBackward0>)", [[0.5]], True),
    ("torch.tensor([[1.], [2.]], device='cuda:0')", [[1], [2]], False),
    ("np.float64(0.25)", [[0.25]], True),
    ("[np.float64(0.25), np.float64(-0.5)]", [[0.25], [-0.5]], True),
    ("Array([1., 2.], dtype=float32)", [[1], [2]], True),
    ("matrix([[1, 2]])", [[1, 2]], False),
    ("(0.5, 0.25)", [[0.5], [0.25]], True),
    ("((1, 2), (3, 4))", [[1, 2], [3, 4]], False),
    ("≈ 0.33", [[0.33]], True),
    (r"= \frac{1}{3}", [[THIRD]], True),
    (r"\left[\begin{array}{cc} 1 & 2 \\ 3 & 4 \end{array}\right]", [[1, 2], [3, 4]], False),
    (r"\left(\begin{array}{c|c} 1 & -2 \end{array}\right)^T", [[1], [-2]], False),
]

# (answer, category, message substring, column or None)
REJECTED = [
    ("", "value", "empty answer", None),
    ("   \n", "value", "empty answer", None),
    ("[]", "value", "empty answer", 1),
    ("[[]]", "value", "empty answer", 1),
    ([], "value", "empty answer", None),
    ("nan", "value", "not a finite number", 1),
    ("NaN", "value", "not a finite number", 1),
    ("inf", "value", "not a finite number", 1),
    ("-inf", "value", "not a finite number", 2),
    (".inf", "value", "not a finite number", 1),
    ("Infinity", "value", "not a finite number", 1),
    (r"\infty", "value", "not a finite number", 1),
    ("∞", "value", "not a finite number", 1),
    ("[1, nan]", "value", "not a finite number", 5),
    (float("nan"), "value", "not a finite number", None),
    (float("-inf"), "value", "not a finite number", None),
    ("true", "value", "expected a number, got 'true'", 1),
    ("false", "value", "expected a number, got 'false'", 1),
    ("yes", "value", "expected a number, got 'yes'", 1),
    (" no", "value", "expected a number, got 'no'", 2),
    ("null", "value", "expected a number, got 'null'", 1),
    ("~", "value", "expected a number, got '~'", 1),
    (True, "value", "expected a number, got true", None),
    (None, "value", "expected a number, got null", None),
    ({"a": "1"}, "value", "got a mapping", None),
    ("abc", "syntax", "expected a number, got 'abc'", 1),
    ("0.5x", "syntax", "unexpected 'x'", 4),
    ("1,5", "syntax", "'.' as the decimal point", 2),
    ("1..2", "syntax", "unexpected '.2'", 3),
    ("--1", "syntax", "expected a number, got '-'", 2),
    ("1 - 2", "syntax", "list in brackets", 3),  # arithmetic, not two entries
    ("0.5 -", "syntax", "list in brackets", 5),
    ("(1, 2", "syntax", "expected a number, got '('", 1),  # unbalanced: not read as a tuple
    ("tensor([1, 2]", "syntax", "got 'tensor'", 1),
    (r"\begin{array}{cc} 1 & 2 \end{bmatrix}", "syntax", r"expected \end{array}", 25),
    ("2 * 3", "syntax", "10^", 5),
    ("１", "value", "FULLWIDTH DIGIT ONE", 1),
    ("0.٣", "value", "ARABIC-INDIC DIGIT THREE", 3),
    ("[1 - 2]", "syntax", "sign right before its number", 4),
    ("[1-2]", "syntax", "expected ',' or a space", 3),
    ("[1 2", "syntax", "missing ']'", 5),
    ("[1,,2]", "syntax", "expected a number before ','", 4),
    ("$0.5", "syntax", "unmatched '$'", 1),
    ("[1, 2] [3]", "syntax", "after the matrix", 8),
    ("[0.1 ... 0.9]", "syntax", "abbreviated", 6),
    ("1 – 2", "syntax", "U+2013", 3),
    (r"\begin{vmatrix} 1 \end{vmatrix}", "syntax", "unsupported", 1),
    (r"\begin{bmatrix} 1 & 2 \end{pmatrix}", "syntax", r"expected \end{bmatrix}", 23),
    ("[1 2]^X", "syntax", "expected T", 7),
    (r"\frac{\frac{1}{2}}{3}", "syntax", "nested", 7),
    (r"\left5", "syntax", "expected a number, got '\\left'", 1),
    ("[[1, 2], [3]]", "shape", "row 2 has 1 entry, row 1 has 2", 10),
    ("[1 2; 3]", "shape", "row 2 has 1 entry, row 1 has 2", 7),
    (BM.replace("3 & 4", "3"), "shape", "row 2 has 1 entry, row 1 has 2", 26),
    ("[[[1]]]", "shape", "dimensions", 3),
    ("[1, [2]]", "shape", "dimensions", 5),
    ("[[1], 2]", "shape", "mixed", 7),
    ([["1", "2"], ["3"]], "shape", "row 2 has 1 entry, row 1 has 2", None),
    (["1", ["2"]], "shape", "entry 1 is a single number", None),
    ("1" * 20_001, "limit", "too long", None),
    ("1" * 31, "limit", "more than 30 digits", 1),
    ("1e999999", "limit", "exponent", 1),
    ("1e-999999", "limit", "exponent", 1),
    ("1e300 * 10^{300}", "limit", "too large", 1),
    ("1e-300 * 10^-300", "limit", "too small", 1),
    (10**400, "limit", "too large", None),
    (["1"] * 10_001, "limit", "10000 entries", None),
    ([[["1"]]], "limit", "deeper than 2", None),
    ("1/0", "value", "division by zero", 2),
    (r"\frac{1}{0}", "value", "division by zero", 1),
    # decimal commas (grader/parse/numeric/decimal_comma.py): the column of the comma
    ("[-0,113937; 0,13437]", "syntax", "decimal comma", 4),
    ("[[-0,113937], [0,13437]]", "syntax", "decimal comma", 5),
    ("[0,25, 0,5]", "syntax", "decimal comma", 3),
    ("[-0,5; 1]", "syntax", "decimal comma", 4),
    ("[1,05]", "syntax", "decimal comma", 3),
    ("[100,200]", "syntax", "decimal comma", 5),
    ("0,25", "syntax", "decimal comma", 2),
    ("-0,113937", "syntax", "decimal comma", 3),
    (["0,113937", "0,13437"], "syntax", "decimal comma", None),  # a YAML list of such texts
    ("array([0,113937, 0,5])", "syntax", "decimal comma", 9),
]


def _check(ans, expected, flat):
    expected = np.array(expected, dtype=np.float64)
    assert ans.values.dtype == np.float64 and ans.values.ndim == 2
    assert ans.values.shape == expected.shape
    np.testing.assert_allclose(ans.values, expected, rtol=1e-15, atol=0)
    assert ans.flat is flat


@pytest.mark.parametrize("raw, expected, flat", ACCEPTED, ids=repr)
def test_accepted(raw, expected, flat):
    ans = parse_numeric(raw)
    _check(ans, expected, flat)
    assert ans.text == (raw if isinstance(raw, str) else None)


@pytest.mark.parametrize("raw, category, message, column", REJECTED, ids=lambda v: repr(v)[:40])
def test_rejected(raw, category, message, column):
    with pytest.raises(AnswerError) as info:
        parse_numeric(raw)
    err = info.value
    assert err.category == category, err.describe()
    assert message in err.message, err.describe()
    assert err.column == column, err.describe()
    if isinstance(raw, str):
        assert err.text == raw


@pytest.mark.parametrize("raw, where", [
    (["0.5", "abc"], "entry 2: expected a number, got 'abc'"),
    ([["1", "2", "3"], ["4", "5", "abc"]], "row 2, entry 3: expected a number, got 'abc'"),
    ([["1", "no"]], "row 1, entry 2: expected a number, got 'no'"),
    ([["1", None]], "row 1, entry 2: expected a number, got null"),
    (["1", "nan"], "entry 2: not a finite number"),
])
def test_list_errors_name_the_entry(raw, where):
    with pytest.raises(AnswerError) as info:
        parse_numeric(raw)
    assert info.value.message.startswith(where)


def test_equivalent_forms_agree_exactly():
    forms = ["1/3", r"\frac{1}{3}", r"\dfrac{1}{3}", r"$\tfrac{1}{3}$", ["1/3"], "[1/3]"]
    values = {parse_numeric(f).values[0, 0] for f in forms}
    assert values == {1 / 3}


@pytest.mark.parametrize("x", [0.1, -2.5e-7, 1 / 3, 123456.789, 1e-300, 1.7976931348623157e300])
def test_float_repr_round_trips(x):
    assert parse_numeric(repr(x)).values[0, 0] == x


def test_values_are_read_only():
    ans = parse_numeric("[1, 2]")
    with pytest.raises(ValueError):
        ans.values[0, 0] = 5


@pytest.mark.parametrize("text, expected", [
    ("0.1", Fraction(1, 10)),
    (r"-\frac{1}{3}", Fraction(-1, 3)),
    ("1.5 \\times 10^{-3}", Fraction(3, 2000)),
    ("\u22127/2", Fraction(-7, 2)),
])
def test_parse_number_is_exact(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["[1]", "1 2", "", 0.5])
def test_parse_number_rejects_non_scalars(text):
    with pytest.raises(AnswerError):
        parse_number(text)


@pytest.mark.parametrize("raw, expected", [
    ("1", 1), (" 2 ", 2), ("+3", 3), ("\u22124", -4), ("007", 7), (5, 5), (np.int64(6), 6),
])
def test_parse_integer_accepts(raw, expected):
    assert parse_integer(raw) == expected


@pytest.mark.parametrize("raw, category, message", [
    ("1.5", "value", "whole number"),
    ("1e0", "value", "whole number"),
    ("1/1", "value", "whole number"),
    ("abc", "syntax", "expected a number"),
    ("nan", "value", "not a finite number"),
    ("no", "value", "got 'no'"),
    (True, "value", "got true"),
    (None, "value", "got null"),
    (2.0, "value", "whole number"),
    (["1"], "value", "got a list"),
])
def test_parse_integer_rejects(raw, category, message):
    with pytest.raises(AnswerError) as info:
        parse_integer(raw)
    assert info.value.category == category and message in info.value.message


def test_random_garbage_only_raises_answer_error():
    """Whatever a student types, the parser answers or raises AnswerError, nothing else."""
    rng = random.Random(0)
    pieces = list("0123456789 .,;[]{}()^'-+*/eE&$\n\u2212") + [
        r"\frac", r"\begin{bmatrix}", r"\end{bmatrix}", r"\\", "T", r"\top", "np.array",
        "10", "nan", r"\times", "\uff11", r"\left", r"\right", "~", "\u221e", ".T"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        try:
            ans = parse_numeric(text)
        except AnswerError as err:
            assert err.category in {"syntax", "value", "shape", "limit"}
            assert err.column is None or 1 <= err.column <= len(text) + 1
        else:
            assert ans.values.ndim == 2 and np.isfinite(ans.values).all()


def test_doctests():
    assert doctest.testmod(numeric).failed == 0
