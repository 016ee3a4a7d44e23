"""Optimizers beyond one SGD step (issue 19): momentum, Nesterov, RMSprop, Adam, with weight
decay (coupled or decoupled), per-parameter learning rates and several steps in a row.

Each optimizer is one row of :data:`OPTIMIZERS`: the state it keeps per parameter and its
update, written side by side as PyTorch's ``torch.optim`` defines them (dampening 0):

=========  ==================================================================  ==============
name       update of a parameter p with gradient g (after weight decay)        state
=========  ==================================================================  ==============
sgd        p ← p − η g                                                          (none)
momentum   v ← μ v + g;  p ← p − η v                                            ``velocity``
nesterov   v ← μ v + g;  p ← p − η (g + μ v)                                    ``velocity``
rmsprop    v ← α v + (1 − α) g²;  p ← p − η g / (√v + ε)                        ``v``
adam       m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;                          ``m``, ``v``
           p ← p − η m̂ / (√v̂ + ε),  m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)
=========  ==================================================================  ==============

Weight decay λ: coupled, g ← g + λp before the update (L2 in the gradient); decoupled (AdamW,
SGDW), p ← p − ηλp before the update. Every state starts at 0. The same examples are used at
every step; step t's forward values and gradients are taken at the parameters after t − 1 steps.

    training = train(graph, params, data, Optimizer("adam", Fraction(1, 10), steps=2), backend=EXACT)
    training.at(2).state["m"]["W1"]     # Adam's m of W1 after step 2
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Callable

from grader.engine.autodiff import Evaluation, evaluate
from grader.engine.graph import Graph
from grader.engine.op_kit import Ctx, const, sqrt
from grader.engine.ops import Rules


@dataclass(frozen=True)
class Optimizer:
    """What an assignment declares (``optimizer:`` of a scenario); numbers are Fractions."""

    name: str
    learning_rate: Fraction
    steps: int = 1
    momentum: Fraction = Fraction(9, 10)
    beta1: Fraction = Fraction(9, 10)
    beta2: Fraction = Fraction(999, 1000)
    alpha: Fraction = Fraction(99, 100)  # RMSprop's decay of the squared-gradient average
    eps: Fraction = Fraction(1, 10**8)
    weight_decay: Fraction = Fraction(0)
    decoupled: bool = False
    bias_correction: bool = True
    learning_rates: tuple[tuple[str, Fraction], ...] = ()  # (parameter glob, η): per-layer rates

    def rate(self, param: str) -> Fraction:
        """η for one parameter: the last glob of ``learning_rates`` it matches, else the global one."""
        for pattern, eta in reversed(self.learning_rates):
            if fnmatch.fnmatchcase(param, pattern):
                return eta
        return self.learning_rate


@dataclass(frozen=True)
class Rule:
    """One optimizer: the names of its state, and ``update(c, opt, p, g, state, t, eta)`` →
    (new p, new state), state a dict name → array, t the step (1-based)."""

    state: tuple[str, ...]
    update: Callable


def _sgd(c, o, p, g, s, t, eta):
    return p - g * eta, {}


def _momentum(c, o, p, g, s, t, eta):
    v = s["velocity"] * const(c, o.momentum) + g
    return p - v * eta, {"velocity": v}


def _nesterov(c, o, p, g, s, t, eta):
    v = s["velocity"] * const(c, o.momentum) + g
    return p - (g + v * const(c, o.momentum)) * eta, {"velocity": v}


def _rmsprop(c, o, p, g, s, t, eta):
    v = s["v"] * const(c, o.alpha) + g * g * const(c, 1 - o.alpha)
    return p - g * eta / (sqrt(c, v) + const(c, o.eps)), {"v": v}


def _adam(c, o, p, g, s, t, eta):
    m = s["m"] * const(c, o.beta1) + g * const(c, 1 - o.beta1)
    v = s["v"] * const(c, o.beta2) + g * g * const(c, 1 - o.beta2)
    m_hat, v_hat = m, v
    if o.bias_correction:
        m_hat = m * const(c, 1 / (1 - o.beta1 ** t))
        v_hat = v * const(c, 1 / (1 - o.beta2 ** t))
    return p - m_hat * eta / (sqrt(c, v_hat) + const(c, o.eps)), {"m": m, "v": v}


OPTIMIZERS: dict[str, Rule] = {
    "sgd": Rule((), _sgd),
    "momentum": Rule(("velocity",), _momentum),
    "nesterov": Rule(("velocity",), _nesterov),
    "rmsprop": Rule(("v",), _rmsprop),
    "adam": Rule(("m", "v"), _adam),
}
STATE_NAMES = frozenset(name for rule in OPTIMIZERS.values() for name in rule.state)


@dataclass
class Step:
    """Step t: the evaluation at the parameters before it, the parameters and state after it."""

    evaluation: Evaluation
    updated: dict
    state: dict = field(default_factory=dict)  # state name -> param -> array


@dataclass
class Training(Evaluation):
    """Step 1's evaluation (``values``, ``grads``), and every step's (:meth:`at`). ``updated``
    stays empty: an optimizer's parameters after step t are ``at(t).updated``, so code written
    for one SGD step (``params − η·grads``) never mistakes them for that."""

    steps: list = field(default_factory=list)
    optimizer: Optimizer | None = None
    rerun: Callable | None = field(default=None, repr=False)  # (changed Optimizer) -> Training

    def at(self, step: int = 0) -> Step:
        """Step ``step`` (1-based; 0 means the last)."""
        return self.steps[(step or len(self.steps)) - 1]


def train(graph: Graph, params: dict, data: dict, optimizer: Optimizer, *, backend, rules: Rules = Rules(),
          follow: "Training | None" = None) -> Training:
    """Run ``optimizer.steps`` steps of ``optimizer`` from ``params`` on ``data`` (every example each step).
    ``follow``: the key's training, whose kink decisions each step takes (the float cross-check)."""
    rule = OPTIMIZERS[optimizer.name]
    c = Ctx(backend, rules)
    state = {name: {p: 0 * params[p] for p in graph.params} for name in rule.state}
    steps: list[Step] = []
    current = dict(params)
    for t in range(1, optimizer.steps + 1):
        ev = evaluate(graph, current, data, backend=backend, rules=rules,
                      follow=follow.at(t).evaluation.kinks if follow is not None else None)
        after, new_state = {}, {name: {} for name in rule.state}
        for p in graph.params:
            eta, g, value = const(c, optimizer.rate(p)), ev.grads.get(p, 0 * current[p]), current[p]
            if optimizer.weight_decay and not optimizer.decoupled:
                g = g + value * const(c, optimizer.weight_decay)
            if optimizer.weight_decay and optimizer.decoupled:
                value = value - value * const(c, optimizer.weight_decay) * eta
            after[p], mine = rule.update(c, optimizer, value, g, {n: state[n][p] for n in rule.state}, t, eta)
            for name in rule.state:
                new_state[name][p] = mine[name]
        state = new_state
        steps.append(Step(ev, after, state))
        current = after
    first = steps[0].evaluation
    return Training(values=first.values, grads=first.grads, batch=first.batch, kinks=first.kinks, steps=steps,
                    optimizer=optimizer,
                    rerun=lambda changed: train(graph, params, data, changed, backend=backend, rules=rules))


def step_tables(ev: Evaluation, step: int = 0) -> dict:
    """Verb → table of a question's quantity at ``step``: ``""`` (forward values), ``grad``,
    ``updated`` and each optimizer state (``m``, ``v``, ``velocity``). For one SGD step (a
    plain Evaluation) the step is 1, the only one."""
    if not isinstance(ev, Training):
        if step > 1:
            raise KeyError(f"step {step}")
        return {"": ev.values, "class": ev.values, "grad": ev.grads, "updated": ev.updated}
    # a question without a step asks forward values and gradients of step 1 (the evaluation
    # ev itself, as variants change it), and the update and state after the last step
    chosen = ev.at(step)
    forward = ev if step in (0, 1) else chosen.evaluation
    return {"": forward.values, "class": forward.values, "grad": forward.grads, "updated": chosen.updated,
            **chosen.state}


def without_bias_correction(ev: Evaluation) -> Training | None:
    """Adam's run again with m̂ = m, v̂ = v (a misconception), or None if ``ev`` is not Adam."""
    if not isinstance(ev, Training) or ev.optimizer.name != "adam" or not ev.optimizer.bias_correction:
        return None
    return ev.rerun(replace(ev.optimizer, bias_correction=False))
