r"""The fast path of :func:`grader.parse.numeric.reader.parse_numeric`: plain answers without the parser.

Most answers are plain ASCII: ``0.1234``, ``-1/3``, ``[0.1, -0.2; 0.3 0.4]``, ``[[1, 2], [3, 4]]``,
``array([...])``, ``\begin{bmatrix} 1 & 2 \end{bmatrix}``, a ``'``/``^T``/``.T`` suffix, or YAML
lists of such strings. For those, one regex checks the whole answer's structure (and that every
literal is in the fast range, below), plain string splits then find the rows and literals, and
:func:`float` reads them: a small fraction of the cost of the tokenizer and
:class:`~grader.parse.numeric.grammar.TextParser`. Every function here returns ``None`` for anything else,
*including every answer the full parser would reject*: errors (their wording, category and
column) only ever come from the full parser. The promise is "same result or ``None``", and
``tests/parse/test_numeric_fast.py`` holds it against the full parser (differentially).

Why the values are bit-identical: the full parser reads each literal exactly, as a Fraction,
and rounds once with ``float(Fraction)`` (an int/int true division, correctly rounded); here
``float(text)`` is also correctly rounded, so the two agree whenever the result is a normal
float. The fast path only takes literals that cannot leave the normal range: at most
``MAX_DIGITS`` digits and an exponent of at most ``FAST_EXP_DIGITS`` significant digits (inside
the lexer's limits; anything longer goes to the parser, which also words the limit errors).
``a/b`` is an int/int division for whole numbers, else exactly the parser's Fraction division.
The parser never makes ``-0.0`` (``-1 * Fraction(0)`` is 0), so neither does this. ``float()``
only ever sees a literal the regex matched (never ``nan``, ``inf`` or ``1_000``, which it takes).

Results for short strings are memoised, in bounded caches. An error never is: a string the
parser must read is remembered as ``None``, so the parser runs (and makes a fresh error) every
time. A result is immutable: a read-only array, handed out as a fresh read-only view, or a
Fraction.
"""
from __future__ import annotations

import math
import re
from fractions import Fraction
from functools import lru_cache

import numpy as np

from grader.parse.numeric.decimal_comma import ambiguous_comma
from grader.parse.expression.lexer import MAX_CHARS, MAX_DIGITS, MAX_ENTRIES, MAX_EXPONENT

CACHE_CHARS = 200  # strings up to this long are memoised (the caches hold < 10 MB)
FAST_EXP_DIGITS = len(str(MAX_EXPONENT + 1)) - 1  # 2: exponents up to 99 (the limit is 300)
# |literal| < 10**(MAX_DIGITS + 10**FAST_EXP_DIGITS): a quotient of two stays a normal float.
ENABLED = 2 * (MAX_DIGITS + 10 ** FAST_EXP_DIGITS) < 300 and FAST_EXP_DIGITS > 0

_W = r"[ \t\n\r]*+"  # the parser's whitespace is wider (\s, \,, \quad, ...): those go to it
# The lexer's num token, narrowed to the fast range: at most MAX_DIGITS characters of digits and
# point (so at most MAX_DIGITS digits), an exponent of at most FAST_EXP_DIGITS significant digits.
# A longer literal fails to match, so it goes to the parser (which also words the limit errors).
_NUM = (rf"(?=[0-9.]{{1,{MAX_DIGITS}}}+(?![0-9.]))(?:[0-9]++(?:\.[0-9]*+)?+|\.[0-9]++)"
        rf"(?:[eE][+-]?+(?:0*+[1-9][0-9]{{0,{FAST_EXP_DIGITS - 1}}}+|0++)(?![0-9]))?+")
_ENTRY = rf"[+-]?+{_NUM}(?:/{_NUM})?+"  # a sign glued to its number, as inside brackets
_SEP = rf"(?:{_W},{_W}|[ \t\n\r]++)"
_ROW = rf"{_ENTRY}(?:{_SEP}{_ENTRY})*+(?:{_W},)?+"  # a trailing ',' is allowed, a leading one not
_FLAT = rf"\[{_W}{_ROW}{_W}(?:;{_W}{_ROW}{_W})*+(?:;{_W})?+\]"  # [1 2], [1, 2; 3, 4;]
_NESTED = rf"\[{_W}(?:\[{_W}{_ROW}{_W}\]{_W}(?:,{_W})?+)++\]"  # [[1, 2], [3, 4],]
_EROW = rf"{_ENTRY}(?:{_W}&{_W}{_ENTRY})*+"
_ENV = (rf"\\begin\{{(?P<name>[bpB]?)matrix\}}(?P<body>{_W}{_EROW}(?:{_W}\\\\{_W}{_EROW})*+"
        rf"(?:{_W}\\\\)?+{_W})\\end\{{(?P=name)matrix\}}")
