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

from grader.judge.symbolic.evaluate import ShapeError, evaluate

_SHAPE = re.compile(r"\b(\d+)×(\d+)\b")
_SHAPE_NAMED = re.compile(r"(\S+)×(\S+)")


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


def shape_error_text(expr, key, error: ShapeError, case) -> str:
    """``error`` (met on ``case``) said in size names, as met on the instance where the most
    of its dimensions can be named (sizes drawn 1 or drawn equal to another are ambiguous),
    with its column."""
    best = None
    for other in key.cases:
        e = error if other is case else _shape_error(expr, other.env)
        if e is None:
            continue
        said = named_message(str(e), other.env.sizes, key.size_spellings)
        score = _unnamed(said, other.env.sizes)
        if best is None or score < best[0]:
            best = (score, said, e.pos)
    return f"{best[1]} (column {best[2] + 1})"
