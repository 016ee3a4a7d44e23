"""A wrong expression whose shape is wrong on some instance: its verdict is "wrong shape".

The symbolic judge stops at the first instance that differs from the key; on an instance whose
sizes happen to coincide (``W δ`` where W is square there) a product of the wrong shape has a
value, and the answer reads as merely "wrong". A TA reads the shapes in the size symbols: an
answer that cannot be computed on some instance, or has another shape than the key there, has
the wrong shape.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from grader.judge.compare import shape_text
from grader.judge.symbolic.equivalence import ExpressionKey, free_indices
from grader.judge.symbolic.evaluate import DomainError, ShapeError, evaluate
from grader.parse.expression.parser import Parsed
from grader.results import SHAPE, WRONG, Verdict


def shape_problem(parsed: Parsed, key: ExpressionKey) -> str | None:
    """What is wrong with the answer's shape on the first instance where it is wrong, or None
    (index-notation and entry-wise answers are checked entry by entry: never here)."""
    if key.question.indices or free_indices(parsed.expr):
        return None
    with np.errstate(all="ignore"):
        for case in key.cases:
            try:
                got = evaluate(parsed.expr, case.env)
            except DomainError:
                continue
            except ShapeError as e:
                return f"{e} (column {e.pos + 1})"
            except (KeyError, ValueError, ArithmeticError):
                return None
            if got.shape not in (case.key.shape, case.key.T.shape, (1, 1)):
                return f"your answer is {shape_text(got.shape)}, expected {shape_text(case.key.shape)}"
    return None


def with_shape(verdict: Verdict, parsed: Parsed, key: ExpressionKey) -> Verdict:
    """A "wrong" verdict made "wrong shape" when the answer's shape is wrong on some instance."""
    if verdict.outcome != WRONG:
        return verdict
    problem = shape_problem(parsed, key)
    if problem is None:
        return verdict
    rest = verdict.feedback.partition(". [")[2] if verdict.flags else ""
    return replace(verdict, outcome=SHAPE, feedback=f"{problem}. [{rest}" if rest else problem)
