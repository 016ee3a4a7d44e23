r"""Numbers as a student writes them: each entry good to one unit in its last written digit.

A matrix a student copies from numpy (``0.0994943 & 0.1``) shows every entry with the same
significant digits, trailing zeros dropped: ``0.1`` beside ``0.0994943`` means 0.100000, not
"0.1 give or take 0.05". So an entry's unit is one in the last place of its own digits or of
the matrix's most significant-digit entry at that magnitude, whichever is finer; a zero is
exact. A value may be off by :data:`ROUNDING` of its unit: the half a correct rounding allows,
and a little for a value rounded from inputs already rounded; more is a slip, not rounding
(0.3 for 0.2 is wrong, 0.5498 for 0.549834 right).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from grader.errors import AnswerError
from grader.judge.derivation.layout import readable
from grader.parse.numeric.reader import parse_numeric

MATRIX = re.compile(r"\\begin\{(?P<env>[bpvBV]?matrix)\}(?P<body>.*?)\\end\{(?P=env)\}", re.S)
_NUMBER = re.compile(r"[-+−]?\s*(?P<int>\d*)(?:\.(?P<frac>\d*))?(?:[eE](?P<exp>[-+]?\d+)|\s*\\times\s*10\^\{?(?P<pow>[-+]?\d+)\}?)?")


ROUNDING = 0.6  # of a unit in the last written place


@dataclass(frozen=True)
class Written:
    """A number or matrix as written: its value and, per entry, one unit in its last digit."""

    value: np.ndarray
    unit: np.ndarray

    @property
    def allowed(self) -> np.ndarray:
        """How far from the exact value each entry may be, as written."""
        return ROUNDING * self.unit


def written(text: str) -> Written | None:
    r"""The number or matrix ``text`` states, with each entry's unit; None if it states none.

    >>> w = written(r"\begin{bmatrix} 0.0994943 & 0.1 & 0 \end{bmatrix}")
    >>> w.value.tolist(), [f"{u:.0e}" for u in w.unit.ravel()]
    ([[0.0994943, 0.1, 0.0]], ['1e-07', '1e-06', '0e+00'])
    >>> written("0.549834").unit.tolist(), written("x^{[1]}")
    ([[1e-06]], None)
    """
    text = readable(text)
    try:
        value = parse_numeric(text).values
    except AnswerError:
        return None
    entries = _entries(text)
    if entries is None or len(entries) != value.size:
        return Written(value, np.zeros_like(value))  # digits unknown: only rounding of floats allowed
    digits = [_digits(e) for e in entries]
    most = max((sig for _, sig in digits if sig), default=0)
    units = []
    for v, (own, sig) in zip(value.ravel(), digits):
        if v == 0 or own is None:
            units.append(0.0)
            continue
        shared = 10.0 ** (math.floor(math.log10(abs(v))) - most + 1) if most else own
        units.append(min(own, shared))
    return Written(value, np.array(units, dtype=float).reshape(value.shape))


def _entries(text: str) -> list[str] | None:
    """The entries' texts, row by row (a transposed matrix's in the value's order)."""
    m = MATRIX.search(text)
    if m is None:
        return [text] if _NUMBER.fullmatch(text.strip()) else None
    rows = [[c.strip() for c in row.split("&")] for row in re.split(r"\\\\", m.group("body")) if row.strip()]
    if re.match(r"\s*\^\s*\{?\s*(?:T|\\top|\\intercal)", text[m.end():]):
        rows = [list(col) for col in zip(*rows)] if len({len(r) for r in rows}) == 1 else rows
    return [c for row in rows for c in row]


def _digits(entry: str) -> tuple[float | None, int]:
    """(one unit in the last written place, significant digits); (None, 0): not a plain
    decimal (a fraction, \\frac{1}{3}: exact)."""
    m = _NUMBER.fullmatch(entry.strip())
    if m is None or not (m.group("int") or m.group("frac")):
        return None, 0
    whole, frac = m.group("int") or "", m.group("frac") or ""
    exponent = int(m.group("exp") or m.group("pow") or 0)
    if m.group("frac") is None:  # an integer is exact
        return None, 0
    mantissa = (whole + frac).lstrip("0")
    return 10.0 ** (exponent - len(frac)), len(mantissa)
