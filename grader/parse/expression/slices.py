r"""Parts of a matrix, as students write them: one example of a batch, a column or row, one entry.

* **Examples**: ``\delta^{[L](i)}``, ``\delta^{(L)(i)}``, ``\delta^{[l]\{i\}}``, ``a^{[L-1](i)T}``:
  a second bracketed superscript after the layer tag is the example (column i of a batch
  quantity, whose columns are the examples). A lone ``^{(L)}`` stays a layer tag; a lone
  ``^{(i)}`` is an example only when the name with it is not declared, the name without it is,
  and ``i`` is an index (declared, or bound by a sum, as in
  ``\frac{1}{m}\sum_{i=1}^m (\hat{y}^{(i)} - y^{(i)})``) or the examples' usual ``i``/``n``.
* **Slices**: ``\delta_{:,i}``, ``A_{i,:}`` in LaTeX, ``A[:, i]``, ``delta[i, :]`` in numpy's
  spelling (the same SLICE token, so one grammar): column i is n×1 and row i is 1×n, as on
  paper (numpy's 1-D result is what the student means by a column). A number is a 1-based
  position in LaTeX (``\delta_{:,1}``, ``\delta^{[L](1)}``: the first example); numpy's
  0-based ``A[:, 1]`` is refused rather than guessed.
* **Two indices on a bracket**: ``[A]_{ij}``, ``(\delta a^T)_{ij}``, ``[\delta a^T]_{i,j}``,
  numpy's ``(d @ a.T)[i, j]``: entry (i, j), checked entry-wise as ``\delta_i a_j`` is.

An index is 1-based on paper and bound by a sum (``\sum_{i=1}^{m}`` runs over the examples);
a slice whose index no sum binds makes the answer its value slice by slice
(:class:`~grader.parse.expression.tree.Stack`): ``\hat{y}^{(i)} - y^{(i)}`` is the matrix
whose column i is that, for every example i.
"""
from __future__ import annotations

import re

from grader.parse.expression import tree as A
from grader.parse.expression.normalize import NameUnit
from grader.parse.expression.table import split_indices, symbol_of

_INDEX = r"[A-Za-z]'*"
#: ``_{:,i}``, ``_{i,:}``, ``_{:, i}`` (LaTeX)
_PAPER = rf"{_INDEX}|[1-9][0-9]{{0,3}}"  # an index, or a 1-based position as on paper
SUBSCRIPT = re.compile(rf"_\s*\{{\s*(?::\s*,\s*(?P<col>{_PAPER})|(?P<row>{_PAPER})\s*,\s*:)\s*\}}")
#: ``[:, i]``, ``[i, :]`` (numpy)
NUMPY = re.compile(rf"\[\s*(?::\s*,\s*(?P<col>{_INDEX})|(?P<row>{_INDEX})\s*,\s*:)\s*\]")
#: ``_{ij}``, ``_{i,j}``, ``_{i j}`` after a bracket; ``[i, j]`` after an operand
TWO = re.compile(rf"_\s*\{{\s*(?P<i>{_INDEX})\s*,?\s*(?P<j>{_INDEX})\s*\}}")
NUMPY_TWO = re.compile(rf"\[\s*(?P<i>{_INDEX})\s*,\s*(?P<j>{_INDEX})\s*\]")
#: a lone ``^{(i)}``, ``^{(n)}`` is an example (as in ``x^{(i)}``), as is one by an index
EXAMPLE_LETTERS = frozenset({"i", "n"})
OTHER_SLICE = re.compile(r"\[[^\[\]]*:")  # A[:, 1], A[0:2, :]: a slice not read (refused with a word)
OPERAND_END = ("NAME", "_RPAR", "_RSQB", "TRANSPOSE", "SLICE", "SUBSCRIPT")


def _emit_slice(lx, m: re.Match, i: int) -> int:
    axis, index = (1, m.group("col")) if m.group("col") else (0, m.group("row"))
    lx.emit("SLICE", f"{axis}:{index}", i, m.end())
    return m.end()


def _emit_entry(lx, m: re.Match, i: int) -> int:
    """Two indices: declared ones as the table splits them (``kk'``), else the two letters."""
    got = split_indices(m.group("i") + "," + m.group("j"), lx.table.indices) or (m.group("i"), m.group("j"))
    lx.emit("SUBSCRIPT", ",".join(got), i, m.end())
    return m.end()


def read_subscript(lx, i: int) -> int | None:
    """``_`` at ``i`` after an operand: a slice ``_{:,i}``, or two indices ``_{ij}`` after a
    bracket; None when it is neither (the caller reads it as before)."""
    if lx.prev() not in OPERAND_END:
        return None
    if m := SUBSCRIPT.match(lx.text, i):
        return _emit_slice(lx, m, i)
    if lx.prev() in ("_RPAR", "_RSQB") and (m := TWO.match(lx.text, i)):
        return _emit_entry(lx, m, i)
    return None


