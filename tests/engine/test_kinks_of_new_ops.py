"""Kinks of every kinked op, inside random networks (issue 19): inputs exactly at a kink are
decided by the key's arithmetic (MIXED), the float run follows, and the key's derivative is the
one on the side of the kink the op's convention takes, checked by 60-digit central differences
taken a hair (1e-30) onto that side.

Each hidden unit placed at a kink has a zero row of weights (and a bias of 0, or ±1 for
hard-tanh), so its input is exactly at the kink in every backend; an L1 or Huber target is the
key's own output (minus δ), so the residual is exactly at the kink in the key's arithmetic and
~1e-17 off in float64.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.engine.autodiff import evaluate, forward
from grader.engine.backends import DIGITS, FLOAT, HIGH, MIXED
from grader.engine.graph import build_graph
from grader.engine.instantiate import random_instance
from grader.engine.kinks import KINK_GAPS, at_kinks
from grader.engine.ops import Rules
from grader.keys.answer_key import KINK_OPS

# activation -> (call, the side of its kink the key's derivative is taken on: -1 left, +1 right,
# "sign" the side the input is on (hard-tanh: outside ±1), 0 both (the mean: a central difference))
ACTIVATIONS = {"relu": ("relu({z})", -1), "leaky_relu": ("leaky_relu({z}, 0.1)", -1), "elu": ("elu({z})", -1),
               "selu": ("selu({z})", -1), "abs": ("abs({z})", 0), "hardtanh": ("hardtanh({z})", "sign"),
               "max": ("max({z}, 0)", 0), "min": ("min({z}, 0)", 0), "tanh": ("tanh({z})", 0),
               "gelu": ("gelu({z})", 0)}
LOSSES = ("l1", "huber", "sse")
EPS, H = Fraction(1, 10**30), Fraction(1, 10**42)


@st.composite
def kinked_networks(draw):
    depth, batch = draw(st.integers(2, 4)), draw(st.integers(1, 3))
    widths = [draw(st.integers(1, 4))] + [draw(st.integers(2, 4)) for _ in range(depth - 1)] + [draw(st.integers(1, 3))]
    loss = draw(st.sampled_from(LOSSES))
    # |c·|h|| has no derivative at h = 0: an L1 residual at its kink is fed by no hidden kink that
    # both sides share (abs, max, min); the one-sided ones are nudged off theirs by EPS
    choices = sorted(a for a, (_, side) in ACTIVATIONS.items() if loss != "l1" or side != 0 or a in ("tanh", "gelu"))
    acts = [draw(st.sampled_from(choices)) for _ in range(depth - 1)]
    value = lambda: Fraction(draw(st.integers(-9, 9)), 10)  # noqa: E731
    params, values, equations, prev = {}, {}, [], "x"
    for layer in range(1, depth + 1):
        rows, cols = widths[layer], widths[layer - 1]
        params[f"W{layer}"], params[f"b{layer}"] = [rows, cols], [rows, 1]
        values[f"W{layer}"] = [[value() for _ in range(cols)] for _ in range(rows)]
        values[f"b{layer}"] = [[value()] for _ in range(rows)]
        equations.append(f"z{layer} = W{layer} @ {prev} + b{layer}")
        if layer < depth:
            act = acts[layer - 1]
            unit = draw(st.integers(0, rows - 1))  # exactly at the kink for every example
            values[f"W{layer}"][unit] = [Fraction(0)] * cols
            values[f"b{layer}"][unit] = [Fraction(draw(st.sampled_from([-1, 1]))) if act == "hardtanh" else Fraction(0)]
            params[f"e{layer}"] = [rows, 1]  # the nudge onto the key's side: 0 for the key
            equations.append(f"a{layer} = " + ACTIVATIONS[act][0].format(z=f"(z{layer} + e{layer})"))
            prev = f"a{layer}"
    equations.append(f"L = {loss}(z{depth}, t)" if loss != "huber" else f"L = huber(z{depth}, t, 0.5)")
    spec = {"inputs": {"x": [widths[0], 1]}, "targets": {"t": [widths[-1], 1]}, "params": params,
            "equations": equations, "loss": "L", "output": f"z{depth}"}
    x = [[value() for _ in range(batch)] for _ in range(widths[0])]
    return build_graph(spec, source="hypothesis"), acts, loss, values, x


def _params(graph, values, backend, nudges=None):
    out = {k: backend.array(v) for k, v in values.items()}
    for p in graph.params:
        if p.startswith("e"):
            out[p] = backend.array(nudges[p] if nudges else [[0]] * graph.shapes[p][0])
    return out


def _targets(graph, loss, values, x, rng):
    """Targets in the key's arithmetic: for L1 and Huber one entry is the key's own output (minus
    δ = 0.5), so that residual sits exactly at the kink; the others are drawn."""
    y = forward(graph, _params(graph, values, MIXED), {"x": MIXED.array(x)}, backend=MIXED)[graph.output]
    t = np.array([[Fraction(int(rng.integers(-9, 10)), 10) for _ in range(y.shape[1])] for _ in range(y.shape[0])],
                 dtype=object)
    kink = None
    if loss in ("l1", "huber"):
        kink = int(rng.integers(0, y.shape[0])), int(rng.integers(0, y.shape[1]))
        t[kink] = y[kink] - (Fraction(1, 2) if loss == "huber" else 0)
    return t, kink


def _nudges(graph, acts, values, x):
    """Per kinked layer, EPS times the side of the kink its convention takes, per unit."""
    v = forward(graph, _params(graph, values, MIXED), {"x": MIXED.array(x)}, backend=MIXED)
    out = {}
    for layer, act in enumerate(acts, start=1):
        side = ACTIVATIONS[act][1]
        rows = v[f"z{layer}"].shape[0]
        signs = MIXED.sign(v[f"z{layer}"][:, :1]).ravel() if side == "sign" else [side] * rows
        out[f"e{layer}"] = [[EPS * int(s)] for s in signs]
    return out


@given(data=st.data())
@settings(max_examples=25, deadline=None, derandomize=True, print_blob=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_kinks_are_decided_by_the_key_and_hold_on_its_side(data):
    graph, acts, loss, values, x = data.draw(kinked_networks())
    rng = np.random.default_rng(len(acts) * 7 + len(x))
    t, kink = _targets(graph, loss, values, x, rng)
    key = evaluate(graph, _params(graph, values, MIXED), {"x": MIXED.array(x), "t": t}, backend=MIXED)
    # every kinked layer is at its kink, exactly, in the key's arithmetic (and the loss too)
    kinked = {n.args[0] for n in at_kinks(graph, key.values, MIXED)}
    expected = {f"a{layer}" for layer, act in enumerate(acts, start=1) if act in KINK_GAPS}
    assert {n.name for n in at_kinks(graph, key.values, MIXED) if n.name.startswith("a")} == expected, kinked
    assert ("L" in {n.name for n in at_kinks(graph, key.values, MIXED)}) == (loss in ("l1", "huber"))
    # the float run follows the key's decisions and agrees to 1e-12
    floats = evaluate(graph, _params(graph, values, FLOAT), {"x": FLOAT.array(x), "t": MIXED.to_float(t)},
                      backend=FLOAT, follow=key.kinks)
    for name in graph.params:
        np.testing.assert_allclose(MIXED.to_float(key.grads[name]), floats.grads[name], rtol=1e-12, atol=1e-12)
    # the key's gradient is the derivative on the convention's side of each kink
    nudges = _nudges(graph, acts, values, x)
    with mpmath.workdps(DIGITS):
        high_t = np.array([[mpmath.mpf(v.raw) if hasattr(v, "raw") else HIGH.const(v) for v in row] for row in t], dtype=object)
        if kink is not None:  # the loss's kink where the nudged network puts its output (nudges move it by ~EPS)
            y = forward(graph, _params(graph, values, HIGH, nudges), {"x": HIGH.array(x)}, backend=HIGH)[graph.output]
            high_t[kink] = y[kink] - HIGH.const(Fraction(1, 2) if loss == "huber" else 0)
        for name in graph.params:
            if name.startswith("e"):
                continue
            for i in range(len(values[name])):
                for j in range(len(values[name][0])):
                    def loss_at(step):
                        moved = {k: [list(r) for r in v] for k, v in values.items()}
                        moved[name][i][j] += step
                        return forward(graph, _params(graph, moved, HIGH, nudges), {"x": HIGH.array(x), "t": high_t},
                                       backend=HIGH)["L"][0, 0]
                    fd = (loss_at(H) - loss_at(-H)) / (2 * HIGH.const(H))
                    assert float(MIXED.to_float(key.grads[name])[i, j]) == pytest.approx(float(fd), rel=1e-9, abs=1e-12), \
                        (acts, loss, name, i, j)


def test_every_kinked_op_has_its_kinks_located():
    assert set(KINK_OPS) == set(KINK_GAPS) == {"relu", "leaky_relu", "elu", "selu", "abs", "hardtanh", "max", "min",
                                               "l1", "huber", "maxpool2d"}


@pytest.mark.parametrize("equations, ties", [
    (["p = maxpool2d(x, 4, 2)", "L = sum(p)"], [[1], [2], [3], [4], [9], [9], [7], [8], [1], [2], [3], [4], [5], [6], [7], [8]]),
    (["p = maxpool2d(x, 4, 2)", "L = sum(p)"], None),
])
def test_a_tie_in_a_max_pooling_window_is_its_kink(equations, ties):
    graph = build_graph({"inputs": {"x": [16, 1]}, "equations": equations, "loss": "L", "output": "p"})
    x = ties or [[v] for v in range(16)]
    values = forward(graph, {}, {"x": MIXED.array(x)}, backend=MIXED)
    assert [n.name for n in at_kinks(graph, values, MIXED)] == (["p"] if ties else [])


KINKED_GRAPHS = {  # op -> a network around it whose random instances (kinks=True) must reach its kink
    op: {"inputs": {"x": [3, 1]}, "targets": {"t": [2, 1]}, "params": {"W1": [4, 3], "b1": [4, 1], "W2": [2, 4]},
         "equations": ["z1 = W1 @ x + b1", f"a1 = {op}(z1{', 0.1' if op == 'leaky_relu' else ''})", "y = W2 @ a1", "L = sse(y, t)"], "loss": "L", "output": "y"}
    for op in ("relu", "leaky_relu", "elu", "selu", "abs", "hardtanh")
} | {
    loss: {"inputs": {"x": [3, 1]}, "targets": {"t": [2, 1]}, "params": {"W1": [2, 3], "b1": [2, 1]},
           "equations": ["y = W1 @ x + b1", f"L = {loss}(y, t)"], "loss": "L", "output": "y"}
    for loss in ("l1", "huber")
}


@pytest.mark.parametrize("op", sorted(KINKED_GRAPHS))
@pytest.mark.parametrize("seed", range(4))
def test_random_instances_are_placed_at_the_kinks_of_every_kinked_op(op, seed):
    graph = build_graph(KINKED_GRAPHS[op], source="test")
    inst = random_instance(graph, sizes={}, rng=np.random.default_rng(seed), batch=2, rules=Rules(), kinks=True)
    assert [n.op for n in at_kinks(graph, inst.evaluation.values, FLOAT)] == [op]
    plain = random_instance(graph, sizes={}, rng=np.random.default_rng(seed), batch=2, rules=Rules())
    assert at_kinks(graph, plain.evaluation.values, FLOAT) == []


@pytest.mark.parametrize("seed", range(6))
def test_random_instances_draw_class_indices_for_cross_entropy_index(seed):
    graph = build_graph({"inputs": {"x": [2, 1]}, "targets": {"k": [1, 1]}, "params": {"W": [3, 2]},
                         "equations": ["z = W @ x", "L = cross_entropy_index(z, k)"], "loss": "L", "output": "z"},
                        source="test")
    inst = random_instance(graph, sizes={}, rng=np.random.default_rng(seed), batch=4)
    k = inst.data["k"]
    assert k.shape == (1, 4) and set(k.ravel().tolist()) <= {0.0, 1.0, 2.0}
    assert np.isfinite(inst.evaluation.grads["W"]).all()
