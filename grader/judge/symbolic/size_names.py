r"""Shapes in a message as the assignment names them: ``C×1``, ``C×d_{L-1}``, never the sizes
one random instance drew (``5×1``), which the student never saw.

A dimension is named by the size whose drawn value it equals on every instance it was seen
on (sizes drawn equal on one instance are told apart by the others); one that no single size
explains (``n·m``, or a size drawn equal to another on every instance) is given as its number.

>>> named_shape([(3, 1), (5, 1)], [{"C": 3, "d": 3}, {"C": 5, "d": 2}], {"C": "C", "d": "d_{L-1}"})
'C×1'
>>> named_shape([(3, 2), (5, 4)], [{"C": 3, "d": 2}, {"C": 5, "d": 4}], {"C": "C", "d": "d_{L-1}"})
'C×d_{L-1}'
>>> named_shape([(6, 1)], [{"C": 3, "d": 2}], {"C": "C", "d": "d_{L-1}"})
'6×1'
"""
from __future__ import annotations

import re

from grader.judge.symbolic.evaluate import ShapeError, evaluate, with_indices
from grader.parse.expression import tree as A

_SHAPE = re.compile(r"\b(\d+)×(\d+)\b")
_SHAPE_NAMED = re.compile(r"([^\s,;]+)×([^\s,;]+)")  # C×d_{L-1}, 3×1 (not the comma after it)


def named_shape(shapes: list, sizes: list, spellings: dict) -> str:
    """``rows×cols`` of a value seen with ``shapes`` on instances whose sizes are ``sizes``,
    each dimension spelled as its size (``spellings``: size name → the assignment's spelling)."""
    dims = []
    for d in range(2):
        if all(shape[d] == 1 for shape in shapes):
            dims.append("1")
            continue
        names = set(spellings)
        for shape, drawn in zip(shapes, sizes):
            names &= {n for n in spellings if drawn.get(n) == shape[d]}
        dims.append(spellings[names.pop()] if len(names) == 1 else str(shapes[0][d]))
    return "×".join(dims)


def shape_differs(expr, key, values: list) -> bool:
    """The answer's shape is not the key's (nor its transpose's) on some instance: ``values``
    holds its values on the first instances; the others are evaluated and appended while
    they evaluate. A shape that matches on one draw only (m = n_2 there) is not the shape."""
    for case in key.cases[len(values):]:
        try:
            values.append(evaluate(expr, case.env))
        except (ShapeError, KeyError):
            break
    return any(v.shape not in (c.key.shape, c.key.T.shape, (1, 1)) for v, c in zip(values, key.cases))


def fixed_index_text(expr, key, got, expected, case) -> str:
    """An index-notation answer whose entry is not one number, in size names: said as on the
    instance (its first entry) where the most of its dimensions can be named, since sizes
    drawn equal on one instance are told apart on another ("with the indices fixed your
    answer is C×1, expected 1×1")."""
    said = []
    for other in key.cases:
        try:
            value = got if other is case else evaluate(expr, with_indices(other.env, other.entries[0]))
        except (ShapeError, KeyError, IndexError):
            continue
        text = named_message(f"with the indices fixed your answer is {value.shape[0]}×{value.shape[1]}, "
                             f"expected {expected.shape[0]}×{expected.shape[1]}", other.env.sizes,
                             key.size_spellings)
        said.append((_numbers(text), text))
    return min(said)[1]


def shape_mismatch(expr, key, values: list) -> str:
    """"your answer is C×1, expected C×d_{L-1}": the answer's shape on the instances it was
    evaluated on (``values``) and on the rest where it evaluates, against the key's."""
    got = list(values)
    for case in key.cases[len(values):]:
        try:
            got.append(evaluate(expr, case.env))
        except (ShapeError, KeyError):
            break
    sizes = [case.env.sizes for case in key.cases]
    answer = named_shape([v.shape for v in got], sizes, key.size_spellings)
    expected = named_shape([case.key.shape for case in key.cases], sizes, key.size_spellings)
    return f"your answer is {answer}, expected {expected}"


def named_message(message: str, sizes: dict, spellings: dict) -> str:
    """A shape error of one instance (``cannot multiply a 5×3 by a 5×1 matrix``) with each
    dimension that exactly one size was drawn as spelled as that size (``C×d_{L-1}``); a
    dimension two sizes share on this instance stays a number.

    >>> named_message("cannot multiply a 5×3 by a 5×1 matrix", {"C": 5, "d": 3}, {"C": "C", "d": "d_{L-1}"})
    'cannot multiply a C×d_{L-1} by a C×1 matrix'
    >>> named_message("cannot add a 3×1 and a 2×1 matrix", {"C": 3, "d": 3}, {"C": "C", "d": "d"})
    'cannot add a 3×1 and a 2×1 matrix'
    """
    def dim(value: str) -> str:
        if value == "1":
            return value
        names = [n for n in spellings if str(sizes.get(n)) == value]
        return spellings[names[0]] if len(names) == 1 else value
    return _SHAPE.sub(lambda m: f"{dim(m.group(1))}×{dim(m.group(2))}", message)


