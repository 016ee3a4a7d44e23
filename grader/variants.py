"""Misconception variants of an assignment's key: every question's value as a student holding
that misconception would compute it (float64), for the flags in :mod:`grader.compare`.

Fixed scenarios run with each variant's rules and ``after`` change; ``stale-weights`` re-runs the
backward pass with the updated weights, ``whole-batch-vs-single`` uses the first example of a
batch (or, for one example, a sibling scenario on the same network with the batch).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from grader.assignment import Assignment
from grader.engine.autodiff import FLOAT, Evaluation, backward, evaluate, forward
from grader.key import AnswerKey, initial_params, quantity, scenario_data
from grader.misconceptions import CATALOGUE, Misconception


def _stale(graph, params, data, rules, scenario) -> Evaluation | None:
    ev = evaluate(graph, params, data, backend=FLOAT, rules=rules, learning_rate=scenario.learning_rate)
    if not ev.updated:
        return None
    values = dict(ev.values) | {f"{w}@new": ev.updated[w] for w in graph.params}
    subs = tuple((n.name, 0, f"{n.args[0]}@new") for n in graph.nodes if n.op == "matmul" and n.args[0] in graph.params)
    grads = backward(graph, values, backend=FLOAT, rules=replace(rules, substitute=rules.substitute + subs))
    eta = float(scenario.learning_rate)
    return Evaluation(ev.values, grads, {p: params[p] - eta * grads[p] for p in params}, ev.batch)


def _first_example(graph, params, data, rules, scenario) -> Evaluation | None:
    if len(scenario.examples) < 2:
        return None
    first = {k: v[:, :1] for k, v in data.items()}
    return evaluate(graph, params, first, backend=FLOAT, rules=rules, learning_rate=scenario.learning_rate)


def _run(assignment: Assignment, m: Misconception) -> dict:
    """Each fixed scenario's Evaluation under the variant (None where it does not apply). A
    scenario that starts from another's update starts from the variant's update when there is
    one (the error carried forward), else from the true one."""
    done: dict = {}
    carried: dict = {}  # what later scenarios start from
    for name in assignment.scenario_order():
        s = assignment.scenarios[name]
        if s.random is not None:
            continue
        graph = assignment.graphs[s.network]
        params = initial_params(assignment, s, FLOAT, carried)
        data = scenario_data(s, FLOAT)
        rules = assignment.rules
        try:
            if m.id == "stale-weights":
                ev = _stale(graph, params, data, rules, s)
            elif m.id == "whole-batch-vs-single":
                ev = _first_example(graph, params, data, rules, s)
            else:
                variant_rules = m.rules(graph, rules) if m.rules else rules
                ev = None
                if variant_rules is not None:
                    ev = evaluate(graph, params, data, backend=FLOAT, rules=variant_rules, learning_rate=s.learning_rate)
                if m.after and ev is not None:
                    ev = m.after(graph, params, ev, s)
        except (ValueError, KeyError):
            ev = None  # the variant's rule does not fit these shapes
        done[name] = ev
        carried[name] = ev if ev is not None and ev.updated else \
            evaluate(graph, params, data, backend=FLOAT, rules=rules, learning_rate=s.learning_rate)
    return done


def variant_values(assignment: Assignment, key: AnswerKey, *, keep_equal: bool = False) -> dict[str, dict[str, np.ndarray]]:
    """misconception id → question id → the variant's value, for numeric questions where the
    variant differs from the key (where it equals the key it cannot be flagged; ``keep_equal``
    keeps those too, for :mod:`grader.discriminate`)."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for m in CATALOGUE:
        if m.answer_level:
            continue
        runs = _run(assignment, m)
        values = {}
        for q in assignment.questions:
            if q.kind != "matrix" or assignment.scenarios[q.scenario].random is not None:
                continue
            ev = runs.get(q.scenario)
            if ev is None:
                continue
            graph = assignment.graphs[assignment.scenarios[q.scenario].network]
            try:
                v = np.asarray(quantity(ev, q, graph, backend=FLOAT, rules=assignment.rules), dtype=float)
            except (KeyError, ValueError):
                continue
            k = key[q.id].value
            if keep_equal or v.shape != k.shape or not np.allclose(v, k, rtol=1e-9, atol=1e-12):
                values[q.id] = v
        if values:
            out[m.id] = values
    return out


def instance_variant_keys(assignment: Assignment, question, instances, key_value) -> dict[str, tuple]:
    """misconception id → the variant's value of ``question`` on each instance (symbolic
    questions), keeping only variants that differ from the key on some instance."""
    from grader.engine.ops import generic_activation

    scenario = assignment.scenarios[question.scenario]
    graph = assignment.graphs[scenario.network]
    uses_act = any(n.op == "act" for n in graph.nodes)
    out = {}
    for m in CATALOGUE:
        if m.answer_level or m.rules is None or m.after is not None:
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
            if any(v.shape != t.shape or not np.allclose(v, t, rtol=1e-9, atol=1e-12) for v, t in zip(values, truth)):
                out[m.id] = tuple(values)
    return out
