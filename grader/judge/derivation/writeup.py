"""A whole write-up judged: every chain's steps, which question each chain answers, and the
answers to grade as answer-file answers (the question's last answering chain, its last term)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from grader.course.assignment import Assignment
from grader.io.writeups.model import Chain, NotRead, Term, WriteUp
from grader.judge.budget import FILE, checkpoint
from grader.judge.derivation.conditions import index_condition, prose_conditions
from grader.judge.derivation.context import scenarios as scenarios_of
from grader.judge.derivation.definitions import definitions, in_scope, is_definition, prime_naming
from grader.judge.derivation.diagnosis import diagnose_step
from grader.judge.derivation.dimensions import shape_question
from grader.io.writeups.model import DEFINITION, GOAL
from grader.judge.derivation.numbers import chain_numbers, numeric_answers
from grader.judge.derivation.numeric_steps import numeric_chain_steps
from grader.judge.derivation.questions import answer_term, answered_question, goal_questions
from grader.judge.derivation.steps import FAILS, NOT_READ, StepResult, check_chain


@dataclass(frozen=True)
class JudgedChain:
    chain: Chain
    steps: tuple[StepResult, ...]
    question: str | None = None  # the question it answers (the last such chain counts)
    counts: bool = False  # it is that question's answer

    @property
    def first_wrong(self) -> StepResult | None:
        return next((s for s in self.steps if s.status == FAILS), None)


@dataclass(frozen=True)
class JudgedWriteup:
    """Each chain judged, what was not read, and question id → the term that answers it."""

    writeup: WriteUp
    chains: tuple[JudgedChain, ...]
    answers: dict  # question id -> Term
    # questions whose result the write-up states as a goal ("Show that"), sorted (a stored result
    # pickles alike after a round trip, which a set's order does not promise)
    shows: tuple = ()
    number_flags: dict = field(default_factory=dict)  # question → flags its numbers carry (numbers.py)

    def answering_chain(self, question: str) -> JudgedChain | None:
        """The chain whose last term answers ``question`` (None: no chain does)."""
        return next((c for c in self.chains if c.question == question and c.counts), None)

    def first_wrong(self, question: str) -> StepResult | None:
        """The first step that does not hold in the chain answering ``question``."""
        chain = self.answering_chain(question)
        return chain.first_wrong if chain is not None else None

    @property
    def not_read(self) -> tuple[NotRead, ...]:
        """Lines not read: the reader's, and steps whose sides the grammar cannot read."""
        extra = tuple(NotRead(s.left.line, f"{s.left.text} = {s.right.text}", s.reason)
                      for c in self.chains for s in c.steps if s.status == NOT_READ)
        return tuple(sorted(self.writeup.not_read + extra, key=lambda n: n.line))


def judge_writeup(writeup: WriteUp, assignment: Assignment, *, stopped=(), key=None) -> JudgedWriteup:
    """Check every step of ``writeup`` against ``assignment`` and find what answers what
    (with ``key``, the assignment's AnswerKey, also which numbers answer its numeric questions:
    :mod:`grader.judge.derivation.numbers`).
    The chains of a question in ``stopped`` (out of time in an earlier attempt) are not checked
    again. The student's chains are on the clock (:mod:`grader.judge.budget`): a question's
    on its own, the others on the file's."""
    scenarios = scenarios_of(assignment)
    judged, answers, shows, number_flags, shape_terms = [], {}, set(), {}, {}
    indices = {i for s in scenarios for i in s.table.indices}
    before = prose_conditions(writeup.lines, indices)  # "if $k = k'$": once per write-up
    declared = {name for s in scenarios for name in s.table.symbols} | indices  # k = k' is a condition
    defs, primes = definitions(writeup.chains, declared)  # "Let g = e^{z_k}", "where g := …": the student's own names
    for chain in writeup.chains:
        checkpoint(FILE)
        if scenarios and not chain.kind and is_definition(chain, declared):  # g = … of an undeclared g: not a claim
            chain = replace(chain, kind=DEFINITION)
        if chain.kind == GOAL:  # the result a task asks to show: its question is graded on the chain
            shows.update(q.id for q in goal_questions(chain, assignment, scenarios))
        question = answered_question(chain, assignment, scenarios)
        shape = shape_question(chain, assignment, scenarios) if question is None else None  # b \in \mathbb{R}^c
        if shape is not None:
            question, shape_terms[shape[0]] = assignment.question(shape[0]), shape[1]
        if question is not None and question.id in stopped:
            judged.append(JudgedChain(chain, tuple(StepResult(a, r, b, NOT_READ, "stopped: over the time limit")
                                                   for a, r, b in chain.steps), question.id))
            answers[question.id] = len(judged) - 1
            continue
        checkpoint(question.id if question else FILE)

        def diagnose(step, reading, question=question):
            return diagnose_step(step, reading, assignment=assignment, question=question)

        condition = index_condition(writeup.lines, chain, indices, before)
        # a chain naming a derivative (h' = ∂h/∂z = … = e^z) is a claim from its first term to its last too
        ends = question is not None or bool(chain.steps and prime_naming(chain.terms[0].text, chain.terms[1].text))
        # fixed numbers only (no scenario with instances): the steps computed with them
        steps = check_chain(chain, in_scope(scenarios, defs, primes, chain.line), diagnose, endpoints=ends,
                            condition=condition) if scenarios else numeric_chain_steps(chain, assignment)
        judged.append(JudgedChain(chain, steps, question.id if question else None))
        if question is not None:
            answers[question.id] = len(judged) - 1
    checkpoint(FILE)  # the numbers a write-up states are its work too: on the file's clock
    if key is not None:  # numbers stated for numeric questions (x^{[1]} = \begin{bmatrix}…)
        found = [(n, chain_numbers(c.chain, assignment, key)) for n, c in enumerate(judged) if c.question is None]
        for n, got in found:
            if got:
                judged[n] = replace(judged[n], question=got[0].question)
        for qid, (n, flags) in numeric_answers(found).items():
            answers[qid] = n
            if flags:
                number_flags[qid] = flags
    checkpoint(None)
    chains = tuple(JudgedChain(c.chain, c.steps, c.question, answers.get(c.question) == n) for n, c in enumerate(judged))
    terms = {qid: shape_terms.get(qid) or answer_term(judged[n].chain) for qid, n in answers.items()}
    return JudgedWriteup(writeup, chains, terms, tuple(sorted(shows)), number_flags)


def answer_lines(judged: JudgedWriteup) -> dict[str, Term]:
    """question id → the term that answers it (for the answer-file grading path)."""
    return dict(judged.answers)
