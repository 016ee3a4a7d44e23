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

from grader.judge.symbolic.evaluate import ShapeError, evaluate


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
