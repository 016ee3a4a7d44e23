r"""The steps of a numeric write-up (seed 004) checked with the scenario's own values.

An assignment of fixed numbers has no random instances: its write-ups compute with the numbers
the scenario gives (``z^{[1]} = w^{[1]}x^{[0]} + b^{[1]} = \begin{bmatrix} 0.2 \\ … \end{bmatrix}``).
Each step is evaluated with those numbers (every symbol the assignment declares bound to its
value in that scenario, ``\eta`` to its learning rate, a term naming a gradient to the engine's
gradient), and the matrices and numbers the student wrote are values too, each entry good to
the digits written (:mod:`grader.judge.derivation.written_numbers`): a step whose numbers are
rounded as written holds; an arithmetic slip does not, the first entry off named.

A parameter is read as the update where the student means it: ``w^{[2]} = w^{[2]} - \eta …``
(the old ``w^{[2]}`` on the right) says what ``w^{[2]}`` becomes, and a parameter alone beside
numbers (``b^{[3]} = \begin{bmatrix} … \end{bmatrix}`` after "update the weights") holds with
its value before or after the update. A chain is one scenario's work: of its exercise's
scenarios the one its last term is right for (else where most of its steps hold).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from grader.course.assignment import Assignment
from grader.errors import AnswerError
from grader.io.writeups.model import DEFINITION, EQUALS, GOAL, Chain, Term
from grader.judge.derivation.layers import check_per_layer, has_layer_letters
from grader.judge.derivation.numeric_diagnosis import written_flags
from grader.judge.derivation.numeric_values import (NumericScenario, Side, numeric_scenarios, parse_side,
                                                    side_tolerance, side_value, with_literals)
from grader.judge.derivation.steps import FAILS, HOLDS, NOT_CHECKED, NOT_READ, Reading, StepResult
from grader.judge.symbolic.evaluate import DomainError, Env, ShapeError
from grader.parse.expression import tree as A

RTOL, ATOL = 1e-9, 1e-12  # float arithmetic, beyond the digits written


def _lone_param(side: Side, scenario: NumericScenario) -> str | None:
    t = side.tree
    return t.name if isinstance(t, A.Sym) and not t.index and t.name in scenario.params else None


def _mentions(side: Side, name: str) -> bool:
    return any(isinstance(n, A.Sym) and n.name == name for n in A.walk(side.tree))


def _readings(left: Side, right: Side, s: NumericScenario) -> list[tuple[Env, Env]]:
    """(env of the left side, env of the right): the update ``w = w - η g`` is read as the new
    w on the left; a parameter alone on a side may mean its value before or after the update,
    the data alone one example of the batch."""
    param = _lone_param(left, s)
    if param is not None and s.after is not None and _mentions(right, param):
        return [(s.after, s.before)]
    out = [(s.before, s.before)]
    if s.after is not None and (param or _lone_param(right, s)):
        out.append((s.after, s.after))
    if any(isinstance(side.tree, A.Sym) and side.tree.name in s.data for side in (left, right)):
        out += [(env, env) for env in s.examples]  # the task's one example of a batch (z = [0 0 1]^T)
    return out


def _compare(left: Side, right: Side, envs: tuple[Env, Env]) -> tuple[str, str]:
    a, b = side_value(left, envs[0]), side_value(right, envs[1])
    if a.shape != b.shape and 1 not in (a.size, b.size):
        return FAILS, f"the sides differ in shape: {a.shape[0]}×{a.shape[1]} and {b.shape[0]}×{b.shape[1]}"
    ta, tb = side_tolerance(left, envs[0], a), side_tolerance(right, envs[1], b)
    a, b, ta, tb = np.broadcast_arrays(a, b, ta if ta.shape == a.shape else np.max(ta, initial=0.0),
                                       tb if tb.shape == b.shape else np.max(tb, initial=0.0))
    off = np.abs(a - b) > ta + tb + ATOL + RTOL * np.maximum(np.abs(a), np.abs(b))
    if off.any():
        i, j = np.argwhere(off)[0]
        where = f"entry ({i + 1}, {j + 1})" if a.size > 1 else "the value"
        return FAILS, f"{where} differs beyond the digits written (checked with the exercise's own numbers)"
    return HOLDS, ""


@dataclass(frozen=True)
class NumericReading(Reading):
    """A numeric step's reading: the sides' literals and the envs each side was evaluated in."""

    envs: tuple = ()
    sides: tuple = ()


def check_numeric_step(left: Term, relation: str, right: Term, scenario: NumericScenario
                       ) -> tuple[StepResult, NumericReading]:
    """One step with ``scenario``'s numbers (see the module doc)."""
    if relation != EQUALS:
        return StepResult(left, relation, right, NOT_CHECKED, "a statement of shape, not checked"), NumericReading()
    try:
        lside = parse_side(left.text, scenario, 0)
        rside = parse_side(right.text, scenario, len(_parse_count(left.text)))
    except AnswerError as e:
        return StepResult(left, relation, right, NOT_READ, e.describe(caret=False)), NumericReading(problem="not read")
    first = None
    for envs in _readings(lside, rside, scenario):
        try:
            with np.errstate(all="ignore"):
                status, reason = _compare(lside, rside, envs)
        except DomainError as e:
            status, reason = NOT_READ, f"cannot be evaluated here: {e}"
        except ShapeError as e:
            status, reason = FAILS, f"a side cannot be evaluated: {e} (shape)"
        except KeyError as e:
            status, reason = NOT_READ, f"{e.args[0]} has no value in this exercise"
        reading = NumericReading(lside.tree, rside.tree, scenario.scenario, envs=envs, sides=(lside, rside))
        if status == HOLDS:
            return StepResult(left, relation, right, HOLDS), reading
        first = first or (StepResult(left, relation, right, status, reason), reading)
    return first


