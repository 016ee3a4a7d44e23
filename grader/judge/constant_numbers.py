r"""Numbers written as arithmetic: ``e^{-1}``, ``\frac{1}{1+e^{-0.5}}``, ``\sigma(0.5)``,
``1 - \tanh^2(0.3)``, ``\sqrt{2}/2``, ``0.5 (1 - 0.5)``, ``np.exp(-1)``, and such entries in a LaTeX
matrix. A TA reads them as the number they name; so does a numeric question.

The numeric grammar reads numbers only; what it refuses as syntax is read again with the
expression grammar (one grammar for text and LaTeX, no ``eval``, its structural bounds) under an
empty symbol table, so a name (``x``, ``W``) stays an error, and evaluated in float64. The value
must be one finite number. Where this reading fails too, the numeric grammar's error stands:
it is the one that points at the column.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from grader.errors import AnswerError
from grader.parse.expression.parser import parse_expression
from grader.parse.expression.table import SymbolTable
from grader.parse.numeric.reader import NumericAnswer, parse_numeric
from grader.judge.symbolic.evaluate import Env, ShapeError, evaluate

NO_SYMBOLS = SymbolTable.build(symbols={})
MAX_TEXT = 500  # arithmetic a student writes for one number is short; longer text is not this


def constant_value(text: str) -> Fraction | None:
    r"""The number a constant expression names, or None when it names none.

    >>> float(constant_value(r"\frac{1}{1+e^{0}}")), constant_value("2 x")
    (0.5, None)
    """
    if len(text) > MAX_TEXT:
        return None
    try:
        with np.errstate(all="ignore"):  # an overflow is an inf, refused below
            value = evaluate(parse_expression(text, NO_SYMBOLS).expr, Env(symbols={}))
    except (AnswerError, ShapeError, ArithmeticError, ValueError):
        return None
    if np.shape(value) != (1, 1):
        return None
    number = float(value[0, 0])
    return Fraction(number) if math.isfinite(number) else None


def read_numbers(raw, parse=parse_numeric) -> NumericAnswer:
    r"""A numeric answer, its numbers possibly written as arithmetic (raises the numeric grammar's
    AnswerError when neither reading works). ``parse``: the numeric reader (a test's stand-in).

    >>> read_numbers(r"\begin{bmatrix} \frac{1}{2} & 1 - \frac{1}{4} \end{bmatrix}").values.tolist()
    [[0.5, 0.75]]
    """
    try:
        return parse(raw, entry=constant_value)
    except AnswerError as error:
        if not isinstance(raw, str) or error.category != "syntax":
            raise
        value = constant_value(raw)
        if value is None:
            raise
        values = np.array([[float(value)]])
        values.flags.writeable = False
        return NumericAnswer(values, True, raw)
