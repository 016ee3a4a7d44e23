"""Quantities computed from a pass rather than read off it (issue 19): gradient norms and
ratios (the vanishing/exploding-gradients questions) and a finite-difference gradient check.

==========================  ======================================================================
``gradnorm W1``             ‖∂L/∂W1‖, the Frobenius norm (the Euclidean norm of a vector), 1×1
``gradratio W1 W2``         ‖∂L/∂W1‖ / ‖∂L/∂W2‖, 1×1
``fdgrad W1``               the central difference (L(W1 + h eᵢⱼ) − L(W1 − h eᵢⱼ)) / 2h of every
                            entry, h the assignment's ``conventions.fd_step`` (default 1e-4)
==========================  ======================================================================

Each is a function of an :class:`~grader.engine.autodiff.Evaluation` (whose values hold its
parameters and data, as a forward pass keeps them) in the evaluation's own backend, so the
exact key of ``fdgrad`` is the difference quotient itself, not the derivative.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

from grader.engine.autodiff import Evaluation, forward
from grader.engine.backends import DIGITS, HIGH
from grader.engine.graph import Graph
from grader.engine.op_kit import Ctx, const, sqrt
from grader.engine.ops import Rules


def _norm(c: Ctx, a):
    return sqrt(c, (a * a).sum(axis=(0, 1), keepdims=True))


def gradient_norm(ev: Evaluation, node: str, *, backend, rules: Rules):
    return _norm(Ctx(backend, rules), ev.grads[node])


def gradient_ratio(ev: Evaluation, top: str, bottom: str, *, backend, rules: Rules):
    c = Ctx(backend, rules)
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero gradient (a student's pinned 0): inf or nan
        return _norm(c, ev.grads[top]) / _norm(c, ev.grads[bottom])


def finite_difference(ev: Evaluation, graph: Graph, node: str, *, backend, rules: Rules):
    """Central differences of the loss (reduced as the key's: a batch mean divides) in ``node``,
    a parameter or an input, entry by entry. In float64 the difference of two nearly equal losses
    would lose half the digits: the float value is the 60-digit one, rounded."""
    if backend.name == "float":
        with mpmath.workdps(DIGITS):
            exact = Evaluation(values={k: HIGH.array(v.tolist()) for k, v in ev.values.items()}, batch=ev.batch)
            return HIGH.to_float(finite_difference(exact, graph, node, backend=HIGH, rules=rules))
    h = const(Ctx(backend, rules), rules.fd_step)
    scale = const(Ctx(backend, rules), Fraction(1, ev.batch) if rules.reduction == "mean" else 1)
    leaves = {n: ev.values[n] for n in graph.params + graph.inputs + graph.targets if n in ev.values}
    out = np.empty(ev.values[node].shape, dtype=object)

    def loss(moved):
        params = {p: moved[p] for p in graph.params}
        return forward(graph, params, {k: v for k, v in moved.items() if k not in params}, backend=backend,
                       rules=rules)[graph.loss][0, 0]

    for index in np.ndindex(*out.shape):
        up, down = dict(leaves), dict(leaves)
        up[node], down[node] = leaves[node].copy(), leaves[node].copy()
        up[node][index] = up[node][index] + h
        down[node][index] = down[node][index] - h
        out[index] = (loss(up) - loss(down)) * scale / (2 * h)
    return out


# verb -> its value from (evaluation, graph, nodes) in a backend under rules
DERIVED = {
    "gradnorm": lambda ev, graph, nodes, **how: gradient_norm(ev, nodes[0], **how),
    "gradratio": lambda ev, graph, nodes, **how: gradient_ratio(ev, *nodes, **how),
    "fdgrad": lambda ev, graph, nodes, **how: finite_difference(ev, graph, nodes[0], **how),
}
