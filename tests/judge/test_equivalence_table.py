r"""Symbolic answers graded end to end: one table of (assignment, question, answer, verdict).

Every row is graded as the pipeline grades it: ``parse_answer`` with the question's symbol
table, then ``compare_expression`` against the key on the assignment's random instances. The
answers are the ways students really write them (the seeds in ``shared/seeds``: ``\hat{y} - y``,
``\vec{y}^* - \vec{y}``, ``W^{(2)T}(y - t)``, ``\bar{h} \circ \phi'(z_1)``, ``-y_k y_{k'}``, ...),
plain text and LaTeX, and the mistakes they really make (sign flips, a missing transpose, a
stray bias, the wrong ReLU derivative, the missing skip path, a lost factor 2 or 1/m, ...).

The rows are grouped by the verdict they must get:

* ``EQUIVALENT``: "correct"; ``TRANSPOSED``: "transposed" (a layout convention);
* ``NOT_EQUIVALENT``: "wrong"; ``SHAPE_MISMATCH``: "wrong shape";
* ``MUST_NOT_PARSE``: refused with an ``AnswerError`` of the given category (code, huge
  powers, unknown symbols and functions, malformed text).

A row the grader currently gets wrong is marked ``xfail(strict=True, reason="BUG: ...")``: the
expectation states what the verdict should be, and the mark comes off when the bug is fixed.
"""
from __future__ import annotations

import pytest

from grader.errors import AnswerError

from tests.judge.expression_grading import check_outcome

SM, BG, RS = "softmax-ce", "backprop-general", "residual-softmax"
TAG = {SM: "sm", BG: "bg", RS: "rs"}

CORRECT, TRANSPOSE, WRONG, SHAPE = "correct", "transposed", "wrong", "wrong shape"
CATEGORIES = ("syntax", "unknown-symbol", "unknown-function", "limit")

# -- known bugs (each row carrying one is xfail(strict=True)) -----------------------------------
BUG_ROW_LAYOUT = ("index-notation answers never get 'transposed': row k of dL/dW written as a row "
                  "vector, (y_k - t_k) x^T, is 'wrong shape' while (y - t)^T is 'transposed'")


def _row(assignment: str, question: str, text: str, expected: str, what: str, bug: str | None):
    marks = [pytest.mark.xfail(strict=True, reason=f"BUG: {bug}")] if bug else []
    return pytest.param(assignment, question, text, expected, marks=marks,
                        id=f"{TAG[assignment]}:{question}:{what}")


def eq(a, q, text, what, bug=None):
    return _row(a, q, text, CORRECT, what, bug)


def tr(a, q, text, what, bug=None):
    return _row(a, q, text, TRANSPOSE, what, bug)


def ne(a, q, text, what, bug=None):
    return _row(a, q, text, WRONG, what, bug)


def sh(a, q, text, what, bug=None):
    return _row(a, q, text, SHAPE, what, bug)


def bad(a, q, text, category, what, bug=None):
    assert category in CATEGORIES
    return _row(a, q, text, category, what, bug)


