r"""The value of a slice (``\delta_{:,i}``, ``A[i, :]``, example i ``\delta^{[L](i)}``) and of an
answer left free in a slice index (:class:`~grader.parse.expression.tree.Stack`), on one instance.

Registered with :func:`grader.judge.symbolic.evaluate.evaluate`'s handlers; a sum over a slice's
index runs over the columns (or rows) of what it slices (:func:`slice_range`).
"""
from __future__ import annotations

import numpy as np

from grader.parse.expression import tree as A

_WHAT = {1: "column", 0: "row"}


def slice_range(index: str, body, env, evaluate) -> int | None:
    """How many values ``index`` takes in ``body``: the columns (rows) of the first slice by it;
    None if no slice in ``body`` is by ``index``."""
    for node in A.walk(body):
        if type(node) is A.Slice and node.index == index:
            return evaluate(node.arg, env).shape[node.axis]
    return None


def evaluate_slice(node: A.Slice, env, evaluate, shape_error):
    """Column (n×1) or row (1×n) ``env.indices[node.index]`` of the sliced value."""
    value = evaluate(node.arg, env)
    k = int(node.index) - 1 if node.index.isdigit() else env.indices[node.index]  # KeyError: free
    if k >= value.shape[node.axis]:
        raise shape_error(f"a {value.shape[0]}×{value.shape[1]} matrix has no {_WHAT[node.axis]} "
                          f"{k + 1}", node.pos)
    return value[:, k:k + 1] if node.axis == 1 else value[k:k + 1, :]


def evaluate_stack(node: A.Stack, env, evaluate, shape_error, with_indices):
    """The body's value for every value of the free slice index, side by side (columns) or
    stacked (rows): each must be a column (a row)."""
    count = slice_range(node.index, node.body, env, evaluate)
    if count == 1:  # one example: the answer is its value on it (a batch of 1, any shape)
        return evaluate(node.body, with_indices(env, {**env.indices, node.index: 0}))
    parts = []
    for k in range(count or 0):
        part = evaluate(node.body, with_indices(env, {**env.indices, node.index: k}))
        if part.shape[node.axis] != 1:
            raise shape_error(f"with {node.index} fixed the answer is {part.shape[0]}×{part.shape[1]}, "
                              f"not one {_WHAT[node.axis]}: a sum over {node.index} may be missing",
                              node.pos)
        parts.append(part)
    if not parts:
        raise shape_error(f"nothing is sliced by {node.index}", node.pos)
    return np.concatenate(parts, axis=node.axis)


def check_entry(value, node: A.Entry, env, shape_error) -> None:
    """Entry (i, j) of ``[A]_{ij}`` lies inside ``A`` (numpy would hand back an empty slice)."""
    if node.col:
        i, j = (env.indices[k] for k in node.indices)
        if i >= value.shape[0] or j >= value.shape[1]:
            raise shape_error(f"a {value.shape[0]}×{value.shape[1]} matrix has no entry ({i + 1}, {j + 1})",
                              node.pos)
