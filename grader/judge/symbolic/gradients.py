r"""Gradients an answer may name: ``\frac{\partial L}{\partial W^{(L-1)}}``, ``\nabla_{A^{[L]}} J``.

A symbol bound to a quantity ``Q`` of the graph (a node such as ``W3`` or ``Z2``) has a
gradient, ``grad Q``, which the engine computes with every key. Where the assignment already
declares a symbol for ``grad Q`` (``\delta^{[L]}``), the derivative is that symbol; otherwise it
is a symbol of its own, named ``grad Q``, whose value on each instance is the engine's.
"""
from __future__ import annotations

from typing import Mapping


def gradient_symbols(bindings: Mapping) -> dict[str, str]:
    """Symbol → the symbol standing for its gradient, for each symbol bound to a node."""
    by_quantity = {getattr(b, "quantity", ""): name for name, b in bindings.items()}
    out = {}
    for name, b in bindings.items():
        words = getattr(b, "quantity", "").split()
        if len(words) == 1 and words[0] != "ones":
            out[name] = by_quantity.get(f"grad {words[0]}", f"grad {words[0]}")
    return out


def gradient_values(bindings: Mapping, grads: Mapping) -> dict:
    """The derived gradient symbols' values on one instance (those the graph computes)."""
    out = {}
    for grad in gradient_symbols(bindings).values():
        if grad.startswith("grad ") and grad not in bindings and grad[5:] in grads:
            out[grad] = grads[grad[5:]]
    return out
