"""Rows from the shipped exercises' sample files (exercises/): every answer of an all-correct
file is ``correct``; each answer of a file built with one classic mistake (Adam without bias
correction, batch-norm statistics held constant, the penalty left out, a shared weight's last use
only, the convolution gradient not flipped) is ``wrong`` with that mistake's id where the mistake
changes it. The files' numbers were worked out independently of the grader's variants (PyTorch's
formulas for the optimizers, the textbook batch-norm backward, loops for the convolution: see
tests/engine/test_optimizers.py, test_ops_families.py, test_ops_conv.py); the labels are what
each file was built to hold."""
from __future__ import annotations

from pathlib import Path

import yaml

EXERCISES = Path(__file__).resolve().parents[3] / "exercises"

# mistake file -> (the mistake's id, the questions it changes)
MISTAKES = {
    "s3002_adam_no_bias_correction.yaml": ("adam-no-bias-correction", (
        "adam.W2_1", "adam.b1_1", "adam.m2_W2", "adam.v2_W2", "adam.W2_2", "adamw.W1", "adamw.W2")),
    "s3004_batchnorm_statistics_constant.yaml": ("normalization-statistics-constant", ("bn.dx",)),
    "s3006_l2_penalty_gradient_missing.yaml": ("penalty-gradient-missing", (
        "reg.dW1", "reg.dW2", "reg.W1_new", "reg.W2_new")),
    "s3008_rnn_last_step_only.yaml": ("shared-weight-last-use-only", ("rnn.dWx", "rnn.db")),
    "s3010_conv_gradient_not_flipped.yaml": ("conv-gradient-not-flipped", ("cnn.dx",)),
}


def _load(name: str) -> dict:
    return yaml.safe_load((EXERCISES / name).read_text(encoding="utf-8"))


def rows() -> list[tuple]:
    """[assignment, question, answer, verdict, flag] rows, as the hand-written corpus's."""
    out = []
    for path in sorted(EXERCISES.glob("*_all_correct.yaml")):
        doc = _load(path.name)
        out += [(doc["assignment"], q, answer, "correct", None) for q, answer in doc["answers"].items()]
    for name, (flag, questions) in MISTAKES.items():
        doc = _load(name)
        out += [(doc["assignment"], q, doc["answers"][q], "wrong", flag) for q in questions]
    return out
