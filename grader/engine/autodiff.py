"""Forward pass, reverse-mode backward pass and one SGD step over a :class:`Graph`.

    ev = evaluate(graph, params, data, backend=EXACT, learning_rate=Fraction(1))
    ev.values["a2"]      # forward value
    ev.grads["z2"]       # δ = ∂L/∂z2 (summed over the batch, or averaged: Rules.reduction)
    ev.updated["W2"]     # W2 − η ∂L/∂W2

Every pass records the signs its ops branched on (``ev.kinks``); a pass given
``follow=ev.kinks`` of another takes the same branches (:mod:`grader.engine.kinks`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from grader.engine.backends import EXACT, FLOAT
from grader.engine.graph import Graph
from grader.engine.kinks import KinkDecisions
from grader.engine.ops import Ctx, Rules
from grader.errors import ConfigError

DEFAULT_RULES = Rules()


@dataclass
class Evaluation:
    """Every quantity of one forward/backward pass (arrays of the backend used)."""

    values: dict = field(default_factory=dict)
    grads: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)
    batch: int = 1
    kinks: KinkDecisions = field(default_factory=KinkDecisions)  # the branches its ops took


def forward(graph: Graph, params: dict, data: dict, *, backend=FLOAT, rules: Rules = DEFAULT_RULES,
            upto: str | None = None, pins: dict | None = None, unpinned: dict | None = None,
            kinks: KinkDecisions | None = None) -> dict:
    """Values of every node (stopping after ``upto`` when given, e.g. without targets).

    ``pins`` (node → value) replaces a node's value once computed: the pass then carries a
    student's own earlier answer forward (follow-through credit); ``unpinned`` (a dict, when
    given) receives the value each pinned node had before its pin replaced it. ``kinks``
    records the branches taken (and follows its ``follow``'s)."""
    values: dict = {}
    for node in graph.nodes:
        if node.op == "input":
            if node.name in data:
                values[node.name] = data[node.name]
            continue
        if node.op == "param":
            values[node.name] = params[node.name]
        elif node.op == "const":
            values[node.name] = backend.array([[node.value]])
        else:
            if any(a not in values for a in node.args):
                continue  # depends on data not given (a target at prediction time)
            ctx = _ctx(backend, rules, kinks, ("forward", node.name))
            values[node.name] = _settled(backend, _as_2d(rules.op(node.op).forward(ctx, *(values[a] for a in node.args))))
        if pins and node.name in pins:
            if unpinned is not None:
                unpinned[node.name] = values.get(node.name)
            values[node.name] = pins[node.name]
        if node.name == upto:
            break
    return values


def backward(graph: Graph, values: dict, *, backend=FLOAT, rules: Rules = DEFAULT_RULES,
             seed: tuple[str, object] | None = None, pins: dict | None = None, unpinned: dict | None = None,
             kinks: KinkDecisions | None = None, until: str | None = None) -> dict:
    """∂L/∂v for every node v, by reverse accumulation from the loss (down to node ``until``
    only, when given: nodes before it in the graph cannot change its gradient).

    With ``seed=(node, g)`` the accumulation starts from upstream gradient ``g`` at ``node``
    instead (a vector-Jacobian product: row i of a Jacobian is the seed e_i). ``pins`` and
    ``unpinned`` and ``kinks`` are as in :func:`forward`, for gradients.
    """
    if seed is None:
        batch = _batch_size(graph, values)
        scale = Fraction(1, batch) if rules.reduction == "mean" else Fraction(1)
        seed = (graph.loss, backend.array(np.full(values[graph.loss].shape, scale, dtype=object).tolist()))
    grads = {seed[0]: seed[1]}
    for node in reversed(graph.nodes):
        if pins and node.name in pins:  # every contribution is in: replace the sum (follow-through)
            if unpinned is not None:
                unpinned[node.name] = grads.get(node.name)
            grads[node.name] = pins[node.name]
        if node.name == until:
            break
        g = grads.get(node.name)
        if g is None or node.op in ("input", "param", "const"):
            continue
        args = [values[a] for a in node.args]
        for name, index, other in rules.substitute:
            if name == node.name:
                args[index] = values[other]
        ctx = _ctx(backend, rules, kinks, ("backward", node.name))
        for index, (arg, ga) in enumerate(zip(node.args, rules.backward_op(node).backward(ctx, g, values[node.name], *args))):
            if ga is None or (node.name, index) in rules.drop:
                continue
            ga = _settled(backend, _as_2d(ga))
            grads[arg] = grads[arg] + ga if arg in grads else ga
    return grads


def evaluate(graph: Graph, params: dict, data: dict, *, backend=FLOAT, rules: Rules = DEFAULT_RULES,
             learning_rate=None, pins: dict | None = None, unpinned: dict | None = None,
             follow: KinkDecisions | None = None) -> Evaluation:
    """Forward, backward (when targets are given) and an SGD step (when η is given).

    ``pins`` (``{"values": {node: v}, "grads": {node: g}, "updated": {param: p}}``) put a
    student's own answers in place of what the pass computes there (follow-through), and
    ``unpinned`` (the same three tables, when given) receives what each pinned place held
    before its pin. The key and follow-through both run this function, so every rule (the
    batch mean's 1/m on the loss included) is the same for both. A pinned loss value is put in
    after the loss is reduced (it is the student's reduced loss) and changes no gradient.
    ``follow``: another pass's ``kinks``, whose branches this pass takes (the float
    cross-check of a key follows the key's)."""
    pins = pins or {}
    kinks = KinkDecisions(follow=follow)
    values_pins = pins.get("values") or {}
    loss_pin = values_pins.get(graph.loss)
    if loss_pin is not None:
        values_pins = {n: v for n, v in values_pins.items() if n != graph.loss}
    before = unpinned if unpinned is not None else None
    values = forward(graph, params, data, backend=backend, rules=rules, pins=values_pins,
                     unpinned=before["values"] if before is not None else None, kinks=kinks)
    ev = Evaluation(values=values, batch=_batch_size(graph, values), kinks=kinks)
    if graph.loss in values:
        ev.grads = backward(graph, values, backend=backend, rules=rules, pins=pins.get("grads") or {},
                            unpinned=before["grads"] if before is not None else None, kinks=kinks)
        if rules.reduction == "mean":
            values[graph.loss] = values[graph.loss] * backend.const(Fraction(1, ev.batch))
        if loss_pin is not None:
            if before is not None:
                before["values"][graph.loss] = values[graph.loss]
            values[graph.loss] = loss_pin
        if learning_rate is not None:
            eta = backend.const(learning_rate)
            # grads·η, not η·grads: an mpf η would first try to convert the whole array (and
            # format it for an error message), then give way to numpy; the products are equal
            computed = {p: params[p] - ev.grads.get(p, 0 * params[p]) * eta for p in graph.params}
            updated_pins = pins.get("updated") or {}
            ev.updated = {p: updated_pins.get(p, computed[p]) for p in graph.params}
            if before is not None:
                before["updated"] = {p: computed[p] for p in updated_pins if p in computed}
    return ev


def jacobian(graph: Graph, values: dict, of: str, wrt: str, *, backend=FLOAT, rules: Rules = DEFAULT_RULES,
             kinks: KinkDecisions | None = None):
    """∂(of)/∂(wrt) for one example: J[i, j] = ∂of_i/∂wrt_j, e.g. the softmax Jacobian
    ``jacobian(g, v, "a3", "z3")`` = diag(p) − p pᵀ. Both nodes must be column vectors."""
    out, inp = values[of], values[wrt]
    if out.shape[1] != 1 or inp.shape[1] != 1:
        raise ConfigError(f"a Jacobian needs one example: {of} is {out.shape[0]}×{out.shape[1]}, "
                          f"{wrt} is {inp.shape[0]}×{inp.shape[1]}")
    rows = []
    for i in range(out.shape[0]):
        unit = backend.array([[1 if k == i else 0] for k in range(out.shape[0])])
        g = backward(graph, values, backend=backend, rules=rules, seed=(of, unit), kinks=kinks, until=wrt).get(wrt)
        rows.append((g if g is not None else 0 * inp).T)
    return np.vstack(rows)


def elementwise_derivative(graph: Graph, values: dict, of: str, wrt: str, *, backend=FLOAT,
                           rules: Rules = DEFAULT_RULES, kinks: KinkDecisions | None = None):
    """∂of/∂wrt entry by entry, for an element-wise ``of = g(wrt)`` (e.g. ReLU'(Z) as a matrix):
    the backward pass seeded with ones at ``of``."""
    ones = backend.array(np.ones(values[of].shape, dtype=int).tolist())
    g = backward(graph, values, backend=backend, rules=rules, seed=(of, ones), kinks=kinks, until=wrt).get(wrt)
    return g if g is not None else 0 * values[wrt]


def _ctx(backend, rules: Rules, kinks: KinkDecisions | None, place: tuple) -> Ctx:
    return Ctx(backend if kinks is None else kinks.at(backend, place), rules)


def _settled(backend, a):
    """The backend's form of an op's result (the key's arithmetic bounds its rationals)."""
    settle = getattr(backend, "settle", None)
    return a if settle is None else settle(a)


def _as_2d(a):
    a = np.asarray(a, dtype=object) if not isinstance(a, np.ndarray) else a
    if a.ndim == 0:
        return a.reshape(1, 1)
    return a


def _batch_size(graph: Graph, values: dict) -> int:
    sizes = {values[x].shape[1] for x in graph.inputs + graph.targets if x in values}
    if len(sizes) > 1:
        raise ConfigError(f"inputs and targets have different numbers of examples: {sorted(sizes)}")
    return sizes.pop() if sizes else 1


__all__ = ["Evaluation", "evaluate", "forward", "backward", "jacobian", "elementwise_derivative", "EXACT", "FLOAT", "DEFAULT_RULES"]
