"""Is an answer's value close to the key's? ``numpy.allclose``'s rule, at a fraction of its cost.

An answer is compared with the key (and each misconception variant) on every instance, and an
index-notation answer once per entry: tens of comparisons per answer, on matrices of a few
entries, where ``np.allclose`` spends most of its time on argument handling. The rule is
``allclose``'s, operation for operation (so a value on the boundary gets the same answer):

    |a - b| <= atol + rtol * |b|  and b finite,  or  a == b      (every entry)

with ``atol = ATOL * max(1, max |b|)`` over b's finite entries (a key of size 1e6 is compared
at its own scale; an infinite entry must not make the tolerance infinite for the others) and a
1×1 ``a`` standing for a constant matrix (``1`` for ReLU' is then simply wrong, not a shape
error). :class:`Target` works out ``b``'s side (tolerance, finiteness) once, when the key is
built; :func:`close` is the same rule for a value met only once.
"""
from __future__ import annotations

import math

import numpy as np

from grader.tolerance import SYMBOLIC_ATOL as ATOL, SYMBOLIC_RTOL as RTOL  # (their one home)

# float64 agreement of two equivalent formulas, relative to the key's magnitude (as ATOL, RTOL)
ROUNDOFF_RTOL, ROUNDOFF_ATOL = 1e-13, 1e-14


class Target:
    """A key value and its tolerance, worked out once per key (not per answer)."""

    __slots__ = ("value", "shape", "tol", "finite", "roundoff")

    def __init__(self, value: np.ndarray):
        self.value = value
        self.shape = value.shape
        with np.errstate(all="ignore"):
            magnitude = np.abs(value)
            scale = max(1.0, float(magnitude.max(initial=0, where=np.isfinite(magnitude))))
            self.tol = ATOL * scale + RTOL * np.abs(value)
            # what two float64 paths to the same exact value differ by: closer is equal, and
            # close but not this close is a near tie (grader.judge.symbolic.precise)
            self.roundoff = ROUNDOFF_ATOL * scale + ROUNDOFF_RTOL * np.abs(value)
        self.finite = bool(np.isfinite(value).all())

    def close(self, a: np.ndarray) -> bool:
        """``a`` equals this value within tolerance (call under ``np.errstate(all="ignore")``)."""
        if a.shape != self.shape and a.shape != (1, 1):
            return False
        within = np.abs(a - self.value) <= self.tol
        if self.finite:  # then a == b implies |a - b| = 0 <= tol: the rule's 'or' adds nothing
            return bool(within.all())
        return bool((within & np.isfinite(self.value) | (a == self.value)).all())


    def closeness(self, a: np.ndarray) -> int:
        """:meth:`close` in three grades, at the cost of one comparison more: 0 not close,
        1 close but further apart than float round-off, 2 equal to round-off."""
        if a.shape != self.shape and a.shape != (1, 1):
            return 0
        diff = np.abs(a - self.value)
        if self.finite:
            if not (diff <= self.tol).all():
                return 0
            return 2 if (diff <= self.roundoff).all() else 1
        same = a == self.value
        if not ((diff <= self.tol) & np.isfinite(self.value) | same).all():
            return 0
        return 2 if ((diff <= self.roundoff) | same).all() else 1


def close(a: np.ndarray, b: np.ndarray) -> bool:
    """``a`` equals ``b`` within tolerance: :meth:`Target.close` without the precomputation,
    in plain floats when both are 1×1 (an entry of an index-notation answer)."""
    if a.shape == (1, 1) and b.shape == (1, 1):
        x, y = a.item(), b.item()
        tol = ATOL * max(1.0, abs(y)) + RTOL * abs(y)
        return abs(x - y) <= tol and math.isfinite(y) or x == y
    return Target(b).close(a)
