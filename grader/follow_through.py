"""Follow-through (error carried forward): is a wrong answer right given the student's own
earlier answers?

The engine is re-run with the student's answers pinned in place of the true values: their
z^[1] in the forward pass, their δ^[2] in the backward pass, their ∂L/∂W in the update, their
updated weights as the next scenario's start. A wrong answer that equals what this pinned run
gives (with its own answer left out) earns the rubric's follow-through credit. Answers that are
all zeros are never pinned, so follow-through cannot reward an empty earlier step.
"""
from __future__ import annotations

import numpy as np

from grader.assignment import Assignment, Question
from grader.compare import Tolerance, _oriented
from grader.engine.autodiff import FLOAT, Evaluation, backward, forward
from grader.key import AnswerKey, initial_params, quantity, scenario_data
from grader.parse.numeric import NumericAnswer


def _pin_value(answer, entry) -> np.ndarray | None:
    if not isinstance(answer, NumericAnswer):
        return None
    got = _oriented(answer, entry.shape)
    if got is None or (not got.any() and entry.value.any()):
        return None  # wrong shape, or an all-zero stand-in: never carried forward
    return np.array(got, dtype=float)


def _pins(assignment: Assignment, key: AnswerKey, parsed: dict, leave_out: str) -> dict:
    """scenario → {"values": {...}, "grads": {...}, "updated": {...}} from the student's answers."""
    pins: dict = {}
    for q in assignment.questions:
        if q.id == leave_out or q.kind != "matrix" or q.verb not in ("", "grad", "updated") or q.id not in parsed:
            continue
        value = _pin_value(parsed[q.id], key[q.id])
        if value is not None:
            table = {"": "values", "grad": "grads", "updated": "updated"}[q.verb]
            pins.setdefault(q.scenario, {"values": {}, "grads": {}, "updated": {}})[table][q.node] = value
    return pins


def _run(assignment: Assignment, pins: dict) -> dict:
    runs: dict = {}
    for name in assignment.scenario_order():
        s = assignment.scenarios[name]
        if s.random is not None:
            continue
        graph = assignment.graphs[s.network]
        mine = pins.get(name, {"values": {}, "grads": {}, "updated": {}})
        params = initial_params(assignment, s, FLOAT, runs)
        values = forward(graph, params, scenario_data(s, FLOAT), backend=FLOAT, rules=assignment.rules,
                         pins=mine["values"])
        grads = backward(graph, values, backend=FLOAT, rules=assignment.rules, pins=mine["grads"]) \
            if graph.loss in values else {}
        updated = {}
        if s.learning_rate is not None and grads:
            eta = float(s.learning_rate)
            updated = {p: mine["updated"].get(p, params[p] - eta * grads[p]) for p in graph.params}
        runs[name] = Evaluation(values, grads, updated)
    return runs


def follow_through_value(assignment: Assignment, key: AnswerKey, parsed: dict, question: Question) -> np.ndarray | None:
    """The value of ``question`` computed from the student's other answers, or None when that is
    the key's own value (no earlier error to carry) or cannot be computed."""
    pins = _pins(assignment, key, parsed, question.id)
    if not pins:
        return None
    try:
        ev = _run(assignment, pins).get(question.scenario)
        graph = assignment.graphs[assignment.scenarios[question.scenario].network]
        value = np.asarray(quantity(ev, question, graph, backend=FLOAT, rules=assignment.rules), dtype=float)
    except (KeyError, ValueError, TypeError, AttributeError):
        return None
    k = key[question.id].value
    if value.shape == k.shape and np.allclose(value, k, rtol=1e-9, atol=1e-12):
        return None
    return value


def carried_forward(answer: NumericAnswer, value: np.ndarray | None, *, tol: Tolerance) -> bool:
    """Does the answer equal the follow-through value?"""
    if value is None:
        return False
    got = _oriented(answer, value.shape)
    return got is not None and bool(tol.close(got, value).all())
