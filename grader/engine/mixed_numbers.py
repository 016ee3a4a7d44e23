"""The key's numbers: exact rationals where values stay rational, 60 digits where they do not.

A value is a :class:`fractions.Fraction` as long as every step that made it was rational
(``+ − × ÷`` of rationals, and the rational points of the transcendental functions:
``exp 0 = 1``, ``log 1 = 0``, ``tanh 0 = 0``, ``σ(0) = ½``). Anything else is an
:class:`Approx`: a binary float of :data:`PREC` bits (60 decimal digits) computed with
mpmath's ``libmp`` at that precision whatever the caller's mpmath context says.

A structural zero stays exact: ``0 × Approx`` is the rational 0 and ``x − x`` of one
expression x is too (an Approx remembers the form of its expression, as sympy's structural
equality did), so a zero row of weights, a softmax of equal inputs (exactly 1/n) or a cancelled
δ is exactly zero, never 1e-61.
An Approx is a number known to ~60 digits; one smaller than :data:`ZERO_BELOW` is taken as 0
(the same rule the sympy backend uses for a cancellation it did not see). This is what sympy
gave, minus nesting ``exp`` without end: a ReLU or linear net is keyed in exact rationals and
a sigmoid/tanh/softmax net in 60 digits, each in milliseconds.

>>> from fractions import Fraction
>>> x = exp(Fraction(1, 10))
>>> isinstance(x, Approx), round(float(x), 12)
(True, 1.105170918076)
>>> Fraction(0) * x, exp(Fraction(0)), sigmoid(Fraction(0))
(Fraction(0, 1), Fraction(1, 1), Fraction(1, 2))
>>> x - x, x / x, sign(x - exp(Fraction(1, 10))), sign(x * 2 - x - x)
(Fraction(0, 1), Fraction(1, 1), 0, 0)
"""
from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache
from numbers import Integral

from mpmath import libmp

DIGITS = 60
PREC = libmp.dps_to_prec(DIGITS)
_NEAREST = libmp.round_nearest
# an Approx below 10^-ZERO_DIGITS is a cancellation, i.e. 0 (at 60 digits the engine's values
# carry errors near 1e-60; a homework quantity is never truly below 1e-45)
ZERO_DIGITS = 45
ZERO_BELOW = libmp.from_rational(1, 10**ZERO_DIGITS, PREC, _NEAREST)
_ONE = Fraction(1)
_ZERO = Fraction(0)
_add, _sub, _mul, _div = libmp.mpf_add, libmp.mpf_sub, libmp.mpf_mul, libmp.mpf_div


def _raw(x):
    """The libmp value of an engine number, or None for a type this arithmetic does not know."""
    t = type(x)  # exact type tests first: isinstance against the numbers ABCs is slow
    if t is Approx:
        return x.raw
    if t is Fraction:
        return _fraction_raw(x.numerator, x.denominator)
    if t is int or isinstance(x, Integral):
        return libmp.from_int(int(x))
    if t is float:  # a float constant in an op: its exact binary value (the result is an Approx)
        return libmp.from_float(x)
    return None


@lru_cache(maxsize=65536)
def _fraction_raw(numerator: int, denominator: int):
    # a weight or input enters many products (every column of a batch, every δ): convert once
    return libmp.from_rational(numerator, denominator, PREC, _NEAREST)


def _is_exact_zero(x) -> bool:
    t = type(x)  # (Fraction's own == goes through the numbers ABCs: slow)
    return (t is Fraction and x.numerator == 0) or (t is int and x == 0)


def _form(x) -> int:
    """A hash of how a value was computed: equal forms are the same expression (and so the
    same exact number, whatever rounding did), as sympy's structural equality told."""
    t = type(x)
    if t is Approx:
        return x.form
    if t is Fraction:  # (a Fraction's own hash takes a modular inverse)
        return hash(("q", x.numerator, x.denominator))
    if t is int or isinstance(x, Integral):
        return hash(("q", int(x), 1))
    if _raw(x) is None:  # not a number of ours (an array: the operation gives way to numpy)
        return 0
    return hash(("other", x))


