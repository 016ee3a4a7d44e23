"""Random layered networks as assignment files, as an instructor would write them: one-decimal
weights and inputs, every activation and loss the engine has, a batch of 1-4 examples and,
with ``kinks``, ReLU inputs that are exactly 0 in exact arithmetic (and ~1e-16 in float64).
Used by tests/keys/test_kinks.py, tests/keys/test_key_arithmetic.py and bench/bench_keys.py.

    data = random_assignment(np.random.default_rng(1), depth=3, kinks=True)
    assignment = load(data, tmp_path)
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import yaml

from grader.course.assignment import Assignment, load_assignment

# activation -> the right-hand side of ``a = ...`` (an activation with a parameter written out)
HIDDEN = {"identity": "identity({z})", "sigmoid": "sigmoid({z})", "tanh": "tanh({z})", "relu": "relu({z})",
          "softplus": "softplus({z})", "leaky_relu": "leaky_relu({z}, 0.1)"}
KINKED = ("relu", "leaky_relu")
# loss -> the output activations it suits and the targets it reads
LOSSES = {"sse": (tuple(HIDDEN), "real"), "mse": (tuple(HIDDEN), "real"),
          "cross_entropy": (("softmax",), "one-hot"), "softmax_cross_entropy": (("identity",), "one-hot"),
          "bce": (("sigmoid",), "probability")}
# every activation and loss the engine has (``every_op=True``; bench/bench_keys.py)
NEW_HIDDEN = {"elu": "elu({z}, 0.5)", "selu": "selu({z})", "gelu": "gelu({z})", "gelu_tanh": "gelu_tanh({z})",
              "hardtanh": "hardtanh({z})", "silu": "silu({z})", "swish": "swish({z})", "softsign": "softsign({z})",
              "abs": "abs({z})"}
ALL_HIDDEN = {**HIDDEN, **NEW_HIDDEN}
ALL_LOSSES = {**{loss: (tuple(ALL_HIDDEN) if kind == "real" else outs, kind) for loss, (outs, kind) in LOSSES.items()},
              "mse_outputs": (tuple(ALL_HIDDEN), "real"), "l1": (("identity", "tanh", "hardtanh"), "real"),
              "huber": (("identity", "tanh", "elu"), "real"), "bce_with_logits": (("identity",), "probability"),
              "cross_entropy_index": (("identity",), "index")}
ZERO_KINKS = ("relu", "leaky_relu", "elu", "selu", "abs")  # kinked at an input of 0 (hard-tanh: at ±1)
OUTPUT = dict(ALL_HIDDEN, softmax="softmax({z})")


def decimal(x: Fraction) -> str:
    """An exact decimal string of a Fraction whose denominator divides a power of 10."""
    digits = 0
    while (x * 10**digits).denominator != 1:
        digits += 1
    text = f"{abs(x.numerator * 10**digits // x.denominator):0{digits + 1}d}"
    text = text if digits == 0 else f"{text[:-digits]}.{text[-digits:]}"
    return ("-" if x < 0 else "") + text


def _draw(rng, shape) -> list[list[Fraction]]:
    return [[Fraction(int(rng.integers(-9, 10)), 10) for _ in range(shape[1])] for _ in range(shape[0])]


def random_assignment(rng: np.random.Generator, *, depth: int, widths: list[int] | None = None,
                      hidden: list[str] | None = None, loss: str | None = None, output: str | None = None,
                      batch: int | None = None, kinks: bool = False, reduction: str = "sum",
                      relu_grad_at_zero: str = "0", every_op: bool = False) -> dict:
    """An assignment (as data) of one random ``depth``-layer network and every question about it;
    ``every_op``: activations and losses drawn from every one the engine has (else the classic ones)."""
    losses, activations = (ALL_LOSSES, ALL_HIDDEN) if every_op else (LOSSES, HIDDEN)
    loss = loss or str(rng.choice(list(losses)))
    outputs, target_kind = losses[loss]
    output = output or str(rng.choice(outputs))
    sizes = widths or [int(rng.integers(1, 11)) for _ in range(depth + 1)]
    if output == "softmax" or target_kind in ("one-hot", "index"):
        sizes[-1] = max(sizes[-1], 2)
    hidden = hidden or [str(rng.choice(list(activations))) for _ in range(depth - 1)]
    batch = batch or int(rng.integers(1, 5))
    params, equations, values = {}, [], {}
    prev = "x"
    for layer in range(1, depth + 1):
        params[f"W{layer}"], params[f"b{layer}"] = [sizes[layer], sizes[layer - 1]], [sizes[layer], 1]
        act = output if layer == depth else hidden[layer - 1]
        equations += [f"z{layer} = W{layer} @ {prev} + b{layer}",
                      f"a{layer} = " + OUTPUT[act].format(z=f"z{layer}")]
        values[f"W{layer}"], values[f"b{layer}"] = _draw(rng, (sizes[layer], sizes[layer - 1])), _draw(rng, (sizes[layer], 1))
        prev = f"a{layer}"
    equations.append(f"L = {loss}({prev}, t)")
    x = _draw(rng, (batch, sizes[0]))
    if kinks:
        _exact_zeros(values, x, hidden, depth, rng)
    examples = [{"x": [decimal(v) for v in x[e]], "t": _target(rng, target_kind, sizes[-1])} for e in range(batch)]
    network = {"inputs": {"x": [sizes[0], 1]}, "targets": {"t": [1 if target_kind == "index" else sizes[-1], 1]},
               "params": params, "equations": equations, "loss": "L", "output": prev}
    questions = [{"id": "L", "scenario": "s", "quantity": "L"}, {"id": "out", "scenario": "s", "quantity": prev}]
    for layer in range(depth, 0, -1):
        questions += [{"id": f"delta{layer}", "scenario": "s", "quantity": f"grad z{layer}"},
                      {"id": f"dW{layer}", "scenario": "s", "quantity": f"grad W{layer}"},
                      {"id": f"db{layer}", "scenario": "s", "quantity": f"grad b{layer}"},
                      {"id": f"W{layer}_new", "scenario": "s", "quantity": f"updated W{layer}"}]
    questions.append({"id": "dx", "scenario": "s", "quantity": "grad x"})
    if batch == 1:
        questions.append({"id": "jac", "scenario": "s", "quantity": f"jacobian {prev} z{depth}"})
    return {"id": "random-net", "title": f"random {'-'.join(map(str, sizes))} network",
            "conventions": {"reduction": reduction, "relu_grad_at_zero": relu_grad_at_zero},
            "networks": {"net": network},
            "scenarios": {"s": {"network": "net", "examples": examples, "learning_rate": "0.1",
                                "params": {k: [[decimal(v) for v in row] for row in rows] for k, rows in values.items()}}},
            "questions": questions}


def _target(rng, kind: str, rows: int) -> list[str]:
    if kind == "one-hot":
        hot = int(rng.integers(0, rows))
        return ["1" if i == hot else "0" for i in range(rows)]
    if kind == "index":
        return [str(int(rng.integers(0, rows)))]
    if kind == "probability":
        return [decimal(Fraction(int(rng.integers(1, 10)), 10)) for _ in range(rows)]
    return [decimal(Fraction(int(rng.integers(-9, 10)), 10)) for _ in range(rows)]


def _exact_zeros(values: dict, x: list, hidden: list[str], depth: int, rng) -> None:
    """In every kinked hidden layer, one unit whose input is exactly 0 on the first example: its
    bias is −(its weights · that example's input) where the input is still rational (a prefix
    of ReLU, leaky ReLU and identity layers), else its weights and bias are zero."""
    a = [list(col) for col in zip(*x)]  # the first example's values, column by column
    rational = True
    for layer in range(1, depth):
        W, b = values[f"W{layer}"], values[f"b{layer}"]
        act = hidden[layer - 1]
        if act in ZERO_KINKS or act == "hardtanh":
            unit = int(rng.integers(0, len(W)))
            at = Fraction(int(rng.choice([-1, 1]))) if act == "hardtanh" else Fraction(0)  # where the kink is
            if rational:
                b[unit][0] = at - sum(w * v[0] for w, v in zip(W[unit], a))
            else:
                W[unit] = [Fraction(0)] * len(W[unit])
                b[unit][0] = at
        rational = rational and act in ("identity", "relu", "leaky_relu", "abs", "hardtanh")
        if rational:
            z = [sum(w * v[0] for w, v in zip(row, a)) + bias[0] for row, bias in zip(W, b)]
            a = [[_RATIONAL_ACT[act](v)] for v in z]


_RATIONAL_ACT = {"identity": lambda v: v, "relu": lambda v: max(v, Fraction(0)),
                 "leaky_relu": lambda v: v if v > 0 else v / 10, "abs": abs,
                 "hardtanh": lambda v: min(max(v, Fraction(-1)), Fraction(1))}


def load(data: dict, folder: Path, name: str = "random-net") -> Assignment:
    """The assignment ``data`` through the instructor's path: written as YAML, then loaded."""
    path = Path(folder) / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return load_assignment(path)