_TOP = r"(?:T|\\top)"
_TRANSPOSE = rf"(?:'|\.T|\^{_W}(?:{_TOP}|\{{{_W}{_TOP}{_W}\}}))"

SCALAR = re.compile(rf"{_W}({_ENTRY}){_W}")
CELLS = re.compile(rf"{_W}{_ENTRY}{_W}(?:\|{_W}{_ENTRY}{_W})*+")  # strings joined by '|'
MATRIX = re.compile(rf"{_W}(?:(?P<array>(?:(?:np|numpy)\.)?array{_W}\({_W})?+"
                    rf"(?:(?P<flat>{_FLAT})|(?P<nested>{_NESTED}))(?(array){_W}\))"
                    rf"|{_ENV}){_W}(?P<t>{_TRANSPOSE})?+{_W}")


def fast_numeric(raw) -> tuple[np.ndarray, bool] | None:
    """``(values, flat)`` as :func:`~grader.parse.numeric.reader.parse_numeric` makes them (values
    a read-only 2-D float64 array), or ``None``: not a plain answer, leave it to the parser."""
    if not ENABLED:
        return None
    t = type(raw)
    if t is str:
        hit = _text_cached(raw) if len(raw) <= CACHE_CHARS else _text(raw)
    elif t is list or t is tuple:
        hit = _listed(raw)
    else:
        value = _cell(raw)
        hit = None if value is None else _frozen([[value]], True)
    if hit is None:
        return None
    return hit[0].view(), hit[1]  # a view of a read-only array cannot be made writeable


def fast_fraction(text) -> Fraction | None:
    """:func:`~grader.parse.numeric.reader.parse_number` of a plain scalar string, or ``None``."""
    if not ENABLED or type(text) is not str:
        return None
    return _fraction_cached(text) if len(text) <= CACHE_CHARS else _fraction(text)


# -- strings ----------------------------------------------------------------------------------
def _text(s: str) -> tuple[np.ndarray, bool] | None:
    if len(s) > MAX_CHARS or not s.isascii() or ("," in s and ambiguous_comma(s) is not None):
        return None  # (a decimal comma: the parser words the refusal)
    m = SCALAR.fullmatch(s)
    if m:
        value = _literal(m.group(1))
        return None if value is None else _frozen([[value]], True)
    m = MATRIX.fullmatch(s)
    if not m:
        return None
    # The regex has checked the structure, so plain string splits find the rows and entries.
    if m.group("flat"):
        flat = ";" not in m.group("flat")
        pieces = m.group("flat")[1:-1].replace(",", " ").split(";")
    elif m.group("nested"):  # "[[1, 2], [3, 4],]": each "]" but the last ends a row
        flat = False
        parts = m.group("nested")[1:-1].replace(",", " ").split("]")[:-1]
        pieces = [p.partition("[")[2] for p in parts]
    else:
        flat, pieces = False, m.group("body").replace("&", " ").split("\\\\")
    literals = [p.split() for p in pieces]
    if not literals[-1]:  # after a trailing ';' or '\\' (the regex allows no other empty row)
        literals.pop()
    n = len(literals[0])
    if any(len(row) != n for row in literals) or n * len(literals) > MAX_ENTRIES:
        return None  # ragged or too big: the parser words it
    if "/" in s:
        rows = [[_literal(x) for x in row] for row in literals]
        if any(None in row for row in rows):
            return None
    else:  # plain literals only: float() is the exact read, rounded once
        rows = [list(map(float, row)) for row in literals]
    if m.group("t"):
        rows, flat = [list(c) for c in zip(*rows)], False
    if "-" in s and any(0.0 in row for row in rows):  # -0.0 == 0.0, and -0.0 + 0.0 is 0.0
        rows = [[x + 0.0 for x in row] for row in rows]
    return _frozen(rows, flat)


