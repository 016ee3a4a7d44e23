"""Activations beyond the classic four (issue 19): ELU, SELU, GELU (exact and tanh form),
hard-tanh, swish/SiLU and softsign, each with its derivative beside it.

At a kink the derivative is PyTorch's: ELU'(0) = α (the left one), hard-tanh' = 0 at ±1.
Kinks are decided by the backend's ``sign``, so the exact backend decides an exact 0 exactly.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from grader.engine.op_kit import Ctx, absolute, const, elementwise, pick, sign, sqrt, with_parameter

# SELU's constants (Klambauer et al. 2017), as PyTorch writes them
SELU_ALPHA = "1.6732632423543772848170429916717"
SELU_SCALE = "1.0507009873554804934193349852946"
GELU_CUBIC = "0.044715"  # the tanh approximation's x³ coefficient (Hendrycks & Gimpel)


def _negative_part(c: Ctx, x):
    """min(x, 0): what ELU exponentiates (exp of a large positive x would overflow in float64
    and is never used)."""
    return pick(sign(c, x), const(c, 0), const(c, 0), x)


def _elu(c: Ctx, x, alpha):
    return pick(sign(c, x), x, const(c, 0), alpha * (c.backend.exp(_negative_part(c, x)) - const(c, 1)))


def _elu_grad(c: Ctx, x, out, alpha):
    # x ≤ 0: α·exp(x) (so α at 0, as PyTorch); x > 0: 1
    return pick(sign(c, x), const(c, 1), alpha * const(c, 1), alpha * c.backend.exp(_negative_part(c, x)))


def _selu(c: Ctx, x):
    return const(c, SELU_SCALE) * _elu(c, x, const(c, SELU_ALPHA))


def _selu_grad(c: Ctx, x, out):
    return const(c, SELU_SCALE) * _elu_grad(c, x, None, const(c, SELU_ALPHA))


def _phi_cdf(c: Ctx, x):
    """Φ(x) = ½(1 + erf(x/√2)), the standard normal's distribution function."""
    return const(c, Fraction(1, 2)) * (const(c, 1) + c.backend.erf(x / sqrt(c, const(c, 2))))


def _phi_pdf(c: Ctx, x):
    """φ(x) = exp(−x²/2)/√(2π)."""
    return c.backend.exp(-(x * x) / const(c, 2)) / sqrt(c, const(c, 2) * c.backend.pi())


def _gelu_tanh_parts(c: Ctx, x):
    k = sqrt(c, const(c, 2) / c.backend.pi())
    cubic = const(c, GELU_CUBIC)
    return k, cubic, c.backend.tanh(k * (x + cubic * x * x * x))


def _gelu_tanh(c: Ctx, x):
    _, _, t = _gelu_tanh_parts(c, x)
    return const(c, Fraction(1, 2)) * x * (const(c, 1) + t)


def _gelu_tanh_grad(c: Ctx, x, out):
    k, cubic, t = _gelu_tanh_parts(c, x)
    half, one = const(c, Fraction(1, 2)), const(c, 1)
    return half * (one + t) + half * x * (one - t * t) * k * (one + const(c, 3) * cubic * x * x)


def _hardtanh(c: Ctx, x):
    one = const(c, 1)
    return pick(sign(c, x - one), one, one, pick(sign(c, x + one), x, -one, -one))


def _hardtanh_grad(c: Ctx, x, out):
    # 1 strictly inside (−1, 1), 0 outside and at ±1 (PyTorch)
    one = const(c, 1)
    inside = (sign(c, x - one) < 0) & (sign(c, x + one) > 0)
    return np.where(inside, one, const(c, 0))


def _silu_grad(c: Ctx, x, out):
    s = c.backend.sigmoid(x)
    return s * (const(c, 1) + x * (const(c, 1) - s))


def _softsign_grad(c: Ctx, x, out):
    d = const(c, 1) + absolute(c, x)
    return const(c, 1) / (d * d)


ACTIVATION_OPS = [
    with_parameter("elu", _elu, _elu_grad, "x if x > 0 else α(exp x − 1); α defaults to 1; ELU'(0) = α", "1"),
    elementwise("selu", _selu, _selu_grad, "λ·ELU(x, α), α ≈ 1.6733, λ ≈ 1.0507 (PyTorch's constants)"),
    elementwise("gelu", lambda c, x: x * _phi_cdf(c, x),
                lambda c, x, out: _phi_cdf(c, x) + x * _phi_pdf(c, x), "x·Φ(x), Φ the normal CDF (exact GELU)"),
    elementwise("gelu_tanh", _gelu_tanh, _gelu_tanh_grad, "½x(1 + tanh(√(2/π)(x + 0.044715x³)))"),
    elementwise("hardtanh", _hardtanh, _hardtanh_grad, "clip(x, −1, 1); derivative 0 at ±1"),
    elementwise("silu", lambda c, x: x * c.backend.sigmoid(x), _silu_grad, "x·σ(x) (= swish)"),
    elementwise("swish", lambda c, x: x * c.backend.sigmoid(x), _silu_grad, "x·σ(x) (= silu)"),
    elementwise("softsign", lambda c, x: x / (const(c, 1) + absolute(c, x)), _softsign_grad, "x / (1 + |x|)"),
]
