r"""The typed tree of a symbolic answer: what :func:`grader.parse.expression.parser.parse_expression`
returns for plain text (``W.T @ d * relu'(z)``) and LaTeX (``\delta^{(L)} (z^{(L-1)})^T``) alike.

Every node is a frozen dataclass with ``pos``, the 0-based offset into the original answer text
of the token that made it (the operator of a binary node, the function of a call), so later
stages can point at the right column. ``pos`` is ignored by ``==``: two answers that spell the
same tree compare equal wherever they were typed.

The meaning of :class:`Product` (scalar, matrix or outer product) is left to the shape checker;
only ``@`` is a :class:`MatMul` for certain.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from fractions import Fraction
from typing import Iterator, Union


@dataclass(frozen=True)
class _Base:
    pos: int = field(default=0, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class Num(_Base):
    value: Fraction


@dataclass(frozen=True)
class Sym(_Base):
    """A declared symbol: ``name`` is canonical; ``index`` holds free indices such as ("i", "j")."""

    name: str
    index: tuple[str, ...] = ()


@dataclass(frozen=True)
class Size(_Base):
    """A size symbol (``C``, ``d_{L-1}``) in a shape or a size polynomial such as ``d^2 + d``."""

    name: str


@dataclass(frozen=True)
class Neg(_Base):
    arg: "Node"


@dataclass(frozen=True)
class _Binary(_Base):
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Add(_Binary):
    pass


@dataclass(frozen=True)
class Sub(_Binary):
    pass


@dataclass(frozen=True)
class Product(_Binary):
    """Juxtaposition, ``*``, ``\\cdot``, ``\\times``: scalar, matrix or outer product by shape."""


@dataclass(frozen=True)
class MatMul(_Binary):
    """``@`` only."""


@dataclass(frozen=True)
class Hadamard(_Binary):
    """``\\odot``, ``\\circ``, ``⊙``, ``∘``, ``.*``."""


@dataclass(frozen=True)
class Div(_Binary):
    """``/`` and ``\\frac``."""


@dataclass(frozen=True)
class Pow(_Base):
    base: "Node"
    exponent: int


@dataclass(frozen=True)
class Transpose(_Base):
    arg: "Node"


@dataclass(frozen=True)
class Call(_Base):
    fn: str  # canonical: sigmoid, tanh, relu, exp, log, softmax, max, act, ...
    args: tuple["Node", ...]


@dataclass(frozen=True)
class Derivative(_Base):
    """``g'(z)``: the derivative of the element-wise function ``fn`` evaluated at ``arg``."""

    fn: str
    arg: "Node"


@dataclass(frozen=True)
class Indicator(_Base):
    """``1{left op right}`` with ``op`` one of ``>``, ``>=``, ``<``, ``<=``, ``!=``."""

    op: str
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Sum(_Base):
    """``\\sum_index body``: over the index's whole range, or from ``lo`` (1-based, as written)
    to ``hi`` (a whole number or a size's canonical name) where the answer gives bounds."""

    index: str
    body: "Node"
    lo: int | None = None
    hi: int | str | None = None


@dataclass(frozen=True)
class Ones(_Base):
    """``\\mathbf{1}``: the vector of ones, ``size`` long (a size's canonical name), or as long
    as the product it stands in needs when ``size`` is empty."""

    size: str = ""


@dataclass(frozen=True)
class Cases(_Base):
    """``\\begin{cases} v_1 & c_1 \\\\ ... \\\\ v & \\text{otherwise} \\end{cases}``, entry by
    entry: the first condition that holds picks its value (``conds`` are Indicators)."""

    conds: tuple["Node", ...]
    values: tuple["Node", ...]
    default: "Node | None" = None


@dataclass(frozen=True)
class Entry(_Base):
    """Entry ``index`` of a bracketed value: ``[(W^{(L-1)})^T \\delta^{(L)}]_i``; with ``col``,
    entry (index, col) of a matrix: ``[\\delta a^T]_{ij}``."""
    arg: Node
    index: str
    col: str = ""

    @property
    def indices(self) -> tuple[str, ...]:
        return (self.index, self.col) if self.col else (self.index,)


@dataclass(frozen=True)
class Slice(_Base):
    """Column ``index`` (``axis`` 1) or row ``index`` (``axis`` 0) of a matrix: ``\\delta_{:,i}``,
    ``A[:, i]``, ``A_{i,:}``, and example i of a batch quantity, ``\\delta^{[L](i)}``. A column
    is n×1, a row 1×n."""

    arg: Node
    axis: int
    index: str


@dataclass(frozen=True)
class Stack(_Base):
    """``body`` for each value of ``index`` side by side (``axis`` 1: columns) or stacked (0:
    rows): an answer that leaves a slice's index free, ``\\hat{y}^{(i)} - y^{(i)}``, is
    its value example by example."""

    index: str
    axis: int
    body: Node


@dataclass(frozen=True)
class Kronecker(_Base):
    i: str
    j: str


@dataclass(frozen=True)
class Shape(_Base):
    """``C x d``, ``\\mathbb{R}^{C \\times d}``; ``\\mathbb{R}^d`` keeps its one dimension."""

    dims: tuple["Node", ...]


Node = Union[Num, Sym, Size, Neg, Add, Sub, Product, MatMul, Hadamard, Div, Pow, Transpose, Entry,
             Call, Derivative, Indicator, Sum, Kronecker, Shape, Ones, Cases, Slice, Stack]


_NODE_FIELDS: dict[type, tuple[str, ...]] = {}
_PLAIN = {"str", "int", "Fraction", "tuple[str, ...]"}  # field types that never hold a node


def _node_fields(cls: type) -> tuple[str, ...]:
    """The fields of a node class that may hold sub-nodes, read once per class:
    ``dataclasses.fields`` is too slow to call on every node of every answer, and most nodes
    (Num, Sym, Size) have none."""
    names = _NODE_FIELDS.get(cls)
    if names is None:
        names = _NODE_FIELDS[cls] = tuple(f.name for f in fields(cls)
                                          if f.name != "pos" and str(f.type) not in _PLAIN)
    return names


def node_fields(cls: type) -> tuple[str, ...]:
    """The names of the fields of a node class that may hold sub-nodes (``left``, ``args``)."""
    return _NODE_FIELDS.get(cls) or _node_fields(cls)


def is_node(value) -> bool:
    return isinstance(value, _Base)


def _children(node: Node) -> list[Node]:
    names = _NODE_FIELDS.get(type(node))
    if names is None:
        names = _node_fields(type(node))
    if not names:
        return []
    out = []
    for name in names:
        value = getattr(node, name)
        if isinstance(value, _Base):
            out.append(value)
        elif isinstance(value, tuple):
            out.extend(v for v in value if isinstance(v, _Base))
    return out


def children(node: Node) -> Iterator[Node]:
    """The direct sub-nodes of ``node``, left to right."""
    return iter(_children(node))


def walk(node: Node) -> Iterator[Node]:
    """Every node, pre-order, without recursion (safe on any tree the parser lets through)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        kids = _children(n)
        if kids:
            kids.reverse()
            stack.extend(kids)


def count_nodes(node: Node) -> int:
    return sum(1 for _ in walk(node))
