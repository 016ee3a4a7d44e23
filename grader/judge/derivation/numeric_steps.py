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
from grader.judge.derivation.context import GRAD, Scenario
from grader.judge.derivation.layout import readable
from grader.judge.derivation.named import named_tree
from grader.judge.derivation.numbers import exercise_of, naming_scenarios
from grader.judge.derivation.numeric_diagnosis import scenario_runs, written_flags
from grader.judge.derivation.steps import FAILS, HOLDS, NOT_CHECKED, NOT_READ, Reading, StepResult
from grader.judge.derivation.written_numbers import MATRIX, Written, written
from grader.judge.symbolic.evaluate import FUNCTIONS, DomainError, Env, ShapeError, evaluate
from grader.parse.expression import tree as A
from grader.parse.expression.normalize import spelling_of
from grader.parse.expression.parser import parse_expression

ETA = "__eta__"
LITERAL = "__written{}__"  # the k-th matrix or number a step writes, as a symbol of the table
_LITERAL_SPELLING = r"\Upsilon^{{({})}}"  # a spelling no assignment uses, for the parser
MAX_LITERALS = 24  # per step; a step writing more is not read
RTOL, ATOL = 1e-9, 1e-12  # float arithmetic, beyond the digits written
_WHOLE_LITERAL = re.compile(r"\s*\^\s*(?:\{\s*(?:T|\\top|\\intercal)\s*\}|T\b|\\top|\\intercal)")
_PER_ENTRY = 64  # a literal with more entries is perturbed as a whole for its error bound


@dataclass(frozen=True)
class NumericScenario:
    """A fixed scenario's table and values: ``before`` the update, and ``after`` it (the
    parameters updated; None without a learning rate)."""

    scenario: Scenario
    before: Env
    after: Env | None
    params: frozenset  # symbol names bound to the network's parameters
    examples: tuple = ()  # per example of a batch, ``before`` with the data (x, t) that example's column
    data: frozenset = frozenset()  # symbol names bound to the data


def numeric_scenarios(assignment: Assignment, exercise: str = "") -> tuple[NumericScenario, ...]:
    """The fixed scenarios with declared symbols (of ``exercise`` when given), with their values."""
    cache_key = (assignment.path, assignment.id, assignment.variant)
    if cache_key not in _CACHE:
        _CACHE[cache_key] = tuple(_build(assignment, s) for s in naming_scenarios(assignment))
    return tuple(n for n in _CACHE[cache_key] if not exercise or exercise_of(n.scenario.name) in ("", exercise))


_CACHE: dict = {}


def _build(assignment: Assignment, naming: Scenario) -> NumericScenario:
    ev = scenario_runs(assignment)[naming.name]
    spec = assignment.scenarios[naming.name]
    graph = assignment.graphs[spec.network]
    values = {}
    for name, quantity in naming.quantities.items():
        words = quantity.split()
        table = ev.grads if words[0] == "grad" else ev.values
        node = words[-1]
        if node in table:
            values[name] = np.asarray(table[node], dtype=float)
    values.update({GRAD + node: np.asarray(g, dtype=float) for node, g in ev.grads.items()})
    for symbol, grad in naming.table.gradients.items():
        if grad.startswith("grad ") and grad[5:] in ev.grads:
            values[grad] = np.asarray(ev.grads[grad[5:]], dtype=float)
    if spec.learning_rate is not None:
        values[ETA] = np.array([[float(spec.learning_rate)]])
    params = frozenset(s for s, q in naming.quantities.items() if q in graph.params)
    act = next((n.op for n in graph.nodes if n.op in FUNCTIONS - {"softmax", "exp", "log", "identity"}), "tanh")
    before = Env(values, act=act, batch=ev.batch)
    after = None
    if ev.updated:
        after = replace(before, symbols={**values, **{s: np.asarray(ev.updated[naming.quantities[s]], dtype=float)
                                                      for s in params if naming.quantities[s] in ev.updated}})
    inputs = {n.name for n in graph.nodes if n.op == "input"}
    data = frozenset(s for s, q in naming.quantities.items() if q in inputs and s in values)
    examples = tuple(replace(before, symbols={**values, **{s: values[s][:, k:k + 1] for s in data}})
                     for k in range(ev.batch)) if ev.batch > 1 else ()
    table = naming.table
    extra = dict(table.symbols)
    if "eta" not in extra:
        extra["eta"] = ETA
    for k in range(MAX_LITERALS):
        extra[spelling_of(_LITERAL_SPELLING.format(k))] = LITERAL.format(k)
    table = replace(table, symbols=extra)
    return NumericScenario(replace(naming, table=table, envs=(before,)), before, after, params, examples, data)


def with_literals(text: str, start: int = 0) -> tuple[str, list[Written]] | None:
    r"""``text`` with each matrix it writes (and the whole of it, when it is one number)
    replaced by a symbol, and those values; None when a matrix cannot be read.

    >>> with_literals(r"w - 0.1 \begin{bmatrix} 1 & 2 \end{bmatrix}^T")[0]
    'w - 0.1 \\Upsilon^{(0)}'
    """
    text = readable(text)
    whole = written(text) if MATRIX.search(text) is None else None
    if whole is not None:
        return _LITERAL_SPELLING.format(start), [whole]
    out, found, at = [], [], 0
    for m in MATRIX.finditer(text):
        end = m.end()
        t = _WHOLE_LITERAL.match(text, end)
        end = t.end() if t else end
        value = written(text[m.start():end])
        if value is None or start + len(found) >= MAX_LITERALS:
            return None
        out.append(text[at:m.start()].rstrip() + " " + _LITERAL_SPELLING.format(start + len(found)) + " ")
        found.append(value)
        at = end
    out.append(text[at:])
    return "".join(out).strip(), found