# =============================================================================================
# EQUIVALENT: "correct"
# =============================================================================================
EQUIVALENT = [
    # --- softmax-ce (seeds 000, 001) ---------------------------------------------------------
    eq(SM, "task1.delta_L", r"\hat{y} - y", "reference"),
    eq(SM, "task1.delta_L", r"y_hat - y", "plain y_hat"),
    eq(SM, "task1.delta_L", "ŷ − y", "unicode hat and minus"),
    eq(SM, "task1.delta_L", r"yhat - y", "plain yhat"),
    eq(SM, "task1.delta_L", r"\vec{y}^* - \vec{y}", "seed000 vec-star"),
    eq(SM, "task1.delta_L", r"\hat y - y", "hat without braces"),
    eq(SM, "task1.delta_L", r"-y + \hat{y}", "commuted"),
    eq(SM, "task1.delta_L", r"-(y - \hat{y})", "negated difference"),
    eq(SM, "task1.delta_L", r"\frac{\partial L}{\partial \tilde{z}^{(L)}} = \hat{y} - y", "lhs partial"),
    eq(SM, "task1.delta_L", r"\delta^{(L)} = \hat{y} - y", "lhs delta"),
    eq(SM, "task1.delta_L", r"((\hat{y}) - (y))", "extra parentheses"),
    eq(SM, "task1.delta_L", r"   \hat{y}   -   y   ", "extra spaces"),
    eq(SM, "task1.delta_L", r"$\hat{y} - y$", "dollar delimiters"),
    eq(SM, "task1.delta_L", r"softmax(\tilde{z}^{(L)}) - y", "softmax of the logits"),
    eq(SM, "task1.delta_L", r"\hat{y}_j - y_j", "seed000 entry-wise"),
    eq(SM, "task1.delta_L", r"\sum_{i=1}^C -y_i (\delta_{ij} - \hat{y}_j)", "seed000 sum with kronecker"),
    eq(SM, "task1.delta_L", r"-y_j + \hat{y}_j \sum_{i=1}^C y_i", "seed000 sum of targets"),

    eq(SM, "task2a.grad_W", r"\delta^{(L)} (z^{(L-1)})^T", "reference"),
    eq(SM, "task2a.grad_W", r"\delta^{[L]} z^{[L-1]T}", "square-bracket tags, T in the tag"),
    eq(SM, "task2a.grad_W", r"\delta^{(L)} \cdot (z^{(L-1)})^T", "cdot"),
    eq(SM, "task2a.grad_W", r"(\hat{y} - y) (z^{(L-1)})^T", "delta substituted"),
    eq(SM, "task2a.grad_W", r"\frac{\partial L}{\partial w^{(L-1)}} = \delta^{(L)} (z^{(L-1)})^T", "lhs partial"),
    eq(SM, "task2a.grad_W", r"delta_L @ z^{(L-1)}.T", "plain matmul .T"),
    eq(SM, "task2a.grad_W", r"(z^{(L-1)} \delta^{(L)T})^T", "double transpose"),
    eq(SM, "task2a.grad_W", r"\hat{y} z^{(L-1)T} - y z^{(L-1)T}", "distributed"),
    eq(SM, "task2a.grad_W", r"\delta^{(L)} \phi(\tilde{z}^{(L-1)})^T", "activation written out"),
    eq(SM, "task2a.grad_W", r"\delta^{(L)} \max(0, \tilde{z}^{(L-1)})^T", "relu as max"),
    eq(SM, "task2a.grad_W", r"\delta_i^{(L)} z_j^{(L-1)}", "entry-wise for the matrix"),

    eq(SM, "task2a.grad_W_ij", r"\delta_i^{(L)} z_j^{(L-1)}", "reference"),
    eq(SM, "task2a.grad_W_ij", r"\delta_i^{(L)} \cdot z_j^{(L-1)}", "seed000 cdot"),
    eq(SM, "task2a.grad_W_ij", r"z_j^{(L-1)} \delta_i^{(L)}", "commuted"),
    eq(SM, "task2a.grad_W_ij", r"(\hat{y}_i - y_i) z_j^{(L-1)}", "delta substituted"),
    eq(SM, "task2a.grad_W_ij", r"\frac{\partial L}{\partial w_{ij}^{(L-1)}} = \delta_i^{(L)} z_j^{(L-1)}", "lhs partial"),
    eq(SM, "task2a.grad_W_ij", r"\delta_{i}^{[L]} z_{j}^{[L-1]}", "braced subscripts, square tags"),
    eq(SM, "task2a.grad_W_ij", r"(\hat{y}_i - y_i) a_j^{(L-1)}", "a for the activation"),

    eq(SM, "task2a.dims", r"C x d_{L-1}", "reference"),
    eq(SM, "task2a.dims", r"C \times d_{L-1}", "times"),
    eq(SM, "task2a.dims", r"\mathbb{R}^{C \times d_{L-1}}", "real space"),
    eq(SM, "task2a.dims", r"\mathbb{R}^{c \times d_{L-1}}", "seed000 lower-case c"),
    eq(SM, "task2a.dims", r"K \times d_{L-1}", "K classes"),
    eq(SM, "task2a.dims", "C × d_{L−1}", "unicode times and minus"),

    eq(SM, "task2b.grad_b", r"\hat{y} - y", "reference"),
    eq(SM, "task2b.grad_b", r"\delta^{(L)}", "delta"),
    eq(SM, "task2b.grad_b", r"\nabla_{b^{(L-1)}} \mathcal{L} = \delta^{(L)} = \vec{y}^* - \vec{y}", "seed000 chain of equalities"),
    eq(SM, "task2b.grad_b", r"\hat{y}_i - y_i", "entry-wise"),

    eq(SM, "task2b.dims", r"C x 1", "reference"),
    eq(SM, "task2b.dims", r"\mathbb{R}^C", "real space"),
    eq(SM, "task2b.dims", r"\mathbb{R}^c", "seed000 lower-case c"),
    eq(SM, "task2b.dims", r"C", "one size"),
    eq(SM, "task2b.dims", r"\mathbb{R}^{C \times 1}", "real space column"),
    eq(SM, "task2b.dims", r"b^{(L-1)} \in \mathbb{R}^c", "seed000 membership"),

    eq(SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot \phi'(\tilde{z}^{(L-1)})", "reference"),
    eq(SM, "task3.delta_prev", r"\phi'(\tilde{z}^{(L-1)}) \odot (w^{(L-1)})^T \delta^{(L)}", "commuted hadamard"),
    eq(SM, "task3.delta_prev", r"w^{(L-1)T} \delta^{(L)} \odot \varphi'(\tilde{z}^{(L-1)})", "varphi, no parentheses"),
    eq(SM, "task3.delta_prev", r"(W^{(L-1)T} \delta^{(L)}) \circ \mathbb{1}\{\tilde z^{(L-1)} > 0\}", "mathbb indicator"),
    eq(SM, "task3.delta_prev", r"((w^{(L-1)})^T (\hat{y} - y)) \odot 1\{\tilde{z}^{(L-1)} > 0\}", "delta substituted, 1{}"),
    eq(SM, "task3.delta_prev", r"((\omega^{(L-1)})^T \delta^{(L)}) \odot 1_{\{\tilde{z}^{(L-1)} > 0\}}", "seed001 omega, 1_{}"),
    eq(SM, "task3.delta_prev", r"(\delta^{(L)T} w^{(L-1)})^T \odot \phi'(\tilde{z}^{(L-1)})", "double transpose"),
    eq(SM, "task3.delta_prev", r"((w^{(L-1)})^T \hat{y} - (w^{(L-1)})^T y) \odot \phi'(\tilde{z}^{(L-1)})", "distributed"),
    eq(SM, "task3.delta_prev", r"\left( (w^{(L-1)})^{\top} \delta^{(L)} \right) \odot \phi^{\prime}(\tilde{z}^{(L-1)})", "left-right, top, prime"),
    eq(SM, "task3.delta_prev", "W^{(L-1)}ᵀ δ^{(L)} ⊙ 1{\\tilde{z}^{(L-1)} > 0}", "unicode"),
    eq(SM, "task3.delta_prev", r"W^{(L-1)}.T @ delta_L * phi'(zt^{(L-1)})", "plain numpy"),
    eq(SM, "task3.delta_prev", r"W^{(L-1)}.T @ delta_L .* relu'(zt^{(L-1)})", "plain relu'"),
    eq(SM, "task3.delta_prev", r"\phi'(\tilde{z}_j^{(L-1)}) \sum_i w_{ij}^{(L-1)} \delta_i^{(L)}", "entry-wise sum"),

    eq(SM, "task3.negative", r"0", "reference"),
    eq(SM, "task3.negative", r"\delta_j^{(L-1)} = 0", "lhs"),
    eq(SM, "task3.negative", r"\phi'(\tilde{z}_j^{(L-1)}) \sum_i w_{ij}^{(L-1)} \delta_i^{(L)}", "general formula"),

    # --- backprop-general (seed 002) ---------------------------------------------------------
    eq(BG, "task1.i", r"g'(Z^{[l]}) \odot (W^{[l+1]T} \delta^{[l+1]})", "reference"),
    eq(BG, "task1.i", r"g^{[l]'}(Z^{[l]}) \odot \left(W^{[l+1]T} * \delta^{[l+1]} \right)", "seed002 statement"),
    eq(BG, "task1.i", r"\delta^{[l]} = g^{[l]'}(Z^{[l]}) \odot (W^{[l+1]T} \delta^{[l+1]})", "lhs"),
    eq(BG, "task1.i", r"(W^{[l+1]})^T \delta^{[l+1]} \odot g'(z^{[l]})", "commuted"),
    eq(BG, "task1.i", r"(\delta^{[l+1]T} W^{[l+1]})^T \odot g'(Z^{[l]})", "double transpose"),
    eq(BG, "task1.i", r"f'(Z^{[l]}) \circ (W^{[l+1]T} \delta^{[l+1]})", "f and circ"),
    eq(BG, "task1.i", r"g'(Z^{[l]}) \odot (W^{[l+1]T} @ \delta^{[l+1]})", "at-sign matmul"),

    eq(BG, "task1.ii", r"J'(A^{[L]}) \odot g'(Z^{[L]})", "reference"),
    eq(BG, "task1.ii", r"g^{[L]'}(Z^{[L]}) \odot J'(A^{[L]})", "seed002 order"),
    eq(BG, "task1.ii", r"\delta^{[L]} = J'(a^{[L]}) \circ g'(z^{[L]})", "lhs, lower case"),
    eq(BG, "task1.ii", r"J'(g(Z^{[L]})) \odot g'(Z^{[L]})", "A written as g(Z)"),

    eq(BG, "task2.delta_L", r"\frac{2}{m} (A^{[L]} - Y)", "reference"),
    eq(BG, "task2.delta_L", r"\frac{2}{m}(Z^{[L]} - Y)", "identity output Z"),
    eq(BG, "task2.delta_L", r"-\frac{2}{m}(Y - Z^{[L]})", "seed002 sign form"),
    eq(BG, "task2.delta_L", r"\frac{2 (\hat{Y} - Y)}{m}", "one fraction"),
    eq(BG, "task2.delta_L", r"2/m * (A^{[L]} - Y)", "plain"),
    eq(BG, "task2.delta_L", r"(2/m)(\hat{y} - y)", "plain lower case"),
    eq(BG, "task2.delta_L", r"\frac{2}{m} A^{[L]} - \frac{2}{m} Y", "distributed"),
    eq(BG, "task2.delta_L", r"\frac{1}{m} \cdot 2 (Z^{[L]} - Y)", "scalars commuted"),
    eq(BG, "task2.delta_L", r"\frac{\partial J}{\partial Z^{[L]}} = \frac{2}{m}(Z^{[L]} - Y)", "lhs partial"),
    eq(BG, "task2.delta_L", r"\frac{2}{m}\left(Z^{[L]} - Y\right)", "left-right"),

    eq(BG, "task2.dW_L", r"\delta^{[L]} A^{[L-1]T}", "reference"),
    eq(BG, "task2.dW_L", r"\delta^{[L]} (A^{[L-1]})^T", "parenthesised transpose"),
    eq(BG, "task2.dW_L", r"\frac{2}{m}(Z^{[L]} - Y) A^{[L-1]T}", "delta substituted"),
    eq(BG, "task2.dW_L", r"\delta^{[L]} relu(Z^{[L-1]})^T", "relu written out"),
    eq(BG, "task2.dW_L", r"\delta^{[L]} \max(0, Z^{[L-1]})^T", "relu as max"),
    eq(BG, "task2.dW_L", r"delta^{[L]} @ a^{[L-1]}.T", "plain"),
    eq(BG, "task2.dW_L", r"(A^{[L-1]} \delta^{[L]T})^T", "double transpose"),

    eq(BG, "task2.db_L", r"\delta^{[L]} ones", "reference"),
    eq(BG, "task2.db_L", r"\delta^{[L]} \vec{e}", "vec e"),
    eq(BG, "task2.db_L", r"\frac{2}{m}(Z^{[L]} - Y) ones", "delta substituted"),
    eq(BG, "task2.db_L", r"\delta^{[L]} \mathbf{1}", "mathbf one"),

    eq(BG, "task2.relu_prime", r"\mathbb{1}\{Z^{[l]} > 0\}", "reference"),
    eq(BG, "task2.relu_prime", r"1\{Z^{[l]} > 0\}", "plain 1{}"),
    eq(BG, "task2.relu_prime", r"1_{\{Z^{[L-1]} > 0\}}", "subscript indicator"),
    eq(BG, "task2.relu_prime", r"\mathbb{1}[Z^{[l]} > 0]", "square brackets"),
    eq(BG, "task2.relu_prime", r"g'(Z^{[l]})", "g'"),
    eq(BG, "task2.relu_prime", r"relu'(Z^{[l]})", "relu'"),

    eq(BG, "task2.delta_l", r"\mathbb{1}\{Z^{[l]} > 0\} \odot (W^{[L]T} \delta^{[L]})", "reference"),
    eq(BG, "task2.delta_l", r"(W^{[L]})^T \delta^{[L]} \odot 1\{Z^{[l]} > 0\}", "commuted"),
    eq(BG, "task2.delta_l", r"g'(Z^{[l]}) \odot (W^{[L]T} \delta^{[L]})", "g'"),
    eq(BG, "task2.delta_l", r"W^{[L]T} \delta^{[L]} \odot relu'(Z^{[L-1]})", "relu' at L-1"),

    eq(BG, "task2.dW_l", r"\delta^{[l]} A^{[l-1]T}", "reference"),
    eq(BG, "task2.dW_l", r"\delta^{[L-1]} (A^{[L-2]})^T", "L-1 and L-2 tags"),
    eq(BG, "task2.dW_l", r"(1\{Z^{[l]} > 0\} \odot (W^{[L]T} \delta^{[L]})) A^{[l-1]T}", "delta substituted"),
    eq(BG, "task2.dW_l", r"(A^{[l-1]} \delta^{[l]T})^T", "double transpose"),

    # --- residual-softmax (seed 003) ---------------------------------------------------------
    eq(RS, "q1a.W1_shape", r"d x d", "reference"),
    eq(RS, "q1a.W1_shape", r"d \times d", "times"),
    eq(RS, "q1a.W1_shape", r"\mathbb{R}^{d \times d}", "real space"),
    eq(RS, "q1a.W1_shape", r"W^{(1)} \in \mathbb{R}^{d \times d}", "seed003 membership"),
    eq(RS, "q1a.W2_shape", r"1 x d", "reference"),
    eq(RS, "q1a.W2_shape", r"1 \times d", "times"),
    eq(RS, "q1a.W2_shape", r"\mathbb{R}^{1 \times d}", "real space"),
    eq(RS, "q1a.z2_shape", r"d x 1", "reference"),
    eq(RS, "q1a.z2_shape", r"\mathbb{R}^d", "seed003 real space"),
    eq(RS, "q1a.z2_shape", r"d", "one size"),
    eq(RS, "q1a.z2_shape", r"z_2 \in \mathbb{R}^d", "seed003 membership"),

    eq(RS, "q1b.params", r"d^2 + d", "reference"),
    eq(RS, "q1b.params", r"d(d+1)", "factored"),
    eq(RS, "q1b.params", r"d + d^2", "commuted"),
    eq(RS, "q1b.params", r"d \cdot d + d", "cdot"),
    eq(RS, "q1b.params", r"d \times d + 1 \times d", "sum of the two shapes"),
    eq(RS, "q1b.params", r"d*d + d", "plain star"),
    eq(RS, "q1b.params", r"d**2 + d", "plain double star"),
    eq(RS, "q1b.params", "d²+d", "unicode square"),
    eq(RS, "q1b.params", r"\frac{2d^2 + 2d}{2}", "unsimplified fraction"),

    eq(RS, "q1c.ybar", r"y - t", "reference"),
    eq(RS, "q1c.ybar", r"(y - t)", "seed003 parenthesised"),
    eq(RS, "q1c.ybar", r"\bar{y} = \frac{\partial L}{\partial y} = (y - t)", "seed003 chain"),
    eq(RS, "q1c.ybar", r"-t + y", "commuted"),
    eq(RS, "q1c.ybar", r"W^{(2)} z_2 - t", "y written out"),
    eq(RS, "q1c.ybar", r"\frac{1}{2} \cdot 2 (y - t)", "unsimplified"),

    eq(RS, "q1c.W2bar", r"(y - t) z_2^T", "reference"),
    eq(RS, "q1c.W2bar", r"\bar{y} z_2^T", "ybar"),
    eq(RS, "q1c.W2bar", r"(y - t) (h + x)^T", "z2 written out"),
    eq(RS, "q1c.W2bar", r"ybar * z2.T", "plain"),
    eq(RS, "q1c.W2bar", r"(y-t) z^{(2)T}", "layer tag spelling"),
    eq(RS, "q1c.W2bar", r"\bar{W}^{(2)} = (y - t) z_2^T", "lhs bar"),
    eq(RS, "q1c.W2bar", r"y z_2^T - t z_2^T", "distributed"),
    eq(RS, "q1c.W2bar", r"(z_2 (y-t))^T", "double transpose"),

    eq(RS, "q1c.z2bar", r"W^{(2)T} (y - t)", "reference"),
    eq(RS, "q1c.z2bar", r"W^{(2)T}(y-t)", "no spaces"),
    eq(RS, "q1c.z2bar", r"(W^{(2)})^{\top} \bar{y}", "top and ybar"),
    eq(RS, "q1c.z2bar", r"(y - t) W^{(2)T}", "scalar commuted"),
    eq(RS, "q1c.z2bar", r"W_2^T (y - t)", "subscript spelling"),
    eq(RS, "q1c.z2bar", r"W2.T @ (y - t)", "plain"),
    eq(RS, "q1c.z2bar", "W^{(2)ᵀ}(y − t)", "unicode transpose and minus"),

    eq(RS, "q1c.hbar", r"W^{(2)T} (y - t)", "reference"),
    eq(RS, "q1c.hbar", r"\bar{z}_2", "z2bar"),
    eq(RS, "q1c.hbar", r"\bar{z_2}", "bar over subscript"),
    eq(RS, "q1c.hbar", r"\bar{h} = \bar{z}_2", "lhs"),
    eq(RS, "q1c.hbar", r"W^{[2]T} (y - t)", "square tag"),

    eq(RS, "q1c.z1bar", r"\bar{h} \circ \phi'(z_1)", "reference"),
    eq(RS, "q1c.z1bar", r"\phi'(z_1) \odot \bar{h}", "commuted odot"),
    eq(RS, "q1c.z1bar", r"\bar{h} \odot \varphi'(z_1)", "varphi"),
    eq(RS, "q1c.z1bar", r"\bar h \circ \phi'(z_1)", "bar without braces"),
    eq(RS, "q1c.z1bar", "h̄ ∘ φ'(z_1)", "unicode"),
    eq(RS, "q1c.z1bar", r"\bar{h} \circ G'(z_1)", "seed003 G"),
    eq(RS, "q1c.z1bar", r"W^{(2)T}(y - t) \circ \phi'(z_1)", "hbar substituted"),
    eq(RS, "q1c.z1bar", r"(W^{(2)T}(y - t)) \odot \phi'(W^{(1)} x)", "z1 written out"),
    eq(RS, "q1c.z1bar", r"hbar * phi'(z1)", "plain"),
    eq(RS, "q1c.z1bar", r"(\bar{h}^T \circ \phi'(z_1)^T)^T", "double transpose"),

    eq(RS, "q1c.W1bar", r"\bar{z}_1 x^T", "reference"),
    eq(RS, "q1c.W1bar", r"\bar{z_1} x^T", "bar over subscript"),
    eq(RS, "q1c.W1bar", r"(\bar{h} \circ \phi'(z_1)) x^T", "z1bar substituted"),
    eq(RS, "q1c.W1bar", r"z1bar @ x.T", "plain"),
    eq(RS, "q1c.W1bar", r"(x \bar{z}_1^T)^T", "double transpose"),

    eq(RS, "q1c.xbar", r"W^{(1)T} \bar{z}_1 + \bar{z}_2", "reference"),
    eq(RS, "q1c.xbar", r"\bar{z}_2 + W^{(1)T} \bar{z}_1", "commuted"),
    eq(RS, "q1c.xbar", r"\bar{x} = W^{(1)T} \bar{z}_1 + \bar{z}_2", "lhs bar x"),
    eq(RS, "q1c.xbar", r"(W^{(1)})^T \bar{z}_1 + W^{(2)T}(y - t)", "z2bar substituted"),
    eq(RS, "q1c.xbar", r"W^{(1)T} (\bar{h} \circ \phi'(z_1)) + \bar{h}", "in terms of hbar"),
    eq(RS, "q1c.xbar", r"W^{(1)T} \bar{z}_1 + \bar{h}", "skip path as hbar"),
    eq(RS, "q1c.xbar", r"(\bar{z}_1^T W^{(1)})^T + \bar{z}_2", "double transpose"),
    eq(RS, "q1c.xbar", r"W1.T @ z1bar + z2bar", "plain"),
    eq(RS, "q1c.xbar", r"W_1^T zbar_1 + zbar_2", "plain zbar_"),

    eq(RS, "q2a.same", r"y_k (1 - y_k)", "reference"),
    eq(RS, "q2a.same", r"y_k(1-y_k)", "no spaces"),
    eq(RS, "q2a.same", r"y_k - y_k^2", "expanded"),
    eq(RS, "q2a.same", r"y_k - y_k y_k", "expanded product"),
    eq(RS, "q2a.same", r"(1 - y_k) y_k", "commuted"),
    eq(RS, "q2a.same", r"\frac{\partial y_k}{\partial z_{k'}} = y_k (1 - y_k)", "lhs partial"),
    eq(RS, "q2a.same", r"\frac{e^{z_k}}{\sum_j e^{z_j}} (1 - \frac{e^{z_k}}{\sum_j e^{z_j}})", "seed003 exp form"),
    eq(RS, "q2a.same", r"\frac{e^{z_k} \sum_j e^{z_j} - e^{z_k} e^{z_k}}{(\sum_j e^{z_j})^2}", "seed003 quotient rule"),
    eq(RS, "q2a.same", r"y_k (\delta_{kk'} - y_{k'})", "general kronecker form"),
    # y_k(1 - y_{k'}) is y_k(1 - y_k) when k = k', the case this question asks about (seed 003
    # writes it that way before substituting): right on the diagonal, wrong off it (below)
    eq(RS, "q2a.same", r"y_k(1-y_{k'})", "seed003 k-prime form on the diagonal"),

    eq(RS, "q2a.other", r"-y_k y_{k'}", "reference"),
    eq(RS, "q2a.other", r"- y_{k'} y_k", "seed003 order"),
    eq(RS, "q2a.other", r"-y_k y_k'", "prime without braces"),
    eq(RS, "q2a.other", r"-y_{k}\cdot y_{k'}", "cdot"),
    eq(RS, "q2a.other", r"y_k (\delta_{kk'} - y_{k'})", "general kronecker form"),
    eq(RS, "q2a.other", r"-\frac{e^{z_{k'}}}{\sum_j e^{z_j}} \frac{e^{z_k}}{\sum_j e^{z_j}}", "seed003 exp form"),
    eq(RS, "q2a.other", r"\frac{0 - e^{z_{k'}} e^{z_k}}{(\sum_{j=1}^N e^{z_j})^2}", "seed003 quotient rule"),

    eq(RS, "q2b.dz", r"y_k - t_k", "reference"),
    eq(RS, "q2b.dz", r"-t_k + y_k", "commuted"),
    eq(RS, "q2b.dz", r"\frac{\partial L}{\partial z_k} = y_k - t_k", "lhs partial"),
    eq(RS, "q2b.dz", r"\sum_{j} t_{j} y_k - t_k", "seed003 before one-hot"),
    eq(RS, "q2b.dz", r"y_k \sum_j t_j - t_k", "sum factored"),
    eq(RS, "q2b.dz", r"\sum_j t_j (y_k - \delta_{jk})", "sum with kronecker"),
    eq(RS, "q2b.dz", r"\frac{e^{z_k}}{\sum_j e^{z_j}} - t_k", "softmax written out"),

    eq(RS, "q2c.dw", r"(y_k - t_k) x", "reference"),
    eq(RS, "q2c.dw", r"x (y_k - t_k)", "commuted"),
    eq(RS, "q2c.dw", r"\frac{\partial L}{\partial w_k} = (y_k - t_k) x", "lhs partial"),
    eq(RS, "q2c.dw", r"y_k x - t_k x", "distributed"),
    eq(RS, "q2c.dw", r"((y_k - t_k) x^T)^T", "double transpose"),
    eq(RS, "q2c.dw", r"(y_k - t_k) \mathbf{x}", "bold x"),
]

# =============================================================================================
# TRANSPOSED: "transposed" (equivalent up to the layout convention)
# =============================================================================================
TRANSPOSED = [
    # "wrong" before issue 17: a swapped shape is the mistake of a transposed matrix, the same verdict
    tr(SM, "task2a.dims", r"d_{L-1} \times C", "swapped shape"),
    tr(SM, "task2a.dims", r"\mathbb{R}^{d_{L-1} \times C}", "swapped real space"),
    tr(SM, "task2b.dims", r"1 x C", "swapped shape"),
    tr(SM, "task2b.dims", r"\mathbb{R}^{1 \times C}", "swapped real space"),
    tr(RS, "q1a.W2_shape", r"d x 1", "swapped shape"),
    tr(RS, "q1a.z2_shape", r"1 x d", "swapped shape"),
    tr(RS, "q1a.W2_shape", r"\mathbb{R}^d", "column for a row"),
    tr(SM, "task1.delta_L", r"(\hat{y} - y)^T", "row vector"),
    tr(SM, "task2a.grad_W", r"z^{(L-1)} (\delta^{(L)})^T", "denominator layout"),
    tr(SM, "task2a.grad_W", r"z^{(L-1)} (\hat{y} - y)^T", "denominator layout substituted"),
    tr(SM, "task2a.grad_W", r"(\delta^{(L)} (z^{(L-1)})^T)^T", "transposed reference"),
    tr(SM, "task2b.grad_b", r"\delta^{(L)T}", "row vector"),
    tr(SM, "task3.delta_prev", r"(\delta^{(L)T} w^{(L-1)}) \odot \phi'(\tilde{z}^{(L-1)})^T", "row vector"),
    tr(BG, "task1.i", r"(g'(Z^{[l]}) \odot (W^{[l+1]T} \delta^{[l+1]}))^T", "transposed reference"),
    tr(BG, "task1.ii", r"(J'(A^{[L]}) \odot g'(Z^{[L]}))^T", "transposed reference"),
    tr(BG, "task2.delta_L", r"\frac{2}{m}(Z^{[L]} - Y)^T", "examples as rows"),
    tr(BG, "task2.dW_L", r"A^{[L-1]} \delta^{[L]T}", "denominator layout"),
    tr(BG, "task2.dW_L", r"(\delta^{[L]} A^{[L-1]T})^T", "transposed reference"),
    tr(BG, "task2.relu_prime", r"1\{Z^{[l]T} > 0\}", "examples as rows"),
    tr(BG, "task2.delta_l", r"\delta^{[L]T} W^{[L]} \odot 1\{Z^{[l]T} > 0\}", "examples as rows"),
    tr(BG, "task2.db_L", r"ones^T \delta^{[L]T}", "row vector"),
    tr(BG, "task2.db_L", r"(\delta^{[L]} ones)^T", "transposed reference"),
    tr(BG, "task2.dW_l", r"A^{[l-1]} \delta^{[l]T}", "denominator layout"),
    tr(RS, "q1c.W2bar", r"(y - t) z_2", "column instead of row"),
    tr(RS, "q1c.W2bar", r"z_2 (y - t)", "column, commuted"),
    tr(RS, "q1c.z2bar", r"W^{(2)} (y - t)", "row instead of column"),
    tr(RS, "q1c.z2bar", r"\bar{y} W^{(2)}", "row, ybar"),
    tr(RS, "q1c.hbar", r"W^{(2)} (y - t)", "row instead of column"),
    tr(RS, "q1c.z1bar", r"\bar{h}^T \circ \phi'(z_1)^T", "row vector"),
    tr(RS, "q1c.W1bar", r"x \bar{z}_1^T", "denominator layout"),
    tr(RS, "q1c.xbar", r"\bar{z}_1^T W^{(1)} + \bar{z}_2^T", "row vector"),
    tr(RS, "q2c.dw", r"(y_k - t_k) x^T", "row k of dL/dW", bug=BUG_ROW_LAYOUT),
]

# =============================================================================================
# NOT_EQUIVALENT: "wrong" (real mistakes)
# =============================================================================================
NOT_EQUIVALENT = [
    # sign is read since issue 17 (these two were "unknown function" before): read, and wrong
    ne(SM, "task1.delta_L", r"\operatorname{sign}(\hat{y}) - y", "sign of yhat"),
    ne(BG, "task2.relu_prime", r"sgn(Z^{[l]})", "sgn for the ReLU derivative"),
    # --- softmax-ce ---------------------------------------------------------------------------
    ne(SM, "task1.delta_L", r"y - \hat{y}", "sign flip"),
    ne(SM, "task1.delta_L", r"\hat{y}", "target dropped"),
    ne(SM, "task1.delta_L", r"\hat{y} + y", "plus for minus"),
    ne(SM, "task1.delta_L", r"-y / \hat{y}", "dL/dyhat instead"),
    ne(SM, "task1.delta_L", r"\hat{y} (1 - \hat{y})", "softmax derivative only"),
    ne(SM, "task1.delta_L", r"\hat{y} - y + b^{(L-1)}", "stray bias"),
    ne(SM, "task1.delta_L", r"\tilde{z}^{(L)} - y", "logits for probabilities"),
    ne(SM, "task1.delta_L", r"\sum_{i=1}^C y_i (\delta_{ij} - \hat{y}_j)", "seed000 sum, minus lost"),
    ne(SM, "task1.delta_L", r"\hat{y}_j - y_i", "mismatched indices"),
    ne(SM, "task2a.grad_W", r"(y - \hat{y}) (z^{(L-1)})^T", "sign flip"),
    ne(SM, "task2a.grad_W", r"\delta^{(L)} (\tilde{z}^{(L-1)})^T", "pre-activation for activation"),
    ne(SM, "task2a.grad_W_ij", r"\delta_i^{(L)} \cdot z_j^{(L-1)} + b_i^{(L-1)}", "seed000 stray bias"),
    ne(SM, "task2a.grad_W_ij", r"\delta_j^{(L)} z_i^{(L-1)}", "indices swapped"),
    ne(SM, "task2a.grad_W_ij", r"\delta_i^{(L)} z_i^{(L-1)}", "one index for both"),
    ne(SM, "task2a.grad_W_ij", r"\delta_i^{(L)}", "activation dropped"),
    ne(SM, "task2a.grad_W_ij", r"\delta_i^{(L)} \tilde{z}_j^{(L-1)}", "pre-activation for activation"),
    ne(SM, "task2a.grad_W_ij", r"-\delta_i^{(L)} z_j^{(L-1)}", "sign flip"),
    ne(SM, "task2a.grad_W_ij", r"\sum_j \delta_i^{(L)} z_j^{(L-1)}", "summed over j"),
    ne(SM, "task2a.dims", r"C \times d_1", "wrong layer size"),
    ne(SM, "task2a.dims", r"\mathbb{R}^{C}", "vector shape for a matrix"),
    ne(SM, "task2b.grad_b", r"y - \hat{y}", "sign flip"),
    ne(SM, "task2b.grad_b", r"\delta^{(L)} + b^{(L-1)}", "stray bias"),
    ne(SM, "task2b.grad_b", r"1", "dz/db instead"),
    ne(SM, "task2b.dims", r"C x d_{L-1}", "weight shape"),
    ne(SM, "task3.delta_prev", r"(w^{(L-1)})^T \delta^{(L)}", "relu derivative dropped"),
    ne(SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot 1\{\tilde{z}^{(L-1)} \neq 0\}", "seed001 relu' as z != 0"),
    ne(SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot 1\{\tilde{z}^{(L-1)} \geq 0\}", "relu'(0) = 1 against the convention"),
    ne(SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot 1\{\tilde{z}^{(L-1)} < 0\}", "indicator inverted"),
    ne(SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot 1", "relu' as constant 1"),
    ne(SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot \max(0, 1)", "seed002 max(0, 1)"),
    ne(SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot \max(0, \tilde{z}^{(L-1)})", "relu as its own derivative"),
    ne(SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot \phi(\tilde{z}^{(L-1)})", "phi for phi'"),
    ne(SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot \sigma'(\tilde{z}^{(L-1)})", "sigma' for phi'"),
    ne(SM, "task3.delta_prev", r"((w^{(L-1)})^T (y - \hat{y})) \odot \phi'(\tilde{z}^{(L-1)})", "sign flip"),
    ne(SM, "task3.delta_prev", r"\sum_i w_{ji}^{(L-1)} \delta_i^{(L)} \phi'(\tilde{z}_j^{(L-1)})", "weight indices swapped"),
    ne(SM, "task3.negative", r"\tilde{z}_j^{(L-1)}", "pre-activation"),
    ne(SM, "task3.negative", r"1", "one"),
    ne(SM, "task3.negative", r"1\{\tilde{z}_j^{(L-1)} < 0\}", "the condition itself"),
    ne(SM, "task3.negative", r"\sum_i w_{ij}^{(L-1)} \delta_i^{(L)}", "relu derivative dropped"),

    # --- backprop-general ---------------------------------------------------------------------
    ne(BG, "task1.i", r"W^{[l+1]T} \delta^{[l+1]}", "g' dropped"),
    ne(BG, "task1.i", r"g(Z^{[l]}) \odot (W^{[l+1]T} \delta^{[l+1]})", "g for g'"),
    ne(BG, "task1.i", r"\sigma'(Z^{[l]}) \odot (W^{[l+1]T} \delta^{[l+1]})", "sigma' for g'"),
    ne(BG, "task1.i", r"1\{Z^{[l]} > 0\} \odot (W^{[l+1]T} \delta^{[l+1]})", "relu' for a generic g"),
    ne(BG, "task1.ii", r"J'(A^{[L]})", "g' dropped"),
    ne(BG, "task1.ii", r"g'(Z^{[L]})", "J' dropped"),
    ne(BG, "task1.ii", r"J'(A^{[L]}) \odot g(Z^{[L]})", "g for g'"),
    ne(BG, "task1.ii", r"J'(A^{[L]}) \odot g'(A^{[L]})", "g' at the activation"),
    ne(BG, "task1.ii", r"J'(Z^{[L]}) \odot g'(Z^{[L]})", "J' at the pre-activation"),
    ne(BG, "task2.delta_L", r"\frac{1}{m}(Z^{[L]} - Y)", "factor 2 missing"),
    ne(BG, "task2.delta_L", r"2(Z^{[L]} - Y)", "1/m missing"),
    ne(BG, "task2.delta_L", r"Z^{[L]} - Y", "2/m missing"),
    ne(BG, "task2.delta_L", r"\frac{2}{m}(Y - Z^{[L]})", "sign flip"),
    ne(BG, "task2.delta_L", r"\frac{m}{2}(Z^{[L]} - Y)", "fraction inverted"),
    ne(BG, "task2.delta_L", r"\frac{2}{m}(Z^{[L]} - Y)^2", "squared"),
    ne(BG, "task2.delta_L", r"\frac{2}{m} (A^{[L]} - Y) \odot relu'(Z^{[L]})", "relu at the identity output"),
    ne(BG, "task2.dW_L", r"\delta^{[L]} Z^{[L-1]T}", "pre-activation for activation"),
    ne(BG, "task2.dW_L", r"\frac{1}{m} \delta^{[L]} A^{[L-1]T}", "1/m twice"),
    ne(BG, "task2.db_L", r"-\delta^{[L]} ones", "sign flip"),
    ne(BG, "task2.db_L", r"\frac{1}{m}\delta^{[L]} ones", "1/m twice"),
    ne(BG, "task2.relu_prime", r"1\{Z^{[l]} \neq 0\}", "z != 0"),
    ne(BG, "task2.relu_prime", r"1", "constant 1"),
    ne(BG, "task2.relu_prime", r"\max(0, 1)", "seed002 max(0, 1)"),
    ne(BG, "task2.relu_prime", r"\max(0, Z^{[l]})", "relu as its own derivative"),
    ne(BG, "task2.relu_prime", r"relu(Z^{[l]})", "relu for relu'"),
    ne(BG, "task2.relu_prime", r"1\{Z^{[l]} \geq 0\}", "relu'(0) = 1"),
    ne(BG, "task2.relu_prime", r"1\{Z^{[l]} < 0\}", "indicator inverted"),
    ne(BG, "task2.relu_prime", r"\sigma'(Z^{[l]})", "sigma' for relu'"),
    ne(BG, "task2.delta_l", r"W^{[L]T} \delta^{[L]}", "relu' dropped"),
    ne(BG, "task2.delta_l", r"1\{Z^{[l]} \neq 0\} \odot (W^{[L]T} \delta^{[L]})", "z != 0"),
    ne(BG, "task2.delta_l", r"\max(0, Z^{[l]}) \odot (W^{[L]T} \delta^{[L]})", "relu as its own derivative"),

    # --- residual-softmax ---------------------------------------------------------------------
    ne(RS, "q1a.W1_shape", r"d^2", "entry count for the shape"),
    ne(RS, "q1a.W1_shape", r"d x 1", "vector shape"),
    ne(RS, "q1a.W2_shape", r"d x d", "square"),
    ne(RS, "q1a.z2_shape", r"2d x 1", "concatenation for the sum"),
    ne(RS, "q1b.params", r"d^2", "W2 forgotten"),
    ne(RS, "q1b.params", r"2d", "W1 as a vector"),
    ne(RS, "q1b.params", r"d^2 + 2d", "biases counted"),
    ne(RS, "q1b.params", r"d^2 + d + 1", "one bias counted"),
    ne(RS, "q1b.params", r"2d^2", "W2 as square"),
    ne(RS, "q1b.params", r"(d+1)^2", "squared sum"),
    ne(RS, "q1c.ybar", r"t - y", "sign flip"),
    ne(RS, "q1c.ybar", r"\frac{1}{2}(y - t)", "half kept"),
    ne(RS, "q1c.ybar", r"(y - t)^2", "loss for its derivative"),
    ne(RS, "q1c.ybar", r"2(y - t)", "factor 2 kept"),
    ne(RS, "q1c.W2bar", r"(t - y) z_2^T", "sign flip"),
    ne(RS, "q1c.W2bar", r"(y - t) h^T", "skip path missing"),
    ne(RS, "q1c.W2bar", r"(y - t) x^T", "input for z2"),
    ne(RS, "q1c.W2bar", r"(y-t) W^{(2)}", "weights for the input"),
    ne(RS, "q1c.z2bar", r"W^{(2)T} (t - y)", "sign flip"),
    ne(RS, "q1c.z2bar", r"W^{(2)T} y", "target dropped"),
    ne(RS, "q1c.z2bar", r"W^{(2)T}", "ybar dropped"),
    ne(RS, "q1c.hbar", r"\bar{z}_2 \circ \phi'(z_1)", "a step too far"),
    ne(RS, "q1c.hbar", r"\bar{z}_2 + x", "skip input added"),
    ne(RS, "q1c.z1bar", r"\bar{h}", "phi' dropped"),
    ne(RS, "q1c.z1bar", r"\bar{h} \circ \phi(z_1)", "phi for phi'"),
    ne(RS, "q1c.z1bar", r"\bar{h} \circ \sigma'(z_1)", "sigma' for phi'"),
    ne(RS, "q1c.z1bar", r"\bar{h} \circ relu'(z_1)", "relu' for a generic phi"),
    ne(RS, "q1c.z1bar", r"\bar{h} \circ 1\{z_1 > 0\}", "relu indicator for a generic phi"),
    ne(RS, "q1c.z1bar", r"\bar{h} \circ \phi'(z_2)", "phi' at z2"),
    ne(RS, "q1c.z1bar", r"\bar{h} \circ \phi'(h)", "phi' at h"),
    ne(RS, "q1c.z1bar", r"W^{(1)T} \bar{h} \circ \phi'(z_1)", "stray W1"),
    ne(RS, "q1c.W1bar", r"\bar{z}_1 z_2^T", "z2 for the input"),
    ne(RS, "q1c.W1bar", r"\bar{h} x^T", "hbar for z1bar"),
    ne(RS, "q1c.W1bar", r"x^T \bar{z}_1", "inner product"),
    ne(RS, "q1c.xbar", r"W^{(1)T} \bar{z}_1", "seed003 skip path missing"),
    ne(RS, "q1c.xbar", r"\bar{z}_2", "only the skip path"),
    ne(RS, "q1c.xbar", r"W^{(1)} \bar{z}_1 + \bar{z}_2", "transpose missing"),
    ne(RS, "q1c.xbar", r"W^{(1)T} \bar{z}_1 - \bar{z}_2", "skip path subtracted"),
    ne(RS, "q1c.xbar", r"W^{(1)T} (\bar{z}_1 + \bar{z}_2)", "skip path through W1"),
    ne(RS, "q1c.xbar", r"W^{(1)T} \bar{z}_1 + x", "input for its gradient"),
    ne(RS, "q1c.xbar", r"\bar{z}_1 + \bar{z}_2", "W1 dropped"),
    ne(RS, "q2a.same", r"y_k (1 + y_k)", "sign flip"),
    ne(RS, "q2a.same", r"-y_k^2", "off-diagonal formula"),
    ne(RS, "q2a.same", r"y_k", "factor dropped"),
    ne(RS, "q2a.same", r"1 - y_k", "y_k dropped"),
    ne(RS, "q2a.same", r"z_k (1 - z_k)", "logits for outputs"),
    ne(RS, "q2a.other", r"y_k y_{k'}", "minus missing"),
    ne(RS, "q2a.other", r"y_k(1 - y_{k'})", "diagonal formula off the diagonal"),
    ne(RS, "q2a.other", r"0", "zero"),
    ne(RS, "q2a.other", r"-y_k^2", "k for k'"),
    ne(RS, "q2a.other", r"y_k (\delta_{kk'} + y_{k'})", "kronecker form sign flip"),
    ne(RS, "q2a.other", r"\frac{e^{z_{k'}} e^{z_k}}{(\sum_{j=1}^N e^{z_j})^2}", "seed003 quotient, minus lost"),
    ne(RS, "q2b.dz", r"t_k - y_k", "sign flip"),
    ne(RS, "q2b.dz", r"y_k", "target dropped"),
    ne(RS, "q2b.dz", r"-t_k / y_k", "dL/dy instead"),
    ne(RS, "q2b.dz", r"y_k (1 - y_k)", "softmax derivative"),
    ne(RS, "q2b.dz", r"y_k (\sum_j t_j + t_k) - t_k", "seed003 double count"),
    ne(RS, "q2b.dz", r"\sum_j t_j (\delta_{jk} - y_k)", "kronecker form sign flip"),
    ne(RS, "q2c.dw", r"(t_k - y_k) x", "sign flip"),
    ne(RS, "q2c.dw", r"x", "error dropped"),
    ne(RS, "q2c.dw", r"\sum_k (y_k - t_k) x", "summed over k"),
]

# =============================================================================================
# SHAPE_MISMATCH: "wrong shape"
# =============================================================================================
SHAPE_MISMATCH = [
    sh(BG, "task2.dW_L", r"\delta^{[L]} A^{[L-1]T} + b^{[L]}", "stray bias (task 2 declares its biases: issue 18)"),
    # "wrong" before issue 17: their shapes fitted on the first instance only (two sizes drawn
    # equal); a shape that fits on one draw and not on another is a shape error
    sh(BG, "task1.i", r"g'(Z^{[l]}) \odot (\delta^{[l+1]T} W^{[l+1]})", "product order flipped"),
    sh(BG, "task1.ii", r"J'(A^{[L]}) \odot g'(Z^{[l]})", "g' at the wrong layer"),
    sh(BG, "task2.dW_L", r"\delta^{[L]} \cdot g^{[L-1]}(Z^{[L-1]})", "seed002 transpose missing"),
    sh(SM, "task2a.grad_W", r"\delta^{(L)} z^{(L-1)}", "transpose missing"),
    sh(SM, "task2a.grad_W", r"(z^{(L-1)})^T \delta^{(L)}", "row times column"),
    sh(SM, "task2a.grad_W", r"\delta^{(L)}", "seed000 delta for the weight gradient"),
    sh(SM, "task2a.grad_W", r"\delta^{(L)} (\tilde{z}^{(L)})^T", "wrong layer"),
    sh(SM, "task2a.grad_W", r"(w^{(L-1)})^T \delta^{(L)}", "backpropagated delta"),
    sh(SM, "task2a.grad_W", r"\delta^{(L)} (z^{(L-1)})^T + b^{(L-1)}", "stray bias"),
    sh(SM, "task2a.grad_W_ij", r"\delta^{(L)} z_j^{(L-1)}", "index i missing"),
    sh(SM, "task2a.grad_W_ij", r"\delta_i^{(L)} (z^{(L-1)})^T", "index j missing"),
    sh(SM, "task2b.grad_b", r"\delta^{(L)} (z^{(L-1)})^T", "weight gradient"),
    sh(SM, "task2b.grad_b", r"(w^{(L-1)})^T \delta^{(L)}", "backpropagated delta"),
    sh(SM, "task3.delta_prev", r"(w^{(L-1)} \delta^{(L)}) \odot \phi'(\tilde{z}^{(L-1)})", "transpose missing"),
    sh(SM, "task3.delta_prev", r"(\delta^{(L)T} w^{(L-1)}) \odot \phi'(\tilde{z}^{(L-1)})", "row times column"),
    sh(SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot \phi'(\tilde{z}^{(L)})", "phi' at the wrong layer"),
    sh(SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot \phi'(\tilde{z}^{(L-1)}) + b^{(L-1)}", "stray bias"),
    sh(SM, "task3.negative", r"((w^{(L-1)})^T \delta^{(L)}) \odot \phi'(\tilde{z}^{(L-1)})", "whole vector for an entry"),
    sh(SM, "task3.negative", r"\tilde{z}^{(L-1)}", "pre-activation vector"),
    sh(BG, "task2.db_L", r"\delta^{[L]}", "seed002 not summed over the batch"),
    sh(BG, "task2.dW_L", r"\delta^{[L]} X^T", "input for the previous activation"),
    sh(BG, "task2.dW_l", r"\delta^{[l]} A^{[l-1]}", "transpose missing"),
    sh(BG, "task2.dW_l", r"\delta^{[l]} A^{[L-1]T}", "activation of the wrong layer"),
    # were 'wrong' until issue 17 item 6: n_2×n and k×n_1 for n_2×n_1: a wrong shape, though some draws make the sizes equal (issue 17)
    sh(BG, "task2.dW_l", r"\delta^{[l]} X^T", "input for the previous activation"),
    sh(BG, "task2.dW_l", r"\delta^{[L]} A^{[l-1]T}", "delta of the wrong layer"),
    sh(RS, "q1c.W1bar", r"\bar{z}_1 x", "transpose missing"),
    sh(RS, "q1c.z1bar", r"\bar{h} \circ \phi'(z_1)^T", "column times row"),
    sh(RS, "q2b.dz", r"y - t", "vector for an entry"),
    sh(RS, "q2c.dw", r"y_k - t_k", "x dropped"),
    sh(RS, "q2c.dw", r"(y - t) x^T", "whole matrix for a row"),
    sh(RS, "q2c.dw", r"(y_k - t_k) x_k", "entry of x"),
]

# =============================================================================================
# MUST_NOT_PARSE: AnswerError with this category
# =============================================================================================
MUST_NOT_PARSE = [
    bad(SM, "task1.delta_L", r"__import__('os')", "unknown-function", "code: __import__"),
    bad(SM, "task1.delta_L", r"__import__('os').system('ls')", "unknown-function", "code: os.system via __import__"),
    bad(SM, "task1.delta_L", r"eval('1+1')", "unknown-function", "code: eval"),
    bad(SM, "task1.delta_L", r"os.system('rm -rf /')", "syntax", "code: os.system"),
    bad(SM, "task1.delta_L", r"y.__class__", "syntax", "code: dunder attribute"),
    bad(SM, "task1.delta_L", r"lambda: 0", "syntax", "code: lambda"),
    bad(SM, "task1.delta_L", r"\input{/etc/passwd}", "syntax", "latex input"),
    bad(SM, "task1.delta_L", r"9**9**9", "limit", "tower 9**9**9"),
    bad(SM, "task1.delta_L", r"\hat{y}^{9^{9^9}}", "limit", "latex power tower"),
    bad(SM, "task1.delta_L", r"\hat{y}^{1000001}", "limit", "exponent past a million"),
    bad(SM, "task1.delta_L", r"\hat{y} - y" + " " * 2000, "limit", "over 2000 characters"),
    bad(SM, "task1.delta_L", "(" * 50 + "y" + ")" * 50, "limit", "50 nested parentheses"),
    bad(SM, "task1.delta_L", r"123456789012345678901234567890123 y", "limit", "33-digit number"),
    bad(SM, "task1.delta_L", r"1e999 y", "limit", "float overflow literal"),
    bad(RS, "q1b.params", r"d^{1000001} + d", "limit", "size past the millionth power"),
    bad(SM, "task1.delta_L", r"\hat{y} - q", "unknown-symbol", "unknown q"),
    bad(SM, "task1.delta_L", r"\hat{p} - y", "unknown-symbol", "unknown p-hat"),
    bad(SM, "task2a.grad_W", r"\delta^{(L)} (z^{(L)})^T", "unknown-symbol", "undeclared z^(L)"),
    bad(SM, "task2a.grad_W_ij", r"\delta_k^{(L)} z_j^{(L-1)}", "unknown-symbol", "undeclared index k"),
    bad(SM, "task2a.dims", r"C \times d_{L-2}", "unknown-symbol", "undeclared size"),
    bad(RS, "q1c.xbar", r"W^{(1)T} \bar{z}_1 + \bar{x}", "unknown-symbol", "xbar in its own answer"),
    bad(RS, "q1c.xbar", r"W^{(3)T} \bar{z}_1 + \bar{z}_2", "unknown-symbol", "undeclared W3"),
    bad(RS, "q2a.same", r"y_k (1 - y_m)", "unknown-symbol", "undeclared index m"),
    bad(RS, "q1b.params", r"d^2 + p", "unknown-symbol", "undeclared size p"),
    bad(SM, "task1.delta_L", r"foo(\hat{y}) - y", "unknown-function", "unknown foo"),
    bad(SM, "task1.delta_L", r"\operatorname{erf}(\hat{y}) - y", "unknown-function", "unknown erf"),
    bad(BG, "task2.relu_prime", r"sgnum(Z^{[l]})", "unknown-function", "unknown sgnum"),
    bad(BG, "task2.relu_prime", r"\operatorname{softsign}(Z^{[l]})", "unknown-function", "unknown softsign"),
    bad(RS, "q1c.z1bar", r"\bar{h} \circ \psi'(z_1)", "unknown-function", "unknown psi'"),
    bad(RS, "q2a.same", r"\mathrm{softplus}(z_k)", "unknown-function", "unknown softplus"),
    bad(SM, "task1.delta_L", r"\hat{y} - y)", "syntax", "unbalanced parenthesis"),
    bad(SM, "task1.delta_L", r"\hat{y} - ", "syntax", "trailing minus"),
    bad(SM, "task1.delta_L", r"\frac{\hat{y}}", "syntax", "frac with one argument"),
    bad(SM, "task1.delta_L", r"\max(\hat{y})", "syntax", "max with one argument"),
    bad(SM, "task2a.dims", r"0 x C", "syntax", "zero dimension"),
]

ROWS = EQUIVALENT + TRANSPOSED + NOT_EQUIVALENT + SHAPE_MISMATCH
GROUPS = {"EQUIVALENT": (EQUIVALENT, {CORRECT}), "TRANSPOSED": (TRANSPOSED, {TRANSPOSE}),
          "NOT_EQUIVALENT": (NOT_EQUIVALENT, {WRONG}), "SHAPE_MISMATCH": (SHAPE_MISMATCH, {SHAPE}),
          "MUST_NOT_PARSE": (MUST_NOT_PARSE, set(CATEGORIES))}
ASSIGNMENTS = (SM, BG, RS)


@pytest.mark.parametrize("assignment_id, question_id, text, expected", ROWS)
def test_verdict(grade, assignment_id, question_id, text, expected):
    check_outcome(grade, assignment_id, question_id, text, expected=expected)


@pytest.mark.parametrize("assignment_id, question_id, text, expected", MUST_NOT_PARSE)
def test_refused(grade, assignment_id, question_id, text, expected):
    with pytest.raises(AnswerError) as info:
        grade(assignment_id, question_id, text)
    assert info.value.category == expected, info.value.describe()


# -- the table itself ---------------------------------------------------------------------------
def _values(rows):
    return [(p.values, p.id, p.marks) for p in rows]


def test_groups_hold_their_verdict_and_ids_are_unique():
    ids = []
    for name, (rows, allowed) in GROUPS.items():
        for values, ident, _ in _values(rows):
            assert values[3] in allowed, f"{name} row {ident} expects {values[3]!r}"
            ids.append(ident)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert len(ids) >= 150
    assert len(NOT_EQUIVALENT) + len(SHAPE_MISMATCH) >= 40


def test_every_expression_question_is_covered(catalog):
    """Each expression question has its reference answer among the EQUIVALENT rows (unmarked),
    and at least one row that must not be judged correct."""
    right = {(v[0], v[1]) for v, _, marks in _values(EQUIVALENT) if not marks}
    reference = {(v[0], v[1], v[2]) for v, _, marks in _values(EQUIVALENT) if not marks}
    miss = {(v[0], v[1]) for v, _, _ in _values(TRANSPOSED + NOT_EQUIVALENT + SHAPE_MISMATCH)}
    questions = [(a, q) for a in ASSIGNMENTS for q in catalog.assignment(a).questions
                 if q.kind == "expression"]
    assert len(questions) == 8 + 8 + 15
    for a, q in questions:
        assert (a, q.id) in right, f"{a} {q.id}: no EQUIVALENT row"
        assert (a, q.id, q.answer) in reference, f"{a} {q.id}: reference answer {q.answer!r} not in the table"
        assert (a, q.id) in miss, f"{a} {q.id}: no near miss"
    table = {(v[0], v[1]) for v, _, _ in _values(ROWS + MUST_NOT_PARSE)}
    assert table <= {(a, q.id) for a, q in questions}, "a row names a question that is not an expression"
