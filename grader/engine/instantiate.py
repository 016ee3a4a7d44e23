"""Random numeric instances of a graph: what symbolic answers are checked against.

A graph's shapes may name sizes (``W1: [d, d]``); an instance draws each size from its range,
then parameters, inputs and targets, all from one seeded ``numpy.random.Generator`` so grading
is deterministic. Targets suit the loss that reads them (one-hot for cross-entropy, in (0, 1)
for binary cross-entropy, class indices for ``cross_entropy_index``). With ``kinks=True`` one row
of the weight feeding each ReLU, leaky-ReLU, ELU, SELU, |x| or hard-tanh layer is zeroed (with its
bias; hard-tanh's bias ±1) and, where none is negative, another row negated, so some inputs are
exactly at the kink and some on either side; an L1 or Huber loss gets one residual exactly at its
kink. A student whose convention at a kink differs from the assignment's gives a different answer there.

    inst = random_instance(graph, sizes={"d": (2, 5)}, rng=np.random.default_rng(7))
    inst.evaluation.grads["W1"]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader.engine.autodiff import FLOAT, Evaluation, evaluate
from grader.engine.graph import Graph
from grader.engine.ops import Rules
from grader.errors import ConfigError

_ONE_HOT = {"cross_entropy", "softmax_cross_entropy"}
_PROBABILITY = {"bce", "bce_with_logits"}
_KINKED = {"relu", "leaky_relu", "elu", "selu", "abs", "hardtanh"}  # kinks at an input of 0 (±1: hard-tanh)


@dataclass(frozen=True)
class Instance:
    sizes: dict
    params: dict
    data: dict
    evaluation: Evaluation
    act: str = "tanh"  # what the generic activation ``act`` is in this instance


def resolve_shape(shape: tuple, sizes: dict) -> tuple[int, int]:
    """``("d", 1)`` with ``{"d": 3}`` → ``(3, 1)``."""
    try:
        return tuple(int(s) if str(s).isdigit() else int(sizes[s]) for s in shape)
    except KeyError as e:
        raise ConfigError(f"size '{e.args[0]}' has no value or range") from None


def size_names(graph: Graph) -> list[str]:
    """The symbolic sizes a graph's shapes use, in first-seen order."""
    names: list[str] = []
    for shape in graph.shapes.values():
        names += [s for s in shape if not str(s).isdigit() and s not in names]
    return names


def _target_kind(graph: Graph, target: str) -> str:
    for node in graph.nodes:
        if target in node.args:
            if node.op == "cross_entropy_index":
                return "index"
            return "one-hot" if node.op in _ONE_HOT else "probability" if node.op in _PROBABILITY else "real"
    return "real"


def random_instance(graph: Graph, *, sizes: dict, rng: np.random.Generator, batch: int = 1,
                    rules: Rules = Rules(), kinks: bool = False) -> Instance:
    """Draw sizes (an int or an inclusive (low, high) range each), values, and evaluate."""
    chosen = {name: (int(rng.integers(r[0], r[1] + 1)) if isinstance(r, tuple) else int(r)) for name, r in sizes.items()}
    params = {p: rng.uniform(-1, 1, resolve_shape(graph.shapes[p], chosen)) for p in graph.params}
    data = {}
    for name in graph.inputs:
        rows = resolve_shape(graph.shapes[name], chosen)[0]
        data[name] = rng.uniform(-2, 2, (rows, batch))
    for name in graph.targets:
        rows = resolve_shape(graph.shapes[name], chosen)[0]
        kind = _target_kind(graph, name)
        if kind == "one-hot":
            t = np.zeros((rows, batch))
            t[rng.integers(0, rows, batch), np.arange(batch)] = 1.0
        elif kind == "probability":
            t = rng.uniform(0.05, 0.95, (rows, batch))
        elif kind == "index":
            t = None  # class indices 0 … n−1 of the logits' n rows: drawn below, once n is known
        else:
            t = rng.uniform(-1, 1, (rows, batch))
        data[name] = t
    _class_indices(graph, params, data, rng, rules)
    if kinks:
        _place_kinks(graph, params, data, rng, rules)
        _place_loss_kinks(graph, params, data, rng, rules)
    return Instance(chosen, params, data, evaluate(graph, params, data, backend=FLOAT, rules=rules))


