"""Quantities beyond values and gradients: shapes, parameter counts, Jacobians, skip paths
(seed 003's residual net), checked against the formulas a careful instructor writes."""
import numpy as np
import pytest
import sympy

from grader.course.assignment import load_assignment
from grader.judge.compare import compare_shape
from grader.keys.answer_key import build_key
from grader.parse.numeric.shape import parse_shape
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "residual-tiny.yaml"


@pytest.fixture(scope="module")
def key():
    return build_key(load_assignment(FIXTURE))


def test_shapes_and_parameter_count(key):
    assert key["shape.W1"].value.tolist() == [[3, 3]]
    assert key["shape.W2"].value.tolist() == [[1, 3]]
    assert key["shape.z2"].value.tolist() == [[3, 1]]
    assert key["nparams"].value.tolist() == [[12]]  # d² + d with d = 3


def test_residual_gradients_follow_seed003_formulas(key):
    W1 = np.array([[1, -2, 0.5], [0, 1, 1], [-1, 0, 2]])
    W2 = np.array([[0.5, -1, 2]])
    x, t = np.array([[1], [0.5], [-1]]), 2.0
    z1 = W1 @ x
    z2 = np.maximum(z1, 0) + x
    y = W2 @ z2
    ybar = y - t                                     # ȳ = y − t
    z2bar = W2.T * ybar                              # z̄2 = W2ᵀ ȳ
    z1bar = z2bar * (z1 > 0)                         # z̄1 = h̄ ∘ φ'(z1)
    expected = {"ybar": ybar, "W2bar": ybar * z2.T, "z2bar": z2bar, "hbar": z2bar, "z1bar": z1bar,
                "W1bar": z1bar @ x.T, "xbar": W1.T @ z1bar + z2bar}  # x̄ keeps the skip path
    for qid, value in expected.items():
        np.testing.assert_allclose(key[qid].value, value, rtol=1e-15, err_msg=qid)


def test_softmax_jacobian_is_diag_p_minus_ppT_exactly(key):
    z = [sympy.Integer(v) for v in (1, 2, 3)]
    p = [sympy.exp(zi) / sum(sympy.exp(zj) for zj in z) for zi in z]
    J = key["jac"].exact
    for i in range(3):
        for j in range(3):
            expected = p[i] * ((1 if i == j else 0) - p[j])
            assert abs(float(J[i, j] - expected)) < 1e-15
    np.testing.assert_allclose(key["dLdz"].value.ravel(), [float(pi) for pi in p] - np.array([0, 0, 1]), rtol=1e-14)


@pytest.mark.parametrize("text, shape", [
    ("3x5", (3, 5)), ("3 X 5", (3, 5)), (r"3 \times 5", (3, 5)), ("3×5", (3, 5)), ("(3, 5)", (3, 5)),
    ("[3, 5]", (3, 5)), (r"\mathbb{R}^{3 \times 5}", (3, 5)), (r"$\mathbb{R}^{3}$", (3, 1)), ("R^3", (3, 1)),
    ("ℝ^{2x1}", (2, 1)), ("4", (4, 1)), (["2", "3"], (2, 3)),
])
def test_shape_answers(text, shape):
    assert parse_shape(text) == shape


@pytest.mark.parametrize("text, category", [
    ("C x d", "syntax"), ("3x5x2", "syntax"), ("0x3", "value"), ("", "value"), ("nan", "syntax"), (["1", "2", "3"], "value"),
])
def test_bad_shape_answers(text, category):
    from grader.errors import AnswerError
    with pytest.raises(AnswerError) as e:
        parse_shape(text)
    assert e.value.category == category


def test_swapped_shape_is_named(key):
    assert compare_shape((3, 1), key["shape.W2"]).feedback == "rows and columns swapped: got 3×1"
    assert compare_shape((1, 3), key["shape.W2"]).correct
