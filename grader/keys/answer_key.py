"""The answer key: every question's reference value, computed by the engine.

Each scenario is run twice over the same graph, with the key's arithmetic (exact rationals
where values stay rational, 60 digits after exp/log/tanh: :data:`~grader.engine.backends.MIXED`)
and the float backend (a cross-check: the two must agree to 1e-12, else the engine is wrong and
we say so rather than grade against it). The float run takes the key's branch at every kink
(a ReLU input that is exactly 0 but 1e-16 in float64): :mod:`grader.engine.kinks`.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass

import numpy as np

from grader.course.assignment import Assignment, Question, Scenario
from grader.course.kinds import KINDS
from grader.engine.autodiff import FLOAT, Evaluation, elementwise_derivative, evaluate, jacobian
from grader.engine.kinks import KINK_GAPS, KinkDecisions
from grader.engine.backends import MIXED, describe_arithmetic
from grader.engine.ops import Rules
from grader.engine.graph_quantities import DERIVED
from grader.engine.optimizers import step_tables, train
from grader.errors import ConfigError
from grader.tolerance import BACKEND_AGREEMENT



@dataclass(frozen=True)
class KeyEntry:
    """The reference answer of one question.

    ``value`` is float64 (nearest floats of the exact values) for ``matrix`` questions, and
    the 1-based (or 0-based, per assignment) classes as a 1×m int array for ``class``
    questions; ``exact`` holds the key's own values (a Fraction where the value is rational,
    else a 60-digit :class:`~grader.engine.mixed_numbers.Approx`; ``to_sympy`` turns either
    into a sympy number); ``tied`` lists, per example, every class
    that reaches the maximum (normally just the one). An expression question on a random
    scenario has no single value: ``expression`` is its reference answer, and ``exact`` the
    symbolic shape or parameter count where the question asks for one.
    """

    question: Question
    value: np.ndarray | None
    exact: object = None
    tied: tuple[tuple[int, ...], ...] = ()
    expression: str = ""  # the reference answer text of an expression or manual question

    @property
    def shape(self) -> tuple[int, int]:
        return self.value.shape


@dataclass(frozen=True)
class AnswerKey:
    assignment: Assignment
    entries: dict  # question id -> KeyEntry
    arithmetic: str = ""  # how the values were computed (describe_arithmetic), said by ``grade key``

    def __getitem__(self, qid: str) -> KeyEntry:
        return self.entries[qid]


def initial_params(assignment: Assignment, scenario: Scenario, backend, done: dict) -> dict:
    """A scenario's starting parameters: another scenario's updated ones, or fills/explicit values."""
    if scenario.params_from:
        return done[scenario.params_from].updated
    graph = assignment.graphs[scenario.network]
    params = {}
    for p in graph.params:
        rows, cols = graph.shapes[p]
        if p in scenario.params:
            given = scenario.params[p]
            if len(given) == rows and all(len(r) == 1 for r in given) and cols != 1:
                given = [[v for r in given for v in r]]
            if (len(given), len(given[0])) != (rows, cols):
                raise ConfigError(f"parameter {p} should be {rows}×{cols}", file=assignment.path,
                                  question=f"scenarios.{scenario.name}.params.{p}")
            params[p] = backend.array(given)
        else:
            fills = [v for g, v in scenario.init.items() if fnmatch.fnmatchcase(p, g)]
            if not fills or not isinstance(rows, int) or not isinstance(cols, int):
                raise ConfigError(f"parameter {p} has no value in scenario {scenario.name}: "
                                  + ("its sizes are symbols (a random scenario has no numbers)"
                                     if scenario.random is not None else "give it in params or init"),
                                  file=assignment.path, question=f"scenarios.{scenario.name}")
            params[p] = backend.array([[fills[-1]] * cols for _ in range(rows)])
    return params


def scenario_data(scenario: Scenario, backend) -> dict:
    """Examples stacked as columns: ``x`` is (features × examples)."""
    names = {k for ex in scenario.examples for k in ex}
    return {k: backend.array(np.array([ex[k] for ex in scenario.examples], dtype=object).T.tolist())
            for k in names if all(k in ex for ex in scenario.examples)}


def run_scenarios(assignment: Assignment, *, backend, rules: Rules | None = None,
                  follow: dict[str, Evaluation] | None = None) -> dict[str, Evaluation]:
    """Evaluate every scenario (in ``params_from`` order) with one backend; ``follow``: other
    runs of the same scenarios whose kink decisions these runs take (the key's, for floats)."""
    rules = rules or assignment.rules
    done: dict[str, Evaluation] = {}
    for name in assignment.scenario_order():
        s = assignment.scenarios[name]
        if s.random is not None:
            continue  # no fixed numbers: see grader.keys.instances
        graph = assignment.graphs[s.network]
        params, data = initial_params(assignment, s, backend, done), scenario_data(s, backend)
        key_run = follow[name] if follow else None
        done[name] = train(graph, params, data, s.optimizer, backend=backend, rules=rules, follow=key_run) \
            if s.optimizer else evaluate(graph, params, data, backend=backend, rules=rules,
                                         learning_rate=s.learning_rate, follow=key_run.kinks if key_run else None)
    return done


def quantity(ev: Evaluation, question: Question, graph, *, backend, rules: Rules, follow: Evaluation | None = None):
    """The raw (backend) array a question asks for; ``follow`` as in :func:`run_scenarios`."""
    verb = question.verb
    kinks = KinkDecisions(follow=follow.kinks if follow is not None else None)
    if verb == "jacobian":
        return jacobian(graph, ev.values, *question.nodes, backend=backend, rules=rules, kinks=kinks)
    if verb == "derivative":
        return elementwise_derivative(graph, ev.values, *question.nodes, backend=backend, rules=rules, kinks=kinks)
    if verb == "shape":
        return backend.array([list(ev.values[question.node].shape)])
    if verb == "count":
        return backend.array([[sum(ev.values[p].size for p in graph.params)]])
    if verb in DERIVED:  # gradient norms, ratios, finite differences
        return DERIVED[verb](ev, graph, question.nodes, backend=backend, rules=rules)
    return step_tables(ev, question.step)[verb][question.node]  # an optimizer's state too


KINK_OPS = tuple(KINK_GAPS)  # every op with a kink (grader.engine.kinks)


def key_backend(assignment: Assignment):
    """The key's arithmetic, for every assignment and draw: MIXED (exact rationals while values
    stay rational, so kinks are decided exactly; 60 digits after exp/log/tanh, where sympy's
    exact sigmoids of sigmoids nested exp() without end and took minutes)."""
    return MIXED


def build_key(assignment: Assignment, *, rules: Rules | None = None, cross_check: bool = True,
              floats: dict | None = None) -> AnswerKey:
    """Compute every question's reference value (exact, with a float cross-check). ``floats``:
    the float runs of the same rules (``run_scenarios(assignment, backend=FLOAT)``) when the
    caller has them, so the cross-check does not recompute them."""
    rules = rules or assignment.rules
    backend = key_backend(assignment)
    exact = run_scenarios(assignment, backend=backend, rules=rules)
    return _entries(assignment, exact, backend, rules, cross_check, floats)


def _entries(assignment: Assignment, exact: dict, backend, rules: Rules, cross_check: bool,
             floats: dict | None = None) -> AnswerKey:
    if not cross_check:
        floats = None
    elif floats is None or any(ev.kinks.zeros() for ev in exact.values()):
        # the caller's float runs decided kinks on their own: at an exact 0 they may differ
        floats = run_scenarios(assignment, backend=FLOAT, rules=rules, follow=exact)
    entries, computed = {}, []
    for q in assignment.questions:
        make = KEY_ENTRIES.get(KINDS[q.kind].key)
        if assignment.scenarios[q.scenario].random is not None or make is None:
            entries[q.id] = _symbolic_entry(assignment, q)
            continue
        graph = assignment.graphs[assignment.scenarios[q.scenario].network]
        raw = quantity(exact[q.scenario], q, graph, backend=backend, rules=rules)
        value = backend.to_float(raw)
        computed.append(raw)
        if floats is not None:
            other = quantity(floats[q.scenario], q, graph, backend=FLOAT, rules=rules, follow=exact[q.scenario])
            if not np.allclose(value, other, rtol=BACKEND_AGREEMENT, atol=BACKEND_AGREEMENT):
                raise ConfigError(f"exact and float engines disagree on {q.quantity} (max difference "
                                  f"{np.max(np.abs(value - other)):.3g}): please report this bug",
                                  file=assignment.path, question=q.id)
        entries[q.id] = make(q, value, raw, assignment)
    return AnswerKey(assignment, entries, describe_arithmetic(computed))


def _numbers_entry(q: Question, value: np.ndarray, raw, assignment: Assignment) -> KeyEntry:
    return KeyEntry(q, value, raw)


def _shape_entry(q: Question, value: np.ndarray, raw, assignment: Assignment) -> KeyEntry:
    return KeyEntry(q, value.astype(int), raw)


def _classes_entry(q: Question, value: np.ndarray, raw, assignment: Assignment) -> KeyEntry:
    return _class_entry(q, value, assignment.class_base)


# a Kind's ``key`` -> the key entry made of the engine's value (float, and exact ``raw``);
# a kind whose ``key`` is None has no engine value: its entry is the reference text
KEY_ENTRIES = {"numbers": _numbers_entry, "classes": _classes_entry, "shape": _shape_entry}


def _symbolic_entry(assignment: Assignment, q: Question) -> KeyEntry:
    from grader.keys.instances import symbolic_parameter_count, symbolic_shape
    exact = None
    if q.verb == "shape":
        exact = symbolic_shape(assignment, q.scenario, q.node)
    elif q.verb == "count":
        exact = symbolic_parameter_count(assignment, q.scenario)
    return KeyEntry(q, None, exact, expression=q.answer)


def _class_entry(q: Question, scores: np.ndarray, base: int) -> KeyEntry:
    tied = tuple(tuple(int(i) + base for i in np.flatnonzero(np.isclose(col, col.max(), rtol=1e-12, atol=0)))
                 for col in scores.T)
    return KeyEntry(q, np.array([[t[0] for t in tied]]), None, tied)
