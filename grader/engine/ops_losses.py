"""Losses beyond squared error and cross-entropy (issue 19): L1, Huber, binary cross-entropy
on logits, cross-entropy with class-index targets, and MSE averaged over the outputs.

Like every loss of the table, each sums over the examples of a batch; the assignment's batch
reduction (``conventions.reduction: mean``) divides by the batch size, once, for all of them.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from grader.engine.op_kit import Ctx, Op, absolute, const, pick, sign, softmax, total
from grader.errors import ConfigError


def _unit_sign(c: Ctx, x):
    """sign(x) as backend numbers (0 at 0: the subgradient PyTorch takes for |x|)."""
    return pick(sign(c, x), const(c, 1), const(c, 0), const(c, -1))


def _l1_grad(c, g, out, yhat, y):
    s = _unit_sign(c, yhat - y)
    return g * s, -g * s


def _huber(c: Ctx, yhat, y, delta):
    r = yhat - y
    size = absolute(c, r)
    half = const(c, Fraction(1, 2))
    return total(pick(sign(c, size - delta), delta * (size - half * delta), half * r * r, half * r * r))


def _huber_grad(c: Ctx, g, out, yhat, y, delta):
    r = yhat - y
    d = pick(sign(c, absolute(c, r) - delta), delta * _unit_sign(c, r), r, r)
    return g * d, -g * d, None


def _bce_logits(c: Ctx, z, t):
    return total(c.backend.softplus(z) - t * z)


def _bce_logits_grad(c: Ctx, g, out, z, t):
    return g * (c.backend.sigmoid(z) - t), -g * z


def one_hot(c: Ctx, classes, n: int):
    """The n×m one-hot matrix of a 1×m row of class indices 0 … n−1 (ConfigError otherwise)."""
    if classes.shape[0] != 1:
        raise ConfigError(f"class-index targets are one row (1×m), not {classes.shape[0]}×{classes.shape[1]}")
    hot = np.full((n, classes.shape[1]), const(c, 0), dtype=object)
    for j, value in enumerate(c.backend.to_float(classes)[0]):
        if not float(value).is_integer() or not 0 <= value < n:
            raise ConfigError(f"class index {value:g} of example {j + 1} is not one of 0 … {n - 1}")
        hot[int(value), j] = const(c, 1)
    return hot.astype(float) if c.backend.name == "float" else hot


def _ce_index(c: Ctx, z, k):
    return -total(one_hot(c, k, z.shape[0]) * c.backend.log(softmax(c, z)))


def _ce_index_grad(c: Ctx, g, out, z, k):
    return g * (softmax(c, z) - one_hot(c, k, z.shape[0])), None  # an index has no gradient


def _mse_outputs(c: Ctx, yhat, y):
    return const(c, Fraction(1, yhat.shape[0])) * total((yhat - y) * (yhat - y))


def _mse_outputs_grad(c: Ctx, g, out, yhat, y):
    d = const(c, Fraction(2, yhat.shape[0])) * (yhat - y)
    return g * d, -g * d


LOSS_OPS = [
    Op("l1", 2, lambda c, yhat, y: total(absolute(c, yhat - y)), _l1_grad, "Σ |ŷ − y|; derivative 0 where ŷ = y"),
    Op("huber", 3, _huber, _huber_grad,
       "Σ ½r² where |r| ≤ δ, else δ(|r| − ½δ), r = ŷ − y; δ defaults to 1", ("1",)),
    Op("bce_with_logits", 2, _bce_logits, _bce_logits_grad, "Σ [softplus(z) − t·z] = BCE of σ(z), fused"),
    Op("cross_entropy_index", 2, _ce_index, _ce_index_grad,
       "−Σ log softmax(z)[k]: logits z (n×m), class indices k (1×m, 0 … n−1), as PyTorch's CrossEntropyLoss"),
    Op("mse_outputs", 2, _mse_outputs, _mse_outputs_grad, "(1/n) Σ (ŷ − y)² over the n outputs, summed over the batch"),
]