def _unnamed(message: str, sizes: dict) -> int:
    """Dimensions of a named message still given as numbers, a 1 counting when a size was
    drawn 1 (then it may be that size)."""
    ones = 1 in sizes.values()
    return sum((d.isdigit() and (d != "1" or ones)) for m in _SHAPE_NAMED.finditer(message) for d in m.groups())


def _shape_error(expr, env) -> ShapeError | None:
    try:
        evaluate(expr, env)
    except ShapeError as e:
        return e
    except KeyError:
        return None
    return None


def named_across(messages: list, spellings: dict) -> str | None:
    """One shape error as met on several instances (``messages``: (drawn sizes, message) each,
    the first the one to word), each dimension named by the size it equals on every instance:
    where sizes are drawn from small ranges, two of them often share a value on one instance,
    but rarely on all. None when the messages do not have the same form.

    >>> named_across([({"k": 1, "m": 3}, "cannot add a 1×3 and a 2×3 matrix"),
    ...               ({"k": 2, "m": 4}, "cannot add a 2×4 and a 2×4 matrix")], {"k": "k", "m": "m"})
    'cannot add a k×m and a 2×m matrix'
    """
    form = _SHAPE.sub("#×#", messages[0][1])
    seen = [(sizes, [int(d) for m in _SHAPE.finditer(text) for d in m.groups()])
            for sizes, text in messages if _SHAPE.sub("#×#", text) == form]
    if not seen:
        return None
    words = []
    for slot, value in enumerate(seen[0][1]):
        values = [dims[slot] for _, dims in seen]
        names = [n for n in spellings if all(sizes.get(n) == v for (sizes, _), v in zip(seen, values))]
        words.append("1" if all(v == 1 for v in values) else spellings[names[0]] if len(names) == 1
                     else str(value))
    pieces = iter(words)
    return _SHAPE.sub(lambda m: f"{next(pieces)}×{next(pieces)}", messages[0][1])


def _binary_at(expr, error: ShapeError, env):
    """The binary node whose operands made ``error`` on ``env`` (several may share its offset:
    a juxtaposition is placed at its right operand), with their values there."""
    for node in A.walk(expr):
        if node.pos != error.pos or not hasattr(node, "left"):
            continue
        try:
            left, right = evaluate(node.left, env), evaluate(node.right, env)
        except (ShapeError, KeyError):
            continue
        shapes = [f"{v.shape[0]}×{v.shape[1]}" for v in (left, right)]
        if [m.group() for m in _SHAPE.finditer(str(error))] == shapes:
            return node
    return None


def named_operands(expr, key, error: ShapeError, case) -> str | None:
    """``error`` with both operands' shapes named from their shapes on every instance (an
    operand usually evaluates where the operation fails on one draw only): sizes that two
    draws share on the instances where the error is met are told apart by the others. None
    when the error is not about two operands' shapes."""
    node = _binary_at(expr, error, case.env)
    if node is None:
        return None
    shapes, sizes = ([], []), []
    for other in key.cases:
        try:
            values = evaluate(node.left, other.env), evaluate(node.right, other.env)
        except (ShapeError, KeyError):
            continue
        sizes.append(other.env.sizes)
        for side, value in zip(shapes, values):
            side.append(value.shape)
    names = iter(named_shape(side, sizes, key.size_spellings) for side in shapes)
    return _SHAPE.sub(lambda m: next(names), str(error), count=2)


def shape_error_text(expr, key, error: ShapeError, case) -> str:
    """``error`` (met on ``case``) said in size names: each dimension named by the size it
    equals on every instance the same error is met on (:func:`named_across`), or as met on
    the instance where the most of its dimensions can be named, whichever names more; with
    its column."""
    best, met = None, []
    for other in key.cases:
        e = error if other is case else _shape_error(expr, other.env)
        if e is None:
            continue
        if e.pos == error.pos:
            met.append((other.env.sizes, str(e)))
        said = named_message(str(e), other.env.sizes, key.size_spellings)
        score = _unnamed(said, other.env.sizes)
        if best is None or score < best[0]:
            best = (score, said, e.pos)
    if (operands := named_operands(expr, key, error, case)) is not None:
        return f"{operands} (column {error.pos + 1})"
    met.sort(key=lambda m: m[1] != str(error))  # the error's own wording first
    across = named_across(met, key.size_spellings) if met else None
    if across is not None and _numbers(across) <= _numbers(best[1]):
        return f"{across} (column {error.pos + 1})"
    return f"{best[1]} (column {best[2] + 1})"


def _numbers(message: str) -> int:
    """Dimensions still given as numbers."""
    return sum(d.isdigit() for m in _SHAPE_NAMED.finditer(message) for d in m.groups())
