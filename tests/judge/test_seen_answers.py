"""Expression answers judged once per text and key (grader.judge.answers._judged): the second file
with the same text gets the very parse and an equal verdict, without parsing or checking it
again; errors are never remembered; the memory is bounded."""
from __future__ import annotations

import pytest

import grader.judge.answers as grading
from grader.results import CORRECT, TRANSPOSED, UNREADABLE, WRONG
from grader.batch.orchestrator import grade_submission
from grader.io.answer_files import Submission
from grader.judge.diagnosis.repair import diagnosed
from grader.judge.symbolic.equivalence import compare_expression, expression_key, parse_for

SM = "softmax-ce"


def verdict(catalog, qid: str, text: str, file: str = "a.yaml", line: int | None = None):
    sub = Submission(file, SM, "s1", answers={qid: text}, lines={("answers", qid): line} if line else {})
    return next(q.verdict for q in grade_submission(sub, catalog).questions if q.question == qid)


def key_of(catalog, qid: str):
    assignment = catalog.assignment(SM)
    return expression_key(assignment, assignment.question(qid), catalog.key(assignment)[qid].exact)


@pytest.fixture
def counted(monkeypatch):
    """How often an answer was parsed and checked (the memory is shared by the whole session:
    each test uses texts no other test writes, by their spacing)."""
    calls = {"parse": 0, "check": 0}

    def parse_answer(*a, **k):
        calls["parse"] += 1
        return real_parse(*a, **k)

    def check(*a, **k):
        calls["check"] += 1
        return real_check(*a, **k)

    real_parse, real_check = grading.parse_answer, grading.compare_expression
    monkeypatch.setattr(grading, "parse_answer", parse_answer)
    monkeypatch.setattr(grading, "compare_expression", check)
    return calls


@pytest.mark.parametrize("qid, text, outcome, flags", [
    ("task1.delta_L", r"\hat{y}  -   y", CORRECT, ()),
    ("task1.delta_L", r"y  -   \hat{y}", WRONG, ("loss-gradient-sign",)),
    ("task2a.grad_W", r"z^{(L-1)}   (\delta^{(L)})^T", TRANSPOSED, ("transposed-answer",)),
], ids=["correct", "flagged-sign", "transposed"])
def test_the_second_file_with_a_text_is_neither_parsed_nor_checked_again(catalog, counted, qid, text, outcome, flags):
    first = verdict(catalog, qid, text, file="a.yaml")
    assert counted == {"parse": 1, "check": 1}
    second = verdict(catalog, qid, text, file="b.yaml")
    assert counted == {"parse": 1, "check": 1}
    assert first == second and (first.outcome, first.flags) == (outcome, flags)
    key = key_of(catalog, qid)
    parsed = parse_for(key.question, text, key)
    # as judged afresh: the check, then its diagnosis (issue 18: repair, wording), as grading does
    assert diagnosed(compare_expression(parsed, key), parsed, key, catalog.assignment(SM)) == first


def test_a_text_differing_only_in_spacing_is_judged_on_its_own(catalog, counted):
    verdict(catalog, "task1.delta_L", r"\hat{y}    -  y")
    verdict(catalog, "task1.delta_L", r"\hat{y}    -   y")
    assert counted == {"parse": 2, "check": 2}


def test_an_answer_that_does_not_parse_is_read_again_and_located_in_each_file(catalog, counted):
    text = r"\hat{y} -    (y"
    first = verdict(catalog, "task1.delta_L", text, file="a.yaml", line=4)
    second = verdict(catalog, "task1.delta_L", text, file="b.yaml", line=9)
    assert first.outcome == second.outcome == UNREADABLE
    assert counted["parse"] == 2 and text not in key_of(catalog, "task1.delta_L").seen
    assert first.error.file == "a.yaml" and first.error.line == 4
    assert second.error.file == "b.yaml" and second.error.line == 9


def test_the_memory_keeps_the_latest_texts_up_to_its_bound(catalog, monkeypatch):
    monkeypatch.setattr(grading, "SEEN_PER_QUESTION", 5)
    seen = key_of(catalog, "task1.delta_L").seen
    seen.clear()
    texts = [r"\hat{y} - y" + " " * (20 + n) for n in range(8)]
    for text in texts:
        verdict(catalog, "task1.delta_L", text)
    assert list(seen) == texts[3:]


def test_a_bound_of_zero_remembers_nothing(catalog, counted, monkeypatch):
    monkeypatch.setattr(grading, "SEEN_PER_QUESTION", 0)
    text = r"\hat{y} -y"
    assert verdict(catalog, "task1.delta_L", text).outcome == verdict(catalog, "task1.delta_L", text).outcome == CORRECT
    assert counted == {"parse": 2, "check": 2} and not key_of(catalog, "task1.delta_L").seen


def test_a_long_text_is_not_remembered(catalog, counted):
    text = r"\hat{y} - y" + " " * grading.SEEN_MAX_TEXT  # repeats are short: a long answer is judged each time
    assert verdict(catalog, "task1.delta_L", text).outcome == verdict(catalog, "task1.delta_L", text).outcome == CORRECT
    assert counted == {"parse": 2, "check": 2} and text not in key_of(catalog, "task1.delta_L").seen