def _commutative(op: str, a: int, b: int) -> int:
    return hash((op, min(a, b), max(a, b)))


class Approx:
    """A real number to :data:`PREC` bits (an mpmath ``libmp`` value) and the form of the
    expression that computed it. Arithmetic with Fractions and ints gives Approx, except where
    the result is exact by its form: ``0 × x = 0``, ``x − x = 0``, ``x + (−x) = 0``, ``x / x = 1``
    for the same expression x (a softmax of equal inputs is then exactly 1/n)."""

    __slots__ = ("raw", "form")

    def __init__(self, raw, form: int):
        self.raw, self.form = raw, form

    def _binary(self, other, f, form, reflected=False):
        o = _raw(other)
        if o is None:
            return NotImplemented
        return Approx(f(o, self.raw, PREC, _NEAREST) if reflected else f(self.raw, o, PREC, _NEAREST), form)

    def __add__(self, other):
        fo = _form(other)
        if fo == hash(("neg", self.form)) or self.form == hash(("neg", fo)):
            return _ZERO
        return self._binary(other, _add, _commutative("+", self.form, fo))

    __radd__ = __add__

    def __sub__(self, other):
        fo = _form(other)
        if fo == self.form:
            return _ZERO
        return self._binary(other, _sub, hash(("-", self.form, fo)))

    def __rsub__(self, other):
        return self._binary(other, _sub, hash(("-", _form(other), self.form)), reflected=True)

    def __mul__(self, other):
        t = type(other)
        if t is Approx:  # the common case, first
            return Approx(_mul(self.raw, other.raw, PREC, _NEAREST), _commutative("*", self.form, other.form))
        if _is_exact_zero(other):
            return _ZERO  # a structural zero stays exact
        return self._binary(other, _mul, _commutative("*", self.form, _form(other)))

    __rmul__ = __mul__

    def __truediv__(self, other):
        fo = _form(other)
        if fo == self.form:
            return _ONE
        return self._binary(other, _div, hash(("/", self.form, fo)))

    def __rtruediv__(self, other):
        if _is_exact_zero(other):
            return _ZERO
        return self._binary(other, _div, hash(("/", _form(other), self.form)), reflected=True)

    def __pow__(self, n):
        if isinstance(n, Integral):
            return Approx(libmp.mpf_pow_int(self.raw, int(n), PREC, _NEAREST), hash(("**", self.form, int(n))))
        return exp(log(self) * n)

    def __neg__(self):
        return Approx(libmp.mpf_neg(self.raw), hash(("neg", self.form)))

    def __pos__(self):
        return self

    def __abs__(self):
        return self if libmp.mpf_sign(self.raw) >= 0 else -self

    def __float__(self):
        return to_float(self)

    def _compare(self, other):
        o = _raw(other)
        return None if o is None else libmp.mpf_cmp(self.raw, o)

    def __eq__(self, other):
        c = self._compare(other)
        return NotImplemented if c is None else c == 0

    def __lt__(self, other):
        c = self._compare(other)
        return NotImplemented if c is None else c < 0

    def __le__(self, other):
        c = self._compare(other)
        return NotImplemented if c is None else c <= 0

    def __gt__(self, other):
        c = self._compare(other)
        return NotImplemented if c is None else c > 0

    def __ge__(self, other):
        c = self._compare(other)
        return NotImplemented if c is None else c >= 0

    def __hash__(self):
        return hash(libmp.to_float(self.raw, rnd=_NEAREST))

    def __repr__(self):
        return f"Approx({libmp.to_str(self.raw, 20)})"

    def _sympy_(self):  # sympy's conversion protocol: Approx − sympy expression is a sympy Float
        return to_sympy(self)


def _function(name: str, libmp_fn, rational_points: dict):
    """``libmp_fn`` at PREC bits, exact at the rational points where it is rational."""
    def apply(x):
        if type(x) is not Approx and x in rational_points:  # (a dict's keys 0 and 1: fast)
            return rational_points[x]
        return Approx(libmp_fn(_raw(x), PREC, _NEAREST), hash((name, _form(x))))
    apply.__name__ = name
    return apply


