r"""The layout rule for chain-rule products of Jacobians, as a TA reads them.

Students write the chain rule in **numerator layout**: ``\frac{\partial J}{\partial z^{[3]}}
\frac{\partial z^{[3]}}{\partial a^{[2]}}``, ``\bar{z}_2 \frac{\partial z_2}{\partial h}``, where
the loss's gradient is a row and the Jacobian ∂z/∂a has a row per entry of z. The grader's
gradients are columns (the shape of their quantity), so such a product does not fit, or fits
as the transpose of the gradient it means.

The rule: a side of a step that holds a Jacobian (a node-by-node ``\partial``) may also be read in
numerator layout: every gradient of the loss in it (``\frac{\partial J}{\partial z}``,
``\delta^{[l]}``, ``\bar{h}``) is a row (transposed) and the side's value is transposed back, so
it is compared with the column gradient (``\bar{h} = \bar{z}_2 \frac{\partial z_2}{\partial h}``
holds as ``\bar{h} = (\bar{z}_2^T W_2)^T``). A step holds when it holds read as written
(denominator layout, ``(\frac{\partial z}{\partial a})^T \delta``) or so; a product that fits in
neither layout (the transpose missing, the factors in the wrong order) still does not hold.
"""
from __future__ import annotations

from dataclasses import fields, is_dataclass, replace

from grader.parse.expression import tree as A
from grader.parse.expression.notation import DIAGONAL

JACOBIAN_PREFIXES = ("jacobian ", DIAGONAL)


def has_jacobian(tree) -> bool:
    """Whether the tree names a node-by-node derivative."""
    return any(isinstance(n, A.Sym) and n.name.startswith(JACOBIAN_PREFIXES) for n in A.walk(tree))


def numerator_layout(tree, is_gradient):
    """The side read in numerator layout: each gradient symbol (``is_gradient(name)``) a row,
    the whole transposed back to a column."""
    return A.Transpose(_rows(tree, is_gradient), pos=getattr(tree, "pos", 0))


def _rows(node, is_gradient):
    if isinstance(node, A.Sym):
        return A.Transpose(node, pos=node.pos) if is_gradient(node.name) else node
    if not is_dataclass(node):
        return node
    changed = {}
    for f in fields(node):
        value = getattr(node, f.name)
        if is_dataclass(value) and not isinstance(value, type):
            changed[f.name] = _rows(value, is_gradient)
        elif isinstance(value, tuple) and value and all(is_dataclass(v) for v in value):
            changed[f.name] = tuple(_rows(v, is_gradient) for v in value)
    return replace(node, **changed) if changed else node


def layouts(left, right, is_gradient) -> list[tuple[object, object]]:
    r"""The (left, right) readings of a step to try: as written first, then, when a side holds a
    Jacobian, each side in numerator layout (the step's other side may continue in that layout:
    ``\frac{\partial J}{\partial z} \frac{\partial z}{\partial a} = \delta W``, δᵀW written δW)."""
    if not (has_jacobian(left) or has_jacobian(right)):
        return [(left, right)]
    lefts = [left, numerator_layout(left, is_gradient)]
    rights = [right, numerator_layout(right, is_gradient)]
    return [(a, b) for a in lefts for b in rights]
