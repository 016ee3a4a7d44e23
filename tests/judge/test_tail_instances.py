r"""Answers that differ from the key only far in an activation's tails or just below the ReLU
kink are told apart: one instance puts units of every pre-activation at ±12 and ±1e-6
(:data:`grader.keys.instances.TAILS`), the others stay at moderate magnitudes."""
from __future__ import annotations

import numpy as np
import pytest

from grader.keys.instances import TAILS, TAILS_INSTANCE, scenario_instances

BG, SM, RS = "backprop-general", "softmax-ce", "residual-softmax"
CORRECT, WRONG = "correct", "wrong"
BG_DELTA = r"(W^{[l+1]T} \delta^{[l+1]})"

ROWS = [
    (BG, "task1.i", r"g'(Z^{[l]}) \odot " + BG_DELTA, CORRECT),
    (BG, "task1.i", r"\max(g'(Z^{[l]}), 10^{-3}) \odot " + BG_DELTA, WRONG),
    (BG, "task1.i", r"g'(Z^{[l]}) \mathbb{1}\{Z^{[l]} > -10\} \odot " + BG_DELTA, WRONG),
    (BG, "task1.i", r"g'(Z^{[l]}) \mathbb{1}\{Z^{[l]} > -100\} \odot " + BG_DELTA, CORRECT),
    (BG, "task1.i", r"\min(g'(Z^{[l]}), 10) \odot " + BG_DELTA, CORRECT),
    (RS, "q1c.z1bar", r"\bar{h} \circ \phi'(z_1)", CORRECT),
    (RS, "q1c.z1bar", r"\bar{h} \circ \max(\phi'(z_1), 10^{-3})", WRONG),
    (RS, "q1c.z1bar", r"\bar{h} \circ \phi'(z_1) \mathbb{1}\{z_1 > -10\}", WRONG),
    (RS, "q1c.z1bar", r"\bar{h} \circ \phi'(\max(z_1, -10))", WRONG),
    (RS, "q1c.z1bar", r"\bar{h} \circ \phi'(\max(z_1, -100))", CORRECT),
    # ReLU: just below the kink (and relu' 1{z > -10} is relu' itself)
    (BG, "task2.relu_prime", r"\mathbb{1}\{Z^{[l]} > 0\}", CORRECT),
    (BG, "task2.relu_prime", r"\mathbb{1}\{Z^{[l]} > -10^{-3}\}", WRONG),
    (BG, "task2.relu_prime", r"\mathbb{1}\{Z^{[l]} > 10^{-3}\}", WRONG),
    (SM, "task3.delta_prev", r"\max(\phi'(\tilde{z}^{(L-1)}), 10^{-3}) \odot (w^{(L-1)})^T \delta^{(L)}", WRONG),
    (SM, "task3.delta_prev", r"\phi'(\tilde{z}^{(L-1)}) \mathbb{1}\{\tilde{z}^{(L-1)} > -10\} \odot (w^{(L-1)})^T \delta^{(L)}",
     CORRECT),
]


@pytest.mark.parametrize("assignment_id, question_id, text, expected", ROWS, ids=[f"{a}:{q}:{t}" for a, q, t, _ in ROWS])
def test_tail_answers_get_their_verdict(grade, assignment_id, question_id, text, expected):
    verdict = grade(assignment_id, question_id, text)
    assert verdict.outcome == expected, f"{text!r}: {verdict.outcome} ({verdict.feedback})"


@pytest.mark.parametrize("assignment_id, scenario, node", [(BG, "task1", "Z1"), (RS, "q1", "z1"), (SM, "generic", "zt_prev")])
def test_the_tails_instance_reaches_the_tails(catalog, assignment_id, scenario, node):
    assignment = catalog.assignment(assignment_id)
    instances = scenario_instances(assignment, scenario)
    z = instances[TAILS_INSTANCE].evaluation.values[node]
    assert np.allclose(z[:len(TAILS), 0][:z.shape[0] - 1], TAILS[:z.shape[0] - 1], rtol=1e-12, atol=1e-15)
    others = [i for i in instances if i is not instances[TAILS_INSTANCE]]
    assert all(np.abs(i.evaluation.values[node]).max() < 10 for i in others)
