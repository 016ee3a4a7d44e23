"""Gradient norms, ratios and finite-difference checks (grader/engine/graph_quantities.py)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from grader.engine.autodiff import evaluate
from grader.engine.backends import EXACT, FLOAT
from grader.engine.graph import build_graph, expand_mlp
from grader.engine.graph_quantities import DERIVED
from grader.engine.ops import Rules

GRAPH = build_graph(expand_mlp({"sizes": [2, 3, 1], "activation": "sigmoid", "loss": "sse"}))
PARAMS = {"W1": [[Fraction(1, 2), Fraction(-1, 4)], [Fraction(1, 3), 1], [0, Fraction(1, 5)]],
          "b1": [[0], [Fraction(1, 10)], [Fraction(-1, 5)]], "W2": [[1, Fraction(-1, 2), Fraction(1, 4)]], "b2": [[0]]}
DATA = {"x": [[1, 2], [Fraction(1, 2), -1]], "t": [[1, 0]]}


def _run(backend, rules=Rules(), graph=GRAPH, params=PARAMS, data=DATA):
    return evaluate(graph, {k: backend.array(v) for k, v in params.items()},
                    {k: backend.array(v) for k, v in data.items()}, backend=backend, rules=rules)


def _value(verb, nodes, backend, rules=Rules(), **run):
    ev = _run(backend, rules, **run)
    return backend.to_float(DERIVED[verb](ev, run.get("graph", GRAPH), nodes, backend=backend, rules=rules)), ev


@pytest.mark.parametrize("verb, nodes", [("gradnorm", ("W1",)), ("gradnorm", ("x",)), ("gradratio", ("W1", "W2")),
                                         ("gradratio", ("z1", "z2")), ("fdgrad", ("W1",)), ("fdgrad", ("x",))])
def test_exact_and_float_agree(verb, nodes):
    exact, _ = _value(verb, nodes, EXACT)
    floats, _ = _value(verb, nodes, FLOAT)
    np.testing.assert_allclose(exact, floats, rtol=1e-12, atol=1e-14)


def test_norms_and_ratios_are_the_frobenius_norms_of_the_gradients():
    norm, ev = _value("gradnorm", ("W1",), FLOAT)
    assert norm[0, 0] == pytest.approx(np.linalg.norm(ev.grads["W1"]), rel=1e-15)
    ratio, _ = _value("gradratio", ("W1", "W2"), FLOAT)
    assert ratio[0, 0] == pytest.approx(np.linalg.norm(ev.grads["W1"]) / np.linalg.norm(ev.grads["W2"]), rel=1e-14)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_central_differences_approach_the_gradient_as_h_squared(reduction):
    errors = []
    for h in (Fraction(1, 100), Fraction(1, 1000)):
        fd, ev = _value("fdgrad", ("W1",), FLOAT, Rules(fd_step=h, reduction=reduction))
        errors.append(np.max(np.abs(fd - ev.grads["W1"])))
    assert 0 < errors[1] < errors[0] / 50  # h ten times smaller: the error ~100 times smaller


def test_the_key_is_the_difference_quotient_itself_not_the_derivative():
    """L = Σ w³: the central difference is 3w² + h² exactly (h = 1/10), not 3w²."""
    graph = build_graph({"inputs": {"x": [1, 1]}, "targets": {"t": [1, 1]}, "params": {"w": [2, 1]},
                         "equations": ["L = sum(w * w * w) + sse(x, t)"], "loss": "L", "output": "w"})
    rules = Rules(fd_step=Fraction(1, 10))
    ev = _run(EXACT, rules, graph=graph, params={"w": [[2], [Fraction(-1, 3)]]}, data={"x": [[0]], "t": [[0]]})
    fd = DERIVED["fdgrad"](ev, graph, ("w",), backend=EXACT, rules=rules)
    assert fd.ravel().tolist() == [12 + Fraction(1, 100), Fraction(1, 3) + Fraction(1, 100)]
    floats = _run(FLOAT, rules, graph=graph, params={"w": [[2], [Fraction(-1, 3)]]}, data={"x": [[0]], "t": [[0]]})
    # the float backend's −1/3 is the nearest float: the same quotient to the last digit or so
    assert DERIVED["fdgrad"](floats, graph, ("w",), backend=FLOAT, rules=rules).ravel().tolist() == \
        pytest.approx([12.01, float(Fraction(1, 3) + Fraction(1, 100))], rel=1e-15)
