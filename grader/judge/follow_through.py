"""Follow-through (error carried forward): is a wrong answer right given the student's own
earlier answers?

The engine is re-run with the student's answers pinned in place of the true values: their
z^[1] in the forward pass, their δ^[2] in the backward pass, their ∂L/∂W in the update, their
updated weights as the next scenario's start. A wrong answer that equals what this pinned run
gives (with its own answer left out) earns the rubric's follow-through credit. The run is the
key's own (:func:`grader.engine.autodiff.evaluate`, the batch mean's 1/m included).

An answer is pinned only when it carries information (:func:`pinnable`), so that no sheet of
filler earns follow-through (measured: every sheet filled with one constant, 0, ±1e-9, ±1,
1e200, the largest float, 1e-300, scores no more than the all-zero sheet, on every shipped
assignment; ``tests/judge/test_follow_through_rules.py``):

- its shape is the key's (or the transposed layout);
- every entry is finite;
- it is not zero at the question's tolerance: some entry is farther from 0 than the rubric's
  ``atol`` (an all-zero or all-1e-9 answer is a blank; its carried values would be within
  ``atol`` of anything tiny);
- its largest entry is at most ``MAGNITUDE`` (1,000) times the key's largest, or 1,000 when
  the key's entries are all below 1 (1e200 would make every tolerance ``rtol·|value|`` huge);
- it is not one value repeated where the key's entries differ (beyond the tolerance): a
  constant fill says nothing about the step it answers. A 1×1 answer, or a key that is
  itself constant, is not held to this rule.

A key entry that is itself all zeros keeps the old rule: such an answer is right, never pinned.

Only the question's own scenario and those it starts from (``params_from``) are re-run: no
other scenario can change its value. A :class:`FollowThrough` reads one file's answers once and
runs each scenario once for all its questions (see the class).
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache

import numpy as np

from grader.course.kinds import KINDS
from grader.course.assignment import Assignment, Question
from grader.judge.compare import _oriented
from grader.tolerance import ENGINE_ATOL, ENGINE_RTOL, Tolerance
from grader.engine.autodiff import FLOAT, Evaluation, evaluate
from grader.keys.answer_key import AnswerKey, initial_params, quantity, scenario_data
from grader.parse.numeric.reader import NumericAnswer

TABLES = {"": "values", "grad": "grads", "updated": "updated"}
ENGINE_ERRORS = (KeyError, ValueError, TypeError, AttributeError)


MAGNITUDE = 1e3  # the largest entry pinned, as a multiple of the key's largest (or of 1)


def _pin_value(answer, entry, tol: Tolerance | None = None) -> np.ndarray | None:
    if not isinstance(answer, NumericAnswer):
        return None
    got = _oriented(answer, entry.shape)
    if got is None or not pinnable(np.asarray(got, dtype=float), entry.value, tol or Tolerance()):
        return None  # never carried forward (see the module's docstring)
    return np.array(got, dtype=float)


def pinnable(got: np.ndarray, key: np.ndarray, tol: Tolerance) -> bool:
    """Does an answer (of the key's shape) carry information enough to be pinned?

    >>> pinnable(np.array([[0.5], [-0.25]]), np.array([[0.4], [-0.2]]), Tolerance())
    True
    >>> pinnable(np.full((2, 1), 1e-9), np.array([[0.4], [-0.2]]), Tolerance())  # a blank at this tolerance
    False
    """
    biggest = np.abs(got).max()  # nan or inf when any entry is not finite
    if not np.isfinite(biggest) or biggest <= _blank(tol):
        return False  # not finite, or a blank at this tolerance (all-zero included)
    if biggest > MAGNITUDE * max(float(np.abs(key).max()), 1.0):
        return False
    if got.size > 1 and (got == got.flat[0]).all() and not tol.close(key, key.flat[0]).all():
        return False  # one value repeated where the key's entries differ
    return True


@lru_cache(maxsize=64)
def _blank(tol: Tolerance) -> float:
    """The largest magnitude ``tol`` accepts for a key of 0 (every entry at most this: a blank)."""
    return float(tol.allowed(np.zeros((1, 1)))[0, 0])


def _same_as_key(value: np.ndarray, k: np.ndarray) -> bool:
    """``np.allclose(value, k, rtol=ENGINE_RTOL, atol=ENGINE_ATOL)`` (the same float operations) for a key
    ``k``, which is always finite, without allclose's overhead (a tenth of follow-through's time)."""
    return value.shape == k.shape and bool((np.abs(value - k) <= ENGINE_ATOL + ENGINE_RTOL * np.abs(k)).all())


class _Floats:
    """An assignment's fixed float inputs, converted from Fractions once: each scenario's data,
    the starting parameters of those that do not start from another, and the scenario chains."""

    def __init__(self, assignment: Assignment):
        self.data, self.params, self.chain = {}, {}, {}
        for name in assignment.scenario_order():
            s = assignment.scenarios[name]
            if s.random is not None:
                continue
            self.data[name] = _read_only(scenario_data(s, FLOAT))
            if not s.params_from:
                self.params[name] = _read_only(initial_params(assignment, s, FLOAT, {}))
            self.chain[name] = (*self.chain.get(s.params_from, ()), name) if s.params_from else (name,)
        self.pinnable = tuple(q for q in assignment.questions
                              if KINDS[q.kind].follow_through and q.verb in TABLES and q.scenario in self.chain)


def _read_only(arrays: dict) -> dict:
    for a in arrays.values():
        a.setflags(write=False)  # shared by every file's runs: a write would be a bug
    return arrays


_FLOATS: dict[int, tuple[Assignment, _Floats]] = {}


def _floats(assignment: Assignment) -> _Floats:
    """Per assignment object (a student's random draw is its own object)."""
    held = _FLOATS.get(id(assignment))
    if held is None or held[0] is not assignment:
        if len(_FLOATS) > 64:  # draws come and go: keep the cache bounded
            _FLOATS.clear()
        held = _FLOATS[id(assignment)] = (assignment, _Floats(assignment))
    return held[1]


class FollowThrough:
    """One answer file's follow-through values.

    >>> from pathlib import Path
    >>> import grader
    >>> from grader.keys.catalog import Catalog
    >>> from grader.parse.numeric.reader import parse_numeric
    >>> catalog = Catalog(root=Path(grader.__file__).parents[1])  # this repository's sample course
    >>> a = catalog.assignment("mlp-numeric")
    >>> key = catalog.key(a)
    >>> z1 = [[repr(float(x) + 1) for x in row] for row in key["ex1a.z1"].value]  # an error in z1 ...
    >>> ft = FollowThrough(a, key, {"ex1a.z1": parse_numeric(z1)})
    >>> bool((ft.value(a.question("ex1a.x1")) != key["ex1a.x1"].value).any())  # ... carried into x1
    True
    >>> ft.value(a.question("ex1a.z1")) is None  # z1 itself: no earlier error to carry
    True

    Leaving a question's own answer out changes nothing upstream of it: a node's forward value
    depends only on earlier nodes, its gradient only on later ones, an update only on the
    gradient. So one run with every pin, noting what each pinned node held before its pin
    (``unpinned``), answers every question whose node no other question pins; only a node
    pinned twice needs its own re-run.
    """

    def __init__(self, assignment: Assignment, key: AnswerKey, parsed: dict, *, rubric=None):
        self.assignment, self.key, self.floats = assignment, key, _floats(assignment)
        self.pins: dict[str, tuple[str, str, str, np.ndarray]] = {}  # qid -> scenario, table, node, value
        for q in self.floats.pinnable:
            if q.id in parsed:
                value = _pin_value(parsed[q.id], key[q.id], rubric[q.id].tolerance if rubric is not None else None)
                if value is not None:
                    self.pins[q.id] = (q.scenario, TABLES[q.verb], q.node, value)
        self._shared = {place for place, n in Counter(p[:3] for p in self.pins.values()).items() if n > 1}
        self._pinned_in = Counter(p[0] for p in self.pins.values())  # scenario → pins in it
        self._runs: dict[tuple[str, str | None], tuple[Evaluation, dict]] = {}

    def value(self, question: Question) -> np.ndarray | None:
        """The value of ``question`` computed from the student's other answers, or None when that
        is the key's own value (no earlier error to carry) or cannot be computed."""
        chain = self.floats.chain.get(question.scenario)
        if chain is None:
            return None
        pin = self.pins.get(question.id)
        if sum(self._pinned_in[s] for s in chain) == (pin is not None):  # no pin but its own (its own is in chain)
            return None
        try:
            if pin is not None and pin[:3] not in self._shared:  # its value before its own pin
                raw = self._run(chain, None)[1][pin[1]].get(pin[2])
                if raw is None:
                    return None  # not computed without the pin either
            else:
                ev = self._run(chain, question.id if pin is not None else None)[0]
                graph = self.assignment.graphs[self.assignment.scenarios[question.scenario].network]
                raw = quantity(ev, question, graph, backend=FLOAT, rules=self.assignment.rules)
            value = np.asarray(raw, dtype=float)
        except ENGINE_ERRORS:
            return None
        return None if _same_as_key(value, self.key[question.id].value) else value

    def _run(self, chain: tuple[str, ...], leave_out: str | None) -> tuple[Evaluation, dict]:
        """The last scenario of ``chain`` with every pin but ``leave_out``'s, and its unpinned
        values; the earlier ones (which ``leave_out``, a question of the last, cannot change)
        with all pins. Memoised."""
        name = chain[-1]
        if (name, leave_out) not in self._runs:
            before = self._run(chain[:-1], None)[0] if len(chain) > 1 else None
            self._runs[(name, leave_out)] = self._evaluate(name, before, leave_out)
        return self._runs[(name, leave_out)]

    def _evaluate(self, name: str, before: Evaluation | None, leave_out: str | None) -> tuple[Evaluation, dict]:
        a = self.assignment
        s = a.scenarios[name]
        graph = a.graphs[s.network]
        mine: dict = {"values": {}, "grads": {}, "updated": {}}
        for qid, (scenario, table, node, value) in self.pins.items():
            if scenario == name and qid != leave_out:
                mine[table][node] = value
        unpinned: dict = {"values": {}, "grads": {}, "updated": {}}
        params = before.updated if before is not None else self.floats.params[name]
        with np.errstate(all="ignore"):  # a student's numbers may take log of a negative: nan, not a warning
            ev = evaluate(graph, params, self.floats.data[name], backend=FLOAT, rules=a.rules,
                          learning_rate=s.learning_rate, pins=mine, unpinned=unpinned)  # the key's very path
        return ev, unpinned


def follow_through_value(assignment: Assignment, key: AnswerKey, parsed: dict, question: Question) -> np.ndarray | None:
    """One question's follow-through value (see :meth:`FollowThrough.value`); to check several
    questions of one file, make one :class:`FollowThrough` and ask it each."""
    return FollowThrough(assignment, key, parsed).value(question)


def carried_forward(answer: NumericAnswer, value: np.ndarray | None, *, tol: Tolerance) -> bool:
    """Does the answer equal the follow-through value?"""
    if value is None:
        return False
    got = _oriented(answer, value.shape)
    return got is not None and bool(tol.close(got, value).all())
