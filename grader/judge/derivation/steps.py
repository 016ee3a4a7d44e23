r"""Each step ``A = B`` of a chain checked on the assignment's random instances.

Both sides are read with the expression grammar and the scenario's symbols (the first scenario
that reads both), then evaluated on every instance; the step holds when the two values agree
within the symbolic tolerance on all of them, free indices (``\hat{y}_j - y_j``) taken over
every entry. A side the grammar cannot read makes the step "not read" (never wrong). A wrong
step gets :func:`grader.judge.derivation.diagnosis.diagnose_step`'s findings; steps after it
are still checked against each other (``after_wrong``), so a derivation right from a wrong
start shows as such.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

from grader.errors import AnswerError
from grader.io.writeups.model import DEFINITION, EQUALS, GOAL, Chain, Term
from grader.judge.derivation.conditions import meets
from grader.judge.derivation.definitions import derivative_tree, expand, prime_naming, primed_text, uses_local
from grader.judge.derivation.context import PROBE_NAME, PROBE_SPELLINGS, Scenario, with_probe
from grader.judge.derivation.layers import check_per_layer, has_layer_letters
from grader.judge.derivation.layout import readable
from grader.judge.derivation.named import named_tree
from grader.judge.symbolic.numerator import layouts, numerator_layout
from grader.judge.derivation.operators import OPERATOR_ANYWHERE, operator_tree
from grader.judge.symbolic.closeness import close
from grader.judge.symbolic.equivalence import free_indices
from grader.judge.symbolic.evaluate import DomainError, ShapeError, UnboundIndex, evaluate, with_indices
from grader.parse.expression import tree as A
from grader.parse.expression.parser import parse_expression

HOLDS, FAILS, NOT_READ, NOT_CHECKED = "holds", "does not hold", "not read", "not checked"
MAX_ENTRIES = 400  # index assignments checked per instance (a 20×20 matrix written entry-wise)


@dataclass(frozen=True)
class StepResult:
    """One step: its two sides as written, the relation, the outcome and why."""

    left: Term
    relation: str
    right: Term
    status: str  # HOLDS, FAILS, NOT_READ or NOT_CHECKED
    reason: str = ""
    flags: tuple[str, ...] = ()  # what the diagnosis found (misconception ids, "transposed", "shape")
    after_wrong: bool = False  # an earlier step of the chain does not hold


@dataclass(frozen=True)
class Reading:
    """A step's two sides read, with the scenario that reads them (or why they cannot be)."""

    left: object = None
    right: object = None
    scenario: Scenario | None = None
    problem: str = ""


def read_step(left: str, right: str, scenarios: tuple[Scenario, ...]) -> tuple[Reading, ...]:
    """Both sides parsed with each scenario whose symbols read both (a letter no scenario binds,
    ``x`` in ``\\phi'(x) = …``, tried as a free variable); none: one Reading saying why."""
    if not scenarios:
        return (Reading(problem="the assignment has no expression question, so no instances to check steps on"),)
    problem, out = "", []
    for scenario in scenarios:
        for candidate in (scenario, *_probed(scenario, left + " " + right)):
            try:
                out.append(Reading(_parse(left, candidate), _parse(right, candidate), candidate))
                break
            except AnswerError as e:
                problem = problem or e.describe(caret=False)
    return tuple(out) or (Reading(problem=problem),)


def _probed(scenario: Scenario, text: str):
    for letter in PROBE_SPELLINGS:
        if letter not in scenario.table.symbols and re.search(rf"(?<![A-Za-z\\]){letter}(?![A-Za-z])", text):
            yield with_probe(scenario, letter)


_PARSED: dict = {}  # (text, table id) → tree: a class writes the same steps many times


