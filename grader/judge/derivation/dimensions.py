r"""Dimension lines as answers: ``b^{(L-1)} \in \mathbb{R}^c`` says the shape of ``b^{(L-1)}``
(and of its gradient, which has the parameter's shape), so it answers the question asking that
shape (seed 000's "Dimensions:" lines for Task 2), graded as an answer file's shape is."""
from __future__ import annotations

from grader.course.assignment import Assignment
from grader.io.writeups.model import MEMBER, Chain, Term
from grader.judge.derivation.context import Scenario
from grader.judge.derivation.named import named_quantity


def shape_question(chain: Chain, assignment: Assignment, scenarios: tuple[Scenario, ...]) -> tuple[str, Term] | None:
    """(the shape question ``chain`` answers, the term stating the shape), or None: the chain
    ends in ``\\in`` and a term before it names a quantity whose shape a question asks."""
    if not chain.relations or chain.relations[-1] != MEMBER:
        return None
    shapes = {q.quantity.split()[1]: q for q in assignment.questions
              if q.verb == "shape" and len(q.quantity.split()) == 2}
    for term in chain.terms[:-1]:
        for scenario in scenarios:
            found = named_quantity(term.text, scenario)
            if found is None or found[1]:
                continue
            q = shapes.get(found[0].split()[-1])  # grad W_out has W_out's shape
            if q is not None and q.scenario == scenario.name:
                return q.id, chain.terms[-1]
    return None
