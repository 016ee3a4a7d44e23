"""The ops of issue 19 (activations, losses, functions), each checked three ways on random
shapes and values (Hypothesis):

(a) the float backward pass against central differences of the loss at 60 digits (mpmath);
(b) the exact backend against the float backend, values and gradients, to 1e-12;
(c) at every kink, the derivative the docs state (exact), and the float backend agreeing.

Each case is a small graph ``y = op(x, u)`` followed by ``L = sum(exp(0.3 * y))`` (so the
upstream gradient differs per entry), or ``L = loss(x, u)`` for a loss.
"""
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
from grader.engine.op_kit import Ctx
from grader.engine.ops import OPS, Rules
from grader.errors import ConfigError

# op call -> (shape of u relative to x: "same", "column", "scalar" or None, domain of x, domain of u)
CASES = {
    "elu(x)": (None, "real", None), "elu(x, 0.5)": (None, "real", None), "selu(x)": (None, "real", None),
    "gelu(x)": (None, "real", None), "gelu_tanh(x)": (None, "real", None), "hardtanh(x)": (None, "real", None),
    "silu(x)": (None, "real", None), "swish(x)": (None, "real", None), "softsign(x)": (None, "real", None),
    "sqrt(x)": (None, "positive", None), "abs(x)": (None, "real", None),
    "sum(x)": (None, "real", None), "mean(x)": (None, "real", None), "sum_batch(x)": (None, "real", None),
    "mean_batch(x)": (None, "real", None), "sum_features(x)": (None, "real", None),
    "mean_features(x)": (None, "real", None), "exp(x)": (None, "real", None), "log(x)": (None, "positive", None),
    "x / u": ("same", "real", "positive"), "x / u ": ("column", "real", "negative"),
    "max(x, u)": ("same", "real", "real"), "min(x, u)": ("same", "real", "real"),
    "max(x, u) ": ("scalar", "real", "real"), "min(x, u) ": ("column", "real", "real"),
    "l1(x, u)": ("same", "real", "real"), "huber(x, u)": ("same", "real", "real"),
    "huber(x, u, 0.5)": ("same", "real", "real"), "bce_with_logits(x, u)": ("same", "real", "probability"),
    "cross_entropy_index(x, u)": ("class", "real", None), "mse_outputs(x, u)": ("same", "real", "real"),
}
LOSS_CALLS = {c for c in CASES if c.split("(")[0] in ("l1", "huber", "bce_with_logits", "cross_entropy_index", "mse_outputs")}


