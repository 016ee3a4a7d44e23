"""The engine against another autodiff library (HIPS autograd), on random networks.

Each network is drawn once as a plan (layers, activations, a normalization, a convolution and a
pooling stage, a loss) and rendered twice: as the equations an assignment writes, which our engine
builds and differentiates, and as a plain numpy function written here from the PyTorch
documentation's definitions (SELU's constants, the tanh-approximated and the exact GELU, Huber with
its δ, cross-entropy on class indices, the biased variance of batch normalization, cross-correlation
as a CNN's "convolution"), which autograd differentiates. Values and the gradient of every
parameter and input must agree to 1e-9. Nothing is shared but the numbers: a wrong convention in
an op's forward rule (which finite differences of our own forward cannot see) fails here.

Values are random floats, so no ReLU input, max-pooling tie or Huber residual sits on a kink.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from grader.engine.autodiff import evaluate
from grader.engine.backends import FLOAT
from grader.engine.graph import build_graph
from grader.engine.ops import Rules

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")
from autograd.extend import defvjp, primitive  # noqa: E402

SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


@primitive
def _erf(x):
    return np.vectorize(math.erf)(x)


defvjp(_erf, lambda ans, x: lambda g: g * 2 / math.sqrt(math.pi) * anp.exp(-x * x))


def _sigmoid(x):
    return 1 / (1 + anp.exp(-x))


def _softplus(x):
    return anp.log1p(anp.exp(x))


def _softmax(z):  # one column per example
    e = anp.exp(z - anp.max(z, axis=0, keepdims=True))
    return e / anp.sum(e, axis=0, keepdims=True)


def _elu(x, alpha=1.0):
    return anp.where(x > 0, x, alpha * (anp.exp(anp.minimum(x, 0)) - 1))


ACTIVATIONS = {  # our op (as an equation writes it, {0} its input) → the PyTorch definition
    "identity({0})": lambda x: x, "sigmoid({0})": _sigmoid, "tanh({0})": anp.tanh,
    "relu({0})": lambda x: anp.maximum(x, 0), "softplus({0})": _softplus,
    "leaky_relu({0}, 0.2)": lambda x: anp.where(x > 0, x, 0.2 * x), "elu({0})": _elu,
    "elu({0}, 0.5)": lambda x: _elu(x, 0.5), "selu({0})": lambda x: SELU_SCALE * _elu(x, SELU_ALPHA),
    "gelu({0})": lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2))),
    "gelu_tanh({0})": lambda x: 0.5 * x * (1 + anp.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))),
    "hardtanh({0})": lambda x: anp.clip(x, -1, 1), "silu({0})": lambda x: x * _sigmoid(x),
    "swish({0})": lambda x: x * _sigmoid(x), "softsign({0})": lambda x: x / (1 + anp.abs(x)), "abs({0})": anp.abs,
    # the function ops, as a layer may use them
    "max({0}, 0.1)": lambda x: anp.maximum(x, 0.1), "min({0}, 0.3)": lambda x: anp.minimum(x, 0.3),
    "exp({0})": anp.exp, "log(softplus({0}))": lambda x: anp.log(_softplus(x)),
    "sqrt({0} * {0} + 1)": lambda x: anp.sqrt(x * x + 1), "{0} / (abs({0}) + 2)": lambda x: x / (anp.abs(x) + 2),
    "{0} - mean({0}) + sum_features({0})": lambda x: x - anp.mean(x) + anp.sum(x, axis=0, keepdims=True),
    "(({0}).T * 2).T": lambda x: x * 2,
}


def _huber(y, t, delta=0.5):
    r = anp.abs(y - t)
    return anp.sum(anp.where(r < delta, 0.5 * r ** 2, delta * (r - 0.5 * delta)))


def _index_ce(z, k):
    logp = z - anp.log(anp.sum(anp.exp(z), axis=0, keepdims=True))
    picked = np.zeros(z.shape)
    picked[k.astype(int)[0], np.arange(z.shape[1])] = 1
    return -anp.sum(logp * picked)


# our loss call → (the output fed to it, the target's kind, PyTorch's definition summed over the batch)
LOSSES = {
    "sse(y, t)": ("identity", "real", lambda y, t: 0.5 * anp.sum((y - t) ** 2)),
    "mse(y, t)": ("identity", "real", lambda y, t: anp.sum((y - t) ** 2) / y.shape[1]),
    "mse_outputs(y, t)": ("tanh", "real", lambda y, t: anp.sum((y - t) ** 2) / y.shape[0]),
    "cross_entropy(y, t)": ("softmax", "onehot", lambda y, t: -anp.sum(t * anp.log(y))),
    "softmax_cross_entropy(y, t)": ("identity", "onehot", lambda z, t: -anp.sum(t * anp.log(_softmax(z)))),
    "bce(y, t)": ("sigmoid", "probability",
                  lambda p, t: -anp.sum(t * anp.log(p) + (1 - t) * anp.log(1 - p))),
    "bce_with_logits(y, t)": ("identity", "probability", lambda z, t: anp.sum(_softplus(z) - t * z)),
    "cross_entropy_index(y, t)": ("identity", "index", _index_ce),
    "l1(y, t)": ("identity", "real", lambda y, t: anp.sum(anp.abs(y - t))),
    "huber(y, t, 0.5)": ("identity", "real", _huber),
}


def _xcorr2d(x, k, width, stride, pad):
    """Cross-correlation of each column (a row-major image) with kernel k, flattened row-major."""
    m = x.shape[1]
    img = anp.reshape(anp.transpose(x), (m, x.shape[0] // width, width))
    if pad:
        img = anp.concatenate([np.zeros((m, pad, img.shape[2])), img, np.zeros((m, pad, img.shape[2]))], axis=1)
        img = anp.concatenate([np.zeros((m, img.shape[1], pad)), img, np.zeros((m, img.shape[1], pad))], axis=2)
    kh, kw = k.shape
    oh, ow = (img.shape[1] - kh) // stride + 1, (img.shape[2] - kw) // stride + 1
    rows = [anp.sum(img[:, i * stride:i * stride + kh, j * stride:j * stride + kw] * k, axis=(1, 2))
            for i in range(oh) for j in range(ow)]
    return anp.stack(rows), ow


def _pool2d(x, width, size, kind):
    m, h = x.shape[1], x.shape[0] // width
    img = anp.reshape(anp.transpose(x), (m, h, width))
    reduce = anp.max if kind == "max" else anp.mean
    return anp.stack([reduce(img[:, i:i + size, j:j + size], axis=(1, 2))
                      for i in range(0, h - size + 1, size) for j in range(0, width - size + 1, size)])


@st.composite
def plans(draw):
    """A network as data: what both renderings are made from."""
    plan = {"batch": draw(st.integers(1, 3)), "conv": draw(st.booleans()), "loss": draw(st.sampled_from(sorted(LOSSES))),
            "reduction": draw(st.sampled_from(["sum", "mean"])), "seed": draw(st.integers(0, 2 ** 31))}
    if plan["conv"]:
        plan.update(image=draw(st.sampled_from([(4, 4), (5, 4), (6, 6)])), kernel=draw(st.sampled_from([(2, 2), (3, 3), (2, 3)])),
                    stride=draw(st.integers(1, 2)), pad=draw(st.integers(0, 1)),
                    flip=draw(st.booleans()), pool=draw(st.sampled_from(["none", "max", "avg"])))
    else:
        plan["n_in"] = draw(st.integers(1, 4))
    depth = draw(st.integers(1, 3))
    plan["widths"] = [draw(st.integers(2 if i == depth - 1 else 1, 4)) for i in range(depth)]
    plan["acts"] = [draw(st.sampled_from(sorted(ACTIVATIONS))) for _ in range(depth - 1)]
    plan["norm"] = draw(st.sampled_from(["none", "batch", "layer"])) if depth > 1 else "none"
    return plan


def render(plan):
    """(spec for our engine, values, a function of those values that autograd differentiates)."""
    rng = np.random.default_rng(plan["seed"])
    m, eqs, shapes = plan["batch"], [], {}
    steps = []  # (kind, details) for the numpy function, in equation order
    if plan["conv"]:
        (h, w), (kh, kw), s, p = plan["image"], plan["kernel"], plan["stride"], plan["pad"]
        shapes.update(x=(h * w, m), K=(kh, kw))
        oh, ow = (h + 2 * p - kh) // s + 1, (w + 2 * p - kw) // s + 1
        op = "conv2d" if plan["flip"] else "xcorr2d"  # a true convolution flips the kernel both ways
        eqs += [f"c = {op}(x, K, {w}, {s}, {p})", "r = tanh(c)"]
        steps.append(("conv", (w, s, p)))
        prev, n = "r", oh * ow
        if plan["pool"] != "none" and oh >= 2 and ow >= 2:
            eqs.append(f"q = {plan['pool']}pool2d(r, {ow}, 2)")
            steps.append(("pool", (ow, plan["pool"])))
            prev, n = "q", (oh // 2) * (ow // 2)
    else:
        shapes["x"] = (plan["n_in"], m)
        prev, n = "x", plan["n_in"]
    depth = len(plan["widths"])
    for layer, width in enumerate(plan["widths"], 1):
        shapes[f"W{layer}"], shapes[f"b{layer}"] = (width, n), (width, 1)
        eqs.append(f"z{layer} = W{layer} @ {prev} + b{layer}")
        prev, n = f"z{layer}", width
        if layer == 1 and plan["norm"] != "none":  # normalization written with the function ops
            mean = "mean_batch" if plan["norm"] == "batch" else "mean_features"
            shapes.update(gamma=(width, 1), beta=(width, 1))
            eqs += [f"mu = {mean}(z1)", "dz = z1 - mu", f"var = {mean}(dz * dz)", "xhat = dz / sqrt(var + 0.001)",
                    "n1 = gamma * xhat + beta"]
            prev = "n1"
        if layer < depth:
            eqs.append(f"a{layer} = " + plan["acts"][layer - 1].format(prev))
            prev = f"a{layer}"
    output, target, _ = LOSSES[plan["loss"]]
    eqs += [f"y = {output}({prev})", f"L = {plan['loss']}"]
    values = {k: rng.normal(0, 0.8, size=shape) for k, shape in shapes.items()}
    if target == "onehot":
        values["t"] = np.eye(n)[:, rng.integers(0, n, m)]
    elif target == "index":
        values["t"] = rng.integers(0, n, (1, m)).astype(float)
    elif target == "probability":
        values["t"] = rng.uniform(0.05, 0.95, (n, m))
    else:
        values["t"] = rng.normal(0, 1, (n, m))
    spec = {"inputs": {"x": list(shapes["x"])}, "targets": {"t": list(values["t"].shape)},
            "params": {k: list(v) for k, v in shapes.items() if k != "x"}, "equations": eqs, "loss": "L",
            "output": "y"}

    def loss(v):
        a = v["x"]
        for kind, details in steps:
            if kind == "conv":
                a, _ = _xcorr2d(a, v["K"][::-1, ::-1] if plan["flip"] else v["K"], *details)
                a = anp.tanh(a)
            else:
                a = _pool2d(a, details[0], 2, details[1])
        for layer in range(1, depth + 1):
            a = anp.dot(v[f"W{layer}"], a) + v[f"b{layer}"]
            if layer == 1 and plan["norm"] != "none":
                axis = 1 if plan["norm"] == "batch" else 0
                dz = a - anp.mean(a, axis=axis, keepdims=True)
                a = v["gamma"] * dz / anp.sqrt(anp.mean(dz * dz, axis=axis, keepdims=True) + 0.001) + v["beta"]
            if layer < depth:
                a = ACTIVATIONS[plan["acts"][layer - 1]](a)
        out = {"identity": lambda z: z, "tanh": anp.tanh, "softmax": _softmax, "sigmoid": _sigmoid}[output](a)
        total = LOSSES[plan["loss"]][2](out, v.get("t", values["t"]))
        return total / m if plan["reduction"] == "mean" else total

    return spec, values, loss


def _well_conditioned(graph, values) -> bool:
    """Away from float64's saturation, where two correct formulas part in the 8th digit: a
    sigmoid output for bce within 1e-3 of 0 or 1 ((p − t)/(p(1 − p)) against log(1 − p)), or a
    value beyond ±30 (as tests/engine/test_engine_properties.py)."""
    for node in graph.nodes:
        if node.op == "bce":
            p = np.asarray(values[node.args[0]], dtype=float)
            if (np.minimum(p, 1 - p) < 1e-3).any():
                return False
        if node.name != graph.loss and (np.abs(np.asarray(values[node.name], dtype=float)) > 30).any():
            return False
    return True


@given(plan=plans())
@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
def test_loss_and_every_gradient_agree_with_autograd(plan):
    spec, values, loss = render(plan)
    graph = build_graph(spec, source="autograd cross-check")
    params = {k: FLOAT.array(v.tolist()) for k, v in values.items() if k in spec["params"]}
    data = {k: FLOAT.array(v.tolist()) for k, v in values.items() if k not in spec["params"]}
    ours = evaluate(graph, params, data, backend=FLOAT, rules=Rules(reduction=plan["reduction"]))
    assume(_well_conditioned(graph, ours.values))
    index_targets = plan["loss"] == "cross_entropy_index(y, t)"  # class indices have no gradient
    theirs = autograd.grad(loss)({k: v for k, v in values.items() if not (index_targets and k == "t")})
    assert float(ours.values["L"][0, 0]) == pytest.approx(float(loss(values)), rel=1e-9, abs=1e-12)
    for name, grad in theirs.items():
        np.testing.assert_allclose(np.asarray(ours.grads[name], dtype=float), grad, rtol=1e-9, atol=1e-11,
                                   err_msg=f"∂L/∂{name} in {spec['equations']}")
