"""Number systems for one engine: the key's (exact rationals, else 60 digits), exact sympy,
60-digit mpmath and float64 (numpy).

Both represent every quantity as a 2-D numpy array (column vectors are n×1, a batch of m
examples is n×m, a scalar is 1×1), so the ops in :mod:`grader.engine.ops` are written once
with numpy semantics (``@``, broadcasting, ``sum``). The exact backend stores sympy numbers
in ``dtype=object`` arrays: 0.1 is 1/10, softmax of equal inputs is exactly 1/3, and a delta
that cancels is exactly 0. The float backend is plain float64 for fast random instantiation.
The key is built with :data:`MIXED` (:mod:`grader.engine.mixed_numbers`): sympy's exact
sigmoids of sigmoids nest ``exp`` without end (minutes for a 5-layer net), where exact
rationals up to the first transcendental step and 60 digits after it take milliseconds.

Every backend has the same methods (``array const exp log tanh sigmoid softplus sqrt sign
to_float``); an op decides a kink (ReLU, |x|, max) only through ``sign``, so that the float
run can follow the key's decision (:mod:`grader.engine.kinks`).
"""
from __future__ import annotations

import math
from fractions import Fraction
from functools import cached_property, lru_cache

import mpmath

import numpy as np

from grader.engine import mixed_numbers

_float_erf = np.frompyfunc(math.erf, 1, 1)


class FloatBackend:
    """float64 numpy arrays."""

    name = "float"
    exact = False

    def array(self, rows) -> np.ndarray:
        return np.array(rows, dtype=float).reshape(np.shape(rows) if np.ndim(rows) == 2 else (-1, 1))

    def const(self, value) -> float:
        return float(value)

    def exp(self, a):
        return np.exp(a)

    def log(self, a):
        return np.log(a)

    def tanh(self, a):
        return np.tanh(a)

    def sigmoid(self, a):
        # split by sign so neither branch overflows
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def softplus(self, a):
        return np.logaddexp(0.0, a)

    def sqrt(self, a):
        return np.sqrt(a)

    def sign(self, a) -> np.ndarray:
        return np.sign(a).astype(int)

    def erf(self, a):  # GELU's exact form (issue 19B)
        return _float_erf(a).astype(float)

    def pi(self) -> float:
        return np.pi

    def to_float(self, a) -> np.ndarray:
        return np.asarray(a, dtype=float)


def _sympy():
    """sympy, imported on first use: a third of a second that commands without an exact key
    (``grade check`` of numeric answers, ``--help``) do not pay."""
    import sympy
    return sympy


def _rational(value) -> sympy.Rational:
    sympy = _sympy()
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, float):
        value = Fraction(repr(value))  # the decimal the float prints as, not its binary expansion
    f = Fraction(value)
    return sympy.Rational(f.numerator, f.denominator)


def _lazy(fn, at_zero):
    """``fn`` without sympy's automatic evaluation for compound arguments (its assumption
    queries dominate the key's cost), but exact where it matters: at 0 and for rationals."""
    def apply(x):
        if x == 0 and at_zero is not None:
            return at_zero
        if getattr(x, "is_Rational", False):
            return fn(x)
        return fn(x, evaluate=False)
    return apply


def _exact_sigmoid(x):
    """1/(1 + exp(-x)), evaluated for a rational x (exactly 1/2 at 0), else left unevaluated.
    Evaluating it for an x that holds earlier sigmoids makes sympy ask the sign of every
    sub-expression by evalf, at a cost that depends on the hash seed (the mlp-numeric key took
    0.2-1.2 s, against ~0.1 s unevaluated). The values are the same: every exact number is read
    through :func:`high_precision`."""
    sympy = _sympy()
    if getattr(x, "is_Rational", False):
        return 1 / (1 + sympy.exp(-x))
    return sympy.Pow(sympy.Add(1, sympy.exp(-x, evaluate=False), evaluate=False), -1, evaluate=False)


def _exact_softplus(x):
    """log(1 + exp(x)), evaluated or not as :func:`_exact_sigmoid`."""
    sympy = _sympy()
    if getattr(x, "is_Rational", False):
        return sympy.log(1 + sympy.exp(x))
    return sympy.log(sympy.Add(1, sympy.exp(x, evaluate=False), evaluate=False), evaluate=False)


