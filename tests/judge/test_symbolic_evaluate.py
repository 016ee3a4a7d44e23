"""Symbolic evaluation applies the engine's own float ops: one sigmoid, one ReLU'(0) convention,
one softmax, so an answer is judged by the math its key was computed with."""
from __future__ import annotations

import numpy as np
import pytest

from grader.engine.backends import FLOAT
from grader.engine.ops import OPS, Ctx, Rules
from grader.judge.symbolic.evaluate import DIFFERENTIABLE, FUNCTIONS, Env, ShapeError, evaluate
from grader.parse.expression import tree as A

X = np.array([[-800.0], [-3.5], [0.0], [0.25], [40.0]])


def _env(act: str = "tanh", relu_at_zero: float = 0.0) -> Env:
    return Env({"x": X}, act=act, relu_grad_at_zero=relu_at_zero)


def _engine(fn: str, relu_at_zero: float = 0.0):
    ctx = Ctx(FLOAT, Rules(relu_grad_at_zero=relu_at_zero))
    with np.errstate(all="ignore"):  # log of a negative entry, exp(800): NaN and inf, as in grading
        out = OPS[fn].forward(ctx, X)
        (grad,) = OPS[fn].backward(ctx, np.ones_like(X), out, X)
    return out, grad


@pytest.mark.parametrize("fn", sorted(DIFFERENTIABLE))
def test_a_function_and_its_derivative_are_the_engines(fn):
    out, grad = _engine(fn)
    with np.errstate(all="ignore"):
        got = evaluate(A.Call(fn, (A.Sym("x"),)), _env())
        got_grad = evaluate(A.Derivative(fn, A.Sym("x")), _env())
    np.testing.assert_array_equal(got, out)
    np.testing.assert_array_equal(got_grad, grad)


def test_sigmoid_far_below_zero_does_not_overflow():
    with np.errstate(over="raise"):  # 1 / (1 + exp(800)) would overflow
        got = evaluate(A.Call("sigmoid", (A.Sym("x"),)), _env())
    assert got[0, 0] == 0.0 < got[1, 0]


def test_relu_derivative_at_zero_follows_the_instance_convention():
    for at_zero in (0.0, 0.5, 1.0):
        got = evaluate(A.Derivative("relu", A.Sym("x")), _env(relu_at_zero=at_zero))
        assert got[:, 0].tolist() == [0.0, 0.0, at_zero, 1.0, 1.0]


def test_act_is_the_instance_activation():
    for act in ("tanh", "sigmoid", "softplus"):
        np.testing.assert_array_equal(evaluate(A.Call("act", (A.Sym("x"),)), _env(act)), _engine(act)[0])


def test_softmax_is_the_engines_and_has_no_elementwise_derivative():
    with np.errstate(all="ignore"):
        got = evaluate(A.Call("softmax", (A.Sym("x"),)), _env())
    np.testing.assert_array_equal(got, _engine("softmax")[0])
    assert "softmax" in FUNCTIONS - DIFFERENTIABLE
    with pytest.raises(ShapeError, match="derivative of softmax"):
        evaluate(A.Derivative("softmax", A.Sym("x")), _env())