def _per_layer(checked, scenario: NumericScenario):
    """A step in layer letters (``z^{[\\ell]} = w^{[\\ell]} x^{[\\ell-1]} + b^{[\\ell]}``) that is not
    read: checked at each layer of the scenario's network (:mod:`grader.judge.derivation.layers`)."""
    step, _ = checked
    if step.status != NOT_READ or not has_layer_letters(step.left.text + step.right.text):
        return checked
    def check(a, r, b):
        return check_numeric_step(a, r, b, scenario)
    return check_per_layer(step.left, step.relation, step.right, [(scenario.scenario, check)]) or checked


def _parse_count(text: str) -> tuple:
    swapped = with_literals(text)
    return swapped[1] if swapped else ()


def check_numeric_chain(chain: Chain, scenarios: tuple[NumericScenario, ...], diagnose=None
                        ) -> tuple[StepResult, ...]:
    """Every step of ``chain`` with the numbers of the one scenario it is about: the scenario
    its first term equals its last in (its result is right there), else where most steps hold,
    else where its wrong steps are a known mistake (the numbers of η forgotten in part (b)).
    When steps between are not read, the first term against the last is one more step.
    ``diagnose(step, reading, scenario)`` names a step that does not hold."""
    if chain.kind in (GOAL, DEFINITION):
        why = {GOAL: "the result the task asks to show", DEFINITION: "the student's own definition"}[chain.kind]
        return tuple(StepResult(a, r, b, NOT_CHECKED, why) for a, r, b in chain.steps)
    if not scenarios:
        return tuple(StepResult(a, r, b, NOT_READ, "no scenario of this exercise declares symbols to read it with")
                     for a, r, b in chain.steps)
    ranked = []
    for scenario in scenarios:
        checked = [_per_layer(check_numeric_step(a, r, b, scenario), scenario) for a, r, b in chain.steps]
        ends = check_numeric_step(chain.terms[0], EQUALS, chain.terms[-1], scenario) if len(chain.steps) > 1 else None
        statuses = [s.status for s, _ in checked]
        rank = (ends is not None and ends[0].status == HOLDS, statuses.count(HOLDS), -statuses.count(FAILS))
        ranked.append((rank, checked, ends, scenario))
    top = [r for r in ranked if r[0] == max(r[0] for r in ranked)]
    best, best_named = None, -1
    for rank, checked, ends, scenario in top if diagnose is not None and rank[2] else top[:1]:
        if diagnose is not None:  # tied parts: the one whose wrong steps are a known mistake
            checked = [(diagnose(step, reading, scenario), reading) if step.status == FAILS else (step, reading)
                       for step, reading in checked]
        named = sum(1 for s, _ in checked if set(s.flags) - {"shape"})
        if named > best_named:
            best, best_named = (checked, ends, scenario), named
        if len(top) == 1:
            break
    checked, ends, scenario = best
    out, wrong = [], False
    for step, _ in checked:
        out.append(replace(step, after_wrong=True) if wrong else step)
        wrong = wrong or step.status == FAILS
    if ends is not None and not wrong and any(s.status == NOT_READ for s in out) and ends[0].status in (HOLDS, FAILS) \
            and not any(_listing(t.text) for t in chain.terms[1:-1]):
        step, reading = ends
        step = replace(step, reason=(step.reason + "; " if step.reason else "")
                       + "first term to last (the steps between are not read)")
        out.append(diagnose(step, reading, scenario) if step.status == FAILS and diagnose is not None else step)
    return tuple(out)