def _affine_params(graph: Graph, node) -> tuple[list[str], list[str]]:
    """The weights and biases of the ``W @ a (+ b)`` feeding ``node`` (empty if it is not affine)."""
    by_name = {n.name: n for n in graph.nodes}
    weights, biases, frontier = [], [], [node.args[0]]
    while frontier:
        current = by_name[frontier.pop()]
        if current.op == "matmul" and current.args[0] in graph.params:
            weights.append(current.args[0])
        elif current.op == "add":
            frontier += list(current.args)
        elif current.op == "param":
            biases.append(current.name)
        elif current.op == "identity":
            frontier.append(current.args[0])
    return weights, biases


def _place_kinks(graph: Graph, params: dict, data: dict, rng: np.random.Generator, rules: Rules) -> None:
    """For each ReLU fed by ``W @ a (+ b)``: zero one row of W and b (that unit's pre-activation
    is exactly 0 for every example); then make sure another unit is active somewhere (else the
    whole gradient below would vanish and the instance would tell nothing) and, when there are
    units to spare, that one is negative somewhere. A row is flipped by negating it: z is linear
    in the row, so its sign flips. Layer by layer, in order."""
    from grader.engine.autodiff import forward

    for node in graph.nodes:
        if node.op not in _KINKED:
            continue
        weights, biases = _affine_params(graph, node)
        if not weights or any(params[w].shape[0] < 2 for w in weights):
            continue
        rows = params[weights[0]].shape[0]
        zero = int(rng.integers(0, rows))
        for name in weights + biases:
            params[name][zero, :] = 0.0

        def pre():
            return forward(graph, params, data, backend=FLOAT, rules=rules)[node.args[0]]

        def flip(row):
            for name in weights + biases:
                params[name][row, :] *= -1.0

        if node.op == "hardtanh" and biases:  # its kinks are at ±1: that unit's input is exactly ±1
            for name in biases:
                params[name][zero, :] = float(rng.choice([-1.0, 1.0]))

        others = [r for r in range(rows) if r != zero]
        z = pre()
        if not (z[others] > 0).any():
            flip(min(others, key=lambda r: z[r].min()))
            z = pre()
        active = [r for r in others if (z[r] > 0).any()]
        if not (z[others] < 0).any() and len(active) >= 2:
            flip(max(active, key=lambda r: z[r].max()))


def _class_indices(graph: Graph, params: dict, data: dict, rng: np.random.Generator, rules: Rules) -> None:
    """Targets of ``cross_entropy_index``: a 1×m row of classes 0 … n−1, n the logits' rows."""
    from grader.engine.autodiff import forward

    for node in graph.nodes:
        if node.op == "cross_entropy_index" and data.get(node.args[1], 0) is None:
            known = {k: v for k, v in data.items() if v is not None}
            z = forward(graph, params, known, backend=FLOAT, rules=rules)[node.args[0]]
            data[node.args[1]] = rng.integers(0, z.shape[0], (1, z.shape[1])).astype(float)


def _place_loss_kinks(graph: Graph, params: dict, data: dict, rng: np.random.Generator, rules: Rules) -> None:
    """For an L1 or Huber loss of the output against a target: one target entry put where the
    residual is exactly at the kink (0, or ±δ where float64 gives it exactly)."""
    from grader.engine.autodiff import forward

    for node in graph.nodes:
        if node.op not in ("l1", "huber") or node.args[1] not in graph.targets:
            continue
        values = forward(graph, params, data, backend=FLOAT, rules=rules)
        y, t = values[node.args[0]], data[node.args[1]]
        if y.shape != t.shape:
            continue
        i, j = int(rng.integers(0, y.shape[0])), int(rng.integers(0, y.shape[1]))
        if node.op == "l1":
            t[i, j] = y[i, j]
            continue
        delta = float(values[node.args[2]][0, 0])
        for side in (delta, -delta):
            if y[i, j] - (y[i, j] - side) == side:  # exact in float64 too
                t[i, j] = y[i, j] - side
                break
