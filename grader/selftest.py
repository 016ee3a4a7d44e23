"""``grade selftest``: the answer key checks itself.

For every question of an assignment: the key's own answer scores full marks; a blank scores
zero; every misconception variant that applies to a numeric question, answered with the
variant's value, is flagged with its own id (variants that coincide there must all be named);
every ``mistakes`` example an author gives (symbolic questions) gets its flag.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from grader.catalog import Catalog
from grader.compare import CORRECT, REVIEW
from grader.keyformat import answer_value
from grader.pipeline import grade_submission
from grader.submission import Submission


@dataclass
class SelfTest:
    assignment: str
    checks: int = 0
    failures: list[str] = field(default_factory=list)

    def check(self, ok: bool, message: str) -> None:
        self.checks += 1
        if not ok:
            self.failures.append(message)


def _grade(catalog: Catalog, assignment_id: str, answers: dict, label: str):
    sub = Submission(f"<selftest {label}>", assignment_id, "selftest", answers=answers)
    return {q.question: q for q in grade_submission(sub, catalog).questions}


def run_selftest(catalog: Catalog, assignment_id: str) -> SelfTest:
    """All the checks for one assignment (raises ConfigError for a broken configuration)."""
    a = catalog.assignment(assignment_id)
    key, rubric = catalog.key(a), catalog.rubric(a)
    result = SelfTest(a.id)
    full = _grade(catalog, a.id, {q.id: answer_value(key[q.id]) for q in a.questions}, "key")
    for q in a.questions:
        got = full[q.id]
        expected = REVIEW if q.kind == "manual" else CORRECT
        result.check(got.verdict.outcome == expected and (q.kind == "manual" or got.points == rubric[q.id].points),
                     f"{q.id}: the key's own answer is {got.verdict.outcome} ({got.verdict.feedback})")
    blank = _grade(catalog, a.id, {}, "blank")
    result.check(sum(r.points for r in blank.values()) == 0, "a blank answer file scores more than 0")
    for mid, values in sorted(catalog.variants(a).items()):
        answers = {qid: v.tolist() for qid, v in values.items()}
        graded = _grade(catalog, a.id, answers, mid)
        for qid in values:
            flags = graded[qid].verdict.flags
            result.check(mid in flags, f"{qid}: the {mid} variant's value is not flagged {mid} "
                                       f"(verdict {graded[qid].verdict.outcome}, flags {list(flags) or 'none'})")
    for q in a.questions:
        for mid, answer in q.mistakes:
            got = _grade(catalog, a.id, {q.id: answer}, f"{q.id} {mid}")[q.id]
            result.check(mid in got.verdict.flags and got.verdict.outcome != CORRECT,
                         f"{q.id}: {answer!r} should be flagged {mid}, got {got.verdict.outcome} "
                         f"with flags {list(got.verdict.flags) or 'none'}")
    return result
