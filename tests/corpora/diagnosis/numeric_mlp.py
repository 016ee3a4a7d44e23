"""Labelled numeric answers to mlp-numeric (seed 004), worked out by hand as a TA would: the
networks are recomputed here in plain numpy from the assignment's text (never by the grader's
engine), once right and once per mistake a student makes, and each answer is labelled with the
mistake that produced it. A mistake whose numbers equal the right ones for a question (within
the rubric's rtol 1e-3) is labelled correct there, with no flag: nothing can be seen.

Rows: (assignment, question, answer, verdict, flag or None, what the TA saw).
"""
from __future__ import annotations

import numpy as np

RTOL, ATOL = 1e-3, 1e-6  # the rubric's tolerance (rubrics/mlp-numeric.yaml)

SCENARIOS = {  # id: (sizes, activation, output, loss, examples x, targets t, W, b, eta)
    "ex1a": ([5, 3, 2], "sigmoid", "sigmoid", "sse", [[1, 1, 0, 0, 0]], [[1, 0]], 0.1, 0.0, 1.0),
    "ex2a": ([4, 4, 3, 3], "tanh", "tanh", "sse", [[1, 0, 1, 0]], [[0, 1, 0]], 0.1, 0.1, 1.0),
    "ex2b": ([4, 4, 3, 3], "tanh", "tanh", "sse", [[1, 0, 1, 0], [0, 0, 10, 0]], [[0, 1, 0], [0, 0, 1]], 0.1, 0.1, 0.1),
    "ex3a": ([4, 4, 3, 3], "tanh", "softmax", "ce", [[1, 0, 1, 0]], [[0, 1, 0]], 0.1, 0.1, 1.0),
}


def _f(name, z):
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=0)


def _df(name, z, a, m):
    """f'(z), or the mistaken one a student uses at this layer."""
    if name == "sigmoid":
        return z * (1 - z) if m.get("sigmoid-of-z") else a * (1 - a)
    return (1 - a) if m.get("tanh-no-square") else 1 - a ** 2


def run(sid: str, mistake: dict | None = None, *, first_only: bool = False) -> dict:
    """Every quantity mlp-numeric asks of scenario ``sid``, as a student making ``mistake``
    computes it. ``mistake`` keys: at (layers it is made at; default all), no-deriv, sign, double,
    sigmoid-of-z, tanh-no-square, jac-diag, input ('z' or 'own'), stray-bias, update-sign, no-lr,
    mean (batch averaged), stale (backward with the updated weights)."""
    m = mistake or {}
    sizes, act, out, loss, xs, ts, w0, b0, eta = SCENARIOS[sid]
    x, t = np.array(xs, float).T, np.array(ts, float).T
    if first_only:
        x, t = x[:, :1], t[:, :1]
    L = len(sizes) - 1
    W = {l: np.full((sizes[l], sizes[l - 1]), w0) for l in range(1, L + 1)}
    b = {l: np.full((sizes[l], 1), b0) for l in range(1, L + 1)}
    a, z = {0: x}, {}
    for l in range(1, L + 1):
        z[l] = W[l] @ a[l - 1] + b[l]
        a[l] = _f(out if l == L else act, z[l])
    at = m.get("at", range(1, L + 1))
    here = lambda l: l in at  # noqa: E731
    # the output delta
    if loss == "ce":
        p = a[L]
        d = -t * (1 - p) if m.get("jac-diag") else p - t
    else:
        g = a[L] - t
        g = -g if m.get("sign") else 2 * g if m.get("double") else g
        d = g if (m.get("no-deriv") and here(L)) else g * _df(out, z[L], a[L], m if here(L) else {})
    delta = {L: d}
    back = W
    if m.get("stale"):  # the backward pass run with the weights after the (right) update
        right = run(sid, first_only=first_only)
        back = {l: right[f"W{l}_new"] for l in W}
    for l in range(L - 1, 0, -1):
        g = back[l + 1].T @ delta[l + 1]
        delta[l] = g if (m.get("no-deriv") and here(l)) else g * _df(act, z[l], a[l], m if here(l) else {})
    scale = 1 / x.shape[1] if m.get("mean") else 1
    q = {}
    for l in range(1, L + 1):
        inp = a[l - 1]
        if m.get("input") == "z" and here(l) and l > 1:
            inp = z[l - 1]
        if m.get("input") == "own" and here(l):
            inp = a[l]
        dW = scale * delta[l] @ inp.T
        if m.get("stray-bias") and here(l):
            dW = dW + b[l]
        db = scale * delta[l].sum(axis=1, keepdims=True)
        step = 1.0 if m.get("no-lr") else eta
        sgn = -1 if m.get("update-sign") else 1
        q.update({f"z{l}": z[l], f"x{l}": a[l], f"delta{l}": delta[l], f"dW{l}": dW, f"db{l}": db,
                  f"W{l}_new": W[l] - sgn * step * dW, f"b{l}_new": b[l] - sgn * step * db})
    return q


def _close(a, b) -> bool:
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= ATOL + RTOL * np.abs(b)))


def _written(v: np.ndarray, figures: int = 5) -> list:
    return [[float(f"{x:.{figures}g}") for x in row] for row in v.tolist()]


