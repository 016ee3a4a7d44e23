"""The rubric stage: verdicts become points, and a student's row gets its status."""
from __future__ import annotations

from grader.results import CORRECT, FOLLOW, TRANSPOSED, QuestionResult, Verdict


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
