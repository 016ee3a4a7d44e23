r"""Which question a chain answers, and with which term.

In this order: an explicit label (``\tag{id}``, ``% answer: id``), a heading that holds a
question id, then the quantity the chain's first term names (``\frac{\partial L}{\partial w_{ij}^{(L-1)}}``
names ``grad W_out`` entry-wise), else any of its terms. The answer is the chain's last term
before a shape statement (``… = \delta^{(L)} \in \mathbb{R}^C`` answers with ``\delta^{(L)}``).
When several chains answer one question, the last one written counts (a student's correction
comes after the line it corrects).
"""
from __future__ import annotations

from functools import lru_cache

from grader.course.assignment import Assignment, Question
from grader.course.kinds import KINDS
from grader.io.writeups.model import EQUALS, GOAL, Chain, Term
from grader.judge.derivation.context import Scenario
from grader.judge.derivation.named import named_quantity


def answered_question(chain: Chain, assignment: Assignment, scenarios: tuple[Scenario, ...]) -> Question | None:
    """The question ``chain`` answers, or None. A term naming a quantity answers only with a
    later term (``\\delta^{(L)} \\in \\mathbb{R}^C`` answers nothing)."""
    if chain.kind == GOAL:
        return None
    ids = {q.id: q for q in assignment.questions}
    if chain.label in ids:
        return ids[chain.label]
    heading = _squeezed(chain.heading)
    heading_ids = [qid for qid in ids if _squeezed(qid) in heading]
    if len(heading_ids) == 1:
        return ids[heading_ids[0]]
    last = chain.terms.index(answer_term(chain))
    for term in chain.terms[:last]:
        found = [q for scenario in scenarios for q in _asking(assignment, scenario, term)]
        if found:  # the question of the section the chain is in ("Task 2" holds task2.*), else the first
            return next((q for q in found if _squeezed(q.id.split(".")[0]) in heading), found[0])
    return None


def goal_questions(chain: Chain, assignment: Assignment, scenarios: tuple[Scenario, ...]) -> list[Question]:
    """The questions a "show that" statement's first term names (``\\delta^{(L)} = …`` to show)."""
    return [q for scenario in scenarios for q in _asking(assignment, scenario, chain.terms[0])]


@lru_cache(maxsize=8192)  # every question id against every chain's heading
def _squeezed(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _asking(assignment: Assignment, scenario: Scenario, term: Term) -> list[Question]:
    """The questions of ``scenario`` asking the quantity ``term`` names: entry-wise
    (``indices``) when the term names an entry and such a question exists, else the whole."""
    found = named_quantity(term.text, scenario)
    if found is None:
        return []
    quantity, index = found
    asking = [q for q in assignment.questions if q.scenario == scenario.name and q.quantity == quantity
              and KINDS[q.kind].symbolic]
    # an entry of the whole, else of the entries a condition picks (seed 000's δ_j = 0 when z̃_j < 0)
    by_entry = sorted((q for q in asking if len(q.indices) == len(index) and q.indices), key=lambda q: q.entries != "all")
    return by_entry[:1] or [q for q in asking if not q.indices and q.entries == "all"][:1]


def answer_term(chain: Chain) -> Term:
    """The term that answers: the last one before a shape statement."""
    last = len(chain.terms) - 1
    while last > 0 and chain.relations[last - 1] != EQUALS:
        last -= 1
    return chain.terms[last]
