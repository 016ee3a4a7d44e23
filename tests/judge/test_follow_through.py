"""FollowThrough (one file's answers read once, only the question's scenario chain re-run)
must give exactly the values of the plain algorithm: every scenario re-run with every other
pinned answer, once per question. The plain algorithm is kept here as the reference."""
from __future__ import annotations

import numpy as np
import pytest

from grader.engine.autodiff import FLOAT, Evaluation, backward, forward
from grader.judge.follow_through import FollowThrough, _pin_value
from grader.keys.answer_key import initial_params, quantity, scenario_data
from grader.parse.numeric.reader import parse_numeric


def reference_value(assignment, key, parsed, question):
    pins: dict = {}
    for q in assignment.questions:
        if q.id == question.id or q.kind != "matrix" or q.verb not in ("", "grad", "updated") or q.id not in parsed:
            continue
        value = _pin_value(parsed[q.id], key[q.id])
        if value is not None:
            table = {"": "values", "grad": "grads", "updated": "updated"}[q.verb]
            pins.setdefault(q.scenario, {"values": {}, "grads": {}, "updated": {}})[table][q.node] = value
    if not pins:
        return None
    runs: dict = {}
    try:
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
                updated = {p: mine["updated"].get(p, params[p] - float(s.learning_rate) * grads[p]) for p in graph.params}
            runs[name] = Evaluation(values, grads, updated)
        graph = assignment.graphs[assignment.scenarios[question.scenario].network]
        value = np.asarray(quantity(runs[question.scenario], question, graph, backend=FLOAT, rules=assignment.rules),
                           dtype=float)
    except (KeyError, ValueError, TypeError, AttributeError):
        return None
    k = key[question.id].value
    return None if value.shape == k.shape and np.allclose(value, k, rtol=1e-9, atol=1e-12) else value


def perturbed_answers(assignment, key, seed: int) -> dict:
    """Every matrix question answered: most right, some scaled (an earlier error), some rounded."""
    rng = np.random.default_rng(seed)
    parsed = {}
    for q in assignment.questions:
        if q.kind != "matrix" or key[q.id].value is None:
            continue
        v = key[q.id].value * (1.0 + (rng.random() < 0.3) * rng.uniform(-0.5, 0.5))
        if rng.random() < 0.3:
            v = np.round(v, 3)
        parsed[q.id] = parse_numeric([[repr(float(x)) for x in row] for row in v])
    return parsed


@pytest.mark.parametrize("assignment_id", ["mlp-numeric", "residual-softmax", "softmax-ce", "backprop-general"])
@pytest.mark.parametrize("seed", range(4))
def test_follow_through_matches_the_whole_rerun(catalog, assignment_id, seed):
    a = catalog.assignment(assignment_id)
    key = catalog.key(a)
    parsed = perturbed_answers(a, key, seed)
    follow = FollowThrough(a, key, parsed)
    carried = 0
    for q in a.questions:
        if q.id not in parsed:
            continue
        want, got = reference_value(a, key, parsed, q), follow.value(q)
        assert (want is None) == (got is None), q.id
        if want is not None:
            carried += 1
            assert np.array_equal(want, got), q.id
    if assignment_id == "mlp-numeric":
        assert carried > 10  # the chains (ex1a's update starts ex1b) were really exercised


def test_an_earlier_error_is_carried_into_the_next_scenario(catalog):
    """mlp-numeric's ex1b starts from ex1a's updated weights: a wrong update there moves ex1b."""
    a = catalog.assignment("mlp-numeric")
    key = catalog.key(a)
    updated = [q for q in a.questions if q.verb == "updated" and q.scenario == "ex1a"]
    later = [q for q in a.questions if q.scenario == "ex1b" and q.kind == "matrix" and q.verb == ""]
    assert updated and later
    wrong = {updated[0].id: parse_numeric([[repr(float(x) + 0.5) for x in row] for row in key[updated[0].id].value])}
    follow = FollowThrough(a, key, wrong)
    moved = [q.id for q in later if follow.value(q) is not None]
    assert moved, "no ex1b value depends on ex1a's update"
    for qid in moved:
        q = a.question(qid)
        assert np.array_equal(follow.value(q), reference_value(a, key, wrong, q))


@pytest.mark.parametrize("assignment_id", ["mlp-numeric", "residual-softmax", "softmax-ce", "backprop-general"])
def test_impossible_earlier_answers_give_no_numpy_warning(catalog, assignment_id):
    """Negated forward values make the loss take log of a negative: nan, silently."""
    import warnings
    a = catalog.assignment(assignment_id)
    key = catalog.key(a)
    parsed = {q.id: parse_numeric([[repr(-float(x) - 1) for x in row] for row in key[q.id].value])
              for q in a.questions if q.kind == "matrix" and q.verb == "" and key[q.id].value is not None}
    follow = FollowThrough(a, key, parsed)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for q in a.questions:
            if q.kind == "matrix" and key[q.id].value is not None:
                follow.value(q)


@pytest.mark.parametrize("value", [[[1.0, 2.0]], [[1.0 + 1e-10, 2.0]], [[1.0 + 1e-8, 2.0]], [[np.inf, 2.0]],
                                   [[np.nan, 2.0]], [[-np.inf, 2.0]], [[0.0, 2.0 + 3e-9]], [[1e-13, 2.0]]])
@pytest.mark.parametrize("key", [[[1.0, 2.0]], [[0.0, 2.0]], [[1e-13, 2.0]]])
def test_same_as_key_is_allclose_for_a_finite_key(value, key):
    from grader.judge.follow_through import _same_as_key
    v, k = np.array(value), np.array(key)
    assert _same_as_key(v, k) == np.allclose(v, k, rtol=1e-9, atol=1e-12)
