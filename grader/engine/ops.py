"""The engine's operations, each with its forward and backward rule side by side.

Every op works on 2-D arrays in either backend (:mod:`grader.engine.backends`). A backward
rule receives the upstream gradient ``g`` (same shape as the op's output), the forward
output ``out`` and the inputs, and returns one gradient per input (``None`` for constants).

The table :data:`OPS` is the single place an op's meaning lives; a misconception is this
table with one rule replaced (see :class:`Rules`), so every variant runs the same engine. The
classic ops are written here; newer families are rows written in ``ops_activations.py``,
``ops_losses.py``, ``ops_functions.py`` and ``ops_conv.py`` (built from :mod:`grader.engine.op_kit`) and
registered below.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np

from grader.engine.op_kit import Ctx, Op, elementwise as _elementwise, softmax as _softmax, unbroadcast
from grader.engine.ops_activations import ACTIVATION_OPS
from grader.engine.ops_conv import CONV_OPS
from grader.engine.ops_functions import FUNCTION_OPS
from grader.engine.ops_losses import LOSS_OPS


@dataclass(frozen=True)
class Rules:
    """Conventions an assignment states, and the switches misconception variants flip."""

    relu_grad_at_zero: Fraction = Fraction(0)  # ReLU'(0); the key says which convention it uses
    reduction: str = "sum"  # batch reduction of the loss: "sum" or "mean"
    fd_step: Fraction = Fraction(1, 10000)  # h of a finite-difference question (fdgrad)
    overrides: tuple[tuple[str, "Op"], ...] = field(default=())  # (op name, replacement)
    # Rewirings of the backward pass, for misconceptions about the graph rather than an op:
    # (node, arg index, other value): that node's backward sees another value for that input
    # (z instead of a in ∂L/∂W = δ aᵀ; the updated W in δ = Wᵀ δ'); (node, arg index): that
    # input gets no gradient (a skip path dropped).
    substitute: tuple[tuple[str, int, str], ...] = field(default=())
    drop: tuple[tuple[str, int], ...] = field(default=())
    # A backward rule changed at one node only (a misconception made at one layer): (node, op)
    at_node: tuple[tuple[str, "Op"], ...] = field(default=())

    def op(self, name: str) -> "Op":
        for overridden, op in reversed(self.overrides):  # the latest change wins
            if overridden == name:
                return op
        return OPS[name]

    def backward_op(self, node) -> "Op":
        """The op whose backward rule runs at graph node ``node``: a change made at that node
        alone, else the op's rule in force (:meth:`op`)."""
        for name, op in reversed(self.at_node):
            if name == node.name:
                return op
        return self.op(node.op)

    def with_op(self, op: "Op") -> "Rules":
        return replace(self, overrides=self.overrides + ((op.name, op),))


def _relu_grad(c: Ctx, x, out):
    s = c.backend.sign(x)
    at_zero = c.backend.const(c.rules.relu_grad_at_zero)
    return np.where(s > 0, c.backend.const(1), np.where(s == 0, at_zero, c.backend.const(0)))


def _softmax_backward(c: Ctx, g, p, z):
    # J^T g for J = diag(p) - p p^T, one column (example) at a time
    return (p * (g - (p * g).sum(axis=0, keepdims=True)),)


def _leaky_relu(c: Ctx, x, slope):
    return np.where(c.backend.sign(x) > 0, x, x * slope)


def _leaky_relu_grad(c: Ctx, g, out, x, slope):
    s = c.backend.sign(x)
    one = c.backend.const(1)
    at_zero = c.backend.const(c.rules.relu_grad_at_zero)
    return (g * np.where(s > 0, one, np.where(s == 0, at_zero + (one - at_zero) * slope, slope)), None)


def _total(a):
    return a.sum(axis=(0, 1), keepdims=True)


def _ce_grad(c, g, out, p, t):
    return (g * (-t / p), g * (-c.backend.log(p)))


def _bce(c, p, t):
    one = c.backend.const(1)
    return -_total(t * c.backend.log(p) + (one - t) * c.backend.log(one - p))


def _bce_grad(c, g, out, p, t):
    one = c.backend.const(1)
    return (g * (p - t) / (p * (one - p)), g * (c.backend.log(one - p) - c.backend.log(p)))


def _softmax_ce(c, z, t):
    p = _softmax(c, z)
    return -_total(t * c.backend.log(p))


def _softmax_ce_grad(c, g, out, z, t):
    # fused: δ = ŷ·Σt − t, which is ŷ − t for one-hot targets (exact, no -t/p detour)
    p = _softmax(c, z)
    return (g * (p * t.sum(axis=0, keepdims=True) - t), g * (-c.backend.log(p)))