@dataclass(frozen=True)
class _Side:
    tree: object
    literals: dict  # symbol name → Written, the literals this side writes


def _parse(text: str, scenario: NumericScenario, start: int) -> _Side:
    """A side read (raises AnswerError)."""
    swapped = with_literals(text, start)
    if swapped is None:
        raise AnswerError("a matrix that cannot be read as numbers", column=1, text=text)
    body, lits = swapped
    try:
        tree = parse_expression(body, scenario.scenario.table, expect="expression").expr
    except AnswerError:
        tree = named_tree(text, scenario.scenario)
        if tree is None:
            raise
    return _Side(tree, {LITERAL.format(start + k): w for k, w in enumerate(lits)})


def _value(side: _Side, env: Env) -> np.ndarray:
    symbols = {**env.symbols, **{k: w.value for k, w in side.literals.items()}}
    return np.asarray(evaluate(side.tree, replace(env, symbols=symbols)), dtype=float)


def _tolerance(side: _Side, env: Env, value: np.ndarray) -> np.ndarray:
    """How far ``side``'s value may be from the exact one given the digits of its literals: the
    literal's own units when the side is one, else a first-order bound over each entry."""
    if isinstance(side.tree, A.Sym) and side.tree.name in side.literals:
        return side.literals[side.tree.name].allowed
    tol = np.zeros_like(value)
    symbols = {**env.symbols, **{k: w.value for k, w in side.literals.items()}}
    for name, lit in side.literals.items():
        allowed = lit.allowed
        if not allowed.any():
            continue
        whole = allowed.size > _PER_ENTRY
        nudges = ([allowed, -allowed] if whole else
                  [np.where(np.arange(allowed.size).reshape(allowed.shape) == k, allowed, 0) for k in np.flatnonzero(allowed)])
        worst = np.zeros_like(value)
        for nudge in nudges:
            moved = evaluate(side.tree, replace(env, symbols={**symbols, name: lit.value + nudge}))
            delta = np.abs(np.asarray(moved, dtype=float) - value)
            worst = np.maximum(worst, delta) if whole else worst + delta
        tol = tol + worst
    return tol


def _lone_param(side: _Side, scenario: NumericScenario) -> str | None:
    t = side.tree
    return t.name if isinstance(t, A.Sym) and not t.index and t.name in scenario.params else None


def _mentions(side: _Side, name: str) -> bool:
    return any(isinstance(n, A.Sym) and n.name == name for n in A.walk(side.tree))


def _readings(left: _Side, right: _Side, s: NumericScenario) -> list[tuple[Env, Env]]:
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


def _compare(left: _Side, right: _Side, envs: tuple[Env, Env]) -> tuple[str, str]:
    a, b = _value(left, envs[0]), _value(right, envs[1])
    if a.shape != b.shape and 1 not in (a.size, b.size):
        return FAILS, f"the sides differ in shape: {a.shape[0]}×{a.shape[1]} and {b.shape[0]}×{b.shape[1]}"
    ta, tb = _tolerance(left, envs[0], a), _tolerance(right, envs[1], b)
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
        lside = _parse(left.text, scenario, 0)
        rside = _parse(right.text, scenario, len(_parse_count(left.text)))
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


def _parse_count(text: str) -> list:
    swapped = with_literals(text)
    return swapped[1] if swapped else []


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
    best, best_rank = None, None
    for scenario in scenarios:
        checked = [check_numeric_step(a, r, b, scenario) for a, r, b in chain.steps]
        if diagnose is not None:
            checked = [(diagnose(step, reading, scenario), reading) if step.status == FAILS else (step, reading)
                       for step, reading in checked]
        ends = check_numeric_step(chain.terms[0], EQUALS, chain.terms[-1], scenario) if len(chain.steps) > 1 else None
        statuses = [s.status for s, _ in checked]
        named = sum(1 for s, _ in checked if set(s.flags) - {"shape"})  # a mistake the scenario explains
        rank = (ends is not None and ends[0].status == HOLDS, statuses.count(HOLDS), -statuses.count(FAILS), named)
        if best_rank is None or rank > best_rank:
            best, best_rank = (checked, ends, scenario), rank
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
    """``chain``'s steps checked with the numbers of its exercise's scenarios, a wrong one named."""
    def diagnose(step, reading, scenario):
        return _diagnosed(step, reading, scenario, chain, assignment)
    return check_numeric_chain(chain, numeric_scenarios(assignment, chain.exercise), diagnose)


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
        first = _parse(chain.terms[0].text, s, 0)
    except AnswerError:
        return [], None
    t = first.tree
    if not isinstance(t, A.Sym) or t.index:
        return [], None
    quantity = s.scenario.quantities.get(t.name) or (t.name if t.name.startswith("grad ") else
                                                     "grad " + t.name[len(GRAD):] if t.name.startswith(GRAD) else None)
    if quantity is None:
        return [], None
    if t.name in s.params:
        try:
            update = s.after is not None and _mentions(_parse(chain.terms[1].text, s, 0), t.name)
        except AnswerError:
            update = False
        return (["updated " + quantity], s.after.symbols[t.name]) if update else ([quantity, "updated " + quantity], None)
    try:
        return [quantity], _value(first, s.before)
    except (ShapeError, KeyError):
        return [quantity], None
