r"""Numbers written as arithmetic: ``e^{-1}``, ``\frac{1}{1+e^{-0.5}}``, ``\sigma(0.5)``,
``1 - \tanh^2(0.3)``, ``\sqrt{2}/2``, ``0.5 (1 - 0.5)``, ``np.exp(-1)``, and such entries in a LaTeX
matrix. A TA reads them as the number they name; so does a numeric question.

The numeric grammar reads numbers only; what it refuses as syntax is read again with the
expression grammar (one grammar for text and LaTeX, no ``eval``, its structural bounds) under an
empty symbol table, so a name (``x``, ``W``) stays an error, and evaluated in float64. The value
must be one finite number. Where this reading fails too, the numeric grammar's error stands:
it is the one that points at the column.

Only text that looks like a number written as arithmetic gets the second reading
(:func:`looks_like_arithmetic`): no ``=`` (``\\catcode`\\@=11``, a CSV formula ``=1+1``), no
brackets (``[1-2]`` is a malformed list, not −1), no ``**`` or ``{{`` (code and templates), no
integer with a leading zero (``2024-01-01`` is a date), no middle dot between digits (``0·5`` is a
decimal point in some countries), math delimiters only as one pair around the whole, ``\\frac``
and ``\\sqrt`` with braces, ``\\left``/``\\right`` only before a delimiter.
"""
from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np

from grader.errors import AnswerError
from grader.parse.expression.lexer import MAX_EXPONENT, range_error
from grader.parse.expression.parser import parse_expression
from grader.parse.expression.table import SymbolTable
from grader.parse.numeric.reader import NumericAnswer, parse_numeric
from grader.judge.symbolic.evaluate import Env, ShapeError, evaluate

NO_SYMBOLS = SymbolTable.build(symbols={})
MAX_TEXT = 500  # arithmetic a student writes for one number is short; longer text is not this
NOT_ARITHMETIC = re.compile(
    r"[=\[\]`@#%&;:|'\"<>?!_~]|\*\*|\{\{|(?<![\d.])0\d|\d\s*[·⋅]\s*\d"
    r"|\\(?:frac|dfrac|tfrac|sqrt)(?!\s*\{)|\\(?:left|right)(?!\s*[(|.])|\\(?:let|def|catcode|input|include)\b")
DELIMITERS = {"$$": "$$", "$": "$", r"\(": r"\)", r"\[": r"\]"}


def looks_like_arithmetic(text: str) -> bool:
    r"""Whether ``text`` may be a number written as arithmetic (see the module's rules).

    >>> looks_like_arithmetic(r"$\frac{1}{1+e^{-1}}$"), looks_like_arithmetic("2024-01-01")
    (True, False)
    """
    body = text.strip()
    for opener, closer in DELIMITERS.items():
        if body.startswith(opener):
            if len(body) < len(opener) + len(closer) or not body.endswith(closer):
                return False
            body = body[len(opener):-len(closer)]
            break
    return "$" not in body and r"\(" not in body and r"\[" not in body and not NOT_ARITHMETIC.search(body)


def constant_value(text: str) -> Fraction | None:
    r"""The number a constant expression names, or None when it names none.

    >>> float(constant_value(r"\frac{1}{1+e^{0}}")), constant_value("2 x")
    (0.5, None)
    """
    if len(text) > MAX_TEXT or not looks_like_arithmetic(text):
        return None
    try:
        with np.errstate(all="ignore"):  # an overflow is an inf, refused below
            value = evaluate(parse_expression(text, NO_SYMBOLS).expr, Env(symbols={}))
    except (AnswerError, ShapeError, ArithmeticError, ValueError):
        return None
    if np.shape(value) != (1, 1):
        return None
    number = float(value[0, 0])
    if not math.isfinite(number) or range_error(Fraction(number)) or abs(number) >= 10.0 ** MAX_EXPONENT:
        return None  # the numeric grammar's range: 2^{1000} is no more a number here than 10^{1000}
    return Fraction(number)


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