def _listing(text: str) -> bool:
    r"""A term that is a list (``\begin{bmatrix}…\end{bmatrix}, \dots, w^{[3]}``): a comma outside
    every brace, so the chain's ends are two statements, not one claim."""
    depth = 0
    for ch in re.sub(r"\\begin\{(\w+)\}.*?\\end\{\1\}", "", text, flags=re.S):
        depth += {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            return True
    return False


def numeric_chain_steps(chain: Chain, assignment: Assignment) -> tuple[StepResult, ...]:
    """``chain``'s steps checked with the numbers of its exercise's scenarios, a wrong one named.
    The outcome is remembered per chain text and exercise (a class writes the same chains)."""
    cache_key = (tuple(t.text for t in chain.terms), chain.relations, chain.kind, chain.exercise,
                 assignment.path, assignment.id, assignment.variant)
    known = _CHAINS.get(cache_key)
    if known is None:
        def diagnose(step, reading, scenario):
            return _diagnosed(step, reading, scenario, chain, assignment)
        steps = check_numeric_chain(chain, numeric_scenarios(assignment, chain.exercise), diagnose)
        if len(_CHAINS) > 4096:
            _CHAINS.clear()
        known = _CHAINS[cache_key] = tuple((s.status, s.reason, s.flags, s.after_wrong) for s in steps)
    out = [StepResult(a, r, b, *outcome) for (a, r, b), outcome in zip(chain.steps, known)]
    if len(known) > len(chain.steps):  # the first term against the last
        out.append(StepResult(chain.terms[0], EQUALS, chain.terms[-1], *known[-1]))
    return tuple(out)


_CHAINS: dict = {}


def _diagnosed(step: StepResult, reading: NumericReading, s: NumericScenario, chain: Chain,
               assignment: Assignment) -> StepResult:
    """``step`` with flags: ``shape``, and for numbers written for the quantity the chain names,
    :func:`~grader.judge.derivation.numeric_diagnosis.written_flags`."""
    flags = ["shape"] if "shape" in step.reason else []
    quantities, truth = _named(chain, s)
    questions = [q.id for q in assignment.questions if q.scenario == s.scenario.name and q.quantity in quantities]
    for side in reading.sides:
        lit = side.literals.get(side.tree.name) if isinstance(side.tree, A.Sym) else None
        if lit is not None and questions:
            flags += [f for f in written_flags(lit.value, lit.allowed, truth, questions, assignment) if f not in flags]
    return replace(step, flags=tuple(flags))


def _named(chain: Chain, s: NumericScenario) -> tuple[list[str], np.ndarray | None]:
    """The quantities the chain's first term names (a parameter: its update's, when the chain
    is the update or may be) and its value (None when that is not one value)."""
    try:
        first = parse_side(chain.terms[0].text, s, 0)
    except AnswerError:
        return [], None
    t = first.tree
    if not isinstance(t, A.Sym) or t.index:
        return [], None
    quantity = s.scenario.quantities.get(t.name) or (t.name if t.name.startswith("grad ") else None)
    if quantity is None:
        return [], None
    if t.name in s.params:
        try:
            update = s.after is not None and _mentions(parse_side(chain.terms[1].text, s, 0), t.name)
        except AnswerError:
            update = False
        return (["updated " + quantity], s.after.symbols[t.name]) if update else ([quantity, "updated " + quantity], None)
    try:
        return [quantity], side_value(first, s.before)
    except (ShapeError, KeyError):
        return [quantity], None
