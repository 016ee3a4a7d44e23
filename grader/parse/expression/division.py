r"""How far a plain-text ``/`` reaches: the denominator ends at the first space.

A TA reads ``1/2m`` as 1/(2m) and ``2/m (\hat{Y} - Y)`` as (2/m)(Ŷ − Y): juxtaposition written
without a space binds tighter than ``/``, and a space after the denominator ends it. So when the
right operand of ``/`` is a juxtaposition (``a/b c d``), its factors up to the first gap in the
text are the denominator and the rest multiply the quotient:

* ``1/2m``, ``1/2x``, ``2/m(Y - Z)`` → 1/(2m), 1/(2x), 2/(m(Y − Z));
* ``2/m (Y - Z)``, ``1/m \sum_i ...``, ``2/m \delta``, ``1/2 m`` → (2/m)(Y − Z), (1/m)Σ, (2/m)δ, (1/2)m;
* explicit operators read left to right: ``1/m * (Y - Z)`` is (1/m)(Y − Z); ``\frac`` is never
  ambiguous.

Others differ: mitx-grading-library refuses juxtaposition ("did you forget to use * for
multiplication?"); PrairieLearn inserts a ``*`` (sympy's ``implicit_multiplication_application``)
and reads left to right, so ``1/2m`` is m/2 there. Where the other reading (all such
denominators read tight, or all cut at their first factor) would change the verdict, the
grader says so in the feedback (:mod:`grader.judge.symbolic.readings`) instead of guessing
silently; the verdict is the reading above.
"""
from __future__ import annotations

import re

from lark import Token, Tree

from grader.parse.expression.tree import Div, Product


#: a space between two factors (brackets around them do not count): plain or LaTeX spacing
GAP = re.compile(r"[\s~]|\\[,;:! ]|\\q?quad(?![A-Za-z])")


def is_juxtaposition(node) -> bool:
    return isinstance(node, Tree) and node.data == "juxt"


def _factors(node) -> list:
    """The factors of a left-nested juxtaposition, left to right."""
    out = []
    while is_juxtaposition(node):
        out.append(node.children[1])
        node = node.children[0]
    return [node] + out[::-1]


def _end(node) -> int:
    if isinstance(node, Token):
        return node.end_pos
    return max(t.end_pos for t in node.scan_values(lambda v: isinstance(v, Token)))


def _start(node) -> int:
    while isinstance(node, Tree) and node.children:
        node = node.children[0]
    return node.start_pos


def read_division(builder, children, *, other: bool = False):
    """``left / right`` with ``right`` a juxtaposition: the denominator up to the first space,
    the factors after it multiplying the quotient. ``other`` reads it the other way: the
    whole juxtaposition when a space cut it, else only its first factor (left to right)."""
    left, slash, right = children
    factors = _factors(right)
    cut = next((k for k in range(1, len(factors))
                if GAP.search(builder.text, _end(factors[k - 1]), _start(factors[k]))), len(factors))
    if other:
        cut = len(factors) if cut < len(factors) else 1
    numerator = builder.conv(left)
    denominator = builder.conv(factors[0])
    for f in factors[1:cut]:
        node = builder.conv(f)
        denominator = Product(denominator, node, pos=node.pos)
    out = Div(numerator, denominator, pos=slash.start_pos)
    for f in factors[cut:]:
        node = builder.conv(f)
        out = Product(out, node, pos=node.pos)
    return out
