r"""The left-hand side of an expression answer (``\delta^{(L)} = \hat{y} - y``): read with the
question's symbol table, and reported when it names a declared quantity other than the one the
question asks for (often the sign of an answer to another question). It never changes the
verdict, which the right-hand side decides; a left-hand side the grammar cannot read
(``dL/dW``) is not judged.
"""
from __future__ import annotations

from dataclasses import replace

from grader.errors import AnswerError
from grader.parse.expression import tree as A
from grader.parse.expression.parser import parse_expression
from grader.results import Verdict

LHS_NOTE = ("the left-hand side names another quantity than this question asks for "
            "(is this the answer to another question?)")


def with_lhs_note(parsed, key, verdict: Verdict) -> Verdict:
    r"""The verdict, with a note when the answer's left-hand side (``\delta^{(L)} = ...``)
    names a declared quantity other than the one the question asks for."""
    if not parsed.lhs or not key.quantities:
        return verdict
    try:
        lhs = parse_expression(parsed.lhs, key.table, expect="expression").expr
    except AnswerError:
        return verdict  # a left-hand side the grammar does not read (dL/dW) is not judged
    if isinstance(lhs, A.Transpose):
        lhs = lhs.arg
    named = key.quantities.get(lhs.name) if isinstance(lhs, A.Sym) and not lhs.index else None
    if named is None or named == key.question.quantity:
        return verdict
    return replace(verdict, feedback=f"{verdict.feedback}; {LHS_NOTE}" if verdict.feedback else LHS_NOTE)