class _ObjectBackend:
    """Numbers of some Python type in ``dtype=object`` arrays; subclasses give ``const`` and the
    element functions ``_exp``, ``_log``, ``_tanh`` (``np.frompyfunc`` of one argument)."""

    def array(self, rows) -> np.ndarray:
        a = np.array(rows, dtype=object)
        a = a.reshape(a.shape if a.ndim == 2 else (-1, 1))
        return np.frompyfunc(self.const, 1, 1)(a).astype(object)

    def exp(self, a):
        return self._exp(a).astype(object)

    def log(self, a):
        return self._log(a).astype(object)

    def tanh(self, a):
        return self._tanh(a).astype(object)

    def sigmoid(self, a):
        return (1 / (1 + self.exp(-a))).astype(object)

    def softplus(self, a):
        return self.log(1 + self.exp(a))

    def sqrt(self, a):
        return self._sqrt(a).astype(object)


class ExactBackend(_ObjectBackend):
    """sympy numbers (Rationals, exp, log, tanh) in object arrays."""

    name = "exact"
    exact = True

    @cached_property
    def _exp(self):
        return np.frompyfunc(_lazy(_sympy().exp, _sympy().Integer(1)), 1, 1)

    @cached_property
    def _log(self):
        return np.frompyfunc(_lazy(_sympy().log, None), 1, 1)

    @cached_property
    def _tanh(self):
        return np.frompyfunc(_lazy(_sympy().tanh, _sympy().Integer(0)), 1, 1)

    @cached_property
    def _sqrt(self):
        return np.frompyfunc(_sympy().sqrt, 1, 1)

    _sigmoid = np.frompyfunc(_exact_sigmoid, 1, 1)
    _softplus = np.frompyfunc(_exact_softplus, 1, 1)

    def sigmoid(self, a):
        return self._sigmoid(a).astype(object)

    def softplus(self, a):
        return self._softplus(a).astype(object)

    def const(self, value) -> sympy.Rational:
        return _rational(value)

    @cached_property
    def _erf(self):
        return np.frompyfunc(_lazy(_sympy().erf, _sympy().Integer(0)), 1, 1)

    def erf(self, a):
        return self._erf(a).astype(object)

    def pi(self):
        return _sympy().pi

    def sign(self, a) -> np.ndarray:
        return np.vectorize(exact_sign, otypes=[int])(a)

    def to_float(self, a) -> np.ndarray:
        return np.vectorize(to_float, otypes=[float])(a)


# Digits carried when an exact value is turned into a number; a value that is not
# structurally 0 but smaller than ZERO_BELOW at this precision is a cancellation sympy did not
# see (e.g. exp(a)·exp(-a) with a long a) and is reported as exactly 0.
DIGITS = mixed_numbers.DIGITS
ZERO_BELOW = mpmath.mpf(f"1e-{mixed_numbers.ZERO_DIGITS}")


@lru_cache(maxsize=1)
def _unary() -> dict:
    sympy = _sympy()
    return {sympy.exp: mpmath.exp, sympy.log: mpmath.log, sympy.tanh: mpmath.tanh, sympy.erf: mpmath.erf}


@lru_cache(maxsize=500_000)
def high_precision(x: sympy.Basic) -> mpmath.mpf:
    """Value of an exact expression to DIGITS digits.

    Memoised per sub-expression: the engine's values are DAGs with heavy sharing (every δ
    reuses the forward values), so this is linear in the DAG where ``evalf`` is not.
    """
    with mpmath.workdps(DIGITS):
        if x.is_Rational:
            return mpmath.mpf(int(x.p)) / int(x.q)
        if x.is_Add:
            return mpmath.fsum(high_precision(a) for a in x.args)
        if x.is_Mul:
            return mpmath.fprod(high_precision(a) for a in x.args)
        if x.is_Pow:
            base, exp = x.args
            if exp.is_Integer:
                return high_precision(base) ** int(exp)
            return mpmath.power(high_precision(base), high_precision(exp))
        unary = _unary()
        if x.func in unary:
            return unary[x.func](high_precision(x.args[0]))
        if x is _sympy().E:
            return mpmath.e
        if x is _sympy().pi:
            return +mpmath.pi
        return mpmath.mpf(x.evalf(DIGITS))


def _number(x) -> sympy.Basic:
    """The engine's value as a sympy number (it is one already, or a Python int from numpy)."""
    return x if isinstance(x, _sympy().Basic) else _rational(x)


def exact_sign(x) -> int:
    """Sign of an exact number; 0 when it is zero (see ZERO_BELOW), never a rounding accident."""
    x = _number(x)
    if x.is_Rational:
        return (x.p > 0) - (x.p < 0)
    value = high_precision(x)
    if abs(value) < ZERO_BELOW:
        return 0
    return 1 if value > 0 else -1


def to_float(x) -> float:
    """Nearest float of an exact number; zeros (see ZERO_BELOW) are exactly 0.0."""
    x = _number(x)
    if x.is_Rational:
        return float(Fraction(int(x.p), int(x.q)))
    value = high_precision(x)
    return 0.0 if abs(value) < ZERO_BELOW else float(value)


