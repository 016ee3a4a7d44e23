"""Random instances of an assignment's symbolic scenarios, and the symbolic shapes of its nodes.

An expression answer is checked by evaluating it on these instances; they are seeded from the
assignment, the scenario and the instance number only, so grading is deterministic. Instances
rotate the generic activation ``act`` through GENERIC_ACTIVATIONS and alternate plain draws
with draws whose ReLU pre-activations include exact zeros (``kinks``); one draw puts units
of every pre-activation in the saturated tails and either side of the kink (``TAILS``).

    for inst in scenario_instances(assignment, "q1"):
        inst.evaluation.grads["x"]
"""
from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np

from grader.course.assignment import Assignment
from grader.engine.instantiate import Instance, random_instance, resolve_shape
from grader.engine.backends import FLOAT
from grader.engine.ops import GENERIC_ACTIVATIONS, generic_activation

DEFAULT_INSTANCES = 4
# One instance puts, in every activation's pre-activation fed by ``W @ a + b``, one unit each
# (as many as there are units to spare, for the first example) at these values: far in the
# saturated tails and just either side of the ReLU kink, so an answer that differs only there
# (max(σ'(z), 10^{-3}), σ'(z)·1{z > -10}, 1{z > -10^{-6}}) is told apart there; the others stay
# at moderate magnitudes, where most answers differ. At -12 σ' is 6e-6, far above the tolerance.
TAILS_INSTANCE, TAILS = 2, (-12.0, 1e-6, -1e-6, 12.0)
# Distinct sizes used to read a node's shape back as size symbols (none is another's multiple
# or sum of two, so no dimension can be mistaken for another size).
_PROBE = (11, 13, 17, 19, 23, 29, 31, 37)


def _seed(*parts) -> int:
    return int.from_bytes(hashlib.sha256("\x00".join(map(str, parts)).encode()).digest()[:8], "big")


def scenario_instances(assignment: Assignment, scenario: str, *, count: int | None = None,
                       sizes: dict | None = None) -> list[Instance]:
    """The deterministic random instances a scenario's expression answers are checked on."""
    s = assignment.scenarios[scenario]
    graph = assignment.graphs[s.network]
    spec = s.random or {}
    count = count or int(spec.get("instances", DEFAULT_INSTANCES))
    uses_act = any(n.op == "act" for n in graph.nodes)
    out = []
    for i in range(count):
        rng = np.random.default_rng(_seed(assignment.id, scenario, i))
        chosen = dict(sizes) if sizes else {
            name: int(rng.integers(lo, hi + 1)) for name, ((lo, hi), _) in assignment.sizes.items()}
        batch = spec.get("batch", 1)
        batch = chosen[batch] if isinstance(batch, str) else int(batch)
        rules = assignment.rules
        act = spec.get("act") or GENERIC_ACTIVATIONS[i % len(GENERIC_ACTIVATIONS)]
        if uses_act:
            rules = rules.with_op(generic_activation(act))
        inst = random_instance(graph, sizes=chosen, rng=rng, batch=batch, rules=rules, kinks=i % 2 == 1)
        if i == TAILS_INSTANCE:
            inst = _with_tails(graph, inst, rules)
        out.append(replace(inst, act=act))
    return out


def _with_tails(graph, inst: Instance, rules) -> Instance:
    """``inst`` with units of each activation's pre-activation moved to TAILS by their bias, or
    by scaling their weight row when there is no bias (layer by layer, in order; a unit is left
    as drawn when it is the only one), evaluated again."""
    from grader.engine.autodiff import evaluate, forward
    from grader.engine.instantiate import _affine_params  # the kinks' own reading of W @ a + b
    params = {name: value.copy() for name, value in inst.params.items()}
    for node in graph.nodes:
        if node.op not in _ACTIVATIONS:
            continue
        weights, biases = _affine_params(graph, node)
        if not biases and len(weights) != 1:
            continue
        z = forward(graph, params, inst.data, backend=FLOAT, rules=rules)[node.args[0]]
        for row, target in enumerate(TAILS[:z.shape[0] - 1]):
            if biases:
                params[biases[0]][row, :] += target - z[row, 0]
            elif z[row, 0] != 0:  # W @ a alone: the row scaled (its sign flipped if need be)
                params[weights[0]][row, :] *= target / z[row, 0]
    return replace(inst, params=params, evaluation=evaluate(graph, params, inst.data, backend=FLOAT, rules=rules))


_ACTIVATIONS = frozenset({"act", "relu", "leaky_relu", "sigmoid", "tanh", "softplus", "elu", "selu", "gelu", "gelu_tanh",
                          "silu", "swish", "softsign", "hardtanh"})


def symbolic_shape(assignment: Assignment, scenario: str, node: str) -> tuple:
    """A node's shape in size symbols, e.g. ``(d, 1)`` for ``z2``: evaluated once with each size
    set to a distinct probe value, then each dimension read back as its size."""
    names = list(assignment.sizes)
    probe = dict(zip(names, _PROBE))
    inst = scenario_instances(assignment, scenario, count=1, sizes=probe)[0]
    value = inst.evaluation.values.get(node)
    if value is None:
        graph = assignment.graphs[assignment.scenarios[scenario].network]
        value = np.zeros(resolve_shape(graph.shapes[node], probe))
    import sympy  # on first use (grader.engine.backends._sympy)
    back = {v: sympy.Symbol(k) for k, v in probe.items()}
    return tuple(back.get(dim, sympy.Integer(dim)) for dim in value.shape)


def symbolic_parameter_count(assignment: Assignment, scenario: str) -> sympy.Expr:
    """Σ rows·cols over the parameters, as a polynomial in the sizes (``d**2 + d``)."""
    graph = assignment.graphs[assignment.scenarios[scenario].network]
    import sympy
    total = sympy.Integer(0)
    for p in graph.params:
        rows, cols = symbolic_shape(assignment, scenario, p)
        total += rows * cols
    return sympy.expand(total)
