"""Convolution and pooling ops (grader/engine/ops_conv.py) on random sizes, strides and
paddings (Hypothesis): against a direct loop of the definition and numpy's 1-D convolve and
correlate, float gradients against 60-digit central differences, exact against float; the
input gradient is the upstream gradient fully convolved with the (flipped) kernel; pooling's
ties."""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.engine.autodiff import evaluate, forward
from grader.engine.backends import DIGITS, EXACT, FLOAT, HIGH
from grader.engine.graph import build_graph
from grader.engine.op_kit import Ctx
from grader.engine.ops import OPS, Rules
from grader.errors import ConfigError

SETTINGS = settings(max_examples=15, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _fractions(draw, rows, cols):
    return [[Fraction(draw(st.integers(-16, 16)), 8) + Fraction(1, 997) * (i * cols + j + 1) for j in range(cols)]
            for i in range(rows)]


@st.composite
def conv_cases(draw, two_d: bool):
    """(equation call, input rows, kernel shape, params, data): a random image and kernel."""
    height = draw(st.integers(1, 5)) if two_d else 1
    width = draw(st.integers(2, 6))
    padding = draw(st.integers(0, 1))
    kh = draw(st.integers(1, height + 2 * padding)) if two_d else 1
    kw = draw(st.integers(1, min(3, width + 2 * padding)))
    kh = min(kh, 3)
    stride = draw(st.integers(1, 2))
    batch = draw(st.integers(1, 3))
    op = draw(st.sampled_from(["xcorr2d", "conv2d"] if two_d else ["xcorr1d", "conv1d"]))
    call = f"{op}(x, K, {width}, {stride}, {padding})" if two_d else f"{op}(x, K, {stride}, {padding})"
    kernel = (kh, kw) if two_d else (kw, 1)
    return (call, height * width, kernel, {"K": _fractions(draw, *kernel)}, {"x": _fractions(draw, height * width, batch)},
            (height, width, stride, padding))


def _graph(call: str, rows: int, kernel, *, pool: bool = False):
    spec = {"inputs": {"x": [rows, 1]}, "params": {} if pool else {"K": list(kernel)},
            "equations": [f"y = {call}", "L = sum(exp(0.3 * y))"], "loss": "L", "output": "y"}
    return build_graph(spec, source="test")


def _direct_xcorr(image: np.ndarray, K: np.ndarray, stride: int, ph: int, pw: int) -> np.ndarray:
    """out[i, j] = Σ_ab xp[i s + a, j s + b] K[a, b], by the definition's loops."""
    xp = np.pad(image, ((ph, ph), (pw, pw)))
    oh, ow = (xp.shape[0] - K.shape[0]) // stride + 1, (xp.shape[1] - K.shape[1]) // stride + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            for a in range(K.shape[0]):
                for b in range(K.shape[1]):
                    out[i, j] += xp[i * stride + a, j * stride + b] * K[a, b]
    return out


@given(data=st.data())
@SETTINGS
@pytest.mark.parametrize("two_d", [True, False])
def test_forward_is_the_definition(two_d, data):
    call, rows, kernel, params, inputs, (height, width, stride, padding) = data.draw(conv_cases(two_d))
    ev = forward(_graph(call, rows, kernel), {"K": FLOAT.array(params["K"])}, {"x": FLOAT.array(inputs["x"])})
    K = np.array(params["K"], dtype=float) if two_d else np.array(params["K"], dtype=float).T
    if call.startswith("conv"):
        K = K[::-1, ::-1]
    for e in range(ev["x"].shape[1]):
        image = ev["x"][:, e].reshape(height, width)
        expected = _direct_xcorr(image, K, stride, padding if two_d else 0, padding)
        np.testing.assert_allclose(ev["y"][:, e], expected.ravel(), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("mode", ["valid", "full"])
def test_one_d_agrees_with_numpy_convolve_and_correlate(mode):
    signal, kernel = [1, -2, Fraction(1, 2), 3, 0, 2], [Fraction(1, 4), -1, 2]
    padding = 0 if mode == "valid" else len(kernel) - 1
    for op, numpy_op in (("conv1d", np.convolve), ("xcorr1d", np.correlate)):
        graph = _graph(f"{op}(x, K, 1, {padding})", 6, (3, 1))
        y = forward(graph, {"K": FLOAT.array([[k] for k in kernel])}, {"x": FLOAT.array([[s] for s in signal])})["y"]
        np.testing.assert_allclose(y[:, 0], numpy_op(np.array(signal, dtype=float), np.array(kernel, dtype=float), mode))


@given(data=st.data())
@SETTINGS
@pytest.mark.parametrize("two_d", [True, False])
def test_gradients_match_central_differences_and_exact_agrees(two_d, data):
    call, rows, kernel, params, inputs, _ = data.draw(conv_cases(two_d))
    graph = _graph(call, rows, kernel)
    ev = evaluate(graph, {"K": FLOAT.array(params["K"])}, {"x": FLOAT.array(inputs["x"])}, backend=FLOAT)
    exact = evaluate(graph, {"K": EXACT.array(params["K"])}, {"x": EXACT.array(inputs["x"])}, backend=EXACT)
    for name in ("x", "K", "y"):
        np.testing.assert_allclose(EXACT.to_float(exact.grads[name]), ev.grads[name], rtol=1e-12, atol=1e-12)
    h = Fraction(1, 10**20)
    with mpmath.workdps(DIGITS):
        for name, table in (("K", params), ("x", inputs)):
            for i, row in enumerate(table[name]):
                for j, _ in enumerate(row):
                    def loss_at(step):
                        moved = {k: [list(r) for r in v] for k, v in {**params, **inputs}.items()}
                        moved[name][i][j] += step
                        return forward(graph, {"K": HIGH.array(moved["K"])}, {"x": HIGH.array(moved["x"])}, backend=HIGH)["L"][0, 0]
                    fd = (loss_at(h) - loss_at(-h)) / (2 * HIGH.const(h))
                    assert ev.grads[name][i, j] == pytest.approx(float(fd), rel=1e-9, abs=1e-12), (call, name, i, j)


def test_the_input_gradient_is_the_full_convolution_with_the_kernel():
    """∂L/∂x of a stride-1, unpadded cross-correlation = xcorr of the zero-padded upstream
    gradient with the flipped kernel, i.e. a true 'full' convolution of g with K."""
    K = EXACT.array([[1, 2, 0], [-1, 3, Fraction(1, 2)]])
    x = EXACT.array([[Fraction(k, 3)] for k in range(20)])  # a 4×5 image
    c = Ctx(EXACT, Rules())
    out = OPS["xcorr2d"].forward(c, x, K, *(EXACT.array([[v]]) for v in (5, 1, 0)))  # 3×3 output
    g = EXACT.array([[k - 4] for k in range(9)])
    gx = OPS["xcorr2d"].backward(c, g, out, x, K, *(EXACT.array([[v]]) for v in (5, 1, 0)))[0]
    # pad g (3×3) to 5×7 with kh − 1 = 1 rows and kw − 1 = 2 columns each side, then correlate with K flipped
    padded = np.pad(g.reshape(3, 3), ((1, 1), (2, 2)), constant_values=EXACT.const(0)).astype(object)
    full = OPS["xcorr2d"].forward(c, padded.reshape(35, 1), K[::-1, ::-1], *(EXACT.array([[v]]) for v in (7, 1, 0)))
    assert (gx == full).all()


def test_max_pooling_sends_the_gradient_to_the_first_maximum_of_each_window():
    image = [[1], [3], [7], [7],   # row 0: the right window's maximum 7 is tied
             [5], [0], [1], [2],
             [3], [4], [0], [6],
             [-1], [4], [6], [2]]
    graph = build_graph({"inputs": {"x": [16, 1]}, "equations": ["y = maxpool2d(x, 4, 2)", "L = sum(y)"],
                         "loss": "L", "output": "y"})
    for backend in (EXACT, FLOAT):
        ev = evaluate(graph, {}, {"x": backend.array(image)}, backend=backend)
        assert backend.to_float(ev.values["y"]).ravel().tolist() == [5, 7, 4, 6]
        hot = backend.to_float(ev.grads["x"]).ravel().tolist()
        # windows: {1,3,5,0} max 5 at (1,0); {7,7,1,2} first 7 at (0,2); {3,4,-1,4} first 4 at (2,1); {0,6,6,2} first 6 at (2,3)
        assert [i for i, v in enumerate(hot) if v] == [2, 4, 9, 11] and sum(hot) == 4


def test_average_pooling_shares_the_gradient_and_a_stride_overlaps_windows():
    graph = build_graph({"inputs": {"x": [9, 1]}, "equations": ["y = avgpool2d(x, 3, 2, 1)", "L = sum(y)"],
                         "loss": "L", "output": "y"})
    ev = evaluate(graph, {}, {"x": EXACT.array([[k] for k in range(9)])}, backend=EXACT)
    assert ev.values["y"].ravel().tolist() == [2, 3, 5, 6]
    # each pixel's gradient: (number of 2×2 windows it is in) / 4
    assert ev.grads["x"].ravel().tolist() == [Fraction(n, 4) for n in (1, 2, 1, 2, 4, 2, 1, 2, 1)]


@pytest.mark.parametrize("call, rows", [("xcorr2d(x, K, 3)", 16), ("xcorr2d(x, K, 4, 1, 0)", 4), ("maxpool2d(x, 4, 3, 0)", 8)])
def test_a_shape_that_does_not_fit_is_a_config_error(call, rows):
    graph = _graph(call, rows, (3, 3), pool=call.startswith("max"))
    with pytest.raises(ConfigError):
        forward(graph, {"K": FLOAT.array(np.ones((3, 3)))}, {"x": FLOAT.array(np.ones((rows, 1)))})