def _literal(x: str) -> float | None:
    """One matched entry: a decimal literal or ``a/b``, with its sign (a zero is +0.0)."""
    num, slash, den = x.partition("/")
    if not slash:
        return float(num) + 0.0
    if den.isdigit() and num.lstrip("+-").isdigit():
        d = int(den)
        return int(num) / d if d else None  # int/int is correctly rounded, as Fraction's float
    value = _quotient(num, den)
    return None if value is None else float(value)


def _quotient(num: str, den: str) -> Fraction | None:
    d = Fraction(den)
    return Fraction(num) / d if d else None  # 1/0: the parser says "division by zero"


def _fraction(s: str) -> Fraction | None:
    if len(s) > MAX_CHARS or not s.isascii():
        return None
    m = SCALAR.fullmatch(s)
    if not m:
        return None
    num, slash, den = m.group(1).partition("/")
    return _quotient(num, den) if slash else Fraction(num)


# -- lists (YAML/JSON) ------------------------------------------------------------------------
def _listed(raw) -> tuple[np.ndarray, bool] | None:
    """A list of numbers (flat) or of equally long rows, every cell plain; else ``None``."""
    if not raw or len(raw) > MAX_ENTRIES:
        return None
    first = raw[0]
    if type(first) is not list and type(first) is not tuple:
        cells = _cells(raw)
        return None if cells is None else _frozen([cells], True)
    n = len(first)
    if not n or n * len(raw) > MAX_ENTRIES:
        return None
    for row in raw:
        if (type(row) is not list and type(row) is not tuple) or len(row) != n:
            return None
    cells = _cells([x for row in raw for x in row])
    if cells is None:
        return None
    return _frozen([cells[i:i + n] for i in range(0, len(cells), n)], False)


def _cells(cells: list) -> list[float] | None:
    """Every cell as a float, or ``None`` if one is not plain. Strings in bulk: one regex over
    them joined by '|' (a character no plain cell holds), one float() each."""
    if set(map(type, cells)) == {str}:
        joined = "|".join(cells)
        if (len(joined) <= MAX_CHARS and joined.isascii()
                and joined.count("|") == len(cells) - 1 and CELLS.fullmatch(joined)):
            if "/" in joined:
                values = [_literal(x.strip(" \t\n\r")) for x in cells]
                return None if None in values else values
            values = list(map(float, cells))  # float() ignores the spaces SCALAR allows
            return [x + 0.0 for x in values] if "-" in joined and 0.0 in values else values
    values = [_cell(x) for x in cells]
    return None if None in values else values


def _cell(x) -> float | None:
    """One list entry or non-list answer: a plain string, a finite float, a modest int."""
    t = type(x)  # exact types: bool, numpy scalars, Fraction, ... go to the parser
    if t is str:
        return _float_cached(x) if len(x) <= CACHE_CHARS else _float_text(x)
    if t is float:
        return x + 0.0 if math.isfinite(x) else None  # float(Fraction(x)) == x, but for -0.0
    if t is int:
        return float(x) if -2 ** 53 <= x <= 2 ** 53 else None
    return None


def _float_text(s: str) -> float | None:
    if len(s) > MAX_CHARS or not s.isascii():
        return None
    m = SCALAR.fullmatch(s)
    return _literal(m.group(1)) if m else None


def _frozen(rows: list[list[float]], flat: bool) -> tuple[np.ndarray, bool]:
    """The parser's array; ``rows`` hold no -0.0 (the parser's zero has no sign)."""
    values = np.array(rows, dtype=np.float64)
    values.setflags(write=False)  # before reshaping: no view of it can be made writeable
    return (values.reshape(-1, 1) if flat else values), flat


_text_cached = lru_cache(maxsize=4096)(_text)
_float_cached = lru_cache(maxsize=8192)(_float_text)
_fraction_cached = lru_cache(maxsize=4096)(_fraction)


def cache_clear() -> None:
    """Forget every memoised result (benchmarks time the cold path with it)."""
    for cached in (_text_cached, _float_cached, _fraction_cached):
        cached.cache_clear()