exp = _function("exp", libmp.mpf_exp, {0: _ONE})
log = _function("log", libmp.mpf_log, {1: _ZERO})
tanh = _function("tanh", libmp.mpf_tanh, {0: _ZERO})
erf = _function("erf", libmp.mpf_erf, {0: _ZERO})  # GELU's exact form
PI = Approx(libmp.mpf_pi(PREC, _NEAREST), hash(("pi",)))


def sqrt(x):
    """√x: exact for a rational square (√(9/4) = 3/2), else PREC bits."""
    if type(x) is not Approx:
        x = Fraction(x)
        if x >= 0:
            p, q = math.isqrt(x.numerator), math.isqrt(x.denominator)
            if p * p == x.numerator and q * q == x.denominator:
                return Fraction(p, q)
    return Approx(libmp.mpf_sqrt(_raw(x), PREC, _NEAREST), hash(("sqrt", _form(x))))


def sigmoid(x):
    """1/(1 + exp(−x)); exactly ½ at 0."""
    return _ONE / 2 if _is_exact_zero(x) else 1 / (1 + exp(-x))


def softplus(x):
    """log(1 + exp x), to PREC bits also where exp x is far below 1 (1 + exp x would round it
    away: the sum is formed with as many more bits as exp x has leading zeros)."""
    r = _raw(x)
    if libmp.mpf_sign(r) >= 0:
        return log(1 + exp(x))
    lost = int(-libmp.to_float(r) * 1.4427) + 10  # bits of exp x below 1
    if lost > 4 * PREC:  # log(1 + e) = e (1 − e/2 + …): e itself is right to every bit kept
        return Approx(libmp.mpf_exp(r, PREC, _NEAREST), hash(("softplus", _form(x))))
    wide = PREC + lost
    total = libmp.mpf_add(libmp.fone, libmp.mpf_exp(r, wide, _NEAREST), wide, _NEAREST)
    return Approx(libmp.mpf_log(total, PREC, _NEAREST), hash(("softplus", _form(x))))


def sign(x) -> int:
    """−1, 0 or 1; an Approx below ZERO_BELOW in size is 0 (see the module docstring)."""
    if type(x) is not Approx:
        return (x > 0) - (x < 0)
    if libmp.mpf_lt(libmp.mpf_abs(x.raw), ZERO_BELOW):
        return 0
    return libmp.mpf_sign(x.raw)


def to_float(x) -> float:
    """The float nearest the value (a Fraction's correctly rounded; a negligible Approx 0.0)."""
    if type(x) is not Approx:
        return float(x)
    return 0.0 if sign(x) == 0 else libmp.to_float(x.raw, rnd=_NEAREST)


# A rational whose numerator or denominator has more bits than this is carried as an Approx:
# rational ops that divide (softsign, x / y) square the denominators at every layer, and six
# layers of softsign took a minute in exact rationals (3 × PREC bits: far past every printed digit)
MAX_EXACT_BITS = 3 * PREC


def settle(x):
    """``x``, or its 60-digit Approx when it is a rational too long to carry exactly (see
    :data:`MAX_EXACT_BITS`); the Approx keeps the rational's form, so x − x is still exactly 0.

    >>> settle(Fraction(1, 3)), type(settle(Fraction(1, 3 ** 500))).__name__
    (Fraction(1, 3), 'Approx')
    """
    if type(x) is Fraction and max(x.numerator.bit_length(), x.denominator.bit_length()) > MAX_EXACT_BITS:
        return Approx(_fraction_raw(x.numerator, x.denominator), _form(x))
    return x


def is_exact(x) -> bool:
    """True for a value this arithmetic holds exactly (a rational)."""
    return type(x) is not Approx


def to_sympy(x):
    """The value as a sympy number: a Rational when exact, else a Float of PREC bits."""
    import sympy  # on first use, as grader.engine.backends does
    import mpmath
    if type(x) is not Approx:
        x = Fraction(x)
        return sympy.Rational(x.numerator, x.denominator)
    return sympy.Float(mpmath.mp.make_mpf(x.raw), precision=PREC)
