r"""Near ties, overflow and cancellation decided in high precision.

An expression answer is an exact formula: ``a - t + 10^{-9}`` is not ``a - t``, however close
float64 finds them (the comparison's rtol of 1e-7 is there for float round-off, not to hide a
term). And float64 can miss an equivalence outright: ``z^{1000000} - z^{1000000}`` is inf - inf,
``a^{1000}/a^{1000}`` is 0/0, and ``((δ + 10^3)^2)^8 - (δ + 10^3)^{16}`` cancels 48 digits.

So after float64 has judged an instance, :func:`recheck` says whether its verdict may be an
artefact of float64 (the values are close but further apart than round-off, the answer is not
finite where the key is, or they differ and the answer raises to a high power or holds a huge
constant), and :func:`precise_close` then decides again at :data:`DIGITS` digits: the
instance's exact float inputs run through the engine on mpmath numbers (the key, once per
instance) and through the answer's own tree (:func:`grader.judge.symbolic.evaluate.evaluate`
with ``Env.backend`` set to mpmath). Most answers never get here: an equivalent formula agrees
with the key to round-off in float64, and a wrong one is far from it.
"""
from __future__ import annotations

import math
from functools import lru_cache

import mpmath
import numpy as np

from grader.engine.backends import HIGH
from grader.judge.symbolic.cancel import collect
from grader.judge.symbolic.closeness import ROUNDOFF_ATOL, ROUNDOFF_RTOL, close
from grader.judge.symbolic.evaluate import evaluate, with_indices
from grader.parse.expression import tree as A

DIGITS = 100  # 60 digits survive a cancellation of 40 (a 16th power of a 1e3)
#: how far apart (relative to the key) two equivalent formulas may be after 100 digits
PRECISE_RTOL = mpmath.mpf("1e-30")
MAX_DIGITS = 20_000  # z^{10000} near 100 still fits; more is refused work, not a verdict
RISKY_POWER = 8  # |exponent| from which float64 may cancel to nonsense
RISKY_CONSTANT = 1e8  # a constant this large (or 1/this small) in an answer: the same


def recheck(closeness: int, got: np.ndarray, target, expr) -> bool:
    """Whether float64's verdict on one instance may be wrong (see the module's docstring):
    ``closeness`` is :meth:`~grader.judge.symbolic.closeness.Target.closeness` of ``got``."""
    if closeness:
        return closeness == 1
    if got.shape != target.shape and got.shape != (1, 1):
        return False
    if not np.isfinite(got).all():
        return target.finite
    return risky(expr)


@lru_cache(maxsize=4096)
def risky(expr) -> bool:
    """The answer raises to a high power or holds a very large or small constant."""
    for n in A.walk(expr):
        if type(n) is A.Pow and abs(n.exponent) >= RISKY_POWER:
            return True
        if type(n) is A.Num and n.value and not 1 / RISKY_CONSTANT < abs(n.value) < RISKY_CONSTANT:
            return True
    return False


def matches(expr, case, got: np.ndarray, transposed: bool = False) -> bool:
    """The answer's value ``got`` is the key's on ``case`` (a
    :class:`~grader.judge.symbolic.equivalence.Case`): float64's word, unless it may be an
    artefact of float64 (:func:`recheck`), then the word of :data:`DIGITS` digits. ``got`` is
    the answer's value transposed when ``transposed`` (the check of a layout convention)."""
    closeness = case.target.closeness(got)
    if closeness == 2 or case.precise is None or not recheck(closeness, got, case.target, expr):
        return closeness > 0
    precise = precise_close(expr, case, transposed)
    return closeness > 0 if precise is None else precise


def entry_matches(expr, case, at: dict, got: np.ndarray, expected: np.ndarray, expected_at) -> bool:
    """:func:`matches` for one entry of an index-notation answer (``at``: the index values;
    ``expected_at(key, at)`` reads the entry off a key), in plain floats for a 1×1 entry."""
    ok = close(got, expected)
    if case.precise is None or got.shape != (1, 1) or expected.shape != (1, 1):
        return ok
    x, y = got.item(), expected.item()
    if ok and abs(x - y) <= ROUNDOFF_ATOL * max(1.0, abs(y)) + ROUNDOFF_RTOL * abs(y):
        return True
    if not ok and math.isfinite(x) and not risky(expr) or not math.isfinite(y):
        return ok
    with mpmath.workdps(DIGITS):
        try:
            env, key = case.precise()
            value = evaluate_precisely(expr, with_indices(env, at))
            want = expected_at(key, at)
        except (ArithmeticError, TypeError, ValueError, AttributeError, KeyError):
            return ok
        g, k = mpmath.mpf(value[0, 0]), mpmath.mpf(want[0, 0])
        return abs(g - k) <= PRECISE_RTOL * max(mpmath.mpf(1), abs(k))


