r"""Functions an answer may apply that are not ops of the engine, each as numpy computes it on the
2-D float arrays :mod:`grader.judge.symbolic.evaluate` works with: one table, a row per function.

Element-wise: ``abs`` (``|z|``), ``sign``, ``sqrt``, ``cosh``, ``sinh``, ``sech``. Of a whole
matrix: ``diag`` (a vector to its diagonal matrix, a square matrix to its diagonal, as
``np.diag``), ``outer`` (``np.outer``: both arguments flattened), ``otimes`` (``\otimes``, ``⊗``:
the outer product u vᵀ of two vectors; of matrices a Kronecker product, which no backprop answer
needs, so it is refused in words), and numpy's sums (``sum``: every
entry, 1×1; ``sum_rows``: ``axis=1``, a column; ``sum_cols``: ``axis=0``, a row).
"""
from __future__ import annotations

import mpmath
import numpy as np


def _diag(x: np.ndarray) -> np.ndarray:
    if 1 in x.shape:
        return np.diag(x.ravel())
    if x.shape[0] != x.shape[1]:
        raise ValueError(f"diag of a {x.shape[0]}×{x.shape[1]} matrix: it must be a vector or square")
    return np.diag(x).reshape(-1, 1)


def _otimes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    for side, x in (("left", a), ("right", b)):
        if 1 not in x.shape:
            raise ValueError(f"⊗ is read as the outer product of two vectors (u ⊗ v = u vᵀ); its {side} side "
                             f"is a {x.shape[0]}×{x.shape[1]} matrix, and a Kronecker product of matrices is "
                             "not a backprop answer: write the product you mean (for example δ aᵀ)")
    return np.outer(a.ravel(), b.ravel())


#: name -> (number of arguments, function of 2-D arrays)
TABLE = {
    "abs": (1, np.abs),
    "sign": (1, np.sign),
    "sqrt": (1, np.sqrt),
    "cosh": (1, np.cosh),
    "sinh": (1, np.sinh),
    "sech": (1, lambda x: 1.0 / np.cosh(x)),
    "diag": (1, _diag),
    "outer": (2, lambda a, b: np.outer(a.ravel(), b.ravel())),
    "otimes": (2, _otimes),
    "sum": (1, lambda x: x.sum(keepdims=True)),
    "sum_rows": (1, lambda x: x.sum(axis=1, keepdims=True)),
    "sum_cols": (1, lambda x: x.sum(axis=0, keepdims=True)),
}


def _entrywise(fn):
    ufunc = np.frompyfunc(fn, 1, 1)
    return lambda x: ufunc(x).astype(object)


#: the element-wise functions numpy cannot apply to mpmath numbers, for a near tie decided in
#: high precision (:mod:`grader.judge.symbolic.precise`); the others work on object arrays as is
PRECISE = {
    "sqrt": _entrywise(mpmath.sqrt),
    "cosh": _entrywise(mpmath.cosh),
    "sinh": _entrywise(mpmath.sinh),
    "sech": _entrywise(mpmath.sech),
    "sign": _entrywise(lambda v: mpmath.mpf(mpmath.sign(v))),
}
