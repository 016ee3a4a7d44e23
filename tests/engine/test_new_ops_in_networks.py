"""The new activations and losses inside random networks (Hypothesis): 1–3 layers, widths 1–4,
a batch of 1–3, each hidden layer a random new activation, the output one of the new losses.
Float gradients of every parameter against 60-digit central differences, and exact against
float on values and gradients."""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from grader.engine.autodiff import evaluate, forward
from grader.engine.backends import DIGITS, EXACT, FLOAT, HIGH
from grader.engine.graph import build_graph

ACTIVATIONS = ["elu", "selu", "gelu", "gelu_tanh", "hardtanh", "silu", "softsign", "abs"]
HEADS = {  # the loss and the output it reads, with the kind of target
    "l1": ("y = z{d}", "l1(y, t)", "real"), "huber": ("y = z{d}", "huber(y, t, 0.5)", "real"),
    "bce_with_logits": ("y = z{d}", "bce_with_logits(y, t)", "probability"),
    "cross_entropy_index": ("y = z{d}", "cross_entropy_index(y, t)", "index"),
    "mse_outputs": ("y = hardtanh(z{d})", "mse_outputs(y, t)", "real"),
}


@st.composite
def networks(draw, loss: str):
    depth, batch = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    widths = [draw(st.integers(1, 4)) for _ in range(depth + 1)]
    if loss == "cross_entropy_index":
        widths[-1] = max(2, widths[-1])
    equations, params, prev = [], {}, "x"
    for layer in range(1, depth + 1):
        params[f"W{layer}"], params[f"b{layer}"] = [widths[layer], widths[layer - 1]], [widths[layer], 1]
        equations.append(f"z{layer} = W{layer} @ {prev} + b{layer}")
        if layer < depth:
            equations.append(f"a{layer} = {draw(st.sampled_from(ACTIVATIONS))}(z{layer})")
            prev = f"a{layer}"
    output, loss_call, target = HEADS[loss]
    equations += [output.format(d=depth), f"L = {loss_call}"]
    n = widths[-1]
    spec = {"inputs": {"x": [widths[0], 1]}, "targets": {"t": [1 if target == "index" else n, 1]},
            "params": params, "equations": equations, "loss": "L", "output": "y"}
    value = lambda: Fraction(draw(st.integers(-12, 12)), 8) + Fraction(1, 997)  # noqa: E731
    values = {p: [[value() for _ in range(c)] for _ in range(r)] for p, (r, c) in params.items()}
    data = {"x": [[value() for _ in range(batch)] for _ in range(widths[0])]}
    if target == "index":
        data["t"] = [[Fraction(draw(st.integers(0, n - 1))) for _ in range(batch)]]
    elif target == "probability":
        data["t"] = [[Fraction(draw(st.integers(1, 7)), 8) for _ in range(batch)] for _ in range(n)]
    else:
        data["t"] = [[Fraction(draw(st.integers(-8, 8)), 8) for _ in range(batch)] for _ in range(n)]
    return build_graph(spec, source="hypothesis"), values, data


def _arrays(table, backend):
    return {k: backend.array(v) for k, v in table.items()}


def _off_kinks(graph, values, data) -> bool:
    """No pre-activation within 1e-6 of a kink (0 for abs and ELUs, ±1 for hard-tanh), no
    Huber/L1 residual at its kink: a central difference is not a derivative there."""
    v = forward(graph, _arrays(values, FLOAT), _arrays(data, FLOAT))
    for node in graph.nodes:
        if node.op in ("abs", "elu", "selu", "hardtanh"):
            z = v[node.args[0]]
            if (np.abs(z) < 1e-6).any() or (np.abs(np.abs(z) - 1) < 1e-6).any():
                return False
        if node.op in ("l1", "huber"):
            r = np.abs(v[node.args[0]] - v[node.args[1]])
            if (r < 1e-6).any() or (np.abs(r - 0.5) < 1e-6).any():
                return False
    return True


@pytest.mark.parametrize("loss", sorted(HEADS))
@given(data=st.data())
@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_networks_of_new_ops_match_central_differences_and_exact(loss, data):
    graph, values, inputs = data.draw(networks(loss))
    assume(_off_kinks(graph, values, inputs))
    ev = evaluate(graph, _arrays(values, FLOAT), _arrays(inputs, FLOAT), backend=FLOAT)
    h = Fraction(1, 10**20)
    with mpmath.workdps(DIGITS):
        for name, rows in values.items():
            for i, row in enumerate(rows):
                for j, _ in enumerate(row):
                    def loss_at(step):
                        moved = {k: [list(r) for r in v] for k, v in values.items()}
                        moved[name][i][j] += step
                        return forward(graph, _arrays(moved, HIGH), _arrays(inputs, HIGH), backend=HIGH)["L"][0, 0]
                    fd = (loss_at(h) - loss_at(-h)) / (2 * HIGH.const(h))
                    assert ev.grads[name][i, j] == pytest.approx(float(fd), rel=1e-9, abs=1e-12), (name, i, j)
    exact = evaluate(graph, _arrays(values, EXACT), _arrays(inputs, EXACT), backend=EXACT)
    for table in ("values", "grads"):
        for node, value in getattr(exact, table).items():
            np.testing.assert_allclose(EXACT.to_float(value), getattr(ev, table)[node], rtol=1e-12, atol=1e-12,
                                       err_msg=f"{table} {node}")
