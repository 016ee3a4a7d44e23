"""Derivations judged step by step: a corpus of write-ups (tests/judge/writeups/, each named for
what it must get) with the line of each finding, and tables of single steps."""
from pathlib import Path

import pytest

from grader.io.writeups.model import Term
from grader.io.writeups.reader import read_writeup, writeup_from_text
from grader.judge.derivation.context import scenarios
from grader.judge.derivation.diagnosis import diagnose_step
from grader.judge.derivation.steps import FAILS, HOLDS, NOT_CHECKED, NOT_READ, check_step
from grader.judge.derivation.writeup import judge_writeup
from grader.keys.catalog import Catalog
from tests.judge.writeup_judging import judge_file

CORPUS = Path(__file__).parent / "writeups"


@pytest.fixture(scope="module")
def catalog():
    return Catalog()


def judged(catalog, name):
    return judge_file(catalog, CORPUS / name)


def steps_of(j):
    return [(s.left.line, s.status, s.flags, s.after_wrong) for c in j.chains for s in c.steps]


# file → (first wrong step's line and flags or None, {question: line of the answering term})
CORPUS_FINDINGS = {
    "right_softmax_ce.md": (None, {"task1.delta_L": 7, "task2a.grad_W": 11, "task2a.grad_W_ij": 13, "task2b.grad_b": 17,
                                   "task3.delta_prev": 21}),  # \delta^{(L-1)} is declared (seed 000's task 3)
    "stray_bias_line7.md": ((7, ("stray-bias",)), {"task2a.grad_W_ij": 9}),
    "relu_nonzero_line5.tex": ((5, ("relu-derivative-nonzero",)), {}),
    "sign_flipped_line4.txt": ((4, ("loss-gradient-sign",)), {"task1.delta_L": 4}),
    "transposed_line3.md": ((3, ("transposed-answer",)), {"task2a.grad_W": 3}),
    "missing_skip_line5.md": ((5, ("missing-skip-path",)), {"q1c.z2bar": 3, "q1c.xbar": 7}),
    "ocr_noise.md": (None, {}),
    "follow_through_line3.md": ((3, ("loss-gradient-sign",)), {"task1.delta_L": 3}),
    "show_that_wrong_step_line7.md": ((7, ("loss-gradient-sign",)), {"task1.delta_L": 7}),
    "show_that_right.md": (None, {"task1.delta_L": 7}),
}


def test_the_corpus_is_all_listed():
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(CORPUS_FINDINGS)


@pytest.mark.parametrize("name", sorted(CORPUS_FINDINGS))
def test_corpus_first_wrong_step_and_answers(catalog, name):
    wrong, answers = CORPUS_FINDINGS[name]
    j = judged(catalog, name)
    first = next(((s.left.line, s.flags) for c in j.chains for s in c.steps if s.status == FAILS), None)
    assert first == wrong
    assert {q: t.line for q, t in j.answers.items()} == answers


def test_right_derivation_every_readable_step_holds(catalog):
    statuses = {s for _, s, _, _ in steps_of(judged(catalog, "right_softmax_ce.md"))}
    assert statuses <= {HOLDS, NOT_READ} and HOLDS in statuses


def test_steps_after_a_wrong_one_are_checked_against_each_other(catalog):
    assert steps_of(judged(catalog, "follow_through_line3.md")) == [
        (3, FAILS, ("loss-gradient-sign",), False), (3, HOLDS, (), True), (3, HOLDS, (), True)]


def test_transcription_noise_is_not_read_never_wrong(catalog):
    j = judged(catalog, "ocr_noise.md")
    assert FAILS not in {s for _, s, _, _ in steps_of(j)}
    assert {n.line for n in j.not_read} == {3, 5, 7, 9}
    assert [(s.left.line, s.status) for c in j.chains for s in c.steps][-1] == (11, HOLDS)


def test_a_later_correction_is_the_answer(catalog):
    j = judged(catalog, "stray_bias_line7.md")
    assert [(c.chain.line, c.question, c.counts) for c in j.chains] == [
        (7, "task2a.grad_W_ij", False), (9, "task2a.grad_W_ij", True)]


