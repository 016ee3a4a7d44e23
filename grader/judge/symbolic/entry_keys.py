r"""Which entries an index-notation answer is checked at, the key's value there, and how an
entry-wise answer on a batch lines up with it.

One free index on a matrix (``\hat{y}_j - y_j`` for the k×m ``\hat{Y} - Y`` of a batch) is its
row j over every example, as the column ``w_k`` students mean (:func:`expected_at`, as
``evaluate._index`` reads the answer); on a row (1×n) it is entry j. An answer whose examples
stand side by side (``[A^{[L](i)} - Y^{(i)}]_j``, a 1×m row) is that row's transpose, and one
value for every example is compared with each (:func:`fit_examples`): so an answer right on
example 1 and wrong on example 2 is wrong, never graded on the first column alone.
"""
from __future__ import annotations

import numpy as np

from grader.course.assignment import Question
from grader.judge.symbolic.instance import Env


def entries_at(question: Question, key: np.ndarray, env: Env) -> tuple:
    """Index assignments (dicts) an index-notation answer is checked at."""
    idx = question.indices
    mode = question.entries.split()
    if mode[0] == "negative":
        pre = env.symbols.get("__entries__")
        return tuple({idx[0]: j} for j in range(pre.shape[0]) if pre[j, 0] < 0)
    if mode[0] == "diagonal":
        return tuple({idx[0]: k} for k in range(key.shape[0]))
    if mode[0] == "off-diagonal":
        return tuple({idx[0]: k, idx[1]: m} for k in range(key.shape[0]) for m in range(key.shape[1]) if k != m)
    if mode[0] == "row" or len(idx) == 1:  # of a row (1×n), its entries: one index runs along it
        return tuple({idx[0]: k} for k in range(key.shape[1] if key.shape[0] == 1 else key.shape[0]))
    return tuple({idx[0]: i, idx[1]: j} for i in range(key.shape[0]) for j in range(key.shape[1]))


def expected_at(question: Question, key: np.ndarray, at: dict) -> np.ndarray:
    values = [at[i] for i in question.indices]
    mode = question.entries.split()[0]
    if mode == "row":
        return key[values[0]:values[0] + 1, :].T
    if mode == "diagonal":
        return key[values[0]:values[0] + 1, values[0]:values[0] + 1]
    if len(values) == 2:
        return key[values[0]:values[0] + 1, values[1]:values[1] + 1]
    if key.shape[0] == 1:  # entry k of a row
        return key[:, values[0]:values[0] + 1]
    # one index on a matrix (a batch: one column per example) is its row k, every example, as
    # the column w_k students mean (evaluate._index reads the answer's δ_k so)
    return key[values[0]:values[0] + 1, :].T


def fit_examples(got: np.ndarray, expected: np.ndarray, batch: int) -> np.ndarray:
    """``got`` lined up with ``expected`` when that is one value per example of a batch of
    ``batch`` (m×1, m > 1): a 1×m row of examples transposed, one value repeated for every
    example; anything else (a row of W for ``w_k``, a single example) as it is.

    >>> fit_examples(np.array([[1.0, 2.0]]), np.zeros((2, 1)), 2).shape
    (2, 1)
    >>> fit_examples(np.array([[3.0]]), np.zeros((2, 1)), 2).ravel().tolist()
    [3.0, 3.0]
    >>> fit_examples(np.array([[3.0]]), np.zeros((2, 1)), 1).shape  # not a batch: a wrong shape
    (1, 1)
    """
    if batch <= 1 or expected.shape != (batch, 1) or got.shape == expected.shape:
        return got
    if got.shape == (1, batch):
        return got.T
    if got.shape == (1, 1):
        return np.broadcast_to(got, expected.shape)
    return got
