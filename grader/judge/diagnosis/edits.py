"""Single edits of an answer's tree, each a candidate repair.

An :class:`Edit` is the edited tree, the subterm it changes (for its position and for quoting it
in the student's notation) and its kind, a key of :data:`KINDS` (what the repair says). The edits
come in the order of :data:`KINDS`: the commonest slips first, so the first repair that makes
the answer right is the one reported.

>>> from fractions import Fraction
>>> from grader.parse.expression import tree as A
>>> e = A.Sub(A.Sym("y"), A.Sym("yhat"))
>>> [x.kind for x in single_edits(e, {})]
['transpose', 'transpose', 'transpose', 'drop term', 'drop term', 'flip sign', 'double', 'halve']
>>> next(x.tree for x in single_edits(e, {}) if x.kind == "flip sign")
Sub(left=Sym(name='yhat', index=()), right=Sym(name='y', index=()))
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from fractions import Fraction
from typing import Iterator

from grader.parse.expression import tree as A

# kind -> what the repair says, with {term} the subterm in the student's notation
KINDS = {
    "transpose": "right if {term} were transposed",
    "untranspose": "right without the transpose of {term}",
    "drop term": "right without the term {term}",
    "flip sign": "right with the sign of {term} flipped",
    "drop factor": "right without the factor {term}",
    "double": "right with {term} doubled",
    "halve": "right with {term} halved",
    "hadamard for product": "right with an element-wise product (⊙) in {term}",
    "product for hadamard": "right with a matrix product in place of ⊙ in {term}",
    "derivative for function": "right with the derivative in place of {term}",
    "function for derivative": "right with the function itself in place of {term}",
    "swap symbol": "right with {other} in place of {term}",
}


@dataclass(frozen=True)
class Edit:
    kind: str
    tree: A.Node  # the whole answer, edited
    term: A.Node  # the student's subterm the edit changes
    other: str = ""  # swap symbol: the canonical name put in its place


_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(node) -> tuple[str, ...]:
    names = _FIELDS.get(type(node))
    if names is None:  # read once per node class: dataclasses.fields is slow
        names = _FIELDS[type(node)] = tuple(f.name for f in fields(node) if f.name != "pos")
    return names


def parents(root: A.Node) -> dict:
    """id(node) → (its parent, the field holding it, its index in a tuple field or None)."""
    out, stack = {}, [root]
    while stack:
        node = stack.pop()
        for name in _fields(node):
            value = getattr(node, name)
            if isinstance(value, A._Base):
                out[id(value)] = (node, name, None)
                stack.append(value)
            elif isinstance(value, tuple):
                for i, v in enumerate(value):
                    if isinstance(v, A._Base):
                        out[id(v)] = (node, name, i)
                        stack.append(v)
    return out


def rebuild(up: dict, target: A.Node, new: A.Node) -> A.Node:
    """The tree with the very node ``target`` replaced by ``new``: only the path from it to the
    root is rebuilt (``up``: :func:`parents` of the tree)."""
    node, built = target, new
    while id(node) in up:
        parent, name, index = up[id(node)]
        if index is None:
            built = replace(parent, **{name: built})
        else:
            value = getattr(parent, name)
            built = replace(parent, **{name: value[:index] + (built,) + value[index + 1:]})
        node = parent
    return built


def _local(node: A.Node, symbols) -> Iterator[tuple[str, A.Node, A.Node]]:
    """(kind, subterm, its replacement) for the edits made at ``node``."""
    if isinstance(node, A.Transpose):
        yield "untranspose", node, node.arg
    elif not isinstance(node, (A.Num, A.Kronecker, A.Shape, A.Size)):
        yield "transpose", node, A.Transpose(node, pos=node.pos)
    if isinstance(node, (A.Add, A.Sub)):
        yield "drop term", node.right, node.left
        yield "drop term", node.left, node.right if isinstance(node, A.Add) else A.Neg(node.right, pos=node.pos)
    if isinstance(node, A.Sub):
        yield "flip sign", node, A.Sub(node.right, node.left, pos=node.pos)
    if isinstance(node, A.Add):
        yield "flip sign", node.right, A.Sub(node.left, node.right, pos=node.pos)
    if isinstance(node, A.Neg):
        yield "flip sign", node, node.arg
    if isinstance(node, (A.Product, A.Hadamard, A.MatMul)):
        yield "drop factor", node.right, node.left
        yield "drop factor", node.left, node.right
    if isinstance(node, (A.Product, A.MatMul)):
        yield "hadamard for product", node, A.Hadamard(node.left, node.right, pos=node.pos)
    if isinstance(node, A.Hadamard):
        yield "product for hadamard", node, A.Product(node.left, node.right, pos=node.pos)
    if isinstance(node, A.Call) and len(node.args) == 1:
        yield "derivative for function", node, A.Derivative(node.fn, node.args[0], pos=node.pos)
    if isinstance(node, A.Derivative):
        yield "function for derivative", node, A.Call(node.fn, (node.arg,), pos=node.pos)
    if isinstance(node, A.Sym):
        shape = symbols.get(node.name)
        for other, its_shape in symbols.items():
            if other != node.name and its_shape == shape:
                yield "swap symbol", node, replace(node, name=other)


def single_edits(expr: A.Node, symbols: dict) -> Iterator[Edit]:
    """Every single edit of ``expr``, in the order of :data:`KINDS` (``symbols``: canonical name
    → shape, of the symbols a symbol may be swapped for: one of the same shape); doubling and
    halving are tried on the whole answer."""
    nodes = list(A.walk(expr))
    found = [(kind, term, new) for node in nodes for kind, term, new in _local(node, symbols)]
    for kind, factor in (("double", Fraction(2)), ("halve", Fraction(1, 2))):
        found.append((kind, expr, A.Product(A.Num(factor), expr, pos=expr.pos)))
    order = {k: i for i, k in enumerate(KINDS)}
    up = parents(expr)
    for kind, term, new in sorted(found, key=lambda f: order[f[0]]):  # stable: left to right in a kind
        yield Edit(kind, rebuild(up, _replaced(up, kind, term, new), new), term,
                   new.name if kind == "swap symbol" else "")


def _replaced(up: dict, kind: str, term: A.Node, new: A.Node) -> A.Node:
    """The node an edit replaces: the operator node for a dropped term or factor (its whole
    binary node becomes the kept side) or for a term whose sign flips (``a + b`` → ``a - b``),
    else the term itself."""
    if kind in ("drop term", "drop factor") or (kind == "flip sign" and isinstance(new, A.Sub)
                                                 and new.right is term):  # a + b -> a - b
        return up[id(term)][0]
    return term
