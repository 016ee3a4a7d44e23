"""What a step is checked against: per scenario of an assignment, the symbol table an answer
would be read with and the random instances (the expression questions' own, so a step and an
answer are judged on the same instances with the same tolerance)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

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


@dataclass(frozen=True)
class Scenario:
    """One scenario's table and instances (environments)."""

    name: str
    table: SymbolTable
    envs: tuple[Env, ...]
    quantities: dict  # symbol name → the quantity it is bound to (``grad zt_out``)
    locals: dict = field(default_factory=dict)  # the write-up's own names in scope (definitions.py)


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
        envs = tuple(case.env for case in key.cases)  # gradients and Jacobians included (symbolic/gradients.py)
        out.append(Scenario(name, key.table, envs, quantities))
    _CACHE[cache_key] = tuple(out)
    return _CACHE[cache_key]


_CACHE: dict = {}


def with_probe(scenario: Scenario, spelling: str) -> Scenario:
    """``scenario`` with ``spelling`` (a letter it does not bind) a free variable, valued at
    :data:`PROBE` in every instance."""
    table = replace(scenario.table, symbols={**scenario.table.symbols, spelling: PROBE_NAME})
    envs = tuple(replace(env, symbols=_with(env.symbols, {PROBE_NAME: PROBE})) for env in scenario.envs)
    return replace(scenario, table=table, envs=envs)


def _with(symbols, extra: dict):
    """An instance's symbol values with more (Jacobians still worked out on lookup)."""
    more = getattr(symbols, "with_values", None)
    return more(extra) if more is not None else {**symbols, **extra}
