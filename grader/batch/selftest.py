"""``grade selftest``: the answer key checks itself.

For every question of an assignment: the key's own answer scores full marks; a blank scores
zero; every misconception variant that applies to a numeric question (everywhere, or at one
place of the network), answered with the variant's value, is flagged with its own id (variants
that coincide there must all be named); the key rounded to 2, 3 or 4 significant figures is
never flagged;
every ``mistakes`` example an author gives (symbolic questions) gets its flag. A randomized
assignment is checked so on the draws of many student ids.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from grader.course.kinds import KINDS
from grader.course.misconceptions import split_key
from grader.keys.catalog import Catalog
from grader.results import CORRECT, REVIEW
from grader.keys.key_text import answer_value
from grader.batch.orchestrator import grade_submission
from grader.io.answer_files import Submission

STUDENTS = 30  # student ids a randomized assignment is checked on
ROUNDED_FIGURES = (2, 3, 4)  # the key rounded so, as students write it, must never be flagged


def _rounded(value, figures: int) -> list:
    return [[float(f"{x:.{figures}g}") for x in row] for row in value.tolist()]


@dataclass
class SelfTest:
    assignment: str
    checks: int = 0
    failures: list[str] = field(default_factory=list)

    def check(self, ok: bool, message: str) -> None:
        self.checks += 1
        if not ok:
            self.failures.append(message)

    def lines(self) -> list[str]:
        """What ``grade selftest`` prints for it: ``ID: N checks, ok`` (or ``K FAILED``), then
        each failure indented."""
        state = "ok" if not self.failures else f"{len(self.failures)} FAILED"
        return [f"{self.assignment}: {self.checks} checks, {state}", *(f"  {f}" for f in self.failures)]


def _grade(catalog: Catalog, assignment_id: str, answers: dict, label: str, student: str = "selftest"):
    sub = Submission(f"<selftest {label}>", assignment_id, student, answers=answers)
    return {q.question: q for q in grade_submission(sub, catalog).questions}


def run_selftest(catalog: Catalog, assignment_id: str, *, students: int = STUDENTS) -> SelfTest:
    """All the checks for one assignment (raises ConfigError for a broken configuration). A
    randomized assignment is checked on the draws of ``students`` student ids, and each
    student's key, handed in by the next student, must not score full marks."""
    if not catalog.salt:  # synthetic student ids: any salt checks the draws (grader.course.salt_rule)
        catalog = replace(catalog, unsalted=True)
    template = catalog.assignment(assignment_id)
    result = SelfTest(template.id)
    ids = [f"selftest-{i:03d}" for i in range(students)] if template.randomized else ["selftest"]
    for sid in ids:
        _check_student(catalog, catalog.for_student(template, sid), sid, result)
    if template.randomized:
        for sid, other in zip(ids, ids[1:] + ids[:1]):
            key = catalog.key(catalog.for_student(template, other))
            copied = _grade(catalog, template.id, {q.id: answer_value(key[q.id]) for q in template.questions},
                            f"{other}'s key", sid)
            rubric = catalog.rubric(template)
            result.check(sum(r.points for r in copied.values()) < rubric.max_points,
                         f"{other}'s key handed in by {sid} scores full marks: their draws coincide")
    return result


def _check_student(catalog: Catalog, a, student: str, result: SelfTest) -> None:
    key, rubric = catalog.key(a), catalog.rubric(a)
    who = f"{student}: " if student != "selftest" else ""
    full = _grade(catalog, a.id, {q.id: answer_value(key[q.id]) for q in a.questions}, "key", student)
    for q in a.questions:
        got = full[q.id]
        by_hand = KINDS[q.kind].by_hand
        expected = REVIEW if by_hand else CORRECT
        result.check(got.verdict.outcome == expected and (by_hand or got.points == rubric[q.id].points),
                     f"{who}{q.id}: the key's own answer is {got.verdict.outcome} ({got.verdict.feedback})")
    blank = _grade(catalog, a.id, {}, "blank", student)
    result.check(sum(r.points for r in blank.values()) == 0, f"{who}a blank answer file scores more than 0")
    for name, values in sorted(catalog.variants(a).items()):
        answers = {qid: v.tolist() for qid, v in values.items()}
        graded = _grade(catalog, a.id, answers, name, student)
        mid = split_key(name)[0]  # a variant made at one place is flagged with its misconception's id
        for qid in values:
            flags = graded[qid].verdict.flags
            result.check(mid in flags, f"{who}{qid}: the {name} variant's value is not flagged {mid} "
                                       f"(verdict {graded[qid].verdict.outcome}, flags {list(flags) or 'none'})")
    rounded = {q.id: key[q.id].value for q in a.questions if KINDS[q.kind].misconception_runs}
    for figures in ROUNDED_FIGURES:  # a correctly rounded key says nothing of any misconception
        graded = _grade(catalog, a.id, {qid: _rounded(v, figures) for qid, v in rounded.items()},
                        f"key to {figures} figures", student)
        for qid in rounded:
            result.check(not graded[qid].verdict.flags, f"{who}{qid}: the key rounded to {figures} significant figures "
                                                        f"is flagged {list(graded[qid].verdict.flags)}")
    for q in a.questions:
        for mid, answer in q.mistakes:
            got = _grade(catalog, a.id, {q.id: answer}, f"{q.id} {mid}", student)[q.id]
            result.check(mid in got.verdict.flags and got.verdict.outcome != CORRECT,
                         f"{who}{q.id}: {answer!r} should be flagged {mid}, got {got.verdict.outcome} "
                         f"with flags {list(got.verdict.flags) or 'none'}")


def run_selftests(catalog: Catalog, assignment_ids=()) -> Iterator[SelfTest]:
    """``grade selftest``: :func:`run_selftest` for each of ``assignment_ids`` (default: every
    assignment of the course folder), one result at a time so that each is shown as it ends."""
    for ident in assignment_ids or catalog.known_ids():
        yield run_selftest(catalog, ident)
