"""Labelled numeric answers to the leaky-ReLU fixture course (tests/fixtures/leaky-relu), worked
out by hand as a TA would: the network recomputed here in plain numpy from the assignment's
text (never by the grader's engine), once right and once per mistake a student makes with the
leaky ReLU's derivative. Rows: (assignment, question, answer, verdict, flag or None, note).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

COURSE = Path(__file__).resolve().parents[2] / "fixtures" / "leaky-relu"
ASSIGNMENT = "leaky-net"
SLOPE, ETA = 0.2, 0.5
SCENARIOS = {  # id: (W1, W2, x, t)
    "s1": ([[1, 0.5, -1], [-2, 1, 0.5], [0.5, 2, 1]], [[1, -1, 0.5]], [1, -1, 2], 1),
    "s2": ([[-1, 1, 0.5], [1, 1, -2], [2, -0.5, 1]], [[0.5, 2, -1]], [2, 1, 1], -1),
}

# the student's leaky'(z) given z and leaky(z): (mistake, the catalogue id a TA names or None)
DERIVATIVES = {
    None: (lambda z, h: np.where(z > 0, 1.0, SLOPE), None),
    "one": (lambda z, h: np.ones_like(z), "relu-derivative-one"),  # the slope ignored: 1 everywhere
    "is-leaky": (lambda z, h: h, "relu-derivative-is-relu"),  # leaky(z) for leaky'(z)
    "relu-step": (lambda z, h: np.where(z > 0, 1.0, 0.0), None),  # ReLU's step: no catalogue error
    "slope-0.1": (lambda z, h: np.where(z > 0, 1.0, 0.1), None),  # another slope: no catalogue error
}


def run(sid: str, mistake: str | None = None) -> dict:
    """δ1, ∂L/∂W1 and the updated W1 of scenario ``sid`` as a student making ``mistake`` computes them."""
    w1, w2, xs, t = SCENARIOS[sid]
    W1, W2, x = np.array(w1, float), np.array(w2, float), np.array(xs, float).reshape(-1, 1)
    z = W1 @ x
    h = np.where(z > 0, z, SLOPE * z)
    y = W2 @ h
    dy = y - t  # L = sse(y, t) = ½(y − t)²
    delta1 = (W2.T @ dy) * DERIVATIVES[mistake][0](z, h)
    dW1 = delta1 @ x.T
    return {"delta1": delta1, "dW1": dW1, "W1_new": W1 - ETA * dW1}


def rows() -> list[tuple]:
    out = []
    for sid in SCENARIOS:
        right = run(sid)
        for mistake, (_, flag) in DERIVATIVES.items():
            got = run(sid, mistake)
            for qname, value in got.items():
                same = np.allclose(value, right[qname], rtol=1e-3, atol=1e-6)
                out.append((ASSIGNMENT, f"{sid}.{qname}", np.round(value, 6).tolist(),
                            "correct" if same else "wrong", None if same else flag, f"leaky' as {mistake or 'right'}"))
    return out
