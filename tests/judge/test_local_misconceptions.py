"""Misconceptions made at one place of the network (issue 18, part 1): the answer is computed
here by hand from the key's own earlier values, the way a student holding the error would, and
must get the catalogue id with the place named; a variant within the answer's rounding of the
key is never flagged."""
import numpy as np
import pytest

from grader.batch.orchestrator import grade_submission
from grader.io.answer_files import Submission
from grader.judge.compare import misconception_flags, rounding
from grader.keys.answer_key import KeyEntry
from grader.parse.numeric.reader import NumericAnswer
from grader.tolerance import Tolerance


def _verdict(catalog, qid, value):
    sub = Submission("<test>", "mlp-numeric", "t", answers={qid: np.asarray(value).tolist()})
    return {q.question: q.verdict for q in grade_submission(sub, catalog).questions}[qid]


def _k(mlp_key, qid):
    return mlp_key[qid].value


def test_sigma_prime_left_out_at_layer_1_only(catalog, mlp_key):
    # δ1 = W2ᵀ δ2 without σ'(z1); W2 is 0.1 everywhere in ex1a (its init)
    delta1 = np.full((2, 3), 0.1).T @ _k(mlp_key, "ex1a.delta2")
    got = _verdict(catalog, "ex1a.delta1", delta1)
    assert got.flags == ("missing-activation-derivative",)
    assert "a1 = sigmoid(z1) only" in got.feedback
    dW1 = delta1 @ np.array([[1, 1, 0, 0, 0]])
    got = _verdict(catalog, "ex1a.dW1", dW1)
    assert "missing-activation-derivative" in got.flags and "a1 = sigmoid(z1)" in got.feedback


def test_tanh_derivative_unsquared_at_one_layer(catalog, mlp_key):
    # ex2a: δ2 = (W3ᵀ δ3) ⊙ (1 − a2) at layer 2 only (W3 = 0.1 everywhere)
    delta2 = (np.full((3, 3), 0.1).T @ _k(mlp_key, "ex2a.delta3")) * (1 - _k(mlp_key, "ex2a.x2"))
    got = _verdict(catalog, "ex2a.delta2", delta2)
    assert got.flags == ("tanh-derivative-no-square",)
    assert "a2 = tanh(z2)" in got.feedback


def test_wrong_layer_input_on_a_network_with_non_square_layers(catalog, mlp_key):
    # ex2a's 4-4-3-3 network: W2 is 3×4, so the error cannot be made everywhere, but at layer 3
    # (3×3) it can: ∂E/∂W3 = δ3 a3ᵀ instead of δ3 a2ᵀ
    dW3 = _k(mlp_key, "ex2a.delta3") @ _k(mlp_key, "ex2a.x3").T
    got = _verdict(catalog, "ex2a.dW3", dW3)
    assert got.flags == ("wrong-layer-input",)
    assert "W3 @ a2" in got.feedback


def test_stray_bias_at_one_layer(catalog, mlp_key):
    # ex2a: ∂E/∂W1 = δ1 xᵀ + b1 (b1 = 0.1); the other layers right
    dW1 = _k(mlp_key, "ex2a.dW1") + 0.1
    got = _verdict(catalog, "ex2a.dW1", dW1)
    assert got.flags == ("stray-bias",)


@pytest.mark.parametrize("answer, variant, flagged", [
    (0.11, 0.1142, False),     # 2 figures: 0.1142 is within the answer's rounding of the key 0.1139
    (0.1142, 0.1142, True),    # 4 figures tell the variant from the key
    (0.114, 0.1142, False),    # 3 figures: 0.1142 - 0.1139 < 0.0005
    (0.2278, 0.2278, True),    # twice the key (missing-half): far beyond any rounding
    (0.23, 0.2278, True),
])
def test_a_variant_within_the_answers_rounding_is_never_flagged(answer, variant, flagged):
    key = KeyEntry(None, np.array([[0.1139]]))
    tol = Tolerance(rtol=0.05, atol=1e-6)  # loose, so that the answer is within tolerance of the variant
    got = misconception_flags(NumericAnswer(np.array([[answer]]), True, None), key, {"missing-half": np.array([[variant]])}, tol=tol)
    assert (got == ("missing-half",)) is flagged


def test_rounding_is_half_a_unit_in_the_last_digit():
    assert rounding(np.array([[0.11, 12.5, -0.0031, 0.0]]))[0].tolist() == pytest.approx([0.005, 0.05, 0.00005, 0.0])


def test_a_correctly_rounded_key_is_never_flagged(catalog, mlp_key):
    for qid in ("ex1a.delta1", "ex1a.dW1", "ex2a.delta2", "ex2b.W1_new", "ex3a.dW3"):
        for figures in (2, 3, 4):
            rounded = [[float(f"{x:.{figures}g}") for x in row] for row in _k(mlp_key, qid)]
            assert _verdict(catalog, qid, rounded).flags == (), (qid, figures)


def test_the_key_correctly_rounded_is_not_the_variant_it_lands_near(catalog, mlp_key):
    # the false flag: ex1a.W1_new to 2 figures (0.099, 0.1) is within tolerance of
    # missing-half's 0.098989, yet it is the key 0.0994943 rounded
    rounded = [[float(f"{x:.2g}") for x in row] for row in _k(mlp_key, "ex1a.W1_new")]
    assert _verdict(catalog, "ex1a.W1_new", rounded).flags == ()
