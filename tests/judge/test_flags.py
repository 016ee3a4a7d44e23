"""Misconception flags: a table of (answer, expected flag) rows across the four assignments, and
no flag on any correct answer.

Numeric rows are every (misconception, question) pair where the variant's value differs from
the key on mlp-numeric (the answer is that value, rounded to 6 significant figures as a student
would write it); symbolic rows are written by hand, from the mistakes in the seeds.
"""
import numpy as np
import pytest

from grader.course.misconceptions import split_key
from grader.batch.orchestrator import grade_submission
from grader.io.answer_files import Submission, read_submission
from tests.conftest import SUBMISSIONS

SYMBOLIC_ROWS = [
    ("softmax-ce", "task1.delta_L", r"y - \hat{y}", "loss-gradient-sign"),
    ("softmax-ce", "task1.delta_L", r"y_j - \hat{y}_j", "loss-gradient-sign"),  # entry-wise: by its smallest repair (issue 18)
    ("softmax-ce", "task2a.grad_W", r"z^{(L-1)} (\delta^{(L)})^T", "transposed-answer"),
    ("softmax-ce", "task2a.grad_W", r"z^{(L-1)} (\hat{y} - y)^T", "transposed-answer"),
    ("softmax-ce", "task3.delta_prev", r"((W^{(L-1)})^T \delta^{(L)}) \odot \mathbb{1}\{\tilde{z}^{(L-1)} \neq 0\}", "relu-derivative-nonzero"),
    ("softmax-ce", "task3.delta_prev", r"(W^{(L-1)})^T \delta^{(L)}", "relu-derivative-one"),
    ("softmax-ce", "task3.delta_prev", r"(W^{(L-1)})^T (\hat{y} - y)", "relu-derivative-one"),
    ("softmax-ce", "task3.delta_prev", r"((W^{(L-1)})^T \delta^{(L)}) \odot \max(0, \tilde{z}^{(L-1)})", "relu-derivative-is-relu"),
    ("softmax-ce", "task3.delta_prev", r"((W^{(L-1)})^T (y - \hat{y})) \odot \phi'(\tilde{z}^{(L-1)})", "loss-gradient-sign"),
    ("backprop-general", "task2.relu_prime", "1", "relu-derivative-one"),
    ("backprop-general", "task2.relu_prime", r"\max(0, Z^{[l]})", "relu-derivative-is-relu"),
    ("backprop-general", "task2.dW_L", r"A^{[L-1]} \delta^{[L]T}", "transposed-answer"),
    ("backprop-general", "task2.delta_L", r"2 (A^{[L]} - Y)", "batch-sum-vs-mean"),
    ("backprop-general", "task2.delta_L", r"\frac{2}{m} (Y - A^{[L]})", "loss-gradient-sign"),
    ("backprop-general", "task2.delta_l", r"W^{[L]T} \delta^{[L]}", "relu-derivative-one"),
    ("backprop-general", "task2.delta_l", r"\mathbb{1}\{Z^{[l]} \neq 0\} \odot (W^{[L]T} \delta^{[L]})", "relu-derivative-nonzero"),
    ("residual-softmax", "q1c.xbar", r"W^{(1)T} \bar{z}_1", "missing-skip-path"),
    ("residual-softmax", "q1c.ybar", "t - y", "loss-gradient-sign"),
    ("residual-softmax", "q1c.W2bar", "z_2 (y - t)", "transposed-answer"),
    ("residual-softmax", "q1c.z1bar", r"\bar{h}", "missing-activation-derivative"),
    ("residual-softmax", "q1c.z2bar", "W^{(2)T} (t - y)", "loss-gradient-sign"),
]


def _flags(catalog, assignment_id, answers):
    result = grade_submission(Submission("<test>", assignment_id, "t", answers=answers), catalog)
    return {q.question: q.verdict for q in result.questions}


@pytest.mark.parametrize("assignment_id, qid, answer, flag", SYMBOLIC_ROWS,
                         ids=[f"{r[1]}:{r[3]}:{r[2]}" for r in SYMBOLIC_ROWS])
def test_symbolic_answer_gets_its_flag(catalog, assignment_id, qid, answer, flag):
    verdict = _flags(catalog, assignment_id, {qid: answer})[qid]
    assert not verdict.correct
    if flag is None:
        assert verdict.flags == ()
    else:
        assert flag in verdict.flags, (verdict.outcome, verdict.feedback)


def _numeric_rows():
    from grader.keys.catalog import Catalog
    from tests.conftest import ROOT
    catalog = Catalog(root=ROOT)
    a = catalog.assignment("mlp-numeric")
    return [(mid, qid, np.asarray(v)) for mid, values in sorted(catalog.variants(a).items()) for qid, v in values.items()]


NUMERIC_ROWS = _numeric_rows()


def test_the_table_is_large_and_covers_the_catalogue():
    assert len(NUMERIC_ROWS) + len(SYMBOLIC_ROWS) >= 100
    covered = {split_key(m)[0] for m, _, _ in NUMERIC_ROWS} | {r[3] for r in SYMBOLIC_ROWS if r[3]}
    assert len(covered) >= 15, sorted(covered)


@pytest.mark.parametrize("mid, qid, value", NUMERIC_ROWS, ids=[f"{m}:{q}" for m, q, _ in NUMERIC_ROWS])
def test_numeric_variant_rounded_to_6_figures_gets_its_flag(catalog, mid, qid, value):
    rounded = [[float(f"{x:.6g}") for x in row] for row in value]
    verdict = _flags(catalog, "mlp-numeric", {qid: rounded})[qid]
    mid, where = split_key(mid)  # a variant made at one place: its id flagged, the place said
    assert mid in verdict.flags, (verdict.outcome, verdict.flags)
    a = catalog.assignment("mlp-numeric")
    everywhere = catalog.variants(a).get(mid, {}).get(qid)
    if everywhere is None or not catalog.rubric(a)[qid].tolerance.close(np.asarray(rounded), everywhere).all():
        # else the answer is also the error made everywhere: no one place to name
        assert f"at {where}" in verdict.feedback, verdict.feedback


@pytest.mark.parametrize("path", ["s1001_all_correct.yaml", "s1002_rounded_4sf.yaml", "s1007_matlab_latex.yaml",
                                  "seeds/seed003_residual_softmax.yaml"])
def test_no_flag_on_any_correct_answer(catalog, path):
    sub = read_submission(SUBMISSIONS / path)
    for q in grade_submission(sub, catalog).questions:
        if q.verdict.correct:
            assert q.verdict.flags == ()
