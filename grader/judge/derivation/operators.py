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
OPERATOR = re.compile(r"^\\[dt]?frac\s*\{\s*(?:\\partial|d)\s*\}\s*\{\s*(?:\\partial|d)\s*(?P<v>" + _BRACED + r")\}\s*"
                      r"(?:\\left\s*)?(?P<open>[\[(]|\\\{)(?P<body>.*?)(?:\\right\s*)?(?:\]|\)|\\\})$", re.S)


def operator_tree(text: str, scenario: Scenario):
    """The tree of ``\\frac{\\partial}{\\partial v} [f(v)]`` (f'(v)), or None."""
    m = OPERATOR.match(readable(text).strip())
    if not m:
        return None
    variable, body = m.group("v").strip(), m.group("body")
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