def read_bracket(lx, i: int) -> int:
    """``[`` at ``i``: numpy's ``A[:, i]``, ``A[i, :]``, ``A[i, j]`` right after an operand, or
    an opening bracket."""
    if lx.prev() in OPERAND_END:
        if m := NUMPY.match(lx.text, i):
            return _emit_slice(lx, m, i)
        if m := NUMPY_TWO.match(lx.text, i):
            return _emit_entry(lx, m, i)
        if OTHER_SLICE.match(lx.text, i):
            raise lx.error("a slice takes an index letter, as in A[:, i] (column i) or A[i, :] (row i): "
                           "a numpy position such as A[:, 1] or a range A[0:2, :] is not read", i)
    lx.emit("_LSQB", "[", i, i + 1)
    return i + 1


def split_example(unit: NameUnit, resolved, table):
    """(unit, what it resolves to, example) for a name read by the lexer, ``example`` being
    () or (index, the entry indices its subscript picks of that example):
    ``\\delta^{[L](i)}`` is ``\\delta^{[L]}`` and example i; ``\\delta_j^{[L](i)}`` entry j of
    example i; ``\\hat{y}^{(i)}`` is ``\\hat{y}`` and example i when ``i`` is an index and
    ``\\hat{y}^{(i)}`` is not declared itself; ``y_i`` (``_n``) is ``y`` and example i where the
    assignment declares no index at all."""
    if unit.example:
        index, tag = unit.example, unit.tag
    elif resolved is None and (unit.tag in table.indices or unit.tag in EXAMPLE_LETTERS):
        index, tag = unit.tag, ""
    elif resolved is None and table.indices <= table.bound and unit.sub in EXAMPLE_LETTERS:
        # y_i where the assignment declares no entry index: example i (seed 002 writes
        # \sum_{i=1}^m (y_i - z_i^{[L]})^2, i running over the batch), when y is declared
        bare = NameUnit(unit.start, unit.end, unit.base, "", unit.tag, unit.trail)
        found = symbol_of(bare, table)
        return (bare, found, (unit.sub, ())) if isinstance(found, A.Sym) else (unit, resolved, ())
    else:
        return unit, resolved, ()
    bare = NameUnit(unit.start, unit.end, unit.base, unit.sub, tag, unit.trail)
    found = symbol_of(bare, table)
    if isinstance(found, A.Sym) and found.index:  # y_k^{(i)}: entry k of example i (the example first)
        whole = NameUnit(unit.start, unit.end, unit.base, "", tag, unit.trail)
        return bare, symbol_of(whole, table), (index, found.index)
    if found is None and not unit.example:
        return unit, resolved, ()
    return bare, found, (index, ())


def emit_example(lx, unit: NameUnit, example: tuple, resolved) -> None:
    """The SLICE token of an example superscript, right after its name, and the SUBSCRIPT of
    the entry its subscript picks of that example."""
    index, entry = example
    lx.emit("SLICE", f"1:{index}", unit.start, unit.end)
    if entry:
        lx.emit("SUBSCRIPT", ",".join(entry), unit.start, unit.end)


def slice_node(arg: A.Node, tok) -> A.Slice:
    axis, index = str(tok).split(":")
    return A.Slice(arg, int(axis), index, pos=tok.start_pos)


def entry_node(arg: A.Node, tok) -> A.Entry:
    index, _, col = str(tok).partition(",")
    return A.Entry(arg, index, col, pos=tok.start_pos)


def bind_free(node: A.Node, error) -> A.Node:
    """``node`` as its value slice by slice (:class:`~grader.parse.expression.tree.Stack`) for
    the slice index no enclosing sum binds, if any; ``error(message, pos)`` for two such."""
    free: dict = {}
    stack = [(node, frozenset())]
    while stack:  # iterative, scoped: \sum_i d^{(i)} + d^{(i)} leaves the second i free
        n, bound = stack.pop()
        if type(n) is A.Sum:
            bound = bound | {n.index}
        elif type(n) is A.Slice and n.index not in bound and not n.index.isdigit():
            free.setdefault((n.index, n.axis), n.pos)
        stack.extend((c, bound) for c in A.children(n))
    if not free:
        return node
    if len(free) > 1:
        raise error("an answer may leave one slice index free (one example i, or one column); "
                    "bind the others by a sum", sorted(free.values())[1])
    ((index, axis),) = free
    return A.Stack(index, axis, node, pos=node.pos)
