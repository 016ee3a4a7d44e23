r"""Terms that name a quantity rather than compute it: ``\frac{\partial L}{\partial w_{ij}^{(L-1)}}``,
``\nabla_{b^{(L-1)}} L``, ``dL/dW``, ``\bar{x}``, or a symbol bound to a gradient (``\delta^{(L)}``).

A chain whose first term names a quantity a question asks answers that question; a named
term also has a value (the engine's gradient), so the step after it can be checked. The
grammar reads ∂ and ∇ itself (gradients and Jacobians: :mod:`grader.judge.symbolic.gradients`);
this reads the loss's derivative in the spellings only write-ups use, to the same symbols.
"""
from __future__ import annotations

import re

from grader.errors import AnswerError
from grader.judge.derivation.context import Scenario
from grader.judge.derivation.layout import readable
from grader.parse.expression import tree as A
from grader.parse.expression.parser import parse_expression

_LOSS = r"(?:L|J|E|C|\\mathcal\{[LJE]\}|\\ell)"
_NAMES = (
    re.compile(r"^\\[dt]?frac\s*\{\s*(?:\\partial|d)\s*" + _LOSS + r"\s*\}\s*\{\s*(?:\\partial|d)\s*(?P<x>.+)\}$", re.S),
    re.compile(r"^\\nabla_\s*\{(?P<x>.+)\}\s*" + _LOSS + r"$", re.S),
    re.compile(r"^(?:\\partial|d)\s*" + _LOSS + r"\s*/\s*(?:\\partial|d)\s*(?P<x>.+)$", re.S),
    # the "bar" notation of reverse-mode write-ups (seed 003): \bar{W}^{(1)} is ∂L/∂W^{(1)}
    re.compile(r"^\\(?:bar|overline)\s*\{(?P<x>[^{}]+)\}(?P<rest>(?:[_^](?:\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|\w))*)$", re.S),
)


def named_quantity(text: str, scenario: Scenario) -> tuple[str, tuple[str, ...]] | None:
    r"""(quantity, free indices) the term names, or None: ``grad W_out``, ``("i", "j")``.

    A derivative of the loss by a declared symbol bound to a node names that node's gradient;
    a symbol bound to a quantity (``\delta^{(L)}`` to ``grad zt_out``) names that quantity.
    """
    found = _named(text, scenario)
    if found is None:
        return None
    node, derivative = found
    if derivative:
        quantity = scenario.quantities.get(node.name, "")
        return (f"grad {quantity}", node.index) if quantity and " " not in quantity else None
    return (scenario.quantities[node.name], node.index) if node.name in scenario.quantities else None


def named_tree(text: str, scenario: Scenario):
    r"""The term as a tree whose value is the gradient it names (None if it names none): the
    symbol the parser reads ``\frac{\partial L}{\partial W}`` as (the table's ``gradients``:
    :mod:`grader.judge.symbolic.gradients`), for the spellings only a write-up uses
    (``dL/dW``, ``\bar{x}``)."""
    found = _named(text, scenario)
    if found is None or not found[1]:
        return None
    node = found[0]
    name = scenario.table.gradients.get(node.name)
    if name is None or not scenario.envs or scenario.envs[0].symbols.get(name) is None:
        return None
    return A.Sym(name, node.index)


def _named(text: str, scenario: Scenario):
    """(the symbol, whether the term is the loss's derivative by it), or None."""
    text = readable(text)
    for pattern in _NAMES:
        m = pattern.match(text)
        if m:
            node = _symbol(m.group("x") + (m.groupdict().get("rest") or ""), scenario)
            return None if node is None else (node, True)
    node = _symbol(text, scenario)
    return None if node is None else (node, False)


_SYMBOLS: dict = {}  # (text, table id) → (the symbol it is or None, the table)


def _symbol(text: str, scenario: Scenario):
    cache_key = (text, id(scenario.table))
    hit = _SYMBOLS.get(cache_key)
    if hit is None or hit[1] is not scenario.table:
        try:
            tree = parse_expression(text, scenario.table, expect="expression").expr
        except AnswerError:
            tree = None
        if len(_SYMBOLS) > 4096:
            _SYMBOLS.clear()
        hit = _SYMBOLS[cache_key] = (tree if isinstance(tree, A.Sym) else None, scenario.table)
    return hit[0]
