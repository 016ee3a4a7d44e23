"""What "the same value" means, in one place.

* :class:`Tolerance`: a student's entry against the key, as a rubric sets it (default
  ``rtol=1e-3, atol=1e-6``, or significant figures).
* :data:`ENGINE_RTOL`, :data:`ENGINE_ATOL`: the engine agreeing with itself (a misconception run
  against the key, a draw's values against the screen's, a carried value against the key): float
  round-off only, so far tighter than any rubric. ``np.allclose(a, b, rtol=ENGINE_RTOL,
  atol=ENGINE_ATOL)``.
* :data:`BACKEND_AGREEMENT`: the exact and float backends on the same key (both tolerances).
* :data:`SYMBOLIC_RTOL`, :data:`SYMBOLIC_ATOL`: an expression answer's value against the key's on
  a random instance; the absolute part is scaled by the key's magnitude
  (:mod:`grader.judge.symbolic.closeness` applies it). Looser than the engine's own agreement: a
  student's equivalent form takes another path through float round-off.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ENGINE_RTOL = 1e-9
ENGINE_ATOL = 1e-12
BACKEND_AGREEMENT = 1e-12
SYMBOLIC_RTOL = 1e-7
SYMBOLIC_ATOL = 1e-10

_ALLOWED: dict = {}  # (tolerance, dtype, shape, key bytes) → allowed deviations, oldest forgotten first
_ALLOWED_MAX = 4096
_ALLOWED_SIZE = 64  # entries of a key worth remembering (a class's rows, in grader.batch.copied_answers, are not)


@dataclass(frozen=True)
class Tolerance:
    """Entry ``g`` matches key ``k`` when ``|g − k| ≤ atol + rtol·|k|``; with ``sigfigs`` = n,
    when ``|g − k|`` is at most half a unit in the n-th significant digit of ``k``."""

    rtol: float = 1e-3
    atol: float = 1e-6
    sigfigs: int | None = None

    def close(self, got: np.ndarray, key: np.ndarray) -> np.ndarray:
        """Entry-wise: is ``got`` within tolerance of ``key`` (arrays that broadcast)?"""
        return np.abs(got - key) <= self.allowed(key)

    def allowed(self, key: np.ndarray) -> np.ndarray:
        """The largest deviation accepted from each entry of ``key``. Remembered for small keys
        (an answer key, a misconception variant, a follow-through value): the same few hundred
        are compared with every file's answers."""
        small = key.size <= _ALLOWED_SIZE and key.dtype.kind == "f"  # (bytes of an object array are pointers)
        if small:
            memo = (self, key.dtype.str, key.shape, key.tobytes())
            found = _ALLOWED.get(memo)
            if found is not None:
                return found
        if self.sigfigs is not None:
            scale = np.where(key == 0, 0.0, np.floor(np.log10(np.abs(np.where(key == 0, 1.0, key)))))
            allowed = np.where(key == 0, self.atol, 0.5 * 10.0 ** (scale - self.sigfigs + 1)) * (1 + 1e-9)
        else:
            allowed = self.atol + self.rtol * np.abs(key)
        if small:
            allowed = np.asarray(allowed)  # (a 0-d key gives a numpy scalar)
            if len(_ALLOWED) >= _ALLOWED_MAX:
                del _ALLOWED[next(iter(_ALLOWED))]
            allowed.flags.writeable = False  # shared by every later call
            _ALLOWED[memo] = allowed
        return allowed

    def describe(self) -> str:
        if self.sigfigs is not None:
            return f"{self.sigfigs} significant figures"
        return f"relative tolerance {self.rtol:g}" + (f", absolute {self.atol:g}" if self.atol else "")