def needed_digits(expr, env) -> int:
    """Digits that keep every term of the answer on ``env``: :data:`DIGITS` past the largest
    power or constant in it (``z^{1000}`` with z near 3 needs 477 more), so a term that a
    larger one swamps (``z + z^{1000} - z^{999} z``) survives the cancellation."""
    largest = 0.0
    for n in A.walk(expr):
        if type(n) is A.Pow and abs(n.exponent) >= RISKY_POWER:
            base = evaluate(n.base, env)
            sizes = [abs(mpmath.mpf(v)) for v in base.flat]
            logs = [float(mpmath.log10(v)) for v in sizes if v]
            largest = max([largest] + [abs(n.exponent) * x for x in logs if x * n.exponent > 0])
        elif type(n) is A.Num and n.value:
            largest = max(largest, abs(math.log10(abs(n.value.numerator))
                                       - math.log10(n.value.denominator)))
    return DIGITS + math.ceil(largest)


def evaluate_precisely(expr, env):
    """The answer on ``env`` (mpmath values) with like terms collected exactly
    (:func:`grader.judge.symbolic.cancel.collect`) and at the digits the other terms need
    (:func:`needed_digits`, up to :data:`MAX_DIGITS`; past that, at :data:`DIGITS`)."""
    expr = collect(expr)
    digits = needed_digits(expr, env) if risky(expr) else DIGITS
    with mpmath.workdps(digits if digits <= MAX_DIGITS else DIGITS):
        return evaluate(expr, env)


def to_high(value):
    """A float64 array as mpmath numbers, exactly (every float is a binary fraction)."""
    if value is None:
        return None
    out = np.empty(value.shape, dtype=object)
    for idx, v in np.ndenumerate(value):
        out[idx] = mpmath.mpf(float(v))
    return out


def precise_close(expr, case, transposed: bool = False) -> bool | None:
    """The answer equals the key on ``case`` at :data:`DIGITS` digits; None when the instance
    cannot be evaluated so (then float64's verdict stands)."""
    with mpmath.workdps(DIGITS):
        try:
            env, key = case.precise()
            got = evaluate_precisely(expr, env)
            got = got.T if transposed else got
        except (ArithmeticError, TypeError, ValueError, AttributeError, KeyError):
            return None
        if got.shape == (1, 1) and key.shape != (1, 1):
            got = np.full(key.shape, got[0, 0], dtype=object)
        if got.shape != key.shape:
            return False
        scale = max([mpmath.mpf(1)] + [abs(mpmath.mpf(v)) for v in key.flat])
        return all(abs(mpmath.mpf(g) - mpmath.mpf(k)) <= PRECISE_RTOL * scale
                   for g, k in zip(got.flat, key.flat))




class PreciseInstance:
    """One instance's answer environment and key at :data:`DIGITS` digits, computed on first
    use (most keys never need it): the engine run again on mpmath numbers from the instance's
    exact float inputs. ``make_env(evaluation, backend)`` builds the answer's environment as
    the float path does; ``key_value(evaluation, rules)`` is the key's lookup."""

    def __init__(self, graph, inst, rules, make_env, key_value):
        self._args = graph, inst, rules, make_env, key_value
        self._value = None

    def __call__(self):
        if self._value is None:
            from grader.engine.autodiff import evaluate as run
            graph, inst, rules, make_env, key_value = self._args
            with mpmath.workdps(DIGITS):
                ev = run(graph, {k: to_high(v) for k, v in inst.params.items()},
                         {k: to_high(v) for k, v in inst.data.items()}, backend=HIGH, rules=rules)
                self._value = make_env(ev, HIGH), key_value(ev, rules)
        return self._value
