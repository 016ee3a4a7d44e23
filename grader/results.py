"""The vocabulary every stage after judging speaks: verdicts, a question's and a student's result,
and a graded run. Reports read these types and nothing of the orchestrator or the workers; they
live below every stage: they import only :mod:`grader.errors` and :mod:`grader.result_store` (which
keeps a run's results compressed and needs nothing of this module at run time).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from grader.errors import GraderError

from grader.result_store import ResultStore, as_store, percent

if TYPE_CHECKING:
    from grader.keys.catalog import Catalog

CORRECT = "correct"
WRONG = "wrong"
SHAPE = "wrong shape"
UNREADABLE = "unreadable"
MISSING = "missing"
REVIEW = "needs review"  # graded by a TA: free text
TRANSPOSED = "transposed"  # right values, other layout
FOLLOW = "follow-through"  # wrong, but right given the student's own earlier answers


@dataclass(frozen=True)
class Verdict:
    outcome: str  # CORRECT, WRONG, SHAPE, UNREADABLE, MISSING, REVIEW, or "transposed"
    feedback: str = ""
    wrong_entries: tuple[tuple[int, int], ...] = ()
    error: GraderError | None = None
    flags: tuple[str, ...] = ()  # misconception ids this answer matches (see grader.course.misconceptions)

    @property
    def correct(self) -> bool:
        return self.outcome == CORRECT


@dataclass(frozen=True)
class QuestionResult:
    question: str
    verdict: Verdict
    points: float
    max_points: float

    @property
    def full_marks(self) -> bool:
        """Nothing lost on this question: correct, or every point earned another way (a partial
        verdict the rubric credits in full, a TA's score). The one rule the details, the feedback
        and the platforms' passed/failed all read."""
        return self.verdict.outcome == CORRECT or (self.max_points > 0 and self.points >= self.max_points)


@dataclass(frozen=True)
class StudentResult:
    """One answer file, graded (or rejected: ``error`` says why)."""

    file: str
    student_id: str = ""
    name: str = ""
    email: str = ""
    assignment: str = ""
    questions: tuple[QuestionResult, ...] = ()
    max_points: float = 0.0
    error: GraderError | None = None
    notes: tuple[str, ...] = field(default=())
    review_text: tuple[tuple[str, str], ...] = ()  # (question, answer as typed) for answers a TA grades
    # Randomized assignments: (own key values, wrong numeric answers) for grader.batch.copied_answers
    variant_check: tuple = field(default=(), compare=False, repr=False)
    # A write-up's annotated derivation (grader.judge.derivation.writeup.JudgedWriteup), for reports
    writeup: object = field(default=None, compare=False, repr=False)

    @property
    def points(self) -> float:
        return round(sum(q.points for q in self.questions), 6)

    @property
    def flags(self) -> tuple[str, ...]:
        """Misconception ids flagged on any answer, in question order, each once."""
        out: list[str] = []
        for q in self.questions:
            out += [f for f in q.verdict.flags if f not in out]
        return tuple(out)

    @property
    def awaiting_review(self) -> bool:
        """Some answer waits for a TA (outcome ``needs review``)."""
        return any(q.verdict.outcome == REVIEW for q in self.questions)

    @property
    def percent(self) -> float | None:
        return percent(self.points, self.max_points)

    @property
    def status(self) -> str:
        """``complete``; ``lost points: 2 wrong, 1 missing``; or ``rejected: <why>``."""
        if self.error is not None:
            return "rejected: " + self.error.describe(caret=False).replace("\n", " ")
        counts = Counter(q.verdict.outcome for q in self.questions
                         if q.verdict.outcome != CORRECT and (q.points < q.max_points or q.verdict.outcome == REVIEW))
        review = counts.pop(REVIEW, 0)
        parts = [f"needs review: {review} answer{'s' if review != 1 else ''} for a TA"] if review else []
        if counts:
            order = sorted(counts, key=lambda o: (o == MISSING, o))
            parts.append("lost points: " + ", ".join(f"{counts[o]} {o}" for o in order))
        return "; ".join(parts) or "complete"


@dataclass(frozen=True)
class ClassResult:
    """A graded run. ``students`` is a :class:`ResultStore` (any sequence of results given is
    stored as one): the results stay compressed, and reading one unpickles it."""

    folder: str
    students: ResultStore
    catalog: Catalog

    def __post_init__(self):
        object.__setattr__(self, "students", as_store(self.students))
