"""Parse stage and compare stage for one answer file: raw text → parsed answer → verdict."""
from __future__ import annotations

from dataclasses import replace

from grader.course.assignment import Assignment, Question
from grader.judge.budget import checkpoint
from grader.judge.compare import compare_class, compare_matrix, compare_shape, flagged, misconception_flags
from grader.results import FOLLOW, MISSING, REVIEW, UNREADABLE, QuestionResult, Verdict
from grader.judge.follow_through import FollowThrough, carried_forward
from grader.errors import AnswerError
from grader.keys.answer_key import AnswerKey
from grader.parse.numeric.reader import parse_integer, parse_numeric
from grader.parse.numeric.shape import parse_shape
from grader.course.rubric import Rubric
from grader.judge.scoring import score
from grader.judge.symbolic.equivalence import compare_expression, expression_key, parse_for
from grader.io.answer_files import Submission


MAX_TEXT = 20_000
SEEN_PER_QUESTION = 128  # expression answers remembered per question (and per key), oldest forgotten first
SEEN_MAX_TEXT = 200  # ... if at most this long (the texts that repeat are short; a parse is ~20 nodes)


def parse_answer(question: Question, raw, key: AnswerKey | None = None):
    """Read one raw answer the way its question's kind needs (raises AnswerError). Expression
    answers need the key (their symbol table); without it they are only checked to be text."""
    if question.kind == "manual" or (question.kind == "expression" and key is None):
        return _text_answer(raw)
    if question.kind == "expression":
        return parse_for(question, _text_answer(raw), expression_key(key.assignment, question, key[question.id].exact))
    if question.kind == "class":
        if isinstance(raw, list):
            return [parse_integer(item) for item in raw]
        return parse_integer(raw)
    if question.kind == "shape":
        return parse_shape(raw)
    return parse_numeric(raw)


def _text_answer(raw) -> str:
    """A free-text (or not yet machine-read expression) answer, kept as typed for a TA."""
    if isinstance(raw, list):
        raw = ", ".join(str(x) for x in raw)
    if not isinstance(raw, str):
        raise AnswerError("expected text", category="value")
    if len(raw) > MAX_TEXT:
        raise AnswerError(f"answer is too long ({len(raw)} characters, limit {MAX_TEXT})", category="limit")
    if not raw.strip():
        raise AnswerError("empty answer", category="value")
    return raw


def parse_answers(sub: Submission, assignment: Assignment, key: AnswerKey, *,
                  preset: dict[str, AnswerError] | None = None) -> tuple[dict, list[str]]:
    """Every answer of a submission parsed (or the AnswerError it raised, located), and notes
    on answers to questions the assignment does not have. An answer in ``preset`` is not read:
    it gets that error (an answer that ran out of time before)."""
    preset = preset or {}
    parsed, notes = {}, []
    for qid, raw in sub.answers.items():
        try:
            question = assignment.question(qid)
        except KeyError:
            notes.append(f"ignored answer to unknown question '{qid}'")
            continue
        if isinstance(raw, str) and not raw.strip():
            continue  # left blank (as in a handed-out template): not answered, like a missing key
        if qid in preset:  # ran out of time in an earlier attempt: not graded again
            parsed[qid] = preset[qid].at(file=sub.file, question=qid, line=sub.line_of(qid))
            continue
        if question.kind == "expression":  # its key is engine work (built once per process): off the clock
            checkpoint(None)
            known = expression_key(key.assignment, question, key[qid].exact).seen.get(raw) if isinstance(raw, str) else None
            if known is not None:  # the very text judged before (see _judged)
                parsed[qid] = known[0]
                continue
        checkpoint(qid)  # the student's answer: its clock runs (grader.judge.budget)
        try:
            parsed[qid] = parse_answer(question, raw, key)
        except AnswerError as e:
            parsed[qid] = e.at(file=sub.file, question=qid, line=sub.line_of(qid))
    checkpoint(None)
    return parsed, notes


def compare_answers(parsed: dict, key: AnswerKey, rubric: Rubric, variants: dict | None = None) -> dict[str, Verdict]:
    """A verdict for every question of the assignment (missing answers included); a wrong
    numeric answer that matches a misconception variant (``variants``: id → question → value)
    carries its flag."""
    variants = variants or {}
    verdicts = {}
    follow = None  # read the file's answers for follow-through once, at the first wrong number
    for question in key.assignment.questions:
        got = parsed.get(question.id, None)
        entry = key[question.id]
        if got is not None and not isinstance(got, AnswerError):
            checkpoint(question.id)  # comparing the student's answer: its clock runs (grader.judge.budget)
        if question.id not in parsed:
            verdicts[question.id] = Verdict(MISSING, "no answer given")
        elif isinstance(got, AnswerError):
            verdicts[question.id] = Verdict(UNREADABLE, got.describe(caret=False), error=got)
        elif question.kind == "manual":
            verdicts[question.id] = Verdict(REVIEW, "graded by hand (the reference answer is in the key)")
        elif question.kind == "expression":
            verdicts[question.id] = _judged(got, expression_key(key.assignment, question, entry.exact))
        elif question.kind == "class":
            verdicts[question.id] = compare_class(got, entry)
        elif question.kind == "shape":
            verdicts[question.id] = compare_shape(got, entry)
        else:
            tol = rubric[question.id].tolerance
            verdict = compare_matrix(got, entry, tol=tol)
            if not verdict.correct:
                per_question = {m: v[question.id] for m, v in variants.items() if question.id in v}
                verdict = flagged(verdict, misconception_flags(got, entry, per_question, tol=tol))
                follow = follow or FollowThrough(key.assignment, key, parsed, rubric=rubric)
                if carried_forward(got, follow.value(question), tol=tol):
                    verdict = replace(verdict, outcome=FOLLOW, feedback=(
                        "right given your own earlier answers (error carried forward)"
                        + (f"; {verdict.feedback}" if verdict.flags else "")))
            verdicts[question.id] = verdict
    checkpoint(None)
    return verdicts


def _judged(parsed, ek) -> Verdict:
    """The verdict on a parsed expression answer, remembered with its parse: a class writes the
    same few expressions (the right one most of all) hundreds of times, and parsing and checking
    one on every instance is most of the cost of an answer. Parse and verdict depend only on the
    text and the key, never on the rest of the file; only answers that parse are remembered (an
    error is located per file), at most SEEN_PER_QUESTION per key, none longer than SEEN_MAX_TEXT."""
    seen = ek.seen
    known = seen.get(parsed.text)
    if known is not None and known[0] is parsed:
        return known[1]
    verdict = compare_expression(parsed, ek)
    while seen and len(seen) >= SEEN_PER_QUESTION:
        del seen[next(iter(seen))]
    if SEEN_PER_QUESTION > 0 and len(parsed.text) <= SEEN_MAX_TEXT:
        seen[parsed.text] = (parsed, verdict)
    return verdict


def score_answers(verdicts: dict[str, Verdict], rubric: Rubric) -> tuple[QuestionResult, ...]:
    return tuple(score(qid, _rubric_feedback(v, rubric[qid]), rubric[qid]) for qid, v in verdicts.items())


def _rubric_feedback(verdict: Verdict, rubric) -> Verdict:
    """The rubric's own words for a flag replace the catalogue's."""
    custom = dict(rubric.flag_feedback)
    chosen = [custom[f] for f in verdict.flags if f in custom]
    return replace(verdict, feedback=" ".join(chosen)) if chosen else verdict
