"""What a write-up is once read: chains of terms joined by relations, each term where the
student wrote it, and what could not be read (never wrong: a TA reads it)."""
from __future__ import annotations

from dataclasses import dataclass

#: Relations that join two terms of a chain. ``=`` (also ``:=``, ``\coloneqq``, ``&=``) is a
#: step to check; ``∈`` says a shape (``\delta \in \mathbb{R}^C``): it ends a chain that may
#: answer a shape question but is not a step that holds or not.
EQUALS, MEMBER = "=", "∈"
#: Chains that are not claims to check: the result a task asks to show (stated by the task, a
#: target for the chains after it) and the student's own definitions (``Let h = …``).
GOAL, DEFINITION = "goal", "definition"


@dataclass(frozen=True)
class Term:
    """One side of a step, as typed (LaTeX or plain text), and where: 1-based line and column."""

    text: str
    line: int
    column: int


@dataclass(frozen=True)
class Chain:
    """``A = B = C``: terms and the relation before each term but the first. ``label`` is a
    question id the student gave it (``\\tag{id}``, ``% answer: id``); ``heading`` the section
    it sits under, as typed."""

    terms: tuple[Term, ...]
    relations: tuple[str, ...]
    label: str | None = None
    heading: str = ""
    kind: str = ""  # "" a claim; GOAL the result a "show that" asks for; DEFINITION "Let h = …"
    exercise: str = ""  # the number of the exercise it sits in ("Exercise 3", "Ex. 2", a top-level "3. ")

    @property
    def line(self) -> int:
        return self.terms[0].line

    @property
    def steps(self) -> tuple[tuple[Term, str, Term], ...]:
        """Each adjacent pair of terms with the relation between them."""
        return tuple(zip(self.terms, self.relations, self.terms[1:]))


@dataclass(frozen=True)
class NotRead:
    """A line the reader could not make into equations, and why (never counted wrong)."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class WriteUp:
    """One student's write-up: who, for which assignment, and what it says."""

    file: str
    assignment: str
    student: str
    chains: tuple[Chain, ...]
    not_read: tuple[NotRead, ...]
    lines: tuple[str, ...]  # the text as read (after the notebook's cells are joined), for annotating
