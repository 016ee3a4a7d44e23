"""One write-up graded: read, every step judged, and the answers its chains give graded as an
answer file's are (:func:`grader.batch.orchestrator.grade_submission`: tolerances, shapes,
misconceptions, follow-through), with the judged derivation kept on the result for the reports.

A question whose answering line cannot be read scores as an unreadable answer does, and goes
to the TA review sheet with the line quoted."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from grader.errors import SubmissionError
from grader.io.answer_files import Submission
from grader.io.writeups.reader import FORMATS, read_writeup
from grader.judge.compare import flagged
from grader.judge.derivation.layout import readable
from grader.judge.derivation.steps import FAILS, HOLDS
from grader.judge.derivation.writeup import JudgedWriteup, judge_writeup
from grader.results import REVIEW, SHAPE, UNREADABLE, WRONG, QuestionResult, StudentResult, Verdict

WRITEUP_SUFFIXES = tuple(FORMATS)


def grade_writeup(path: Path, folder: Path, catalog, *, identity=None, preset: dict | None = None) -> StudentResult:
    """Read and grade the write-up at ``path`` (shown relative to ``folder``). ``preset``
    (question id → AnswerError): questions that ran out of time before, not checked again."""
    from grader.batch.orchestrator import grade_submission  # the answer-file path, shared

    shown = str(Path(path).relative_to(folder))
    try:
        writeup = read_writeup(path, known_assignments=tuple(catalog.known_ids()))
    except SubmissionError as e:
        return StudentResult(shown, error=replace(e, file=shown))
    writeup = replace(writeup, file=shown)
    sub, judged = writeup_submission(writeup, catalog, stopped=tuple(preset or ()))
    notes: tuple[str, ...] = ()
    if identity is not None:
        sub, notes = identity.resolve(sub)
    result = grade_submission(sub, catalog, preset=preset)
    if judged is None:
        return result
    rubric = catalog.rubric(catalog.assignment(writeup.assignment))
    # an answering line the grammar cannot read is never wrong: a TA reads it (the review sheet)
    questions = tuple(_for_review(q, sub) if q.verdict.outcome == UNREADABLE and q.question in sub.answers
                      else _shown(_numbers_flagged(q, judged), judged, rubric) for q in result.questions)
    unread = tuple((q.question, f"line {sub.line_of(q.question)}: {sub.answers[q.question]}") for q in questions
                   if q.verdict.outcome == REVIEW and q.question in sub.answers)
    return replace(result, questions=questions, notes=notes + result.notes,
                   review_text=result.review_text + unread, writeup=judged)


def _shown(q: QuestionResult, judged: JudgedWriteup, rubric) -> QuestionResult:
    """A "show that" question (the write-up states the result to reach) is graded on the chain:
    reaching the result is not enough when a step of the chain does not hold. The rubric's
    ``show_that: {per_step: true}`` gives the share of the chain's read steps that hold (an
    answer that earns more on its own keeps its points); by default, all or nothing."""
    chain = judged.answering_chain(q.question) if q.question in judged.shows else None
    wrong = chain.first_wrong if chain is not None else None
    if wrong is None:
        return q
    holds = sum(s.status == HOLDS for s in chain.steps)
    fails = sum(s.status == FAILS for s in chain.steps)
    points = round(q.max_points * rubric[q.question].show_that_share(holds, fails), 6)
    reached = q.points >= q.max_points
    if not reached and points <= q.points:
        return q
    said = ("the chain reaches the result to show, but " if reached else "the chain does not reach the result to show: ") + \
        f"the step at line {wrong.right.line} does not hold ({wrong.left.text} = {wrong.right.text}: {wrong.reason})"
    if points > 0:
        said += f"; {holds} of {holds + fails} steps hold"
    return replace(q, points=points, verdict=Verdict(WRONG, said, flags=wrong.flags))


def _numbers_flagged(q: QuestionResult, judged: JudgedWriteup) -> QuestionResult:
    """A wrong answer whose numbers are right for another part of the exercise says which
    mistake that is (seed 004: the batch's numbers where one example is asked; its 2×2 hidden
    deltas, of no part's shape)."""
    flags = judged.number_flags.get(q.question, ())
    if q.verdict.outcome not in (WRONG, SHAPE) or not flags or set(flags) <= set(q.verdict.flags):
        return q
    return replace(q, verdict=flagged(q.verdict, tuple(dict.fromkeys(q.verdict.flags + flags))))


def _for_review(q: QuestionResult, sub: Submission) -> QuestionResult:
    why = q.verdict.error.describe(caret=False) if q.verdict.error is not None else q.verdict.feedback
    return replace(q, points=0.0, verdict=Verdict(REVIEW, f"line {sub.line_of(q.question)} could not be read "
                                                        f"({why}); a TA reads it", error=q.verdict.error))


def writeup_submission(writeup, catalog, *, stopped=()) -> tuple[Submission, JudgedWriteup | None]:
    """The write-up as a submission (question id → its answering term, as parsed) and the
    judged derivation (None for an assignment the course does not have: the submission is
    then rejected as any answer file naming it is)."""
    judged = None
    answers, lines = {}, {}
    if writeup.assignment in catalog.known_ids():
        assignment = catalog.for_student(catalog.assignment(writeup.assignment), writeup.student)
        judged = judge_writeup(writeup, assignment, stopped=stopped, key=catalog.key(assignment))
        for qid, term in judged.answers.items():
            answers[qid] = readable(term.text)
            lines[("answers", qid)] = term.line
    lines[("assignment",)] = lines[("student",)] = 1
    return Submission(writeup.file, writeup.assignment, writeup.student, answers=answers, lines=lines), judged