def _mse(c, yhat, y):
    m = c.backend.const(Fraction(1, yhat.shape[1]))
    return m * _total((y - yhat) ** 2)


def _mse_grad(c, g, out, yhat, y):
    two_over_m = c.backend.const(Fraction(2, yhat.shape[1]))
    return (g * two_over_m * (yhat - y), g * two_over_m * (y - yhat))


def _half(c):
    return c.backend.const(Fraction(1, 2))


OPS: dict[str, Op] = {op.name: op for op in [
    Op("matmul", 2, lambda c, a, b: a @ b, lambda c, g, out, a, b: (g @ b.T, a.T @ g), "a @ b"),
    Op("add", 2, lambda c, a, b: a + b,
       lambda c, g, out, a, b: (unbroadcast(g, a.shape), unbroadcast(g, b.shape)), "a + b"),
    Op("sub", 2, lambda c, a, b: a - b,
       lambda c, g, out, a, b: (unbroadcast(g, a.shape), unbroadcast(-g, b.shape)), "a - b"),
    Op("mul", 2, lambda c, a, b: a * b,
       lambda c, g, out, a, b: (unbroadcast(g * b, a.shape), unbroadcast(g * a, b.shape)),
       "element-wise (Hadamard) product; a 1×1 factor scales"),
    Op("neg", 1, lambda c, a: -a, lambda c, g, out, a: (-g,), "-a"),
    Op("transpose", 1, lambda c, a: a.T, lambda c, g, out, a: (g.T,), "a.T"),
    _elementwise("identity", lambda c, x: x, lambda c, x, out: c.backend.const(1), "x"),
    _elementwise("sigmoid", lambda c, x: c.backend.sigmoid(x), lambda c, x, out: out * (1 - out),
                 "1 / (1 + exp(-x))"),
    _elementwise("tanh", lambda c, x: c.backend.tanh(x), lambda c, x, out: 1 - out ** 2, "tanh x"),
    _elementwise("relu", lambda c, x: np.where(c.backend.sign(x) > 0, x, c.backend.const(0)),
                 _relu_grad, "max(0, x); ReLU'(0) is the assignment's convention (default 0)"),
    _elementwise("softplus", lambda c, x: c.backend.softplus(x),
                 lambda c, x, out: c.backend.sigmoid(x), "log(1 + exp x)"),
    _elementwise("exp", lambda c, x: c.backend.exp(x), lambda c, x, out: out, "exp x"),
    _elementwise("log", lambda c, x: c.backend.log(x), lambda c, x, out: 1 / x, "log x"),
    Op("leaky_relu", 2, _leaky_relu, _leaky_relu_grad, "x if x > 0 else slope·x"),
    Op("softmax", 1, _softmax, _softmax_backward, "column-wise softmax"),
    Op("sse", 2, lambda c, a, t: _half(c) * _total((a - t) ** 2),
       lambda c, g, out, a, t: (g * (a - t), g * (t - a)), "½ Σ (a − t)²"),
    Op("mse", 2, _mse, _mse_grad, "(1/m) Σ_examples ‖y − ŷ‖², m = batch size"),
    Op("cross_entropy", 2, lambda c, p, t: -_total(t * c.backend.log(p)), _ce_grad, "−Σ t log p"),
    Op("softmax_cross_entropy", 2, _softmax_ce, _softmax_ce_grad, "−Σ t log softmax(z), fused"),
    Op("bce", 2, _bce, _bce_grad, "−Σ [t log p + (1 − t) log(1 − p)]"),
    *ACTIVATION_OPS, *LOSS_OPS, *FUNCTION_OPS, *CONV_OPS,
]}

LOSSES = frozenset({"sse", "mse", "cross_entropy", "softmax_cross_entropy", "bce"} | {op.name for op in LOSS_OPS})
ACTIVATIONS = frozenset({"identity", "sigmoid", "tanh", "relu", "softplus", "softmax", "leaky_relu"}
                        | {op.name for op in ACTIVATION_OPS})
FUNCTIONS = frozenset({"exp", "log", "transpose"} | {op.name for op in FUNCTION_OPS + CONV_OPS})

# ``act`` is "any element-wise activation" (g, φ in a derivation). Random instances draw it from
# these, so an answer holds on every instance only if it is written with act' itself.
GENERIC_ACTIVATIONS = ("tanh", "sigmoid", "softplus")


def generic_activation(name: str) -> Op:
    """The op ``act`` behaving as the activation ``name``: ``rules.with_op(generic_activation("sigmoid"))``."""
    return replace(OPS[name], name="act", doc=f"any element-wise activation (here {name})")


OPS["act"] = generic_activation("tanh")
ACTIVATIONS = ACTIVATIONS | {"act"}
