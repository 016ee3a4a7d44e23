r"""The derivative operator applied to a function: ``\frac{\partial}{\partial z^{[0]}} [\max(0, z^{[0]})]``.

Seed 002 writes the ReLU's derivative so, then ``= \max(0, 1) = 1``. The operator applied to an
element-wise function of its variable is that function's derivative there: ``\max(0, v)`` (or
``\max(v, 0)``) is the ReLU, ``\sigma(v)``, ``\tanh(v)``... themselves. The variable is a
declared symbol, or, when the assignment declares none of that spelling, the free variable a
step is probed with (:data:`grader.judge.derivation.context.PROBE_NAME`), so the step is
compared with the function's derivative where the conventions differ (negative, 0, positive)
and a wrong one is named by the misconception catalogue (``relu-derivative-one``). Anything else
after the operator is not read.
"""
from __future__ import annotations

import re

from grader.errors import AnswerError
from grader.judge.derivation.context import PROBE_NAME, Scenario
from grader.judge.derivation.layout import readable
from grader.judge.symbolic.evaluate import DIFFERENTIABLE
from grader.parse.expression import tree as A
from grader.parse.expression.parser import parse_expression

_BRACED = r"(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*"
OPERATOR = re.compile(r"^(?P<pre>(?:(?!\\[dt]?frac\s*\{\s*(?:\\partial|d)\s*\}).)*?)\\[dt]?frac\s*\{\s*(?:\\partial|d)\s*\}\s*\{\s*(?:\\partial|d)\s*(?P<v>" + _BRACED + r")\}\s*"
                      r"(?:\\left\s*)?(?P<open>[\[(]|\\\{)(?P<body>.*?)(?:\\right\s*)?(?:\]|\)|\\\})$", re.S)

OPERATOR_ANYWHERE = re.compile(r"\\[dt]?frac\s*\{\s*(?:\\partial|d)\s*\}\s*\{")


def operator_tree(text: str, scenario: Scenario):
    """The tree of ``\\frac{\\partial}{\\partial v} [f(v)]`` (f'(v)), or None."""
    written = readable(text).strip()
    m = OPERATOR.match(written)
    if not m:
        return None
    variable, body = m.group("v").strip(), m.group("body")
    if m.group("pre").strip():  # δ^{[3]} \frac{\partial}{\partial g^{[2]}} [...]: a factor before the operator
        pre, rest = _parse(m.group("pre"), scenario), operator_tree(written[m.end("pre"):], scenario)
        return None if pre is None or rest is None else A.Product(pre, rest)
    affine = _affine(variable, body, scenario)
    if affine is not None:
        return affine
    if _parse(variable, scenario) is None:  # not declared: the probed variable, if the step has one
        probe = next((s for s, name in scenario.table.symbols.items() if name == PROBE_NAME), None)
        if probe is None:
            return None
        body, variable = body.replace(variable, f" {probe} "), probe
    var, tree = _parse(variable, scenario), _parse(body, scenario)
    if not isinstance(var, A.Sym) or not isinstance(tree, A.Call):
        return None
    args = tree.args
    if tree.fn == "max" and len(args) == 2 and A.Num(0) in (_plain(args[0]), _plain(args[1])) and var in map(_plain, args):
        return A.Derivative("relu", var)
    if len(args) == 1 and _plain(args[0]) == var and tree.fn in DIFFERENTIABLE | {"act"}:
        return A.Derivative(tree.fn, var)
    return None


def _affine(variable: str, body: str, scenario: Scenario):
    """``\\frac{\\partial}{\\partial a} [W a + b]``: the map's Jacobian ``W`` (numerator layout, as
    ``\\frac{\\partial z}{\\partial a}`` is read). The variable may be written as the function it
    is the value of (``g^{[2]}`` for ``g^{[2]}(z^{[2]})``). An undeclared one-letter ``b`` added
    to the product is that layer's bias: it does not depend on the variable, so it drops out
    (a TA reads it so; a declared bias is read as any other term without the variable)."""
    applied = re.search(re.escape(variable) + r"\s*\((?:[^()]|\([^()]*\))*\)", body)
    var = _parse(applied.group(0) if applied else variable, scenario)
    stripped = re.sub(r"\+\s*b(?:_\{[^{}]*\}|_\w|\^\{[^{}]*\})*\s*$", "", body)
    tree = _parse(body, scenario) or (_parse(stripped, scenario) if _undeclared_bias(body, stripped, scenario) else None)
    if var is None or tree is None:
        return None
    if isinstance(tree, A.Add) and var not in set(map(_plain, A.walk(tree.right))):
        tree = tree.left  # + a term without the variable (a declared bias)
    if isinstance(tree, (A.Product, A.MatMul)) and _plain(tree.right) == var \
            and var not in set(map(_plain, A.walk(tree.left))):
        return tree.left
    return None


def _undeclared_bias(body: str, stripped: str, scenario: Scenario) -> bool:
    bias = body[len(stripped):].strip().lstrip("+").strip()
    return bool(bias) and _parse(bias, scenario) is None


def _plain(node):
    """A leaf without its position (so ``z`` here equals ``z`` there)."""
    if isinstance(node, A.Sym):
        return A.Sym(node.name, node.index)
    if isinstance(node, A.Num):
        return A.Num(node.value)
    return node


def _parse(text: str, scenario: Scenario):
    try:
        return _plain(parse_expression(text, scenario.table, expect="expression").expr)
    except AnswerError:
        return None
