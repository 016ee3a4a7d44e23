"""The smallest repair of a wrong expression answer, and the diagnosis it gives.

:func:`smallest_repair` tries the single edits of the student's own tree (:mod:`.edits`) in
order and returns the first that makes the answer equal to the key on every instance (the
symbolic judge's own instances and tolerance); :func:`diagnosed` adds it to the verdict: a
catalogue id where the repair is a catalogue error (:data:`CATALOGUE_IDS`), and in every case
the repair in the student's notation, pointing at the subterm's column. The search is bounded
by :data:`MAX_EDITS` candidate trees per answer, a count (not a clock), so a verdict is the
same on every run and machine.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from grader.course.misconceptions import advice, words_of
from grader.judge.compare import flagged
from grader.judge.diagnosis.edits import KINDS, Edit, single_edits
from grader.judge.diagnosis.notation import in_their_words
from grader.judge.diagnosis.roles import Roles, question_roles
from grader.judge.diagnosis.shapes import with_shape
from grader.judge.symbolic.equivalence import ExpressionKey, compare_expression, free_indices
from grader.judge.symbolic.evaluate import ShapeError, evaluate
from grader.parse.expression import tree as A
from grader.parse.expression.parser import Parsed
from grader.results import CORRECT, SHAPE, WRONG, Verdict

MAX_EDITS = 300  # candidate repairs tried per answer (bench/bench_diagnosis.py measures the cost)


def _symbols_in(node: A.Node) -> set[str]:
    return {n.name for n in A.walk(node) if isinstance(n, A.Sym)}


def _stray_bias(edit: Edit, roles: Roles) -> bool:
    return isinstance(edit.term, A.Sym) and edit.term.name in roles.biases


def _loss_sign(edit: Edit, roles: Roles) -> bool:
    inside = _symbols_in(edit.term)
    return bool(inside & roles.predictions and inside & roles.targets)


def _z_for_a(edit: Edit, roles: Roles) -> bool:
    return isinstance(edit.term, A.Sym) and (roles.activation_of or {}).get(edit.term.name) == edit.other


def _other_layer(edit: Edit, roles: Roles) -> bool:
    return isinstance(edit.term, A.Sym) and edit.term.name in roles.layer_values and edit.other in roles.layer_values


# repair kind -> (catalogue id, when it is that error): the one place repairs meet the catalogue
CATALOGUE_IDS = {
    "transpose": (("missing-transpose", lambda e, r: True),),
    "drop term": (("stray-bias", _stray_bias),),
    "flip sign": (("loss-gradient-sign", _loss_sign),),
    "halve": (("missing-half", lambda e, r: r.loss_op == "sse"),),
    "derivative for function": (("relu-derivative-is-relu", lambda e, r: getattr(e.term, "fn", "") == "relu"),),
    "swap symbol": (("preactivation-for-activation", _z_for_a), ("wrong-layer-input", _other_layer)),
}


@dataclass(frozen=True)
class Repair:
    edit: Edit
    id: str | None  # the catalogue error it is, if any
    text: str  # what the repair says, in the student's notation, with the column


def _right(expr: A.Node, parsed: Parsed, key: ExpressionKey, entry_wise: bool) -> bool:
    """Whether ``expr`` equals the key on every instance (index-notation and entry-wise
    answers, ``entry_wise``, by the judge's own entry checks)."""
    if entry_wise:
        return compare_expression(Parsed(expr, parsed.lhs, parsed.text), key).outcome == CORRECT
    for case in key.cases:
        try:
            got = evaluate(expr, case.env)
        except (ShapeError, KeyError, ValueError, ArithmeticError):
            return False
        if not case.target.close(got):
            return False
    return True


def catalogue_id(edit: Edit, roles: Roles) -> str | None:
    """The catalogue error a repair undoes, if it is one."""
    return next((mid for mid, applies in CATALOGUE_IDS.get(edit.kind, ()) if applies(edit, roles)), None)


def smallest_repair(parsed: Parsed, key: ExpressionKey, roles: Roles, *, budget: int = MAX_EDITS) -> Repair | None:
    """The first single edit (in :data:`~.edits.KINDS` order) that makes the answer right, or
    None within ``budget`` candidates."""
    entry_wise = bool(key.question.indices or free_indices(parsed.expr))  # an edit keeps the indices
    with np.errstate(all="ignore"):
        first = key.cases[0].env.symbols
        shapes = {name: first[name].shape for name in roles.symbols if name in first}
        for n, edit in enumerate(single_edits(parsed.expr, shapes)):
            if n >= budget:
                return None
            if _right(edit.tree, parsed, key, entry_wise):
                term = f"`{in_their_words(edit.term, parsed.text)}`"
                other = f"`{(roles.spellings or {}).get(edit.other, edit.other)}`"
                start = min(n.pos for n in A.walk(edit.term))  # where the subterm begins in the text
                said = KINDS[edit.kind].format(term=term, other=other) + f" (column {start + 1})"
                return Repair(edit, catalogue_id(edit, roles), said)
    return None


_ROLES: dict = {}


def _roles(assignment, key: ExpressionKey) -> Roles:
    ident = (assignment.path, assignment.id, key.question.id)
    if ident not in _ROLES:
        _ROLES[ident] = question_roles(assignment, key.question)
    return _ROLES[ident]


def _identifiable(mid: str, parsed: Parsed, roles: Roles) -> bool:
    """Whether an answer can hold a variant's error at all: the loss gradient's sign only in
    an answer that writes prediction and target itself (a sign slip in a δ recursion written
    with the symbol δ is a slip, not ``y − ŷ``)."""
    if mid.partition("@")[0] != "loss-gradient-sign":
        return True
    inside = _symbols_in(parsed.expr)
    return bool(inside & roles.predictions and inside & roles.targets)


def _in_their_words(verdict: Verdict, assignment, scenario: str, question=None) -> Verdict:
    """A flagged verdict's advice in the assignment's words (the symbolic judge words it
    generically)."""
    if not verdict.flags:
        return verdict
    generic = advice(verdict.flags)[1]
    if not verdict.feedback.endswith(generic):
        return verdict
    worded = advice(verdict.flags, words_of(assignment, scenario, question))[1]
    return replace(verdict, feedback=verdict.feedback[:-len(generic)] + worded)


def diagnosed(verdict: Verdict, parsed: Parsed, key: ExpressionKey, assignment) -> Verdict:
    """:func:`_diagnosed`, its advice in the assignment's words."""
    return _in_their_words(_diagnosed(verdict, parsed, key, assignment), assignment, key.question.scenario,
                           key.question)


def _diagnosed(verdict: Verdict, parsed: Parsed, key: ExpressionKey, assignment) -> Verdict:
    """``verdict`` with the smallest repair of a wrong or wrong-shape answer that no variant
    matched: its catalogue flag (if any) and what would make it right. A "wrong" answer whose
    shape is wrong on some instance is "wrong shape" (:mod:`.shapes`); a variant flag the
    answer cannot hold (:func:`_identifiable`) is taken back first."""
    if verdict.outcome not in (WRONG, SHAPE) or not key.cases:
        return verdict
    verdict = with_shape(verdict, parsed, key)
    roles = _roles(assignment, key)
    if verdict.flags:
        kept = tuple((mid, t) for mid, t in key.variants if _identifiable(mid, parsed, roles))
        if len(kept) == len(key.variants):
            return verdict
        verdict = with_shape(compare_expression(parsed, replace(key, variants=kept, variant_targets=(), seen={},
                                                                entry_wise={})), parsed, key)
        if verdict.flags:
            return verdict
    repair = smallest_repair(parsed, key, roles)
    if repair is None:
        return verdict
    told = replace(verdict, feedback=f"{verdict.feedback}; {repair.text}" if verdict.feedback else repair.text)
    return flagged(told, (repair.id,)) if repair.id else told  # worded by diagnosed()
