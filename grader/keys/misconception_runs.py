"""Misconception variants of an assignment's key: every question's value as a student holding
that misconception would compute it (float64), for the flags in :mod:`grader.judge.compare`.

Fixed scenarios run with each variant's rules and ``after`` change; ``stale-weights`` re-runs the
backward pass with the updated weights, ``whole-batch-vs-single`` uses the first example of a
batch (or, for one example, a sibling scenario on the same network with the batch).

The float runs follow the key's kink decisions (``follow=``, as :mod:`grader.keys.answer_key`'s
cross-check does): where a ReLU's input is exactly 0 for the key and 5.6e-17 in float64, a
variant takes the key's branch, so its value is the one the student holding it computes by hand.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from grader.course.kinds import KINDS
from grader.course.assignment import Assignment
from grader.engine.autodiff import FLOAT, Evaluation, backward, evaluate
from grader.engine.ops import Rules
from grader.engine.kinks import KinkDecisions
from grader.keys.answer_key import AnswerKey, key_backend, quantity, run_scenarios, scenario_data
from grader.course.misconceptions import CATALOGUE, Misconception
from grader.tolerance import ENGINE_ATOL, ENGINE_RTOL


def _stale(graph, params, data, rules, scenario, truth: Evaluation | None = None, kinks=None) -> Evaluation | None:
    ev = truth if truth is not None else \
        evaluate(graph, params, data, backend=FLOAT, rules=rules, learning_rate=scenario.learning_rate, follow=kinks)
    if not ev.updated:
        return None
    values = dict(ev.values) | {f"{w}@new": ev.updated[w] for w in graph.params}
    subs = tuple((n.name, 0, f"{n.args[0]}@new") for n in graph.nodes if n.op == "matmul" and n.args[0] in graph.params)
    grads = backward(graph, values, backend=FLOAT, rules=replace(rules, substitute=rules.substitute + subs),
                     kinks=KinkDecisions(follow=kinks))
    eta = float(scenario.learning_rate)
    return Evaluation(ev.values, grads, {p: params[p] - eta * grads[p] for p in params}, ev.batch)


def _first_example(graph, params, data, rules, scenario, inputs=None, assignment=None) -> Evaluation | None:
    """A batch computed on its first example alone; one example answered with the numbers of
    the batch that starts with it (a sibling scenario on the same network, from the same
    parameters: seed 004's Exercise 2, whose (a) is the first example of (b))."""
    if len(scenario.examples) < 2:
        batch = _batch_of(assignment, scenario) if assignment is not None else None
        return None if batch is None else inputs.truth[batch]
    first = {k: v[:, :1] for k, v in data.items()}
    return evaluate(graph, params, first, backend=FLOAT, rules=rules, learning_rate=scenario.learning_rate)


def _batch_of(assignment: Assignment, scenario) -> str | None:
    """The fixed batch scenario that starts with ``scenario``'s one example, on its network from
    the same starting parameters, if there is one."""
    for name, other in assignment.scenarios.items():
        if other.random is None and other.network == scenario.network and len(other.examples) > 1 \
                and other.examples[0] == scenario.examples[0] and not other.params_from and not scenario.params_from \
                and other.init == scenario.init and other.params == scenario.params:
            return name
    return None


def _same_forward(graph, rules: Rules, variant: Rules) -> bool:
    """Whether ``variant`` computes every forward value as ``rules`` does: it changes backward
    rules or wiring only (the same forward function for every op; substitutions and drops act
    on the backward pass), and the loss is summed, so evaluate() leaves its forward values as
    they are."""
    def rest(r: Rules) -> Rules:
        return replace(r, overrides=(), substitute=(), drop=(), at_node=())
    return rules.reduction == "sum" and rest(variant) == rest(rules) and all(
        variant.op(n.op).forward is rules.op(n.op).forward for n in graph.nodes if n.op not in ("input", "param", "const"))


def _backward_only(graph, params, plain: Evaluation, rules: Rules, scenario, kinks=None) -> Evaluation:
    """evaluate() under ``rules`` that keep the forward values of ``plain`` (see
    _same_forward): the rest of autodiff.evaluate, its backward pass and SGD step, on them."""
    values = dict(plain.values)
    ev = Evaluation(values=values, batch=plain.batch)
    if graph.loss in values:
        ev.grads = backward(graph, values, backend=FLOAT, rules=rules, kinks=KinkDecisions(follow=kinks))
        if scenario.learning_rate is not None:
            eta = FLOAT.const(scenario.learning_rate)
            ev.updated = {p: params[p] - eta * ev.grads.get(p, 0 * params[p]) for p in graph.params}
    return ev


class _Inputs:
    """What every variant of one assignment starts from, computed once: each fixed scenario's
    true evaluation (``run_scenarios`` with the float backend), float data and own starting
    parameters (none for ``params_from``), and the questions variants are asked. Reusing them
    is bit-identical to recomputing them per misconception: the float engine is
    deterministic, and nothing mutates an input array (ops and ``after`` changes build new
    arrays)."""

    def __init__(self, assignment: Assignment, truth: dict | None = None, follow: dict | None = None):
        self.truth = truth if truth is not None else run_scenarios(assignment, backend=FLOAT)
        self.follow = follow if follow is not None else key_runs_at_kinks(assignment, self.truth)
        if self.follow:  # the true float runs take the key's branches too
            self.truth = run_scenarios(assignment, backend=FLOAT, follow=self.follow)
        self.data, self.params = {}, {}
        for name, ev in self.truth.items():
            s = assignment.scenarios[name]
            graph = assignment.graphs[s.network]
            # a forward pass keeps its inputs as the values of their nodes: the very arrays
            # initial_params and scenario_data give
            keys = {k for ex in s.examples for k in ex if all(k in e for e in s.examples)}
            self.data[name] = {k: ev.values[k] for k in keys} if keys <= ev.values.keys() else scenario_data(s, FLOAT)
            if not s.params_from:
                self.params[name] = {p: ev.values[p] for p in graph.params}
        # scenarios another one starts from: only their carried evaluation is ever read
        self.sources = {s.params_from for s in assignment.scenarios.values() if s.params_from}
        self.rules: dict = {}  # (misconception id, network) -> the variant's rules
        self.questions = [(q, assignment.graphs[assignment.scenarios[q.scenario].network]) for q in assignment.questions
                          if KINDS[q.kind].misconception_runs and assignment.scenarios[q.scenario].random is None]


def _run(assignment: Assignment, m: Misconception, inputs: _Inputs) -> dict:
    """Each fixed scenario's Evaluation under the variant (None where it does not apply). A
    scenario that starts from another's update starts from the variant's update when there is
    one (the error carried forward), else from the true one.

    Where a scenario's parameters are the true ones (``true_start``), a variant that runs the
    assignment's own rules (an ``after`` change, stale weights) starts from the true
    evaluation already computed, and one that changes only backward rules reuses its forward
    values (``_same_forward``)."""
    done: dict = {}
    carried: dict = {}  # what later scenarios start from
    for name in assignment.scenario_order():
        s = assignment.scenarios[name]
        if s.random is not None:
            continue
        graph = assignment.graphs[s.network]
        true_start = not s.params_from or carried[s.params_from] is inputs.truth[s.params_from]
        params = carried[s.params_from].updated if s.params_from else inputs.params[name]
        data = inputs.data[name]
        rules = assignment.rules
        plain = inputs.truth[name] if true_start else None  # the evaluation with the assignment's rules
        # the key's branches, where this run's forward values are the key's (a carried variant
        # update changes them: its own signs hold there)
        kinks = inputs.follow[name].kinks if true_start and inputs.follow else None
        try:
            if m.id == "stale-weights":
                ev = _stale(graph, params, data, rules, s, plain, kinks)
            elif m.id == "whole-batch-vs-single":
                ev = _first_example(graph, params, data, rules, s, inputs, assignment)
            else:
                if (m.key, s.network) not in inputs.rules:  # the same for every scenario on one network
                    inputs.rules[(m.key, s.network)] = m.rules(graph, rules) if m.rules else rules
                variant_rules = inputs.rules[(m.key, s.network)]
                ev = None
                if variant_rules is rules and plain is not None:
                    ev = plain
                elif variant_rules is not None and plain is not None and _same_forward(graph, rules, variant_rules):
                    ev = _backward_only(graph, params, plain, variant_rules, s, kinks)
                elif variant_rules is not None:
                    ev = evaluate(graph, params, data, backend=FLOAT, rules=variant_rules, learning_rate=s.learning_rate,
                                  follow=kinks)
                    if variant_rules is rules:
                        plain = ev
                if m.after and ev is not None:
                    ev = m.after(graph, params, ev, s)
        except (ValueError, KeyError):
            ev = None  # the variant's rule does not fit these shapes
        done[name] = ev
        if name in inputs.sources:
            carried[name] = ev if ev is not None and ev.updated else plain if plain is not None else \
                evaluate(graph, params, data, backend=FLOAT, rules=rules, learning_rate=s.learning_rate)
    return done


def _near_kink(graph, ev: Evaluation) -> bool:
    """Whether a float run decided a branch on a value within rounding of 0 (0.1 + 0.2 − 0.3),
    where the exact key may have decided the other way."""
    deciding = {place[1] for place in ev.kinks.signs}
    for n in graph.nodes:
        if n.name not in deciding:
            continue
        for a in n.args:
            v = np.asarray(ev.values.get(a, 1.0), dtype=float)
            if v.size and (np.abs(v) < 1e-12 * max(1.0, float(np.abs(v).max()))).any():
                return True
    return False


def key_runs_at_kinks(assignment: Assignment, truth: dict) -> dict | None:
    """The key's own runs (its arithmetic, :func:`~grader.keys.answer_key.key_backend`), whose
    kink decisions the float variants follow, when some float run decided a branch within
    rounding of 0; else None (float and key cannot disagree, and the exact run is spared)."""
    if not any(_near_kink(assignment.graphs[assignment.scenarios[name].network], ev) for name, ev in truth.items()):
        return None
    return run_scenarios(assignment, backend=key_backend(assignment))


def misconceptions(assignment: Assignment, *, everywhere: bool = True, places: bool = False) -> list[Misconception]:
    """The catalogue's misconceptions and the assignment's own, made everywhere at once, and/or
    (``places``) each at one place of the assignment's graphs alone (a layer's σ' left out, one
    transpose missing)."""
    graphs = list(assignment.graphs.values())
    every = (*CATALOGUE, *assignment.misconceptions)  # the catalogue's and the course's own
    out = [m for m in every if everywhere]
    if places:
        out += [local for m in every for local in m.at_places(graphs)]
    return out


def variant_values(assignment: Assignment, key: AnswerKey | None, *, keep_equal: bool = False,
                   runs: dict | None = None, everywhere: bool = True,
                   places: bool = False) -> dict[str, dict[str, np.ndarray]]:
    """variant name → question id → the variant's value, for numeric questions where the
    variant differs from the key (where it equals the key it cannot be flagged; ``keep_equal``
    keeps those too, for :mod:`grader.keys.screening`, and then needs no ``key``). ``runs``: the
    assignment's true float evaluations (``run_scenarios(assignment, backend=FLOAT)``) when
    the caller has them. A variant's name is its misconception's id, ``id@place`` for one made
    at one place alone (``places``; see :func:`misconceptions`)."""
    inputs = _Inputs(assignment, runs)
    out: dict[str, dict[str, np.ndarray]] = {}
    for m in misconceptions(assignment, everywhere=everywhere, places=places):
        if m.answer_level:
            continue
        runs_m = _run(assignment, m, inputs)
        values = {}
        for q, graph in inputs.questions:
            ev = runs_m.get(q.scenario)
            if ev is None:
                continue
            try:
                # a copy: variants that share the true evaluation must not share arrays
                follow = inputs.follow.get(q.scenario) if inputs.follow and ev is inputs.truth.get(q.scenario) else None
                v = np.array(quantity(ev, q, graph, backend=FLOAT, rules=assignment.rules, follow=follow), dtype=float)
            except (KeyError, ValueError):
                continue
            if keep_equal:
                values[q.id] = v
                continue
            k = key[q.id].value
            if v.shape != k.shape or not np.allclose(v, k, rtol=ENGINE_RTOL, atol=ENGINE_ATOL):
                values[q.id] = v
        if values:
            out[m.key] = values
    return out


# quantity verb -> misconceptions its question cannot show: asked for f' itself, f' cannot be left out
NOT_ASKED = {"derivative": ("missing-activation-derivative",)}


def instance_variant_keys(assignment: Assignment, question, instances, key_value) -> dict[str, tuple]:
    """misconception id → the variant's value of ``question`` on each instance (symbolic
    questions), keeping only variants that differ from the key on some instance."""
    from grader.engine.ops import generic_activation

    scenario = assignment.scenarios[question.scenario]
    graph = assignment.graphs[scenario.network]
    uses_act = any(n.op == "act" for n in graph.nodes)
    out = {}
    not_asked = NOT_ASKED.get(question.quantity.split()[0], ())
    for m in misconceptions(assignment, places=True):
        if m.answer_level or m.rules is None or m.after is not None or m.id in not_asked:
            continue  # updates and batches are not asked of symbolic scenarios
        values = []
        for inst in instances:
            rules = assignment.rules.with_op(generic_activation(inst.act)) if uses_act else assignment.rules
            variant_rules = m.rules(graph, rules)
            if variant_rules is None:
                break
            try:
                ev = evaluate(graph, inst.params, inst.data, backend=FLOAT, rules=variant_rules)
                values.append(np.asarray(key_value(assignment, question, replace(inst, evaluation=ev), variant_rules),
                                         dtype=float))
            except (ValueError, KeyError):
                break
        else:
            truth = [np.asarray(key_value(assignment, question, inst, assignment.rules.with_op(generic_activation(inst.act))
                                          if uses_act else None), dtype=float) for inst in instances]
            if any(v.shape != t.shape or not np.allclose(v, t, rtol=ENGINE_RTOL, atol=ENGINE_ATOL) for v, t in zip(values, truth)):
                out[m.key] = tuple(values)
    return out
