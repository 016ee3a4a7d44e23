r"""What a numeric step is computed with (:mod:`grader.judge.derivation.numeric_steps`): per fixed
scenario its table and values (every declared symbol's value there, ``\eta`` its learning rate,
the parameters after the update), and each side of a step read with the matrices and numbers
the student wrote as values of their own, each good to its digits, and the bound those digits
put on the side's value."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from grader.course.assignment import Assignment
from grader.errors import AnswerError
from grader.judge.derivation.context import Scenario
from grader.judge.derivation.layout import readable
from grader.judge.derivation.named import named_tree
from grader.judge.derivation.numbers import exercise_of, naming_scenarios
from grader.judge.derivation.numeric_diagnosis import scenario_runs
from grader.judge.derivation.written_numbers import MATRIX, Written, written
from grader.judge.symbolic.evaluate import FUNCTIONS, Env, evaluate
from grader.parse.expression import tree as A
from grader.parse.expression.normalize import spelling_of
from grader.parse.expression.parser import parse_expression

ETA = "__eta__"
LITERAL = "__written{}__"  # the k-th matrix or number a step writes, as a symbol of the table
_LITERAL_SPELLING = r"\Upsilon^{{({})}}"  # a spelling no assignment uses, for the parser
MAX_LITERALS = 24  # per step; a step writing more is not read
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


@lru_cache(maxsize=4096)
def with_literals(text: str, start: int = 0) -> tuple[str, tuple[Written, ...]] | None:
    r"""``text`` with each matrix it writes (and the whole of it, when it is one number)
    replaced by a symbol, and those values; None when a matrix cannot be read.

    >>> with_literals(r"w - 0.1 \begin{bmatrix} 1 & 2 \end{bmatrix}^T")[0]
    'w - 0.1 \\Upsilon^{(0)}'
    """
    text = readable(text)
    whole = written(text) if MATRIX.search(text) is None else None
    if whole is not None:
        return _LITERAL_SPELLING.format(start), (whole,)
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
    return "".join(out).strip(), tuple(found)


@dataclass(frozen=True)
class Side:
    tree: object
    literals: dict  # symbol name → Written, the literals this side writes


def parse_side(text: str, scenario: NumericScenario, start: int) -> Side:
    """A side read (raises AnswerError); remembered per text and table, failures too (a
    chain's terms are read in each part of its exercise, and a class writes the same lines)."""
    table = scenario.scenario.table
    cache_key = (text, start, id(table))
    hit = _PARSED.get(cache_key)
    if hit is None or hit[1] is not table:
        try:
            side = _read_side(text, scenario, start)
        except AnswerError as e:
            side = e
        if len(_PARSED) > 4096:
            _PARSED.clear()
        hit = _PARSED[cache_key] = (side, table)  # the table kept alive: its id is the key
    if isinstance(hit[0], AnswerError):
        raise hit[0]
    return hit[0]


_PARSED: dict = {}


def _read_side(text: str, scenario: NumericScenario, start: int) -> Side:
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
    return Side(tree, {LITERAL.format(start + k): w for k, w in enumerate(lits)})


def side_value(side: Side, env: Env) -> np.ndarray:
    symbols = {**env.symbols, **{k: w.value for k, w in side.literals.items()}}
    return np.asarray(evaluate(side.tree, replace(env, symbols=symbols)), dtype=float)


def side_tolerance(side: Side, env: Env, value: np.ndarray) -> np.ndarray:
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