# (assignment, left, right, status, flags): single steps
STEPS = [
    ("softmax-ce", r"\hat{y} - y", r"\delta^{(L)}", HOLDS, ()),
    ("softmax-ce", r"\sum_{i=1}^C -y_i (\delta_{ij} - \hat{y}_j)", r"\hat{y}_j - y_j", HOLDS, ()),
    ("softmax-ce", r"\tilde{z}^{(L)}", r"\sum_{j=1}^{d_{L-1}} w_{ij}^{(L-1)} z_j^{(L-1)} + b_i^{(L-1)}", HOLDS, ()),
    ("softmax-ce", r"\frac{\partial L}{\partial w^{(L-1)}}", r"\delta^{(L)} (z^{(L-1)})^T", HOLDS, ()),
    ("softmax-ce", r"\nabla_{b^{(L-1)}} L", r"\hat{y} - y", HOLDS, ()),
    ("softmax-ce", r"\phi(x)", r"\max(0, x)", HOLDS, ()),
    # f' defined: not "f' left out" (missing-activation-derivative is no mistake one can make here: issue 18)
    ("softmax-ce", r"\phi'(x)", "1", FAILS, ("relu-derivative-one",)),
    ("softmax-ce", r"\phi'(x)", r"\max(0, x)", FAILS, ("relu-derivative-is-relu",)),
    ("softmax-ce", r"\nabla_{w^{(L-1)}} L", r"\hat{y} - y", FAILS, ("shape",)),
    ("softmax-ce", r"y_i", r"\hat{y}_i", NOT_CHECKED, ()),
    ("softmax-ce", r"\phi'(\tilde{z}^{(L-1)})", "0", NOT_CHECKED, ()),
    ("softmax-ce", r"\frac{\partial L}{\partial \hat{z}}", "q", NOT_READ, ()),
    ("residual-softmax", r"\bar{x}", r"W^{(1)T} \bar{z}_1 + \bar{z}_2", HOLDS, ()),
    ("residual-softmax", r"\bar{W}^{(2)}", r"(y - t) z_2^T", HOLDS, ()),
    ("residual-softmax", r"\bar{z}_1", r"\underline{\underline{\bar{h}_{d \times 1} \circ \phi'(z_1)}}", HOLDS, ()),
    ("residual-softmax", r"\frac{e^{z_k}}{\sum_j e^{z_j}} \left(1 - \frac{e^{z_{k'}}}{\sum_j e^{z_j}}\right)",
     r"y_k (1 - y_{k'})", HOLDS, ()),
    ("residual-softmax", r"W^{(2)}", r"d^2 + d", NOT_CHECKED, ()),
]


@pytest.mark.parametrize("aid, left, right, status, flags", STEPS, ids=[f"{s[1][:20]}={s[2][:20]}" for s in STEPS])
def test_one_step(catalog, aid, left, right, status, flags):
    assignment = catalog.assignment(aid)
    step, reading = check_step(Term(left, 1, 1), "=", Term(right, 1, 5), scenarios(assignment))
    if step.status == FAILS:
        step = diagnose_step(step, reading, assignment=assignment)
    assert (step.status, step.flags) == (status, flags)


def test_show_that_statement_and_definitions_are_not_claims(catalog):
    text = ("assignment: residual-softmax, student: s\n- **Q** Show that\n$$y = W^{(2)} h$$\n"
            "and that is all.\n\nLet $h = \\sum_j e^{z_j}$ and $$\\text{Let } g = e^{z}$$\n$$y = W^{(2)} h$$")
    j = judge_writeup(writeup_from_text(text, file="w.md"), catalog.assignment("residual-softmax"))
    assert [(s.left.line, s.status) for c in j.chains for s in c.steps] == [
        (3, NOT_CHECKED), (6, NOT_CHECKED), (6, NOT_CHECKED), (7, FAILS)]


def test_a_question_stopped_before_is_not_checked_again(catalog):
    w = read_writeup(CORPUS / "stray_bias_line7.md")
    j = judge_writeup(w, catalog.assignment(w.assignment), stopped=("task2a.grad_W_ij",))
    assert {s.status for c in j.chains for s in c.steps} == {NOT_READ}
    assert j.answers["task2a.grad_W_ij"].line == 9


@pytest.mark.parametrize("name, points, line", [("show_that_wrong_step_line7.md", 0.0, 7), ("show_that_right.md", 4.0, None)])
def test_show_that_is_graded_on_the_chain(catalog, name, points, line):
    from grader.batch.writeup_grading import grade_writeup

    result = grade_writeup(CORPUS / name, CORPUS, catalog)
    assert result.writeup.shows == ("task1.delta_L",)
    q = next(q for q in result.questions if q.question == "task1.delta_L")
    assert q.points == points
    if line is not None:
        assert f"the step at line {line} does not hold" in q.verdict.feedback
        assert q.verdict.flags == ("loss-gradient-sign",)
