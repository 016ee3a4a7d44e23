r"""Derivatives an answer may name, and their values: the one place ``\partial`` meets the graph.

* **Gradients of the loss**: ``\frac{\partial L}{\partial W^{(L-1)}}``, ``\nabla_{A^{[L]}} J``. A
  symbol bound to a quantity ``Q`` of the graph (a node such as ``W3`` or ``Z2``) has a gradient,
  ``grad Q``, which the engine computes with every key. Where the assignment already declares a
  symbol for ``grad Q`` (``\delta^{[L]}``), the derivative is that symbol; otherwise it is a
  symbol of its own, named ``grad Q``, whose value on each instance is the engine's.
* **Jacobians of one node by another**: ``\frac{\partial z^{[l+1]}}{\partial a^{[l]}}``, a
  symbol ``jacobian Y Z`` (or ``derivative Y Z``, diagonal, for an element-wise op), worked out
  by the engine on first use (:mod:`grader.judge.symbolic.jacobians`).

The parser reads both through the symbol table (:func:`derivative_symbols`), an instance's
values hold both (:func:`instance_values`), and a derivation's terms name them the same way.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from grader.judge.symbolic.jacobians import derived_values, jacobian_symbols, node_bindings


def gradient_symbols(bindings: Mapping) -> dict[str, str]:
    """Symbol → the symbol standing for its gradient, for each symbol bound to a node."""
    by_quantity = {getattr(b, "quantity", ""): name for name, b in bindings.items()}
    return {name: by_quantity.get(f"grad {node}", f"grad {node}") for name, node in node_bindings(bindings).items()}


def derivative_symbols(bindings: Mapping, assignment, scenario: str) -> dict:
    """The symbol table's ``gradients`` and ``jacobians`` for one scenario's symbols (a public
    sheet has no graph: its Jacobians are read alike, none known to be diagonal)."""
    known = getattr(assignment, "scenarios", {}).get(scenario)
    graph = assignment.graphs.get(known.network) if known is not None else None
    return {"gradients": gradient_symbols(bindings), "jacobians": jacobian_symbols(bindings, graph)}


def gradient_values(bindings: Mapping, grads: Mapping) -> dict:
    """The derived gradient symbols' values on one instance (those the graph computes)."""
    out = {}
    for grad in gradient_symbols(bindings).values():
        if grad.startswith("grad ") and grad not in bindings and grad[5:] in grads:
            out[grad] = grads[grad[5:]]
    return out


def binding_value(quantity: str, ev, batch: int) -> np.ndarray:
    """The value of a symbol bound to ``quantity`` (a node, ``grad`` a node, ``ones``)."""
    words = quantity.split()
    if words == ["ones"]:
        return np.ones((batch, 1))
    return ev.grads[words[1]] if words[0] == "grad" else ev.values[words[0]]


def instance_values(bindings: Mapping, ev, graph, *, backend, rules):
    """Every symbol's value on one instance (evaluation ``ev``): the bound ones, the derived
    gradients, and each Jacobian on lookup."""
    symbols = {name: binding_value(b.quantity, ev, ev.batch) for name, b in bindings.items()}
    return derived_values({**symbols, **gradient_values(bindings, ev.grads)}, graph, ev.values,
                          backend=backend, rules=rules)