class HighPrecisionBackend(_ObjectBackend):
    """mpmath numbers at DIGITS digits: the oracle for finite-difference checks in tests."""

    name = "mpmath"
    exact = False
    _exp = np.frompyfunc(mpmath.exp, 1, 1)
    _log = np.frompyfunc(mpmath.log, 1, 1)
    _tanh = np.frompyfunc(mpmath.tanh, 1, 1)
    _sqrt = np.frompyfunc(mpmath.sqrt, 1, 1)

    def const(self, value) -> mpmath.mpf:
        f = Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
        return mpmath.mpf(f.numerator) / f.denominator

    def sign(self, a) -> np.ndarray:
        return np.vectorize(lambda x: int(mpmath.sign(x)), otypes=[int])(a)

    _erf = np.frompyfunc(mpmath.erf, 1, 1)

    def erf(self, a):
        return self._erf(a).astype(object)

    def pi(self) -> mpmath.mpf:
        return +mpmath.pi

    def to_float(self, a) -> np.ndarray:
        return np.vectorize(float, otypes=[float])(a)


class MixedBackend(_ObjectBackend):
    """The key's arithmetic: Fractions while values stay rational, 60-digit
    :class:`~grader.engine.mixed_numbers.Approx` after a transcendental step; exact zeros stay
    exact (see :mod:`grader.engine.mixed_numbers`)."""

    name = "mixed"
    exact = False  # exact where rational only: see describe()
    _exp = np.frompyfunc(mixed_numbers.exp, 1, 1)
    _log = np.frompyfunc(mixed_numbers.log, 1, 1)
    _tanh = np.frompyfunc(mixed_numbers.tanh, 1, 1)
    _sqrt = np.frompyfunc(mixed_numbers.sqrt, 1, 1)
    _sigmoid = np.frompyfunc(mixed_numbers.sigmoid, 1, 1)
    _softplus = np.frompyfunc(mixed_numbers.softplus, 1, 1)
    _sign = np.frompyfunc(mixed_numbers.sign, 1, 1)
    _to_float = np.frompyfunc(mixed_numbers.to_float, 1, 1)
    _erf = np.frompyfunc(mixed_numbers.erf, 1, 1)
    _settle = np.frompyfunc(mixed_numbers.settle, 1, 1)

    def settle(self, a):
        """An op's result with rationals too long to carry exactly made 60-digit values
        (:func:`~grader.engine.mixed_numbers.settle`); the engine calls it after every op."""
        return self._settle(a).astype(object) if isinstance(a, np.ndarray) and a.dtype == object else a

    def erf(self, a):  # GELU's exact form: the key had none, so a GELU network had no key
        return self._erf(a).astype(object)

    def pi(self) -> mixed_numbers.Approx:
        return mixed_numbers.PI

    def sigmoid(self, a):
        return self._sigmoid(a).astype(object)

    def softplus(self, a):
        return self._softplus(a).astype(object)

    def const(self, value) -> Fraction | mixed_numbers.Approx:
        if isinstance(value, (Fraction, mixed_numbers.Approx)):
            return value
        if isinstance(value, float):
            return Fraction(repr(value))  # the decimal the float prints as
        if getattr(value, "is_Rational", False):  # a sympy Rational
            return Fraction(int(value.p), int(value.q))
        return Fraction(value)

    def sign(self, a) -> np.ndarray:
        return np.asarray(self._sign(a), dtype=int).reshape(np.shape(a))

    def to_float(self, a) -> np.ndarray:
        return np.asarray(self._to_float(a), dtype=float).reshape(np.shape(a))


def describe_arithmetic(values) -> str:
    """How a key's values were computed, for ``grade key``: exact throughout, or exact
    rationals up to the first exp/log/tanh and 60 digits after it ("" for no values).

    >>> from fractions import Fraction
    >>> describe_arithmetic([np.array([[Fraction(1, 3)]], dtype=object)])
    'exact rational arithmetic (every value exact)'
    """
    numbers = [x for a in values for x in np.asarray(a, dtype=object).ravel()]
    if not numbers:
        return ""
    if all(mixed_numbers.is_exact(x) for x in numbers):
        return "exact rational arithmetic (every value exact)"
    return (f"exact rationals where values stay rational, {mixed_numbers.DIGITS} significant digits "
            "(mpmath) after exp/log/tanh, zeros kept exact")


MIXED = MixedBackend()
FLOAT = FloatBackend()
HIGH = HighPrecisionBackend()
EXACT = ExactBackend()
