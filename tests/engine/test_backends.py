"""Exact and float backends over the same graph agree to 1e-12; gradients match finite differences."""
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from grader.engine.autodiff import EXACT, FLOAT, evaluate, forward
from grader.engine.backends import DIGITS, HIGH
from grader.engine.graph import build_graph, expand_mlp
from grader.keys.answer_key import run_scenarios

ACTS = ["identity", "sigmoid", "tanh", "relu", "softplus"]
LOSSES = [("sigmoid", "sse"), ("identity", "mse"), ("softmax", "cross_entropy"),
          ("identity", "softmax_cross_entropy"), ("sigmoid", "bce")]


def test_every_mlp_numeric_scenario_agrees(mlp_numeric):
    exact = run_scenarios(mlp_numeric, backend=EXACT)
    floats = run_scenarios(mlp_numeric, backend=FLOAT)
    for name, ev in exact.items():
        for table in ("values", "grads", "updated"):
            for node, value in getattr(ev, table).items():
                np.testing.assert_allclose(EXACT.to_float(value), getattr(floats[name], table)[node],
                                           rtol=1e-12, atol=1e-12, err_msg=f"{name} {table} {node}")


def _random_case(rng, act, out, loss, batch=2):
    """A 3-4-3 net with small rational parameters; the odd offsets keep every pre-activation
    off ReLU's kink, where a finite difference is not a derivative."""
    graph = build_graph(expand_mlp({"sizes": [3, 4, 3], "activation": act, "output": out, "loss": loss}))
    rat = lambda shape, off: [[Fraction(int(v), 8) + off for v in row] for row in rng.integers(-8, 9, size=shape)]
    params = {p: rat(graph.shapes[p], Fraction(1, 997)) for p in graph.params}
    x = rat((3, batch), Fraction(1, 991))
    if loss in ("cross_entropy", "softmax_cross_entropy"):
        t = np.zeros((3, batch), dtype=int)
        t[rng.integers(0, 3, batch), range(batch)] = 1
    else:
        t = rng.integers(1, 4, size=(3, batch))
    return graph, params, {"x": x, "t": [[Fraction(int(v), 4) for v in row] for row in t]}


def _exact(table):
    return {k: EXACT.array(v) for k, v in table.items()}


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("out, loss", LOSSES)
def test_gradients_match_central_differences(act, out, loss):
    """Float64 gradients against central differences of the loss at 60 digits (mpmath), h = 1e-15."""
    graph, params, data = _random_case(np.random.default_rng(7), act, out, loss)
    ev = evaluate(graph, {k: FLOAT.array(v) for k, v in params.items()},
                  {k: FLOAT.array(v) for k, v in data.items()}, backend=FLOAT)
    h = HIGH.const(Fraction(1, 10**15))

    def loss_at(name, i, j, step):
        with mpmath.workdps(DIGITS):
            p = {k: HIGH.array(v) for k, v in params.items()}
            p[name][i, j] = p[name][i, j] + step
            return forward(graph, p, {k: HIGH.array(v) for k, v in data.items()}, backend=HIGH)["L"][0, 0]

    for name in graph.params:
        rows, cols = graph.shapes[name]
        for i in range(rows):
            for j in range(cols):
                fd = (loss_at(name, i, j, h) - loss_at(name, i, j, -h)) / (2 * h)
                assert float(fd) == pytest.approx(ev.grads[name][i, j], rel=1e-9, abs=1e-12), (name, i, j)


@pytest.mark.parametrize("act", ACTS)
def test_exact_and_float_agree_on_random_nets(act):
    rng = np.random.default_rng(3)
    graph, params, data = _random_case(rng, act, "softmax", "cross_entropy", batch=3)
    ex = evaluate(graph, _exact(params), _exact(data), backend=EXACT, learning_rate=Fraction(1, 2))
    fl = evaluate(graph, {k: FLOAT.array(v) for k, v in params.items()}, {k: FLOAT.array(v) for k, v in data.items()},
                  backend=FLOAT, learning_rate=0.5)
    for name, value in ex.grads.items():
        np.testing.assert_allclose(EXACT.to_float(value), fl.grads[name], rtol=1e-12, atol=1e-12)
    for name, value in ex.updated.items():
        np.testing.assert_allclose(EXACT.to_float(value), fl.updated[name], rtol=1e-12, atol=1e-12)


def test_relu_derivative_at_zero_follows_the_convention():
    from grader.engine.ops import Rules
    graph = build_graph({"inputs": {"x": ["1", "1"]}, "targets": {"t": ["1", "1"]}, "params": {"w": ["1", "1"]},
                         "equations": ["z = w * x", "a = relu(z)", "L = sse(a, t)"], "loss": "L", "output": "a"})
    params, data = {"w": EXACT.array([[1]])}, {"x": EXACT.array([[0]]), "t": EXACT.array([[1]])}
    default = evaluate(graph, params, data, backend=EXACT)
    assert default.grads["z"][0, 0] == 0
    one = evaluate(graph, params, data, backend=EXACT, rules=Rules(relu_grad_at_zero=Fraction(1)))
    assert one.grads["z"][0, 0] == -1  # (a − t)·ReLU'(0) = (0 − 1)·1
