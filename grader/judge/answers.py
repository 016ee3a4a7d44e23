"""Parse stage and compare stage for one answer file: raw text → parsed answer → verdict."""
from __future__ import annotations

from dataclasses import replace

from grader.course.assignment import Assignment, Question
from grader.course.kinds import KINDS
from grader.course.misconceptions import words_of
from grader.judge.budget import checkpoint
from grader.judge.compare import compare_class, compare_matrix, compare_shape, flagged, misconception_flags
from grader.judge.delta_shape import delta_shape_flags
from grader.results import FOLLOW, MISSING, REVIEW, SHAPE, UNREADABLE, QuestionResult, Verdict
from grader.judge.follow_through import FollowThrough, carried_forward
from grader.errors import AnswerError
from grader.keys.answer_key import AnswerKey
from grader.parse.numeric.reader import parse_integer, parse_numeric
from grader.judge.constant_numbers import read_numbers
from grader.parse.numeric.shape import parse_shape
from grader.course.rubric import Rubric
from grader.judge.scoring import score
from grader.judge.diagnosis.repair import diagnosed
from grader.judge.symbolic.equivalence import compare_expression, expression_key, parse_for
from grader.io.answer_files import Submission


MAX_TEXT = 20_000
SEEN_PER_QUESTION = 128  # expression answers remembered per question (and per key), oldest forgotten first
SEEN_MAX_TEXT = 200  # ... if at most this long (the texts that repeat are short; a parse is ~20 nodes)


def parse_answer(question: Question, raw, key: AnswerKey | None = None):
    """Read one raw answer the way its question's kind needs (raises AnswerError). Expression
    answers need the key (their symbol table); without it they are only checked to be text."""
    kind = KINDS[question.kind]
    if kind.symbolic and key is None:
        return _text_answer(raw)
    return PARSERS[kind.reads](question, raw, key)


def _read_numbers(question: Question, raw, key):
    return read_numbers(raw, parse_numeric)


def _read_classes(question: Question, raw, key):
    """One class number, or a list of them (one per example)."""
    if isinstance(raw, list):
        return [parse_integer(item) for item in raw]
    return parse_integer(raw)


def _read_shape(question: Question, raw, key):
    return parse_shape(raw)


def _read_expression(question: Question, raw, key):
    return parse_for(question, _text_answer(raw), expression_key(key.assignment, question, key[question.id].exact))


def _read_text(question: Question, raw, key):
    return _text_answer(raw)


# a Kind's ``reads`` -> parser(question, raw answer, key or None); the parsers are looked up by
# name when called (tests stand in their own parse_numeric)
PARSERS = {"numbers": _read_numbers, "classes": _read_classes, "shape": _read_shape,
           "expression": _read_expression, "text": _read_text}


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
        if KINDS[question.kind].symbolic:  # its key is engine work (built once per process): off the clock
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
    file = _File(parsed, key, rubric, variants or {})
    verdicts = {}
    for question in key.assignment.questions:
        got = parsed.get(question.id, None)
        if got is not None and not isinstance(got, AnswerError):
            checkpoint(question.id)  # comparing the student's answer: its clock runs (grader.judge.budget)
        if question.id not in parsed:
            verdicts[question.id] = Verdict(MISSING, "no answer given")
        elif isinstance(got, AnswerError):
            verdicts[question.id] = Verdict(UNREADABLE, got.describe(caret=False), error=got)
        else:
            verdicts[question.id] = COMPARATORS[KINDS[question.kind].judged](got, question, file)
    checkpoint(None)
    return verdicts


class _File:
    """What the comparators need beyond one answer: the key, the rubric, the misconception
    variants, and (built at the first wrong number, once per file) the follow-through runs."""

    def __init__(self, parsed: dict, key: AnswerKey, rubric: Rubric, variants: dict):
        self.parsed, self.key, self.rubric, self.variants = parsed, key, rubric, variants
        self._follow: FollowThrough | None = None

    @property
    def follow(self) -> FollowThrough:
        if self._follow is None:
            self._follow = FollowThrough(self.key.assignment, self.key, self.parsed, rubric=self.rubric)
        return self._follow


def _judge_by_hand(got, question: Question, file: _File) -> Verdict:
    return Verdict(REVIEW, "graded by hand (the reference answer is in the key)")


def _judge_expression(got, question: Question, file: _File) -> Verdict:
    return _judged(got, expression_key(file.key.assignment, question, file.key[question.id].exact), file.key.assignment)


def _judge_classes(got, question: Question, file: _File) -> Verdict:
    return compare_class(got, file.key[question.id])


def _judge_shape(got, question: Question, file: _File) -> Verdict:
    return compare_shape(got, file.key[question.id])


def _judge_numbers(got, question: Question, file: _File) -> Verdict:
    """Within the rubric's tolerance of the key; if not, the misconception flags it fits and,
    where the row allows, credit for an answer right from the student's own earlier answers."""
    kind, entry = KINDS[question.kind], file.key[question.id]
    tol = file.rubric[question.id].tolerance
    verdict = compare_matrix(got, entry, tol=tol)
    if verdict.correct:
        return verdict
    if kind.misconception_runs:
        per_question = {m: v[question.id] for m, v in file.variants.items() if question.id in v}
        flags = misconception_flags(got, entry, per_question, tol=tol)
        if verdict.outcome == SHAPE:  # a δ of the wrong shape (seed 004's 2×2 hidden deltas)
            flags += tuple(f for f in delta_shape_flags(got.values.shape, entry.shape, question, file.key.assignment)
                           if f not in flags)
        verdict = flagged(verdict, flags, words_of(file.key.assignment, question.scenario, question))
    if kind.follow_through and carried_forward(got, file.follow.value(question), tol=tol):
        verdict = replace(verdict, outcome=FOLLOW, feedback=(
            "right given your own earlier answers (error carried forward)"
            + (f"; {verdict.feedback}" if verdict.flags else "")))
    return verdict


# a Kind's ``judged`` -> comparator(parsed answer, question, the file's _File) -> Verdict
COMPARATORS = {"by hand": _judge_by_hand, "expression": _judge_expression, "classes": _judge_classes,
               "shape": _judge_shape, "numbers": _judge_numbers}


def _judged(parsed, ek, assignment) -> Verdict:
    """The verdict on a parsed expression answer, remembered with its parse: a class writes the
    same few expressions (the right one most of all) hundreds of times, and parsing and checking
    one on every instance, and searching a wrong one's smallest repair, is most of the cost of an
    answer. Parse and verdict depend only on the
    text and the key, never on the rest of the file; only answers that parse are remembered (an
    error is located per file), at most SEEN_PER_QUESTION per key, none longer than SEEN_MAX_TEXT."""
    seen = ek.seen
    known = seen.get(parsed.text)
    if known is not None and known[0] is parsed:
        return known[1]
    verdict = diagnosed(compare_expression(parsed, ek), parsed, ek, assignment)  # a wrong one: its smallest repair
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
