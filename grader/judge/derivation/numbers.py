r"""Numbers a write-up states (``x^{[1]} = \sigma(z^{[1]}) = \begin{bmatrix} … \end{bmatrix}``) as
answers to an assignment's numeric questions.

A chain whose last term reads as a number or matrix, and one of whose earlier terms names a
quantity with the assignment's spellings (``x^{[1]}``, ``\delta^{[2]}``,
``\frac{\partial E}{\partial w^{[2]}}``), answers the questions of its exercise that ask that
quantity; a parameter's name (``w^{[2]} = w^{[2]} - \eta … = …``) also answers "the parameter
after the update". The exercise is the one the section names ("Exercise 3", "Ex. 2", a
top-level "3."); its parts (scenarios ``ex3a``, ``ex3b``) are told apart by the numbers:

* the part whose key they match gets them (an exact answer);
* every other part whose shape they have gets them too unless a matching chain answers it
  (seed 004's Exercise 3: the batch's numbers, right for part (b), are also its answer to
  part (a), which asks one example: graded wrong there, flagged ``whole-batch-vs-single``);
* numbers of no part's shape answer the first part (graded: the wrong shape; a δ of the wrong
  shape flagged ``delta-shape``: seed 004's 2×2 hidden deltas).

A later chain replaces an earlier one of the same standing (a correction follows what it corrects).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from grader.course.assignment import Assignment
from grader.course.kinds import KINDS
from grader.errors import AnswerError
from grader.io.writeups.model import DEFINITION, GOAL, Chain
from grader.judge.compare import compare_matrix
from grader.judge.derivation.context import Scenario
from grader.judge.derivation.layout import readable
from grader.judge.delta_shape import delta_shape_flags
from grader.judge.derivation.named import named_quantity
from grader.judge.derivation.questions import answer_term
from grader.judge.symbolic.equivalence import symbol_table
from grader.parse.numeric.reader import parse_numeric
from grader.results import CORRECT, SHAPE
from grader.tolerance import Tolerance

WHOLE_BATCH = "whole-batch-vs-single"  # the catalogue's id (grader.course.misconceptions)
UPDATED = "updated "  # a question's quantity for a parameter after the update ("updated W2")


@dataclass(frozen=True)
class NumberAnswer:
    """A question a chain's numbers answer; ``exact``: they match its key."""

    question: str
    exact: bool
    flags: tuple[str, ...] = ()  # why numbers right for another part are not this one's


def naming_scenarios(assignment: Assignment) -> tuple[Scenario, ...]:
    """Per scenario with numeric questions and declared symbols, its table (for naming only:
    no instances, the numbers are the scenario's own)."""
    cache_key = (assignment.path, assignment.id, assignment.variant)
    if cache_key not in _CACHE:
        out = []
        for name, bindings in assignment.symbols.items():
            question = next((q for q in assignment.questions if q.scenario == name and _numeric(q)), None)
            if question is not None:
                out.append(Scenario(name, symbol_table(assignment, question), (),
                                    {s: b.quantity for s, b in bindings.items()}))
        _CACHE[cache_key] = tuple(out)
    return _CACHE[cache_key]


_CACHE: dict = {}


def _numeric(question) -> bool:
    return KINDS[question.kind].reads == "numbers" and not KINDS[question.kind].symbolic


def exercise_of(question_id: str) -> str:
    """The exercise number of a question id ("ex3a.W3_new" → "3"; "" when it has none).

    >>> exercise_of("ex3a.W3_new"), exercise_of("task2b.grad_b"), exercise_of("final")
    ('3', '2', '')
    """
    m = re.search(r"\d+", question_id.split(".")[0])
    return str(int(m.group())) if m else ""


def chain_numbers(chain: Chain, assignment: Assignment, key, *, tol: Tolerance = Tolerance(),
                  by_value: bool = True) -> tuple[NumberAnswer, ...]:
    """The numeric questions ``chain`` answers (see the module doc), exact ones first.
    ``by_value`` False: every question whose shape the numbers have, none exact (what
    ``grade check`` may say without being an oracle: shapes are on the public sheet)."""
    if chain.kind in (GOAL, DEFINITION) or len(chain.terms) < 2:
        return ()
    # remembered per chain text (a class writes the same lines), key and tolerance
    cache_key = (tuple(t.text for t in chain.terms), chain.relations, chain.exercise, assignment.path, assignment.id,
                 assignment.variant, id(key), tol, by_value)
    hit = _FOUND.get(cache_key)
    if hit is None or hit[1] is not key:
        if len(_FOUND) > 4096:
            _FOUND.clear()
        hit = _FOUND[cache_key] = (_chain_numbers(chain, assignment, key, tol=tol, by_value=by_value), key)
    return hit[0]