def _settings(examples: int):
    return settings(max_examples=examples, deadline=None, derandomize=True, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _values(draw, rows: int, cols: int, domain: str, kinks: bool = False) -> list:
    """k/8 (+ 1/991 off the kinks; without it 0, ±1 and ties come often, for ``kinks``)."""
    ks = draw(st.lists(st.integers(-24, 24), min_size=rows * cols, max_size=rows * cols))
    off = Fraction(0) if kinks else Fraction(1, 991)
    make = {"real": lambda k: Fraction(k, 8) + off, "positive": lambda k: Fraction(abs(k) + 1, 8),
            "negative": lambda k: -Fraction(abs(k) + 1, 8), "probability": lambda k: Fraction(abs(k) % 7 + 1, 8)}[domain]
    return [[make(ks[i * cols + j]) for j in range(cols)] for i in range(rows)]


@st.composite
def cases(draw, call: str, kinks: bool = False):
    """A graph around ``call`` with values for x (and u): random shapes 1–4 × 1–4; with
    ``kinks``, entries at kinks (0, ±1, x = u) come often."""
    u_shape, x_domain, u_domain = CASES[call]
    n, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    data = {"x": _values(draw, n, m, x_domain, kinks)}
    shapes = {"x": [n, 1]}
    if u_shape == "class":
        data["u"] = [[Fraction(draw(st.integers(0, n - 1))) for _ in range(m)]]
        shapes["u"] = [1, 1]
    elif u_shape is not None:
        rows, cols = {"same": (n, m), "column": (n, 1), "scalar": (1, 1)}[u_shape]
        # u as a parameter when it does not span the batch (inputs always do)
        data["u"] = _values(draw, rows, cols, u_domain, kinks)
        shapes["u"] = [rows, cols]
    batch_wide = u_shape in ("same", "class")
    equations = [f"L = {call.strip()}"] if call in LOSS_CALLS else [f"y = {call.strip()}", "L = sum(exp(0.3 * y))"]
    spec = {"inputs": {"x": shapes["x"], **({"u": shapes["u"]} if batch_wide else {})},
            "params": {"u": shapes["u"]} if "u" in shapes and not batch_wide else {},
            "equations": equations, "loss": "L", "output": "L"}
    return build_graph(spec, source="test"), data


def _split(graph, data, backend):
    arrays = {k: backend.array(v) for k, v in data.items()}
    return {k: v for k, v in arrays.items() if k in graph.params}, {k: v for k, v in arrays.items() if k not in graph.params}


def _off_kinks(call: str, data: dict) -> bool:
    """True when no entry sits on (or within 1e-6 of) a kink of ``call``."""
    x = np.array(data["x"], dtype=float)
    u = np.array(data["u"], dtype=float) if "u" in data else None
    near = lambda a: bool((np.abs(a) < 1e-6).any())
    name = call.split("(")[0].strip()
    if name in ("abs", "elu", "selu") and near(x):
        return False
    if name == "hardtanh" and (near(x - 1) or near(x + 1)):
        return False
    if name in ("max", "min", "l1") and near(x - u):
        return False
    if name == "huber":
        delta = 0.5 if "0.5" in call else 1.0
        return not near(np.abs(x - u) - delta)
    return True


@pytest.mark.parametrize("call", sorted(CASES))
@given(data=st.data())
@_settings(12)
def test_float_gradients_match_high_precision_central_differences(call, data):
    graph, values = data.draw(cases(call))
    assume(_off_kinks(call, values))
    params, inputs = _split(graph, values, FLOAT)
    ev = evaluate(graph, params, inputs, backend=FLOAT)
    h = Fraction(1, 10**20)
    with mpmath.workdps(DIGITS):
        for name, rows in values.items():
            if name == "u" and call.startswith("cross_entropy_index"):
                continue  # a class index has no gradient
            for i, row in enumerate(rows):
                for j, _ in enumerate(row):
                    def loss_at(step):
                        moved = {k: [list(r) for r in v] for k, v in values.items()}
                        moved[name][i][j] += step
                        p, d = _split(graph, moved, HIGH)
                        return forward(graph, p, d, backend=HIGH)["L"][0, 0]
                    fd = (loss_at(h) - loss_at(-h)) / (2 * HIGH.const(h))
                    assert ev.grads[name][i, j] == pytest.approx(float(fd), rel=1e-9, abs=1e-12), (call, name, i, j)


@pytest.mark.parametrize("call", sorted(CASES))
@given(data=st.data())
@_settings(8)
def test_exact_and_float_backends_agree_also_at_kinks(call, data):
    """Values k/8 put entries at 0, ±1 and x = u: both backends take the same side of each kink."""
    graph, values = data.draw(cases(call, kinks=True))
    exact = evaluate(graph, *_split(graph, values, EXACT), backend=EXACT)
    floats = evaluate(graph, *_split(graph, values, FLOAT), backend=FLOAT)
    for table in ("values", "grads"):
        for node, value in getattr(exact, table).items():
            np.testing.assert_allclose(EXACT.to_float(value), getattr(floats, table)[node], rtol=1e-12, atol=1e-12,
                                       err_msg=f"{call} {table} {node}")


# (op, arguments, the derivative of the output w.r.t. each argument there): every kink's convention
KINKS = [
    ("abs", ["0"], ["0"]), ("elu", ["0", "1/2"], ["1/2"]), ("selu", ["0"], ["1.7580993408473768599402175208123"]),
    ("hardtanh", ["1"], ["0"]), ("hardtanh", ["-1"], ["0"]), ("hardtanh", ["1/2"], ["1"]),
    ("max", ["3/4", "3/4"], ["1/2", "1/2"]), ("min", ["-2", "-2"], ["1/2", "1/2"]),
    ("max", ["1", "0"], ["1", "0"]), ("min", ["1", "0"], ["0", "1"]),
    ("l1", ["2", "2"], ["0", "0"]), ("huber", ["3", "2", "1"], ["1", "-1"]), ("huber", ["0", "1/2", "1/2"], ["-1/2", "1/2"]),
    ("sqrt", ["4"], ["1/4"]), ("gelu", ["0"], ["1/2"]), ("gelu_tanh", ["0"], ["1/2"]), ("silu", ["0"], ["1/2"]),
    ("softsign", ["0"], ["1"]),
]


@pytest.mark.parametrize("op, args, expected", KINKS)
def test_derivative_at_each_kink_is_the_stated_convention(op, args, expected):
    """The exact backend gives the documented value exactly; the float backend the same number."""
    for backend in (EXACT, FLOAT):
        c = Ctx(backend, Rules())
        arrays = [backend.array([[Fraction(a)]]) for a in args]
        out = OPS[op].forward(c, *arrays)
        grads = OPS[op].backward(c, backend.array([[1]]), out, *arrays)
        for got, want in zip(grads, expected):
            value = backend.to_float(got)[0, 0] if backend is FLOAT else got[0, 0]
            if backend is EXACT and op not in ("selu",):
                assert value == EXACT.const(Fraction(want)), (op, args, value)
            assert float(value) == pytest.approx(float(Fraction(want)), rel=1e-15, abs=0), (backend.name, op, args)


def test_optional_arguments_take_their_defaults():
    graph = build_graph({"inputs": {"x": [1, 1]}, "equations": ["y = elu(x)", "L = huber(y, x)"], "loss": "L", "output": "y"})
    assert graph.node("y").op == "elu" and [graph.node(a).value for a in graph.node("y").args[1:]] == [Fraction(1)]
    assert graph.node(graph.node("L").args[2]).value == Fraction(1)


def test_named_constants_are_nodes():
    graph = build_graph({"inputs": {"x": [2, 1]}, "params": {"W": [2, 2]}, "constants": {"lam": "0.01"},
                         "equations": ["y = W @ x", "L = sum(y) + lam * sum(W * W)"], "loss": "L", "output": "y"})
    ev = evaluate(graph, {"W": EXACT.array([[1, 2], [3, 4]])}, {"x": EXACT.array([[1], [1]])}, backend=EXACT)
    assert ev.values["L"][0, 0] == 10 + Fraction(30, 100)
    assert ev.grads["W"].tolist() == [[1 + Fraction(2, 100), 1 + Fraction(4, 100)], [1 + Fraction(6, 100), 1 + Fraction(8, 100)]]


def test_batch_norm_written_as_equations_matches_the_textbook_backward():
    """∂L/∂x of batch norm (training mode) = (1/m)·γ/σ·(m·g − Σg − x̂·Σ(g·x̂)), the closed form."""
    graph = build_graph({"inputs": {"x": [2, 1]}, "targets": {"t": [2, 1]}, "params": {"gamma": [2, 1], "beta": [2, 1]},
                         "constants": {"eps": "0"},
                         "equations": ["mu = mean_batch(x)", "var = mean_batch((x - mu) * (x - mu))",
                                       "xhat = (x - mu) / sqrt(var + eps)", "y = gamma * xhat + beta", "L = sse(y, t)"],
                         "loss": "L", "output": "y"})
    x = [[1, 2, 4, 5], [0, 3, 3, 6]]
    t = [[0, 1, 0, 1], [1, 0, 0, 1]]
    ev = evaluate(graph, {"gamma": EXACT.array([[2], [Fraction(1, 2)]]), "beta": EXACT.array([[0], [1]])},
                  {"x": EXACT.array(x), "t": EXACT.array(t)}, backend=EXACT)
    assert ev.values["mu"].tolist() == [[3], [3]] and ev.values["var"].tolist() == [[Fraction(5, 2)], [Fraction(9, 2)]]
    g, xhat, m = ev.grads["y"], ev.values["xhat"], 4
    gamma = np.array([[2], [Fraction(1, 2)]], dtype=object)
    sigma = np.vectorize(lambda v: v ** Fraction(1, 2), otypes=[object])(ev.values["var"])
    closed = gamma / sigma / m * (m * g - g.sum(axis=1, keepdims=True) - xhat * (g * xhat).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(EXACT.to_float(ev.grads["x"]), EXACT.to_float(closed), rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(EXACT.to_float(ev.grads["beta"]), EXACT.to_float(g.sum(axis=1, keepdims=True)))


@pytest.mark.parametrize("classes", [[[3]], [[Fraction(1, 2)]], [[-1]], [[0], [1]]])
def test_a_class_index_outside_the_classes_is_a_config_error(classes):
    graph = build_graph({"inputs": {"z": [3, 1], "k": [1, 1]}, "equations": ["L = cross_entropy_index(z, k)"],
                         "loss": "L", "output": "z"})
    with pytest.raises(ConfigError):
        forward(graph, {}, {"z": FLOAT.array([[1], [2], [3]]), "k": FLOAT.array(classes)}, backend=FLOAT)


def test_cross_entropy_index_is_cross_entropy_of_the_one_hot_target():
    z = [[1, 0], [2, 1], [Fraction(1, 2), 3]]
    index = build_graph({"inputs": {"z": [3, 1], "k": [1, 1]}, "equations": ["L = cross_entropy_index(z, k)"],
                         "loss": "L", "output": "z"})
    hot = build_graph({"inputs": {"z": [3, 1], "t": [3, 1]}, "equations": ["L = softmax_cross_entropy(z, t)"],
                       "loss": "L", "output": "z"})
    a = evaluate(index, {}, {"z": EXACT.array(z), "k": EXACT.array([[1, 2]])}, backend=EXACT)
    b = evaluate(hot, {}, {"z": EXACT.array(z), "t": EXACT.array([[0, 0], [1, 0], [0, 1]])}, backend=EXACT)
    assert EXACT.to_float(a.values["L"]) == pytest.approx(EXACT.to_float(b.values["L"]), rel=1e-15)
    np.testing.assert_allclose(EXACT.to_float(a.grads["z"]), EXACT.to_float(b.grads["z"]), rtol=1e-15)


def test_every_op_of_the_table_is_checked_here_or_in_the_older_tests():
    """A new op without a row above fails this test (the older ops have their own properties)."""
    older = {"matmul", "add", "sub", "mul", "neg", "transpose", "identity", "sigmoid", "tanh", "relu", "softplus",
             "exp", "log", "leaky_relu", "softmax", "sse", "mse", "cross_entropy", "softmax_cross_entropy", "bce", "act"}
    here = {c.split("(")[0].strip() for c in CASES} | {"div"}
    here |= {"xcorr2d", "conv2d", "xcorr1d", "conv1d", "maxpool2d", "avgpool2d"}  # tests/engine/test_ops_conv.py
    assert set(OPS) - older - here == set()


def test_the_readme_documents_every_op_with_an_example():
    """Every op of the table has a row in the README's op table (`name` in its first column)."""
    from pathlib import Path
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Ops of the equation language"):]
    table = section[section.index("| op |"):]
    table = table[:table.index("\n\n")]
    named = {cell.strip("` ") for line in table.splitlines()[2:] for cell in line.split("|")[1].split(",")}
    spelled = {"matmul": "@", "mul": "*", "div": "/", "add": "+", "sub": "-", "transpose": ".T", "neg": "-"}
    assert {op for op in OPS if op != "act" and spelled.get(op, op) not in named} == set()


def test_an_l1_penalty_adds_lambda_times_the_sign_and_nothing_at_zero():
    graph = build_graph({"inputs": {"x": [2, 1]}, "params": {"W": [1, 2]}, "constants": {"lam": "1/10"},
                         "equations": ["y = W @ x", "L = sum(y) + lam * sum(abs(W))"], "loss": "L", "output": "y"})
    ev = evaluate(graph, {"W": EXACT.array([[Fraction(1, 2), 0]])}, {"x": EXACT.array([[1], [1]])}, backend=EXACT)
    assert ev.grads["W"].tolist() == [[1 + Fraction(1, 10), 1]]


def test_layer_norm_written_as_equations_normalizes_each_example():
    graph = build_graph({"inputs": {"x": [3, 1]}, "targets": {"t": [3, 1]},
                         "equations": ["mu = mean_features(x)", "d = x - mu", "var = mean_features(d * d)",
                                       "xhat = d / sqrt(var)", "L = sse(xhat, t)"], "loss": "L", "output": "xhat"})
    ev = evaluate(graph, {}, {"x": EXACT.array([[1, 0], [2, 4], [6, 8]]), "t": EXACT.array([[0, 0], [0, 0], [0, 0]])},
                  backend=EXACT)
    xhat = EXACT.to_float(ev.values["xhat"])
    np.testing.assert_allclose(xhat.mean(axis=0), 0, atol=1e-15)
    np.testing.assert_allclose((xhat ** 2).mean(axis=0), 1, rtol=1e-15)
    # with t = 0, L = ½Σ x̂² = n/2 per example whatever x: ∂L/∂x is exactly 0
    assert (ev.grads["x"] == 0).all()
