r"""Parse a student's numeric answer (scalar, vector or matrix) into a 2-D float64 array.

Raw text never reaches eval/sympify: a regex tokenizer and a small recursive descent
(:class:`~grader.parse.numeric.grammar.TextParser`) accept a fixed set of notations (decimals,
``1/3``, ``\frac{1}{3}``, ``1.5 \times 10^{-3}``, Python/numpy/MATLAB brackets, LaTeX matrices, a
``^T`` suffix) and reject the rest with an :class:`~grader.errors.AnswerError` whose ``column``
points at the problem. Here: the entry points, and answers given as YAML/JSON numbers and lists.
Literals are read exactly as :class:`~fractions.Fraction`, made float at the end.
Newlines are plain spaces (numpy wraps long 1-D arrays); rows come from ``;``, ``\\`` or
inner brackets, and only they make an answer non-``flat``. Plain answers first try
:mod:`~grader.parse.numeric.fast` (the same result without the parser; ``fast=False`` skips it).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from grader.errors import AnswerError
from grader.parse.expression.lexer import INT, JSON_NAMES, MAX_ENTRIES, quote, ragged, range_error
from grader.parse.numeric.fast import fast_fraction, fast_numeric
from grader.parse.numeric.grammar import TextParser


@dataclass(frozen=True, eq=False)  # eq=False: ndarray fields make a generated __eq__ ambiguous
class NumericAnswer:
    values: np.ndarray  # always 2-D float64, read-only
    flat: bool  # orientation not stated: scalar, flat list, or "[1, 2, 3]"
    text: str | None  # the original string when the answer was a string


def _from_value(x, where: str = "") -> Fraction:
    """One non-list value: a string, or a number from JSON or a library caller."""
    if isinstance(x, str):
        try:
            return TextParser(x).number()  # parse_number's own check is done; its fast path is not
        except AnswerError as e:
            if not where:
                raise
            # the position is the entry, named in the message; a column into one entry would mislead
            raise replace(e, message=where + e.message, column=None, text=None) from None
    if isinstance(x, bool) or x is None:  # bool before numbers: True is an int
        raise AnswerError(f"{where}expected a number, got {JSON_NAMES[x]}", category="value")
    if isinstance(x, numbers.Real):
        if not isinstance(x, numbers.Rational) and not math.isfinite(x):  # big ints overflow
            raise AnswerError(f"{where}not a finite number: {x!r}", category="value")
        value = Fraction(x)
        problem = range_error(value)
        if problem:
            raise AnswerError(where + problem, category="limit")
        return value
    got = "a mapping" if isinstance(x, dict) else f"a {type(x).__name__}"
    raise AnswerError(f"{where}expected a number, got {got}", category="value")


def _from_list(raw) -> tuple[list[list[Fraction]], bool]:
    """A YAML/JSON list: n numbers (flat) or a list of rows (2-D)."""
    if len(raw) > MAX_ENTRIES:  # before any pass over the entries: a 10^6-item list costs O(1)
        raise AnswerError(f"more than {MAX_ENTRIES} entries", category="limit")
    nested = [isinstance(x, (list, tuple)) for x in raw]
    if any(nested) and not all(nested):
        raise AnswerError(f"entry {nested.index(False) + 1} is a single number but others are "
                          "rows (lists); give every row as a list", category="shape")
    flat = not any(nested)
    rows = [raw] if flat else raw
    if sum(map(len, rows)) > MAX_ENTRIES:
        raise AnswerError(f"more than {MAX_ENTRIES} entries", category="limit")
    if any(isinstance(x, (list, tuple)) for row in rows for x in row):
        raise AnswerError("list nested deeper than 2 levels (rows of numbers)", category="limit")
    if not any(rows):
        raise AnswerError("empty answer", category="value")
    for k, row in enumerate(rows[1:], 2):
        if len(row) != len(rows[0]):
            raise AnswerError(ragged(k, len(row), len(rows[0])), category="shape")
    return [[_from_value(x, (f"entry {j}: " if flat else f"row {i}, entry {j}: "))
             for j, x in enumerate(row, 1)] for i, row in enumerate(rows, 1)], flat


def parse_numeric(raw, *, fast: bool = True, entry=None) -> NumericAnswer:
    r"""Parse a scalar, vector or matrix answer into a 2-D float64 array.

    >>> a = parse_numeric(r"\begin{bmatrix} 1 & \frac{1}{2} \end{bmatrix}^T")
    >>> a.values.tolist(), a.flat
    ([[1.0], [0.5]], False)
    >>> parse_numeric(["0.1", "1/4"]).values.shape, parse_numeric("[1 2 3]").flat
    ((2, 1), True)

    ``entry`` reads a LaTeX matrix entry that is not a number (see :class:`TextParser`).
    """
    hit = fast_numeric(raw) if fast else None  # None: not plain, or an error to word
    if hit is not None:
        return NumericAnswer(*hit, raw if isinstance(raw, str) else None)
    if isinstance(raw, str):
        rows, flat = TextParser(raw, entry).answer()
    elif isinstance(raw, (list, tuple)):
        rows, flat = _from_list(raw)
    else:
        rows, flat = [[_from_value(raw)]], True
    values = np.array([[float(v) for v in row] for row in rows], dtype=np.float64)
    values.flags.writeable = False  # the answer is frozen; so is its array (and any view of it)
    if flat:
        values = values.reshape(-1, 1)
    return NumericAnswer(values, flat, raw if isinstance(raw, str) else None)


def parse_number(text: str, *, fast: bool = True) -> Fraction:
    r"""Parse one scalar in any accepted scalar notation, exactly.

    >>> parse_number(r"-\frac{1}{3}"), parse_number("1.5 \\times 10^{-3}")
    (Fraction(-1, 3), Fraction(3, 2000))
    """
    if not isinstance(text, str):
        raise AnswerError(f"expected a number as text, got {type(text).__name__}", category="value")
    hit = fast_fraction(text) if fast else None
    return TextParser(text).number() if hit is None else hit


def parse_integer(raw) -> int:
    """Parse a whole number such as a predicted class: digits with an optional sign.

    >>> parse_integer(" +3 ")
    3
    """
    if isinstance(raw, numbers.Integral) and not isinstance(raw, bool):
        return int(raw)
    if not isinstance(raw, str):
        got = (JSON_NAMES[raw] if isinstance(raw, bool) or raw is None else
               "a list" if isinstance(raw, (list, tuple)) else repr(raw))
        raise AnswerError(f"expected a single whole number, got {got}", category="value")
    parse_number(raw)  # garbage, nan, 'no', bad digits: the same errors as everywhere
    if INT.fullmatch(raw.replace("\u2212", "-")):
        return int(raw.replace("\u2212", "-").strip())
    raise AnswerError(f"expected a whole number such as 2, got {quote(raw.strip())}",
                      column=len(raw) - len(raw.lstrip()) + 1, text=raw, category="value")
