"""What a wrong step looks like, behind one function, :func:`diagnose_step`, using today's
comparison flags: a function's derivative defined as a misconception's rule
(``\\phi'(x) = 1\\{x \\neq 0\\}`` is relu-derivative-nonzero), sides equal only transposed, sides
of different shapes, and a step's right side equal to a misconception variant of the question
its chain answers. The repair search of issue 18 can take this function's place."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from grader.course.assignment import Assignment, Question
from grader.course.misconceptions import CATALOGUE
from grader.engine.backends import FLOAT
from grader.engine.ops import Ctx
from grader.judge.derivation.context import PROBE, PROBE_NAME
from grader.judge.derivation.steps import Reading, StepResult, step_values
from grader.judge.symbolic.closeness import close
from grader.judge.symbolic.equivalence import expression_key, free_indices
from grader.judge.symbolic.evaluate import DomainError, ShapeError, evaluate, with_indices
from grader.keys.instances import scenario_instances
from grader.keys.misconception_runs import NOT_ASKED
from grader.parse.expression import tree as A
from grader.results import TRANSPOSED


def diagnose_step(step: StepResult, reading: Reading, *, assignment: Assignment,
                  question: Question | None = None) -> StepResult:
    """``step`` (one that does not hold) with what is known of its mistake in ``flags`` and its
    reason. Flags are misconception ids of the catalogue, ``transposed-answer`` or ``shape``."""
    if reading.scenario is None:
        return step
    flags = (_definition_flags(reading, assignment) or _transposed(reading)
             or (("shape",) if "shape" in step.reason else ()))
    if not flags and question is not None:
        flags = _variant_flags(reading, assignment, question)
    return replace(step, flags=tuple(flags))


def _definition_flags(reading: Reading, assignment: Assignment) -> tuple[str, ...]:
    """``f'(x) = E(x)`` with ``x`` free: E against each misconception's rule for f'."""
    for named, other in ((reading.left, reading.right), (reading.right, reading.left)):
        if not (isinstance(named, A.Derivative) and isinstance(named.arg, A.Sym) and named.arg.name == PROBE_NAME):
            continue
        env = reading.scenario.envs[0]
        try:
            got = evaluate(other, env)
        except (ShapeError, KeyError):
            return ()
        if got.size == 1:
            got = np.broadcast_to(got, PROBE.shape)
        return tuple(m.id for m, rule in _derivative_rules(assignment, named.fn)  # f' itself: not "f' left out"
                     if got.shape == PROBE.shape and close(got, rule) and m.id not in NOT_ASKED["derivative"])
    return ()


def _derivative_rules(assignment: Assignment, fn: str):
    """(misconception, its f' on the probe) for each catalogue entry that changes f'."""
    base = assignment.rules
    for m in CATALOGUE:
        if m.rules is None:
            continue
        for graph in assignment.graphs.values():
            variant = m.rules(graph, base)
            if variant is None or variant.op(fn) is base.op(fn):
                continue
            ctx = Ctx(FLOAT, variant)
            op = variant.op(fn)
            out = op.forward(ctx, PROBE)
            (grad,) = op.backward(ctx, np.ones_like(PROBE), out, PROBE)[:1]
            yield m, np.asarray(grad, dtype=float)
            break


def _transposed(reading: Reading) -> tuple[str, ...]:
    try:
        pairs = list(step_values(reading))
    except (ShapeError, DomainError, KeyError):
        return ()
    if pairs and all(a.shape != b.shape and a.shape == b.T.shape and close(a, b.T) for a, b in pairs):
        return (TRANSPOSED + "-answer",)
    return ()


def _variant_flags(reading: Reading, assignment: Assignment, question: Question) -> tuple[str, ...]:
    """Misconceptions of ``question`` whose value the step's right side equals on every
    instance (entry by entry when it leaves indices free)."""
    if question.scenario != reading.scenario.name:
        return ()
    free = free_indices(reading.right)
    found = []
    for mid, values in _variants(assignment, question):
        try:
            if all(_matches(reading.right, free, env, value) for env, value in zip(reading.scenario.envs, values)):
                found.append(mid)
        except (ShapeError, DomainError, KeyError, IndexError):
            continue
    return tuple(found)


_VARIANTS: dict = {}


def _variants(assignment: Assignment, question: Question) -> tuple:
    """(misconception id, value on each instance) for the whole quantity ``question`` asks:
    the expression key's variants (rule changes), and for a gradient the catalogue's changes
    of the result (a stray bias in ∂L/∂W), which symbolic keys leave out."""
    cache_key = (assignment.path, assignment.id, assignment.variant, question.quantity, question.scenario)
    if cache_key in _VARIANTS:
        return _VARIANTS[cache_key]
    whole = next((q for q in assignment.questions if q.quantity == question.quantity and q.scenario == question.scenario
                  and not q.indices and q.entries == "all"), None)
    out = []
    if whole is not None:
        out += [(mid, tuple(t.value for t in targets)) for mid, targets in expression_key(assignment, whole).variant_targets]
    if question.verb == "grad":
        scenario = assignment.scenarios[question.scenario]
        graph = assignment.graphs[scenario.network]
        instances = scenario_instances(assignment, question.scenario)
        for m in CATALOGUE:
            if m.after is None or m.rules is not None:
                continue
            changed = [m.after(graph, inst.params, inst.evaluation, scenario) for inst in instances]
            if all(ev is not None and question.node in ev.grads for ev in changed):
                out.append((m.id, tuple(np.asarray(ev.grads[question.node], dtype=float) for ev in changed)))
    _VARIANTS[cache_key] = tuple(out)
    return _VARIANTS[cache_key]


def _matches(tree, free, env, value: np.ndarray) -> bool:
    if not free:
        return close(evaluate(tree, env), value)
    if len(free) == 1:
        return all(close(evaluate(tree, with_indices(env, {free[0]: k})), value.reshape(-1, 1)[k:k + 1])
                   for k in range(value.size))
    return all(close(evaluate(tree, with_indices(env, {free[0]: i, free[1]: j})), value[i:i + 1, j:j + 1])
               for i in range(value.shape[0]) for j in range(value.shape[1]))
