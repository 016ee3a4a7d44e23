"""Property tests of the engine over random graphs (Hypothesis).

Each example is a network written as equations and built with :func:`build_graph`: 1–4
layers, widths 1–6, a batch of 1–4 examples, every activation (identity, sigmoid, tanh,
relu, leaky_relu with a slope, softplus) and every loss (sse, mse, cross_entropy after
softmax, softmax_cross_entropy, bce after sigmoid), each layer with or without a bias, and
skip connections: a pre-activation that adds (or subtracts) an earlier node of the same width
(``z2 = W2 @ a1 + b2 + x``, ``- x``, ``+ 0.5 * x``), a join after the activation
(``s2 = a2 + a1``, ``-``, or the element-wise ``*``), so one node feeds several places; now and
then a layer is written with transposes (``z = (h.T @ W.T).T``), a negated weight
(``-W @ h``) or a subtracted bias, so every op of the table is exercised.

Properties:

(a) every gradient of a leaf (each parameter, the input and the target) from the float
    backend agrees with a central difference of the loss at 60 digits (HIGH backend,
    h = 1e-15) to 1e-9 relative / 1e-12 absolute;
(b) the exact and float backends agree to 1e-12 (rtol and atol) on every value, every
    gradient and every SGD-updated parameter (η = 1/2);
(c) with ``reduction="mean"`` every gradient, the loss and the update are exactly the
    ``"sum"`` ones with the gradients divided by the batch size (exact backend).

Parameters are k/8 + 1/997 and inputs k/8 + 1/991, so they are small rationals and a ReLU
pre-activation is almost never exactly 0; the draws where one is within 1e-9 of 0 (the kink,
where neither a finite difference nor the float sign is meaningful) are skipped, and so are
the rare ones that saturate (a value beyond ±30, or a bce probability within 1e-4 of 0 or 1),
where float64 rather than the engine runs out of digits. Only forward values are judged, so a
NaN or wrong gradient fails the test instead of being skipped.

The exact backend's cost grows steeply with the depth of nested transcendental expressions
(sympy), so (b) and (c) draw networks under a size budget (batch × product of the layer
widths ≤ EXACT_BUDGET; the input width is free): still every depth 1–4 and every width 1–6,
just not the widest at the deepest. Property (a) uses the float and HIGH backends only and draws from the full range.

Examples per property: the fast bound by default (the file runs in well under a minute on 2
cores); ``HYPOTHESIS_PROFILE=thorough`` multiplies them by 10. Draws are derandomized, so CI
sees the same examples every run.
"""
from __future__ import annotations

import os
import random
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from grader.engine.autodiff import evaluate, forward
from grader.engine.backends import DIGITS, EXACT, FLOAT, HIGH
from grader.engine.graph import Graph, build_graph
from grader.engine.ops import Rules

ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "softplus"]
LEAKY_SLOPES = ["0.01", "0.125", "0.2", "0.5"]
LOSSES = ["sse", "mse", "cross_entropy", "softmax_cross_entropy", "bce"]
PARAM_OFFSET, INPUT_OFFSET = Fraction(1, 997), Fraction(1, 991)
EXACT_BUDGET = 24  # batch × ∏ layer widths (not the input's), for the exact-backend properties

_SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 1


