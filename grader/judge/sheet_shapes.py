"""Shapes for the public sheet, written in size symbols and never from a drawn instance.

- A question on a fixed scenario: the shape of the engine's value (float backend, the
  assignment's own numbers; for a randomized assignment its nominal draw, which depends on no
  salt), e.g. ``3 x 1``. A class question's answer is ``1 x m`` (one class per example). When
  the network's widths are themselves drawn per student, no shape is given (it would be one
  draw's numbers).
- A question on a symbolic scenario, and each declared symbol: the node's shape read back as
  size symbols (:func:`grader.keys.instances.symbolic_shape`), written with each size's first
  spelling (``C x d_{L-1}``).
- An assignment that asks for a shape or a parameter count anywhere gets no shapes at all:
  they would give those answers away (``W1`` is ``d x d``; the count follows from the
  parameters' shapes; another network's ``x`` is ``d x 1`` too).
"""
from __future__ import annotations

from grader.course.assignment import Assignment, Question
from grader.course.kinds import KINDS


def shape_text(dims) -> str:
    return " x ".join(str(d) for d in dims)


def question_shapes(assignment: Assignment) -> dict[str, str | None]:
    """Per question id, the expected shape of an answer, as the sheet writes it (or None)."""
    if asks_shapes(assignment):
        return {q.id: None for q in assignment.questions}
    fixed = _fixed_shapes(assignment)
    return {q.id: _question_shape(assignment, q, fixed) for q in assignment.questions}


def asks_shapes(assignment: Assignment) -> bool:
    """Whether some question asks for a shape or a parameter count."""
    return any(q.verb in ("shape", "count") or KINDS[q.kind].asks_shape for q in assignment.questions)


def _question_shape(assignment: Assignment, question: Question, fixed: dict) -> str | None:
    how = KINDS[question.kind].sheet_shape
    if how is None or how == "symbolic" and question.verb in ("shape", "count"):
        return None
    scenario = assignment.scenarios[question.scenario]
    if scenario.random is not None:
        return _symbolic_quantity_shape(assignment, question)
    if _drawn_network(assignment, scenario.network):
        return None
    if how == "one per example":  # a class per example
        return shape_text((1, len(scenario.examples)))
    return fixed.get(question.id)


def symbol_shapes(assignment: Assignment, scenario: str) -> dict[str, str]:
    """Each declared symbol of a symbolic scenario with its shape in size symbols."""
    out = {}
    s = assignment.scenarios[scenario]
    if asks_shapes(assignment):
        return out
    for name, binding in assignment.symbols.get(scenario, {}).items():
        words = binding.quantity.split()
        if words == ["ones"]:
            batch = (s.random or {}).get("batch", 1)
            out[name] = shape_text((_spelled(assignment, str(batch)), 1))
        else:
            out[name] = _node_shape(assignment, scenario, words[-1])
    return out


def _drawn_network(assignment: Assignment, network: str) -> bool:
    if assignment.draws is None:
        return False
    from grader.course.draws import has_draws
    return has_draws((assignment.draws.get("networks") or {}).get(network))


def _fixed_shapes(assignment: Assignment) -> dict[str, str]:
    """Every fixed-scenario question's value shape, from one float run of the engine."""
    if all(s.random is not None for s in assignment.scenarios.values()):
        return {}
    from grader.engine.autodiff import FLOAT
    from grader.keys.answer_key import quantity, run_scenarios

    runs = run_scenarios(assignment, backend=FLOAT)
    out = {}
    for q in assignment.questions:
        s = assignment.scenarios[q.scenario]
        if s.random is None and KINDS[q.kind].sheet_shape in ("value", "one per example"):
            value = quantity(runs[q.scenario], q, assignment.graphs[s.network], backend=FLOAT, rules=assignment.rules)
            out[q.id] = shape_text(value.shape)
    return out


def _spelled(assignment: Assignment, size: str) -> str:
    """A size symbol as students write it: its first spelling."""
    spellings = assignment.sizes.get(size, ((0, 0), ()))[1]
    return spellings[0] if spellings else size


def _node_shape(assignment: Assignment, scenario: str, node: str) -> str:
    from grader.keys.instances import symbolic_shape
    return shape_text(_spelled(assignment, str(d)) for d in symbolic_shape(assignment, scenario, node))


def _symbolic_quantity_shape(assignment: Assignment, question: Question) -> str | None:
    if question.verb == "jacobian":
        rows = [_node_shape(assignment, question.scenario, n).split(" x ")[0] for n in question.nodes]
        return shape_text(rows)
    if not question.node:
        return None
    return _node_shape(assignment, question.scenario, question.node)
