"""The exercises of issue 19 shipped as assignments: each selftest is green, and each sample
answer file in exercises/ gets exactly its points and its classic mistake's flag."""
from __future__ import annotations

import pytest

from grader.batch.orchestrator import grade_folder
from grader.batch.selftest import run_selftest
from tests.conftest import ROOT

EXERCISES = ("optimizer-steps", "batchnorm", "l2-dropout", "rnn-two-step", "conv-pool")

# file -> (points, max, {question id: flag} of every question that loses points)
SAMPLES = {
    "s3001_optimizer_steps_all_correct.yaml": (23, 23, {}),
    "s3002_adam_no_bias_correction.yaml": (13, 23, {q: "adam-no-bias-correction" for q in (
        "adam.W2_1", "adam.b1_1", "adam.m2_W2", "adam.v2_W2", "adam.W2_2", "adamw.W1", "adamw.W2")}),
    "s3003_batchnorm_all_correct.yaml": (11, 11, {}),
    "s3004_batchnorm_statistics_constant.yaml": (8, 11, {"bn.dx": "normalization-statistics-constant"}),
    "s3005_l2_dropout_all_correct.yaml": (13, 13, {}),
    "s3006_l2_penalty_gradient_missing.yaml": (9, 13, {q: "penalty-gradient-missing" for q in (
        "reg.dW1", "reg.dW2", "reg.W1_new", "reg.W2_new")}),
    "s3007_rnn_all_correct.yaml": (17, 17, {}),
    "s3008_rnn_last_step_only.yaml": (14, 17, {"rnn.dWx": "shared-weight-last-use-only",
                                               "rnn.db": "shared-weight-last-use-only"}),
    "s3009_conv_pool_all_correct.yaml": (15, 15, {}),
    "s3010_conv_gradient_not_flipped.yaml": (13, 15, {"cnn.dx": "conv-gradient-not-flipped"}),
}


@pytest.mark.parametrize("assignment", EXERCISES)
def test_selftest_is_green(catalog, assignment):
    result = run_selftest(catalog, assignment)
    assert result.failures == [] and result.checks > 20


def test_each_sample_answer_file_gets_its_points_and_flags(catalog):
    graded = grade_folder(ROOT / "exercises", catalog=catalog, time_limit=None)
    by_file = {r.file.replace("\\", "/").rsplit("/", 1)[-1]: r for r in graded.students}
    assert set(by_file) == set(SAMPLES)
    for name, (points, most, lost) in SAMPLES.items():
        student = by_file[name]
        assert (student.points, student.max_points) == (points, most), name
        short = {q.question: q for q in student.questions if q.points < q.max_points}
        assert set(short) == set(lost), name
        for qid, flag in lost.items():
            assert flag in short[qid].verdict.flags, (name, qid, short[qid].verdict.flags)