def _settings(examples: int):
    return settings(max_examples=examples * _SCALE, deadline=None, derandomize=True, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Case:
    spec: dict
    graph: Graph
    params: dict  # name -> rows of Fractions
    data: dict  # name -> rows of Fractions (examples are columns)
    batch: int

    def arrays(self, backend) -> tuple[dict, dict]:
        return ({k: backend.array(v) for k, v in self.params.items()},
                {k: backend.array(v) for k, v in self.data.items()})

    def __repr__(self) -> str:  # what Hypothesis prints for a falsifying example
        return f"Case(spec={self.spec!r}, params={_show(self.params)}, data={_show(self.data)})"


def _show(table: dict) -> dict:
    return {k: [[str(v) for v in row] for row in rows] for k, rows in table.items()}


def _rationals(draw, rows: int, cols: int, offset: Fraction, lo: int = -8, hi: int = 8) -> list:
    ks = draw(st.lists(st.integers(lo, hi), min_size=rows * cols, max_size=rows * cols))
    return [[Fraction(ks[i * cols + j], 8) + offset for j in range(cols)] for i in range(rows)]


@st.composite
def networks(draw, loss: str, *, budget: int | None = None, min_batch: int = 1) -> Case:
    """A random network for ``loss`` as equations, with parameters, inputs and targets."""
    batch = draw(st.integers(min_batch, 4))
    depth = draw(st.integers(1, 4))
    bias = draw(st.sampled_from(["every layer", "no layer", "some layers"]))
    room = budget // batch if budget else None  # what the product of layer widths may grow to
    features = {f"loss {loss}", f"depth {depth}", f"batch {batch}", f"bias in {bias}"}

    n_in = draw(st.integers(1, 6))
    params: dict[str, list[int]] = {}
    equations: list[str] = []
    available = {"x": n_in}  # nodes a skip connection may take, with their widths
    prev = "x"
    for layer in range(1, depth + 1):
        most = 6 if room is None else max(1, min(6, room))
        reusable = sorted({w for w in available.values() if w <= most})
        if draw(st.booleans()):  # a width seen before, so that skips have somewhere to go
            w = draw(st.sampled_from(reusable)) if reusable else 1
        else:
            w = draw(st.integers(1, most))
        if room is not None:
            room = max(1, room // w)
        features.add(f"width {w}")
        W, b, z = f"W{layer}", f"b{layer}", f"z{layer}"
        params[W] = [w, available[prev]]
        form = draw(st.sampled_from(["W @ h", "W @ h", "W @ h", "(h.T @ W.T).T", "-W @ h"]))
        affine = form.replace("W", W).replace("h", prev)
        features.add(f"matmul as {form}")
        if bias == "every layer" or (bias == "some layers" and draw(st.booleans())):
            params[b] = [w, 1]
            sign = draw(st.sampled_from(["+", "+", "-"]))
            affine += f" {sign} {b}"
            features.add(f"bias {sign}")
        same = sorted(n for n, width_ in available.items() if width_ == w)
        if same and draw(st.booleans()):
            other, how = draw(st.sampled_from(same)), draw(st.sampled_from(["+ {}", "- {}", "+ 0.5 * {}"]))
            affine += " " + how.format(other)
            features.add(f"skip into a pre-activation ({how.format('h')})")
            if other == prev:
                features.add("a node feeding the matmul and the skip")
        equations.append(f"{z} = {affine}")
        available[z] = w
        if layer < depth:
            a = f"a{layer}"
            equations.append(f"{a} = {_activation(draw, z, features)}")
            available[a] = w
            prev = a
            others = sorted(n for n, width_ in available.items() if width_ == w and n not in (a, z))
            if others and draw(st.booleans()):
                s, op = f"s{layer}", draw(st.sampled_from(["+", "-", "*"]))
                equations.append(f"{s} = {a} {op} {draw(st.sampled_from(others))}")
                features.add(f"join {op}")
                available[s] = w
                prev = s
    z = f"z{depth}"
    output = "y"
    if loss in ("sse", "mse"):
        equations.append(f"y = {_activation(draw, z, features)}")
    elif loss == "cross_entropy":
        equations.append(f"y = softmax({z})")
    elif loss == "bce":
        equations.append(f"y = sigmoid({z})")
    else:  # softmax_cross_entropy is fed the logits
        output = z
    equations.append(f"L = {loss}({output}, t)")

    n_out = params[f"W{depth}"][0]
    spec = {"inputs": {"x": [str(n_in), "1"]}, "targets": {"t": [str(n_out), "1"]}, "params": params,
            "equations": equations, "loss": "L", "output": output}
    values = {p: _rationals(draw, r, c, PARAM_OFFSET) for p, (r, c) in params.items()}
    data = {"x": _rationals(draw, n_in, batch, INPUT_OFFSET)}
    if loss in ("cross_entropy", "softmax_cross_entropy"):
        hot = draw(st.lists(st.integers(0, n_out - 1), min_size=batch, max_size=batch))
        data["t"] = [[Fraction(int(hot[j] == i)) for j in range(batch)] for i in range(n_out)]
    elif loss == "bce":
        data["t"] = _rationals(draw, n_out, batch, Fraction(0), 1, 7)
    else:
        data["t"] = _rationals(draw, n_out, batch, Fraction(0))
    case = Case(spec, build_graph(spec, source="hypothesis"), values, data, batch)
    assume(_well_conditioned(case))
    for feature in sorted(features):  # what the example covers: pytest --hypothesis-show-statistics
        event(feature)
    return case


def _activation(draw, z: str, features: set) -> str:
    act = draw(st.sampled_from(ACTIVATIONS))
    features.add(f"activation {act}")
    if act == "leaky_relu":
        return f"leaky_relu({z}, {draw(st.sampled_from(LEAKY_SLOPES))})"
    return f"{act}({z})"


def _well_conditioned(case: Case) -> bool:
    """Off every ReLU kink by more than 1e-9, and away from float64's saturation.

    Judged on forward values only (never on the gradients under test, so a NaN or a wrong
    gradient fails rather than being skipped): every node but the loss within ±30, and bce's
    probabilities within [1e-4, 1 − 1e-4] (past that float64 has lost digits of 1 − p that the
    1e-12 agreement needs: the float backend's limit, not the engine's).
    """
    values = forward(case.graph, *case.arrays(FLOAT), backend=FLOAT)
    for node in case.graph.nodes:
        v = np.asarray(values[node.name], dtype=float)
        if not np.all(np.isfinite(v)) or (node.name != case.graph.loss and np.any(np.abs(v) > 30)):
            return False
        if node.op in ("relu", "leaky_relu") and np.any(np.abs(values[node.args[0]]) < 1e-9):
            return False
        if node.op == "bce" and np.any(np.abs(values[node.args[0]] - 0.5) > 0.5 - 1e-4):
            return False
    return True


# ---------------------------------------------------------------------------------------------
# (a) float gradients against central differences at 60 digits


@pytest.mark.parametrize("loss", LOSSES)
@_settings(examples=10)
@given(data=st.data())
def test_float_gradients_match_high_precision_central_differences(loss, data):
    case = data.draw(networks(loss), label="case")
    graph = case.graph
    ev = evaluate(graph, *case.arrays(FLOAT), backend=FLOAT)
    leaves = {**case.params, **case.data}
    with mpmath.workdps(DIGITS):
        h = HIGH.const(Fraction(1, 10**15))
        base = {k: HIGH.array(v) for k, v in leaves.items()}

        def loss_at(name: str, i: int, j: int, step) -> mpmath.mpf:
            table = dict(base)
            table[name] = base[name].copy()
            table[name][i, j] = table[name][i, j] + step
            params = {p: table[p] for p in graph.params}
            data = {d: table[d] for d in case.data}
            return forward(graph, params, data, backend=HIGH)[graph.loss][0, 0]

        for name, rows in leaves.items():
            assert ev.grads[name].shape == (len(rows), len(rows[0])), name
            for i in range(len(rows)):
                for j in range(len(rows[0])):
                    fd = (loss_at(name, i, j, h) - loss_at(name, i, j, -h)) / (2 * h)
                    assert ev.grads[name][i, j] == pytest.approx(float(fd), rel=1e-9, abs=1e-12), \
                        f"∂L/∂{name}[{i},{j}]: float {ev.grads[name][i, j]!r}, central difference {mpmath.nstr(fd, 20)}"


# ---------------------------------------------------------------------------------------------
# (b) exact and float backends agree


@pytest.mark.parametrize("loss", LOSSES)
@_settings(examples=10)
@given(data=st.data())
def test_exact_and_float_backends_agree(loss, data):
    case = data.draw(networks(loss, budget=EXACT_BUDGET), label="case")
    ex = evaluate(case.graph, *case.arrays(EXACT), backend=EXACT, learning_rate=Fraction(1, 2))
    fl = evaluate(case.graph, *case.arrays(FLOAT), backend=FLOAT, learning_rate=0.5)
    for table in ("values", "grads", "updated"):
        exact, floats = getattr(ex, table), getattr(fl, table)
        assert exact.keys() == floats.keys(), table
        for name, value in exact.items():
            np.testing.assert_allclose(EXACT.to_float(value), floats[name], rtol=1e-12, atol=1e-12,
                                       err_msg=f"{table}[{name}]")
    assert set(ex.updated) == set(case.graph.params)


# ---------------------------------------------------------------------------------------------
# (c) mean reduction is the sum reduction over the batch size, exactly


def _exactly_equal(a, b) -> bool:
    """Equal as numbers, decided in exact arithmetic.

    Structurally equal sympy expressions are; otherwise both sides are taken as rational
    functions of their transcendental atoms (each tanh(…), exp(…), log(…) an unknown: both are
    built from the same atoms, only scaled differently; sympy writes exp(c·log y) as y**c, so a
    power with a non-integer exponent is an atom too) and compared exactly at two
    pseudo-random rational points (a Schwartz–Zippel identity test; a false "equal" has
    probability ~1e-10), falling back to ``cancel`` when a point does not give rationals.
    """
    a, b = sympy.sympify(a), sympy.sympify(b)
    if a == b:
        return True
    if a.is_Rational and b.is_Rational:
        return False
    atoms = sorted(_atoms(a) | _atoms(b), key=sympy.default_sort_key)
    rng = random.Random(len(atoms))
    for _ in range(2):
        point = {f: sympy.Rational(rng.randrange(1, 10**12), rng.randrange(1, 10**12)) for f in atoms}
        at_a, at_b = a.xreplace(point), b.xreplace(point)
        if not (at_a.is_Rational and at_b.is_Rational):
            unknowns = {f: sympy.Dummy() for f in atoms}
            return sympy.cancel(a.xreplace(unknowns) - b.xreplace(unknowns)) == 0
        if at_a != at_b:
            return False
    return True


def _atoms(expr) -> set:
    powers = {p for p in expr.atoms(sympy.Pow) if not p.exp.is_Integer}
    return expr.atoms(sympy.Function) | powers | expr.atoms(sympy.NumberSymbol)


@pytest.mark.parametrize("loss", LOSSES)
@_settings(examples=6)
@given(data=st.data())
def test_mean_reduction_is_the_sum_divided_by_the_batch(loss, data):
    case = data.draw(networks(loss, budget=EXACT_BUDGET, min_batch=2), label="case")
    eta = Fraction(1, 2)
    total = evaluate(case.graph, *case.arrays(EXACT), backend=EXACT, rules=Rules(reduction="sum"),
                     learning_rate=eta)
    mean = evaluate(case.graph, *case.arrays(EXACT), backend=EXACT, rules=Rules(reduction="mean"),
                    learning_rate=eta)
    m = sympy.Rational(1, case.batch)
    assert mean.batch == total.batch == case.batch
    assert mean.grads.keys() == total.grads.keys()
    node = case.graph.loss
    assert _exactly_equal(mean.values[node][0, 0], total.values[node][0, 0] * m), "loss"
    for name, g in total.grads.items():
        assert mean.grads[name].shape == g.shape, name
        for (i, j), value in np.ndenumerate(g):
            assert _exactly_equal(mean.grads[name][i, j], value * m), \
                f"∂L/∂{name}[{i},{j}]: mean {mean.grads[name][i, j]}, sum/{case.batch} {value * m}"
    params = case.arrays(EXACT)[0]
    for p in case.graph.params:
        for (i, j), value in np.ndenumerate(mean.updated[p]):
            assert _exactly_equal(value, params[p][i, j] - eta * total.grads[p][i, j] * m), f"updated {p}[{i},{j}]"