def _parse(text: str, scenario: Scenario):
    """The tree of a side (a term naming a gradient, ∂L/∂W, stands for its value); raises
    AnswerError. Outcomes are remembered per text and table, failures too."""
    cache_key = (text, id(scenario.table))
    hit = _PARSED.get(cache_key)
    if hit is None or hit[1] is not scenario.table:
        try:  # a local of the write-up (``g``, ``g'``) is replaced by its definition
            tree = expand(parse_expression(readable(primed_text(text, scenario)), scenario.table,
                                           expect="expression").expr, scenario)
        except AnswerError as e:
            tree = named_tree(text, scenario) or operator_tree(text, scenario) or derivative_tree(text, scenario) or e
        if len(_PARSED) > 4096:
            _PARSED.clear()
        hit = _PARSED[cache_key] = (tree, scenario.table)  # the table kept alive: its id is the key
    if isinstance(hit[0], AnswerError):
        raise hit[0]
    return hit[0]


def step_values(reading: Reading, condition=None):
    """Yield (left value, right value) at every instance and entry meeting ``condition`` (on
    indices: :mod:`grader.judge.derivation.conditions`; raises ShapeError, DomainError, KeyError
    as evaluating does)."""
    trees = (reading.left, reading.right)
    free = sorted(set(free_indices(reading.left)) | set(free_indices(reading.right)))
    for env in reading.scenario.envs:
        ranges = [range(_index_range(i, trees, env)) for i in free]
        for n, values in enumerate(itertools.product(*ranges)):
            if n >= MAX_ENTRIES:
                break
            if condition is not None and not meets(condition, dict(zip(free, values))):
                continue
            at = with_indices(env, dict(zip(free, values))) if free else env
            left, right = evaluate(reading.left, at), evaluate(reading.right, at)
            # a whole vector or matrix on one side, one entry of it on the other (z = … + b_i)
            if free and not free_indices(reading.left) and left.size > 1:
                left = _entry(left, values)
            if free and not free_indices(reading.right) and right.size > 1:
                right = _entry(right, values)
            yield left, right


def _entry(value: np.ndarray, at: tuple) -> np.ndarray:
    if len(at) == 2:
        return value[at[0]:at[0] + 1, at[1]:at[1] + 1]
    flat = value.reshape(-1, 1)
    return flat[at[0]:at[0] + 1] if at[0] < flat.shape[0] else value


def _index_range(index: str, trees, env, seen=()) -> int:
    for tree in trees:
        for node in A.walk(tree):
            if isinstance(node, A.Sym) and index in node.index:
                value = env.symbols[node.name]
                if len(node.index) == 2:
                    return value.shape[node.index.index(index)]
                return max(value.shape) if 1 in value.shape else value.shape[0]
    for tree in trees:  # only in δ_{ik'} (a local's derivative by z_{k'}): the range of its other index
        for node in A.walk(tree):
            other = node.j if isinstance(node, A.Kronecker) and node.i == index else \
                node.i if isinstance(node, A.Kronecker) and node.j == index else None
            if other is not None and other != index and other not in seen:
                return _index_range(other, trees, env, (*seen, index))
    raise KeyError(index)


def check_step(left: Term, relation: str, right: Term, scenarios: tuple[Scenario, ...],
               condition=None) -> tuple[StepResult, Reading]:
    """The outcome of one step, and the reading it was decided on (for the diagnosis). A step
    read by several scenarios holds if it holds in one of them (the write-up does not say which
    network its letters mean)."""
    if relation != EQUALS:
        return StepResult(left, relation, right, NOT_CHECKED, "a statement of shape, not checked"), Reading()
    if prime_naming(left.text, right.text):
        return StepResult(left, relation, right, NOT_CHECKED, "names the derivative of the student's own function"), \
            Reading()
    readings = read_step(left.text, right.text, scenarios)
    if readings[0].scenario is None:
        return StepResult(left, relation, right, NOT_READ, readings[0].problem), readings[0]
    clash = _index_clash(readings[0])
    if clash:
        return StepResult(left, relation, right, NOT_READ, clash), readings[0]
    operator = bool(OPERATOR_ANYWHERE.search(left.text + " " + right.text))  # ∂/∂g [W g + b]: a Jacobian too
    outcomes = [(_outcome(r, condition), r) for r in _in_layouts(readings, operator)]
    for (status, reason), reading in outcomes:
        if status == HOLDS:
            return StepResult(left, relation, right, HOLDS), reading
    # the reason to give: a reading whose sides differ in value, else in shape, else one that cannot be evaluated
    failing = sorted((o for o in outcomes if o[0][0] == FAILS), key=lambda o: _REASONS.index(_kind(o[0][1])))
    (status, reason), reading = failing[0] if failing else outcomes[0]
    if status == FAILS:
        local = uses_local(left.text, reading.scenario) or uses_local(right.text, reading.scenario)  # the student's g
        excuse = "" if local else _not_a_claim(reading)
        if excuse:
            return StepResult(left, relation, right, NOT_CHECKED, excuse), reading
    return StepResult(left, relation, right, status, reason), reading


