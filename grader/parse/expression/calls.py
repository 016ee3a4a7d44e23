r"""A function call read into the tree: arguments counted, numpy's operators and keywords.

* ``\max(a, b, c)`` and ``\min`` take two to eight arguments (nested: ``max(max(a, b), c)``);
  every other function takes one, except numpy's two-argument ``np.dot``/``np.matmul`` (a
  :class:`MatMul`), ``np.multiply`` (a :class:`Hadamard`) and ``np.outer``.
* ``np.sum(x)`` sums every entry, ``np.sum(x, axis=1, keepdims=True)`` each row (a column) and
  ``axis=0`` each column (a row); ``keepdims`` changes nothing here, where every value is a
  matrix. Keywords are refused on any other function.
* ``\log_2 x``, ``\log_{10}(x)``: a logarithm to a base, ``\log x / \log 2``.
"""
from __future__ import annotations

from fractions import Fraction

from lark import Tree

from grader.parse.expression.normalize import quote
from grader.parse.expression.table import ARGUMENTS
from grader.parse.expression.tree import Call, Div, Hadamard, MatMul, Num, Transpose

OPERATORS = {"matmul": MatMul, "hadamard": Hadamard}
SUM_AXES = {None: "sum", "None": "sum", "0": "sum_cols", "1": "sum_rows", "-1": "sum_rows",
            "-2": "sum_cols"}


def _plural(n: int) -> str:
    return "" if n == 1 else "s"


def call_node(b, fn, args: list):
    """The node of a call of the function token ``fn`` on parse-tree ``args`` (``b``: the
    :class:`~grader.parse.expression.build.Builder`, for errors and converting arguments)."""
    name = str(fn)
    kwargs = {}
    for a in args:
        if isinstance(a, Tree) and a.data == "kwarg":
            if name != "sum":
                raise b.error(f"{quote(b.raw(fn))} takes no keyword argument such as "
                              f"{quote(str(a.children[0]))}", a.children[0].start_pos)
            key, _, value = str(a.children[0]).partition("=")
            kwargs[key] = value
    args = [a for a in args if not (isinstance(a, Tree) and a.data == "kwarg")]
    lo, hi = ARGUMENTS.get(name, (1, 1))
    if not lo <= len(args) <= hi:
        want = str(lo) if lo == hi else f"{lo} to {hi}"
        raise b.error(f"{quote(b.raw(fn))} takes {want} argument{_plural(hi)}, got {len(args)}",
                      fn.start_pos)
    nodes = [b.conv(a) for a in args]
    pos = fn.start_pos
    if name in OPERATORS:
        return OPERATORS[name](nodes[0], nodes[1], pos=pos)
    if name == "transpose":
        return Transpose(nodes[0], pos=pos)
    if name == "sum":
        axis = kwargs.get("axis")
        if axis not in SUM_AXES:
            raise b.error(f"np.sum's axis must be 0 or 1, not {axis}", pos)
        return Call(SUM_AXES[axis], (nodes[0],), pos=pos)
    if name in ("max", "min") and len(nodes) > 2:
        node = Call(name, (nodes[0], nodes[1]), pos=pos)
        for more in nodes[2:]:
            node = Call(name, (node, more), pos=pos)
        return node
    base = getattr(getattr(fn, "unit", None), "sub", "")
    if name == "log" and base and base != "e":
        return Div(Call("log", (nodes[0],), pos=pos), Call("log", (Num(Fraction(base)),), pos=pos),
                   pos=pos)
    return Call(name, tuple(nodes), pos=pos)
