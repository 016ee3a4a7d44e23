r"""Like terms collected exactly, for the high-precision check (:mod:`grader.judge.symbolic.precise`).

``z + z^{1000000} - z^{1000000}`` is z: the huge term cancels exactly, whatever z is. At any
fixed precision it does not: z + z^{10^6} rounds to z^{10^6} when |z| > 1 (at 100 digits, as in
float64), and the z is lost. So before an answer is evaluated in high precision, each sum
(``+``, ``-``, unary minus) is read as signed terms with exact rational coefficients
(``2 z^{1000}``, ``-z^{1000}/2``), identical terms (the same tree, wherever typed) are collected,
and a term whose coefficients add up to 0 is kept as ``0 · term``: its shape still counts
(``y + W - W`` is still a shape error where y and W differ), its value no longer does.

>>> z, big = A.Sym("z"), A.Pow(A.Sym("z"), 1000000)
>>> collect(A.Sub(A.Add(z, big), big))
Add(left=Sym(name='z', index=()), right=Product(left=Num(value=Fraction(0, 1)), right=Pow(base=Sym(name='z', index=()), exponent=1000000)))
"""
from __future__ import annotations

import dataclasses
from fractions import Fraction
from functools import lru_cache

from grader.parse.expression import tree as A

_SUMS = (A.Add, A.Sub, A.Neg)
_ARITHMETIC = {A.Add: lambda a, b: a + b, A.Sub: lambda a, b: a - b,
               A.Product: lambda a, b: a * b, A.Div: lambda a, b: a / b}


def constant(node) -> Fraction | None:
    """The exact value of a constant coefficient (``2``, ``\frac{1}{2}``, ``-3/4``, ``10^{-3}``),
    or None."""
    t = type(node)
    if t is A.Num:
        return node.value
    if t is A.Neg:
        c = constant(node.arg)
        return None if c is None else -c
    if t in _ARITHMETIC:
        a, b = constant(node.left), constant(node.right)
        if a is None or b is None or t is A.Div and b == 0:
            return None
        return _ARITHMETIC[t](a, b)
    if t is A.Pow and abs(node.exponent) <= 64:
        c = constant(node.base)
        if c is not None and (c != 0 or node.exponent > 0) and abs(c.numerator) < 2 ** 64 \
                and c.denominator < 2 ** 64:
            return c ** node.exponent
    return None


def _terms(node, sign: Fraction, out: list) -> None:
    """Signed terms of a sum, left to right: (coefficient, core)."""
    stack = [(node, sign)]
    while stack:
        n, s = stack.pop()
        t = type(n)
        if t is A.Add or t is A.Sub:
            stack.append((n.right, -s if t is A.Sub else s))
            stack.append((n.left, s))
        elif t is A.Neg:
            stack.append((n.arg, -s))
        elif t is A.Product and (c := constant(n.left)) is not None:
            stack.append((n.right, s * c))
        elif t is A.Product and (c := constant(n.right)) is not None:
            stack.append((n.left, s * c))
        elif t is A.Div and (c := constant(n.right)) is not None and c != 0:
            stack.append((n.left, s / c))
        else:
            out.append((s, n))


@lru_cache(maxsize=4096)
def collect(node):
    """``node`` with like terms of every sum collected (see the module's docstring); the
    same tree where nothing repeats."""
    if type(node) in _SUMS:
        terms: list = []
        _terms(node, Fraction(1), terms)
        cores: dict = {}
        for coef, core in terms:
            core = collect(core)
            cores[core] = cores.get(core, Fraction(0)) + coef
        if len(cores) == len(terms):
            return node if all(collect(c) is c for _, c in terms) else _rebuild(terms)
        return _rebuild([(coef, core) for core, coef in cores.items()])
    changes = {}
    for name in A.node_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, tuple):
            new = tuple(collect(v) if A.is_node(v) else v for v in value)
            changed = any(a is not b for a, b in zip(new, value))
        else:
            new = collect(value) if A.is_node(value) else value
            changed = new is not value
        if changed:
            changes[name] = new
    return dataclasses.replace(node, **changes) if changes else node


def _rebuild(terms: list):
    out = None
    for coef, core in terms:
        core = collect(core)
        term = core if coef == 1 else A.Product(A.Num(coef), core, pos=core.pos)
        out = term if out is None else A.Add(out, term, pos=core.pos)
    return out
