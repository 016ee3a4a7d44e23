"""Optimizers (grader/engine/optimizers.py) against a reference written from PyTorch's update
formulas in plain float64 loops, exact against float, and the identities between them."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.engine.autodiff import evaluate
from grader.engine.backends import EXACT, FLOAT
from grader.engine.graph import build_graph, expand_mlp
from grader.engine.optimizers import OPTIMIZERS, Optimizer, step_tables, train, without_bias_correction

# ReLU keeps the exact values algebraic (sympy's nested tanh would take minutes over 3 steps)
GRAPH = build_graph(expand_mlp({"sizes": [2, 3, 2], "activation": "relu", "output": "identity", "loss": "sse"}))
SMOOTH = build_graph(expand_mlp({"sizes": [2, 3, 2], "activation": "tanh", "output": "identity", "loss": "sse"}))
PARAMS = {"W1": [[Fraction(1, 2), Fraction(-1, 4)], [Fraction(1, 3), 1], [0, Fraction(-3, 5)]],
          "b1": [[0], [Fraction(1, 10)], [Fraction(-1, 5)]],
          "W2": [[1, Fraction(-1, 2), Fraction(1, 4)], [Fraction(2, 3), 0, -1]], "b2": [[0], [Fraction(1, 2)]]}
DATA = {"x": [[1, 2], [Fraction(1, 2), -1]], "t": [[1, 0], [0, Fraction(1, 2)]]}


def _arrays(table, backend):
    return {k: backend.array(v) for k, v in table.items()}


def reference(o: Optimizer, params: dict, data: dict, graph=GRAPH) -> list[tuple[dict, dict]]:
    """(parameters, state) after each step, by the formulas of torch.optim (float64 loops)."""
    p = {k: np.array(v, dtype=float) for k, v in params.items()}
    f = lambda v: float(v)  # noqa: E731
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v2 = {k: np.zeros_like(v) for k, v in p.items()}
    buf = {k: np.zeros_like(v) for k, v in p.items()}
    out = []
    for t in range(1, o.steps + 1):
        grads = evaluate(graph, {k: a.copy() for k, a in p.items()}, _arrays(data, FLOAT), backend=FLOAT).grads
        state = {}
        for k in p:
            lr, g = f(o.rate(k)), grads[k].copy()
            if o.weight_decay and not o.decoupled:
                g = g + f(o.weight_decay) * p[k]
            if o.weight_decay and o.decoupled:
                p[k] = p[k] * (1 - lr * f(o.weight_decay))
            if o.name == "sgd":
                p[k] = p[k] - lr * g
            elif o.name in ("momentum", "nesterov"):
                buf[k] = f(o.momentum) * buf[k] + g
                step = g + f(o.momentum) * buf[k] if o.name == "nesterov" else buf[k]
                p[k] = p[k] - lr * step
                state.setdefault("velocity", {})[k] = buf[k].copy()
            elif o.name == "rmsprop":
                v2[k] = f(o.alpha) * v2[k] + (1 - f(o.alpha)) * g * g
                p[k] = p[k] - lr * g / (np.sqrt(v2[k]) + f(o.eps))
                state.setdefault("v", {})[k] = v2[k].copy()
            else:
                m[k] = f(o.beta1) * m[k] + (1 - f(o.beta1)) * g
                v2[k] = f(o.beta2) * v2[k] + (1 - f(o.beta2)) * g * g
                mh, vh = m[k], v2[k]
                if o.bias_correction:
                    mh, vh = m[k] / (1 - f(o.beta1) ** t), v2[k] / (1 - f(o.beta2) ** t)
                p[k] = p[k] - lr * mh / (np.sqrt(vh) + f(o.eps))
                state.setdefault("m", {})[k] = m[k].copy()
                state.setdefault("v", {})[k] = v2[k].copy()
        out.append(({k: a.copy() for k, a in p.items()}, state))
    return out


def _numbers(draw, low: int, high: int, scale: int) -> Fraction:
    return Fraction(draw(st.integers(low, high)), scale)


@st.composite
def optimizers(draw):
    name = draw(st.sampled_from(sorted(OPTIMIZERS)))
    return Optimizer(name, _numbers(draw, 1, 20, 100), steps=draw(st.integers(1, 4)),
                     momentum=_numbers(draw, 0, 9, 10), beta1=_numbers(draw, 5, 9, 10),
                     beta2=_numbers(draw, 90, 999, 1000), alpha=_numbers(draw, 5, 99, 100),
                     eps=Fraction(1, 10 ** draw(st.integers(3, 8))),
                     weight_decay=draw(st.sampled_from([Fraction(0), Fraction(1, 100), Fraction(1, 2)])),
                     decoupled=draw(st.booleans()), bias_correction=draw(st.booleans()),
                     learning_rates=draw(st.sampled_from([(), (("W1", Fraction(1, 5)),), (("b*", Fraction(0)),)])))


@given(o=optimizers())
@settings(max_examples=60, deadline=None, derandomize=True)
def test_every_optimizer_follows_the_pytorch_formulas(o):
    training = train(SMOOTH, _arrays(PARAMS, FLOAT), _arrays(DATA, FLOAT), o, backend=FLOAT)
    for t, (params, state) in enumerate(reference(o, PARAMS, DATA, SMOOTH), start=1):
        for k in params:
            np.testing.assert_allclose(training.at(t).updated[k], params[k], rtol=1e-12, atol=1e-14, err_msg=f"{o} {t} {k}")
        assert set(training.at(t).state) == set(state) == set(OPTIMIZERS[o.name].state)
        for name, table in state.items():
            for k in table:
                np.testing.assert_allclose(training.at(t).state[name][k], table[k], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("decoupled", [False, True])
def test_exact_and_float_agree_over_two_steps(name, decoupled):
    o = Optimizer(name, Fraction(1, 10), steps=2, weight_decay=Fraction(1, 100), decoupled=decoupled,
                  learning_rates=(("W2", Fraction(1, 20)),))
    exact = train(GRAPH, _arrays(PARAMS, EXACT), _arrays(DATA, EXACT), o, backend=EXACT)
    floats = train(GRAPH, _arrays(PARAMS, FLOAT), _arrays(DATA, FLOAT), o, backend=FLOAT)
    for t in (1, 2):
        for verb, table in step_tables(exact, t).items():
            for k, value in table.items():
                np.testing.assert_allclose(EXACT.to_float(value), step_tables(floats, t)[verb][k], rtol=1e-12,
                                           atol=1e-12, err_msg=f"{name} step {t} {verb} {k}")


def test_adam_first_step_with_bias_correction_is_eta_g_over_abs_g_plus_eps():
    o = Optimizer("adam", Fraction(1, 10), eps=Fraction(1, 1000))
    training = train(GRAPH, _arrays(PARAMS, EXACT), _arrays(DATA, EXACT), o, backend=EXACT)
    for k, g in training.grads.items():
        if k not in GRAPH.params:
            continue
        expected = EXACT.array(PARAMS[k]) - Fraction(1, 10) * g / (np.vectorize(abs, otypes=[object])(g) + Fraction(1, 1000))
        np.testing.assert_allclose(EXACT.to_float(training.at(1).updated[k]), EXACT.to_float(expected), rtol=1e-14, atol=1e-15)
    plain = without_bias_correction(training)
    assert plain is not None and plain.optimizer.bias_correction is False
    assert not np.allclose(EXACT.to_float(plain.at(1).updated["W1"]), EXACT.to_float(training.at(1).updated["W1"]))
    assert without_bias_correction(train(GRAPH, _arrays(PARAMS, FLOAT), _arrays(DATA, FLOAT),
                                         Optimizer("momentum", Fraction(1, 10)), backend=FLOAT)) is None


@pytest.mark.parametrize("name", ["momentum", "nesterov"])
def test_momentum_zero_is_plain_sgd(name):
    sgd = train(GRAPH, _arrays(PARAMS, EXACT), _arrays(DATA, EXACT), Optimizer("sgd", Fraction(1, 4), steps=3), backend=EXACT)
    other = train(GRAPH, _arrays(PARAMS, EXACT), _arrays(DATA, EXACT),
                  Optimizer(name, Fraction(1, 4), steps=3, momentum=Fraction(0)), backend=EXACT)
    for k in GRAPH.params:
        assert (sgd.at(3).updated[k] == other.at(3).updated[k]).all()


def test_coupled_weight_decay_is_the_gradient_of_an_l2_penalty_in_the_equations():
    """SGD with weight decay λ on W1, W2 equals SGD on L + (λ/2)(ΣW1² + ΣW2²) written as equations."""
    spec = expand_mlp({"sizes": [2, 3, 2], "activation": "relu", "output": "identity", "loss": "sse"})
    spec["equations"][-1] = "data = sse(a2, t)"
    spec["equations"].append("L = data + lam * (sum(W1 * W1) + sum(W2 * W2))")
    spec["constants"] = {"lam": "1/200"}
    penalised = build_graph(spec)
    decay = Optimizer("sgd", Fraction(1, 4), steps=2, weight_decay=Fraction(1, 100),
                      learning_rates=())
    a = train(GRAPH, _arrays(PARAMS, EXACT), _arrays(DATA, EXACT), decay, backend=EXACT)
    # the biases are not penalised: decay them not at all by giving the penalty graph's own run
    b = train(penalised, _arrays(PARAMS, EXACT), _arrays(DATA, EXACT), Optimizer("sgd", Fraction(1, 4), steps=2), backend=EXACT)
    for k in ("W1", "W2"):
        assert (a.at(1).updated[k] == b.at(1).updated[k]).all()
    for k in ("b1", "b2"):  # weight decay decays biases too (as torch.optim without param groups)
        assert not (a.at(1).updated[k] == b.at(1).updated[k]).all()


def test_per_parameter_rates_and_the_last_matching_pattern():
    o = Optimizer("sgd", Fraction(1, 2), learning_rates=(("*", Fraction(1, 4)), ("b*", Fraction(0))))
    assert [o.rate(p) for p in ("W1", "b1", "W2")] == [Fraction(1, 4), 0, Fraction(1, 4)]
    training = train(GRAPH, _arrays(PARAMS, EXACT), _arrays(DATA, EXACT), o, backend=EXACT)
    assert (training.at().updated["b1"] == EXACT.array(PARAMS["b1"])).all()


def test_step_tables_ask_forward_values_at_each_step():
    o = Optimizer("momentum", Fraction(1, 4), steps=2)
    training = train(GRAPH, _arrays(PARAMS, FLOAT), _arrays(DATA, FLOAT), o, backend=FLOAT)
    again = evaluate(GRAPH, training.at(1).updated, _arrays(DATA, FLOAT), backend=FLOAT)
    np.testing.assert_array_equal(step_tables(training, 2)["grad"]["W1"], again.grads["W1"])
    np.testing.assert_array_equal(step_tables(training)["grad"]["W1"], training.grads["W1"])
    np.testing.assert_array_equal(step_tables(training)["velocity"]["W1"], training.at(2).state["velocity"]["W1"])
    with pytest.raises(KeyError):
        step_tables(again, 2)