_UNEVALUATED = "a side cannot be evaluated"
_DIFFER = "the two sides differ"
_REASONS = (_DIFFER, "shape", _UNEVALUATED)


def _kind(reason: str) -> str:
    return next((k for k in _REASONS if k in reason), _UNEVALUATED)


def _in_layouts(readings, operator=False):
    """Each reading as written, then with its sides that hold a Jacobian in numerator layout
    (:mod:`grader.judge.symbolic.numerator`); ``operator``: a side applies the derivative
    operator to a map (its value, ``W``, is a Jacobian the tree does not name)."""
    for reading in readings:
        def is_gradient(name, reading=reading):
            return _is_gradient(name, reading)
        pairs = layouts(reading.left, reading.right, is_gradient)
        if operator and len(pairs) == 1:
            pairs = [(a, b) for a in (reading.left, numerator_layout(reading.left, is_gradient))
                     for b in (reading.right, numerator_layout(reading.right, is_gradient))]
        for left, right in pairs:
            yield Reading(left, right, reading.scenario)


def _index_clash(reading: Reading) -> str:
    """Why a step whose index is free on one side and summed on the other cannot be read
    (``\\partial y_k/\\partial z_j = \\sum_j …``: which j?), or ""."""
    for one, other in ((reading.left, reading.right), (reading.right, reading.left)):
        summed = {n.index for n in A.walk(other) if isinstance(n, A.Sum)}
        both = sorted(set(free_indices(one)) & summed)
        if both:
            return f"index {both[0]} is free on one side and summed on the other"
    return ""


def _outcome(reading: Reading, condition=None) -> tuple[str, str]:
    try:
        with np.errstate(all="ignore"):
            for a, b in step_values(reading, condition):
                if a.shape != b.shape and 1 not in (a.size, b.size):
                    return FAILS, (f"the sides differ in shape: {a.shape[0]}×{a.shape[1]} and "
                                   f"{b.shape[0]}×{b.shape[1]}")
                if not close(np.broadcast_to(a, b.shape) if a.size == 1 else a,
                             np.broadcast_to(b, a.shape) if b.size == 1 else b):
                    return FAILS, _shape_elsewhere(reading, condition) or \
                        f"{_DIFFER} (checked on random instances of the network)"
    except (DomainError, UnboundIndex) as e:
        return NOT_READ, f"cannot be evaluated here: {e}"
    except ShapeError as e:
        return FAILS, f"{_UNEVALUATED}: {e}"
    except KeyError as e:
        return NOT_READ, f"index {e.args[0]} has no range here"
    return HOLDS, ""


def _shape_elsewhere(reading: Reading, condition) -> str:
    """A shape error the step meets on some instance, or "": sides that fit only where two sizes
    are drawn equal (W δ with W n×k, n = k) do not fit (the product is decided by the sizes as
    symbols, as for expression answers)."""
    try:
        for a, b in step_values(reading, condition):
            if a.shape != b.shape and 1 not in (a.size, b.size):
                return f"the sides differ in shape on another instance: {_dims(a)} and {_dims(b)}"
    except ShapeError as e:
        return f"the sides differ in shape on another instance: {e}"
    except (DomainError, KeyError):
        return ""
    return ""