# (scenario, mistake, the catalogue id a TA names, which question prefixes to write it in)
MISTAKES = [
    ("ex1a", {"no-deriv": True, "at": [1]}, "missing-activation-derivative", ("delta1", "dW1", "db1", "W1_new")),
    ("ex1a", {"no-deriv": True}, "missing-activation-derivative", ("delta2", "dW2", "delta1")),
    ("ex2a", {"no-deriv": True, "at": [2]}, "missing-activation-derivative", ("delta2", "dW2", "delta1")),
    ("ex1a", {"sign": True}, "loss-gradient-sign", ("delta2", "dW2", "db2", "W2_new")),
    ("ex2a", {"sign": True}, "loss-gradient-sign", ("delta3", "dW3", "delta1")),
    ("ex1a", {"double": True}, "missing-half", ("delta2", "dW2", "b2_new")),
    ("ex2a", {"double": True}, "missing-half", ("delta3", "dW3")),
    ("ex1a", {"sigmoid-of-z": True}, "sigmoid-derivative-of-z", ("delta2", "dW2", "delta1")),
    ("ex1a", {"sigmoid-of-z": True, "at": [1]}, "sigmoid-derivative-of-z", ("delta1", "dW1")),
    ("ex2a", {"tanh-no-square": True}, "tanh-derivative-no-square", ("delta3", "dW3", "delta2")),
    ("ex2a", {"tanh-no-square": True, "at": [2]}, "tanh-derivative-no-square", ("delta2", "dW2")),
    ("ex3a", {"jac-diag": True}, "softmax-jacobian-diagonal", ("delta3", "dW3", "db3", "delta2")),
    ("ex1a", {"input": "z", "at": [2]}, "preactivation-for-activation", ("dW2", "W2_new")),
    ("ex2a", {"input": "z", "at": [3]}, "preactivation-for-activation", ("dW3", "W3_new")),
    ("ex2a", {"input": "own", "at": [3]}, "wrong-layer-input", ("dW3", "W3_new")),
    ("ex2a", {"input": "own", "at": [1]}, "wrong-layer-input", ("dW1",)),
    ("ex2a", {"stray-bias": True, "at": [1]}, "stray-bias", ("dW1", "W1_new")),
    ("ex2a", {"stray-bias": True}, "stray-bias", ("dW2", "dW3")),
    ("ex3a", {"stray-bias": True, "at": [3]}, "stray-bias", ("dW3",)),
    ("ex1a", {"update-sign": True}, "update-sign", ("W1_new", "b2_new")),
    ("ex2b", {"update-sign": True}, "update-sign", ("W3_new", "b1_new")),
    ("ex2b", {"no-lr": True}, "learning-rate", ("W2_new", "b3_new")),
    ("ex2b", {"mean": True}, "batch-sum-vs-mean", ("dW3", "db2", "W1_new")),
    ("ex1a", {"stale": True}, "stale-weights", ("delta1", "dW1", "W1_new")),
    ("ex2a", {"stale": True}, "stale-weights", ("delta2", "dW1", "b1_new")),
]


def rows() -> list[tuple]:
    out = []
    for sid in SCENARIOS:
        right = run(sid)
        for qname, v in right.items():  # the key as students write it: 6 and 4 figures right,
            for figures in (6, 4):       # 2 figures judged by the rubric's tolerance, never flagged
                out.append(("mlp-numeric", f"{sid}.{qname}", _written(v, figures), "correct", None, f"key to {figures} figures"))
        for qname in ("delta1", "dW2", "W1_new"):
            v = right[qname]
            r2 = np.array(_written(v, 2))
            out.append(("mlp-numeric", f"{sid}.{qname}", r2.tolist(), "correct" if _close(r2, v) else "wrong", None, "key to 2 figures"))
    for sid, mistake, mid, qnames in MISTAKES:
        right, wrong = run(sid), run(sid, mistake)
        for qname in qnames:
            ok = _close(wrong[qname], right[qname])
            out.append(("mlp-numeric", f"{sid}.{qname}", _written(wrong[qname]), "correct" if ok else "wrong",
                        None if ok else mid, f"{mid}: {mistake}"))
    # the batch question answered with the first example alone, and the reverse (seed 004)
    single = run("ex2b", first_only=True)
    for qname in ("dW3", "db3", "dW1"):
        out.append(("mlp-numeric", f"ex2b.{qname}", _written(single[qname]), "wrong", "whole-batch-vs-single", "one example of the batch"))
    batch = run("ex2b")
    for qname in ("dW3", "delta3"):
        out.append(("mlp-numeric", f"ex2a.{qname}", _written(batch[qname]), "wrong shape" if batch[qname].shape != run("ex2a")[qname].shape
                    else "wrong", "whole-batch-vs-single", "the batch's numbers for the single example"))
    # a hidden δ with a row per example, not per unit (seed 004's 2×2 zeros for Exercise 3's δ^{[2]}, δ^{[1]})
    for sid, qname in (("ex3a", "delta2"), ("ex3a", "delta1"), ("ex2a", "delta1"), ("ex1a", "delta1")):
        examples = len(SCENARIOS["ex2b"][4]) if sid.startswith(("ex2", "ex3")) else 2
        out.append(("mlp-numeric", f"{sid}.{qname}", np.zeros((examples, examples)).tolist(), "wrong shape", "delta-shape",
                    "a δ of examples × examples"))
    # transposed layouts of non-square matrices
    for sid in ("ex1a", "ex2a"):
        for qname in ("dW2", "dW1", "W2_new"):
            v = run(sid)[qname]
            if v.shape[0] != v.shape[1]:
                out.append(("mlp-numeric", f"{sid}.{qname}", _written(v.T), "wrong shape", "transposed-answer", "transposed layout"))
    # wrong answers that match no misconception: arithmetic slips
    for sid in SCENARIOS:
        right = run(sid)
        for qname, factor in (("delta1", 1.37), ("dW2", -0.5), ("x1", 1.1), ("z2", 0.9)):
            v = right[qname] * factor
            v.flat[0] += 0.05
            out.append(("mlp-numeric", f"{sid}.{qname}", _written(v), "wrong", None, "arithmetic slip"))
    return out