_FOUND: dict = {}


def _chain_numbers(chain: Chain, assignment: Assignment, key, *, tol: Tolerance, by_value: bool):
    scenarios = [s for s in naming_scenarios(assignment)
                 if not chain.exercise or exercise_of(s.name) in ("", chain.exercise)]
    if not scenarios:
        return ()
    last = answer_term(chain)
    value = numbers_of(last.text)
    if value is None:
        return ()
    quantity = _named(chain, last, scenarios)
    if quantity is None:
        return ()
    names = {s.name for s in scenarios}
    asking = [q for q in assignment.questions if q.scenario in names and _numeric(q)
              and q.quantity in (quantity, UPDATED + quantity) and q.id in key.entries]
    fitting = {}  # question → how far off (relative), for the parts whose shape the numbers have
    for q in asking:
        verdict = compare_matrix(value, key[q.id], tol=tol)
        if verdict.outcome == CORRECT and by_value:
            fitting[q] = _off(value.values, key[q.id].value)
        elif verdict.outcome != SHAPE:
            fitting[q] = float("inf")
    if not fitting:
        return (NumberAnswer(asking[0].id, False, delta_shape_flags(
            value.values.shape, key[asking[0].id].shape, asking[0], assignment)),) if asking else ()
    best = min(fitting.values())  # 0.549584 is within 0.1% of 0.549834 too: the nearer part is meant
    exact = [q for q, off in fitting.items() if off == best and off != float("inf")]
    sizes = {len(assignment.scenarios[q.scenario].examples) for q in exact}
    return tuple([NumberAnswer(q.id, True) for q in exact] + [
        NumberAnswer(q.id, False, _other_batch(len(assignment.scenarios[q.scenario].examples), sizes))
        for q in fitting if q not in exact])


def _off(got, key) -> float:
    return float((abs(got.reshape(key.shape) - key) / (abs(key) + 1e-12)).max())


def _other_batch(examples: int, exact_sizes: set) -> tuple[str, ...]:
    """The numbers are another part's, with a batch where this one has one example or the reverse."""
    return (WHOLE_BATCH,) if exact_sizes and examples not in exact_sizes \
        and (examples == 1 or 1 in exact_sizes) else ()


def numbers_of(text: str):
    r"""The number or matrix a term states, or None (as written, else with layout removed).

    >>> numbers_of(r"\begin{bmatrix} 0.2 \\ 0.5 \end{bmatrix}").values.tolist(), numbers_of("x^{[1]}")
    ([[0.2], [0.5]], None)
    """
    for candidate in (text, readable(text)):
        try:
            return parse_numeric(candidate)
        except AnswerError:
            continue
    return None


def _named(chain: Chain, last, scenarios) -> str | None:
    """The whole quantity the first naming term before ``last`` names (``grad W2``, ``a1``)."""
    for term in chain.terms[:chain.terms.index(last)]:
        for scenario in scenarios:
            found = named_quantity(term.text, scenario)
            if found is not None and not found[1]:
                return found[0]
    return None


def numeric_answers(found: list[tuple[int, tuple[NumberAnswer, ...]]]) -> dict[str, tuple[int, tuple[str, ...]]]:
    """question id → (the chain (its index) that answers it: the last exact one, else the last
    other; the flags that chain's numbers carry for it).

    >>> numeric_answers([(0, (NumberAnswer("a", True), NumberAnswer("b", False))),
    ...                  (1, (NumberAnswer("b", True), NumberAnswer("a", False, ("f",))))])
    {'b': (1, ()), 'a': (0, ())}
    """
    exact, other = {}, {}
    for n, answers in found:
        for a in answers:
            (exact if a.exact else other)[a.question] = (n, a.flags)
    return {**other, **exact}
