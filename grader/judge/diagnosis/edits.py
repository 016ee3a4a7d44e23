"""Single edits of an answer's tree, each a candidate repair.

An :class:`Edit` is the edited tree, the subterm it changes (for its position and for quoting it
in the student's notation) and its kind, a key of :data:`KINDS` (what the repair says). The edits
come in the order of :data:`KINDS`: the commonest slips first, so the first repair that makes
the answer right is the one reported.

>>> from fractions import Fraction
>>> from grader.parse.expression import tree as A
>>> e = A.Sub(A.Sym("y"), A.Sym("yhat"))
>>> [x.kind for x in single_edits(e, ())]
['transpose', 'transpose', 'transpose', 'drop term', 'drop term', 'flip sign', 'double', 'halve']
>>> next(x.tree for x in single_edits(e, ()) if x.kind == "flip sign")
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


def rebuild(root: A.Node, target: A.Node, new: A.Node) -> A.Node:
    """``root`` with the very node ``target`` (by identity) replaced by ``new``."""
    if root is target:
        return new
    changes = {}
    for f in fields(root):
        if f.name == "pos":
            continue
        value = getattr(root, f.name)
        if isinstance(value, A._Base):
            built = rebuild(value, target, new)
            if built is not value:
                changes[f.name] = built
        elif isinstance(value, tuple) and any(isinstance(v, A._Base) for v in value):
            built = tuple(rebuild(v, target, new) if isinstance(v, A._Base) else v for v in value)
            if any(b is not v for b, v in zip(built, value)):
                changes[f.name] = built
    return replace(root, **changes) if changes else root


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
        for other in symbols:
            if other != node.name:
                yield "swap symbol", node, replace(node, name=other)


def single_edits(expr: A.Node, symbols) -> Iterator[Edit]:
    """Every single edit of ``expr``, in the order of :data:`KINDS` (``symbols``: the canonical
    names a symbol may be swapped for); doubling and halving are tried on the whole answer."""
    nodes = list(A.walk(expr))
    found = [(kind, term, new) for node in nodes for kind, term, new in _local(node, symbols)]
    for kind, factor in (("double", Fraction(2)), ("halve", Fraction(1, 2))):
        found.append((kind, expr, A.Product(A.Num(factor), expr, pos=expr.pos)))
    order = {k: i for i, k in enumerate(KINDS)}
    for kind, term, new in sorted(found, key=lambda f: order[f[0]]):  # stable: left to right in a kind
        yield Edit(kind, rebuild(expr, _replaced(expr, kind, term, new), new), term,
                   new.name if kind == "swap symbol" else "")


def _replaced(expr: A.Node, kind: str, term: A.Node, new: A.Node) -> A.Node:
    """The node an edit replaces: the operator node for a dropped term or factor (its whole
    binary node becomes the kept side), else the term itself."""
    if kind in ("drop term", "drop factor"):
        for node in A.walk(expr):
            if isinstance(node, A._Binary) and (node.left is term or node.right is term):
                return node
    if kind == "flip sign" and isinstance(new, A.Sub) and not isinstance(term, A.Sub):
        for node in A.walk(expr):
            if isinstance(node, A.Add) and node.right is term:
                return node
    return term