def _dims(a) -> str:
    return f"{a.shape[0]}×{a.shape[1]}"


def _not_a_claim(reading: Reading) -> str:
    """Why a step that does not hold as read is still no claim to mark wrong: the forms a
    student uses for naming (``y_i = \\hat{y}_i``), for a function's value under a condition
    the prose sets (``\\phi'(\\tilde{z}) = 0`` "when z < 0"), and for a count beside a
    matrix (OCR of "the number of elements in W = d^2 + d")."""
    sides = (reading.left, reading.right)
    if all(isinstance(s, A.Sym) and not _is_gradient(s.name, reading) for s in sides):
        return "names one symbol by another: not checked"
    if any(isinstance(a, A.Sym) and a.index and isinstance(b, A.Num) for a, b in (sides, sides[::-1])):
        return "an entry's value under a condition of the prose (δ_j = 0 when z̃_j < 0): not checked"
    for side in sides:
        if isinstance(side, (A.Call, A.Derivative)) and isinstance(_argument(side), A.Sym) \
                and _argument(side).name != PROBE_NAME:
            return "a function's value on one quantity (a condition or convention of the prose): not checked"
        nodes = list(A.walk(side))
        if any(isinstance(n, A.Size) for n in nodes) and not any(isinstance(n, A.Sym) for n in nodes):
            return "a count in the sizes beside a matrix: not checked"
    return ""


def _is_gradient(name: str, reading) -> bool:
    """A symbol standing for the loss's gradient of a quantity (``\\nabla_W L``, ``\\delta``): a
    claim between two of these is checked (``\\nabla_W L = \\partial L/\\partial z`` is false)."""
    bound = reading.scenario.quantities.get(name, "") if reading.scenario is not None else ""
    return name.startswith("grad ") or bound.startswith("grad ")


def _argument(node):
    return node.arg if isinstance(node, A.Derivative) else (node.args[0] if len(node.args) == 1 else None)


def check_chain(chain: Chain, scenarios: tuple[Scenario, ...], diagnose=None, *,
                endpoints: bool = False, condition=None) -> tuple[StepResult, ...]:
    """Every step of ``chain``; ``diagnose(step, reading)`` → flags for a step that does not hold.
    ``endpoints`` (a chain that answers a question): when steps between are not read, the
    first term against the last is one more step."""
    if chain.kind in (GOAL, DEFINITION):
        why = {GOAL: "the result the task asks to show", DEFINITION: "the student's own definition"}[chain.kind]
        return tuple(StepResult(left, relation, right, NOT_CHECKED, why) for left, relation, right in chain.steps)
    out, wrong = [], False
    for left, relation, right in chain.steps:
        step, reading = check_step(left, relation, right, scenarios, condition)
        if step.status == NOT_READ and has_layer_letters(left.text + right.text):  # z^{[\ell]}: at each layer
            each = [(s, lambda a, r, b, s=s: check_step(a, r, b, (s,), condition)) for s in scenarios]
            step, reading = check_per_layer(left, relation, right, each) or (step, reading)
        if step.status == FAILS and diagnose is not None:
            step = diagnose(step, reading)
        out.append(StepResult(**{**step.__dict__, "after_wrong": wrong}) if wrong else step)
        wrong = wrong or step.status == FAILS
    if endpoints and not wrong and len(out) > 1 and any(s.status == NOT_READ for s in out) and EQUALS in chain.relations[-1:]:
        # the lines between could not be read: the chain is still a claim from its first term to its last
        step, reading = check_step(chain.terms[0], EQUALS, chain.terms[-1], scenarios, condition)
        if step.status in (HOLDS, FAILS):
            step = StepResult(**{**step.__dict__, "reason": (step.reason + "; " if step.reason else "")
                                 + "first term to last (the steps between are not read)"})
            out.append(diagnose(step, reading) if step.status == FAILS and diagnose is not None else step)
    return tuple(out)
