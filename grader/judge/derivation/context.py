"""What a step is checked against: per scenario of an assignment, the symbol table an answer
would be read with and the random instances (the expression questions' own, so a step and an
answer are judged on the same instances with the same tolerance)."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from grader.course.assignment import Assignment
from grader.course.kinds import KINDS
from grader.judge.symbolic.equivalence import expression_key
from grader.judge.symbolic.evaluate import Env
from grader.keys.instances import scenario_instances
from grader.parse.expression.table import SymbolTable

#: The free variable of a function's definition (``\phi'(x) = …``) when the assignment does not
#: bind it: probed where ReLU-like conventions differ (negative, exactly 0, positive).
PROBE_NAME = "__probe__"
PROBE = np.array([[-1.5], [0.0], [0.7], [2.0]])
PROBE_SPELLINGS = ("x", "z", "u", "t", "s")
GRAD = "__grad__"  # + a node: the loss's gradient for it, the value of a term ∂L/∂node (see named.py)


@dataclass(frozen=True)
class Scenario:
    """One scenario's table and instances (environments)."""

    name: str
    table: SymbolTable
    envs: tuple[Env, ...]
    quantities: dict  # symbol name → the quantity it is bound to (``grad zt_out``)


def scenarios(assignment: Assignment) -> tuple[Scenario, ...]:
    """The assignment's scenarios that declare symbols, each with the instances of its first
    expression question (built once per process with that question's key)."""
    out, cache_key = [], (assignment.path, assignment.id, assignment.variant)
    if cache_key in _CACHE:
        return _CACHE[cache_key]
    for name, bindings in assignment.symbols.items():
        question = next((q for q in assignment.questions if q.scenario == name and KINDS[q.kind].symbolic
                         and q.verb not in ("shape", "count")), None)
        if question is None:
            continue
        key = expression_key(assignment, question)
        quantities = {s: b.quantity for s, b in bindings.items()}
        instances = scenario_instances(assignment, name)
        envs = tuple(replace(case.env, symbols={**case.env.symbols, **_gradients(inst.evaluation, quantities)})
                     for case, inst in zip(key.cases, instances))
        out.append(Scenario(name, key.table, envs, quantities))
    _CACHE[cache_key] = tuple(out)
    return _CACHE[cache_key]


_CACHE: dict = {}


def _gradients(evaluation, quantities: dict) -> dict:
    """The loss's gradient for each node a symbol is bound to (``W_out`` → ∂L/∂W_out)."""
    return {GRAD + q: evaluation.grads[q] for q in quantities.values() if q in evaluation.grads}


def with_probe(scenario: Scenario, spelling: str) -> Scenario:
    """``scenario`` with ``spelling`` (a letter it does not bind) a free variable, valued at
    :data:`PROBE` in every instance."""
    table = replace(scenario.table, symbols={**scenario.table.symbols, spelling: PROBE_NAME})
    envs = tuple(replace(env, symbols={**env.symbols, PROBE_NAME: PROBE}) for env in scenario.envs)
    return replace(scenario, table=table, envs=envs)
