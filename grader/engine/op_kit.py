"""What every op module is built from: the :class:`Op` row, the :class:`Ctx` it runs in, and
the helpers its forward and backward rules share (broadcast sums, element-wise rows, kinks).

The table of ops itself is :data:`grader.engine.ops.OPS`; the families of ops live in
``ops_<family>.py`` modules beside it, each row written with its forward and backward side by side.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Ctx:
    """What an op may consult besides its inputs: the backend (number system) and the rules."""

    backend: object
    rules: "object"  # grader.engine.ops.Rules


@dataclass(frozen=True)
class Op:
    """One row of the ops table. ``defaults`` are the values of trailing arguments an equation may
    leave out (``elu(z)`` is ``elu(z, 1)``), as decimal strings."""

    name: str
    arity: int
    forward: Callable
    backward: Callable
    doc: str = ""
    defaults: tuple[str, ...] = ()


def unbroadcast(g: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Sum a gradient over the axes an input was broadcast along (a bias added to a batch)."""
    for axis in (0, 1):
        if shape[axis] == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def elementwise(name, f, df, doc):
    """An element-wise activation: backward is g ∘ f'(x) (``df(c, x, out)``)."""
    return Op(name, 1, lambda c, x: f(c, x), lambda c, g, out, x: (g * df(c, x, out),), doc)


def with_parameter(name, f, df, doc, default):
    """An element-wise function of x with a constant parameter (ELU's α, Huber's δ): the
    parameter gets no gradient (it is a constant of the assignment, not something learned)."""
    return Op(name, 2, lambda c, x, k: f(c, x, k), lambda c, g, out, x, k: (g * df(c, x, out, k), None),
              doc, (default,))


def const(c: Ctx, value) -> object:
    """A number of the backend, from an int, a Fraction or a decimal string."""
    return c.backend.const(Fraction(value))


def total(a):
    """Σ of every entry, kept 1×1."""
    return a.sum(axis=(0, 1), keepdims=True)


def sign(c: Ctx, x) -> np.ndarray:
    """−1, 0 or 1 per entry, decided by the backend (exactly 0 in the exact backend at a kink)."""
    return c.backend.sign(x)


def absolute(c: Ctx, x):
    """|x| through the backend's sign, so a kink at 0 is decided as the sign is."""
    return x * sign(c, x)


def pick(s: np.ndarray, positive, zero, negative):
    """Per entry: ``positive`` where s > 0, ``zero`` where s == 0, ``negative`` where s < 0."""
    return np.where(s > 0, positive, np.where(s == 0, zero, negative))


def sqrt(c: Ctx, x):
    """√x: a power ½ in every backend (sympy keeps √2 exact)."""
    return x ** const(c, Fraction(1, 2))


def softmax(c: Ctx, z):
    """Column-wise softmax. p_i = 1 / Σ_j exp(z_j − z_i): equal inputs give exactly 1/n in the
    exact backend (exp(0) = 1), where exp(z_i)/Σ exp(z_j) leaves uncancelled exp(a)·exp(−a); it
    also cannot overflow in float64 (a huge exponent only sends p_i to 0)."""
    diffs = z[np.newaxis, :, :] - z[:, np.newaxis, :]  # [i, j, example] = z_j − z_i
    return 1 / c.backend.exp(diffs).sum(axis=1)
