"""Functions an equation may use besides layers (issue 19): sums and means (of everything, over
the batch, over the features), division, square root, absolute value, element-wise max and min.

With them a network's equations can write batch and layer normalization, penalties and norms
themselves (``mu = mean_batch(z)``, ``P = lam * sum(W1 * W1)``), and every intermediate
quantity is a node a question may ask about. Conventions at kinks: |x|'(0) = 0; where max(a, b)
has a tie each input gets half the gradient (PyTorch's ``maximum``).
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from grader.engine.op_kit import Ctx, Op, const, elementwise, pick, sign, sqrt, unbroadcast

_AXES = {"": (0, 1), "_batch": 1, "_features": 0}  # the examples are columns, the features rows


def _spread(g, shape):
    """The gradient of a sum: the upstream g, broadcast back over what was summed."""
    return np.broadcast_to(g, shape).copy()


def _reductions(suffix: str, axis) -> list[Op]:
    where = {"": "every entry (1×1)", "_batch": "the examples, per feature (n×1)",
             "_features": "the features, per example (1×m)"}[suffix]

    def count(x) -> int:
        return x.size if axis == (0, 1) else x.shape[axis]

    def mean(c: Ctx, x):
        return x.sum(axis=axis, keepdims=True) * const(c, Fraction(1, count(x)))

    def mean_grad(c: Ctx, g, out, x):
        return (_spread(g * const(c, Fraction(1, count(x))), x.shape),)

    return [Op(f"sum{suffix}", 1, lambda c, x: x.sum(axis=axis, keepdims=True),
               lambda c, g, out, x: (_spread(g, x.shape),), f"Σ over {where}"),
            Op(f"mean{suffix}", 1, mean, mean_grad, f"the mean over {where}")]


def _div_grad(c: Ctx, g, out, a, b):
    return unbroadcast(g / b, a.shape), unbroadcast(-g * out / b, b.shape)


def _extreme(name: str, larger: bool) -> Op:
    """max (``larger``) or min of two broadcastable arrays, entry by entry; ties split g."""
    def choose(c: Ctx, a, b):  # > 0 where a wins, 0 at a tie
        return sign(c, a - b) if larger else sign(c, b - a)

    def forward(c: Ctx, a, b):
        return pick(choose(c, a, b), a, a, b)

    def backward(c: Ctx, g, out, a, b):
        s = choose(c, a, b)
        one, half, zero = const(c, 1), const(c, Fraction(1, 2)), const(c, 0)
        return (unbroadcast(g * pick(s, one, half, zero), a.shape),
                unbroadcast(g * pick(s, zero, half, one), b.shape))

    return Op(name, 2, forward, backward, f"element-wise {name}(a, b); a tie gives each half the gradient")


FUNCTION_OPS = [
    *[op for suffix, axis in _AXES.items() for op in _reductions(suffix, axis)],
    Op("div", 2, lambda c, a, b: a / b, _div_grad, "a / b, entry by entry (a 1×1 divisor scales)"),
    elementwise("sqrt", sqrt, lambda c, x, out: const(c, Fraction(1, 2)) / out, "√x"),
    elementwise("abs", lambda c, x: x * pick(sign(c, x), const(c, 1), const(c, 0), const(c, -1)),
                lambda c, x, out: pick(sign(c, x), const(c, 1), const(c, 0), const(c, -1)), "|x|; |x|'(0) = 0"),
    _extreme("max", True),
    _extreme("min", False),
]
