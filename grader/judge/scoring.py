"""The rubric stage: verdicts become points, and a student's row gets its status."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from grader.judge.compare import CORRECT, FOLLOW, MISSING, REVIEW, TRANSPOSED, Verdict
from grader.errors import GraderError


@dataclass(frozen=True)
class QuestionResult:
    question: str
    verdict: Verdict
    points: float
    max_points: float


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
    def percent(self) -> float | None:
        return round(100 * self.points / self.max_points, 1) if self.max_points else None

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


def score(question: str, verdict: Verdict, rubric) -> QuestionResult:
    """Points for a verdict under the question's rubric: full for correct; the rubric's share
    for the transposed layout, for follow-through, or for a flagged misconception it credits
    (the best of those that apply); 0 otherwise."""
    if verdict.outcome == CORRECT:
        return QuestionResult(question, verdict, rubric.points, rubric.points)
    shares = [rubric.credit_for(verdict.flags)]
    if verdict.outcome == TRANSPOSED or "transposed-answer" in verdict.flags:
        shares.append(rubric.transposed)
    if verdict.outcome == FOLLOW:
        shares.append(rubric.follow_through)
    return QuestionResult(question, verdict, round(rubric.points * max(shares), 6), rubric.points)
