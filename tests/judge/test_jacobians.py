r"""Jacobians of one node by another (issue 17): read as the Jacobian the graph defines, valued by
the engine on the instances, a diagonal one (an element-wise op) combined with ⊙ and products as
diag(v), and chain-rule products in numerator layout checked as a TA checks them."""
from __future__ import annotations

import numpy as np
import pytest

from grader.errors import AnswerError
from grader.judge.symbolic.equivalence import expression_key, symbol_table
from grader.parse.expression import tree as A
from grader.parse.expression.parser import parse_expression

SM, BG, RS = "softmax-ce", "backprop-general", "residual-softmax"
CORRECT, TRANSPOSED, WRONG, SHAPE = "correct", "transposed", "wrong", "wrong shape"

# (assignment, question, text, the tree it reads as)
READ = [
    (BG, "task1.i", r"\frac{\partial z^{[l+1]}}{\partial a^{[l]}}", A.Sym("jacobian Z3 A2")),
    (BG, "task1.i", r"\frac{\partial A^{[L]}}{\partial Z^{[L]}}", A.Sym("derivative A3 Z3")),
    (BG, "task1.i", r"\frac{\partial g^{[2]}}{\partial z^{[2]}}", A.Sym("derivative A2 Z2")),  # g^{[2]} for a^{[2]}
    (BG, "task1.i", r"\frac{\partial J}{\partial g^{[2]}}", A.Sym("grad A2")),
    (RS, "q2a.other", r"\partial y/\partial z", A.Sym("jacobian y z")),
    (RS, "q2a.other", r"\frac{\partial y_k}{\partial z_j}", A.Sym("jacobian y z", ("k", "j"))),
    (RS, "q2b.dz", r"\frac{\partial L}{\partial z_k}", A.Sym("grad z", ("k",))),
    (SM, "task1.delta_L", r"\frac{\partial \hat{y}_i}{\partial \tilde{z}_j^{(L)}}", A.Sym("jacobian yhat zt_out", ("i", "j"))),
    # a diagonal Jacobian's entry (i, j) is v_i δ_ij
    (SM, "task3.delta_prev", r"\frac{\partial z_i^{(L-1)}}{\partial \tilde{z}_j^{(L-1)}}",
     A.Product(A.Sym("derivative z_prev zt_prev", ("i",)), A.Kronecker("i", "j"))),
]


@pytest.mark.parametrize("aid, qid, text, tree", READ, ids=[r[2] for r in READ])
def test_a_node_by_node_derivative_reads_as_its_jacobian(catalog, aid, qid, text, tree):
    assignment = catalog.assignment(aid)
    assert parse_expression(text, symbol_table(assignment, assignment.question(qid))).expr == tree


REFUSED = [
    (BG, "task2.dW_L", r"\frac{\partial A^{[L]}}{\partial \hat{Y}}", 1),  # one node by itself
    (BG, "task2.dW_L", r"\frac{\partial Q}{\partial Z^{[L]}}", 16),  # not a quantity: its column
    (RS, "q2a.other", r"\frac{\partial y_k}{\partial z}", 1),  # one entry by a whole vector
]


@pytest.mark.parametrize("aid, qid, text, column", REFUSED, ids=[r[2] for r in REFUSED])
def test_what_is_no_jacobian_is_refused_with_its_column(catalog, aid, qid, text, column):
    assignment = catalog.assignment(aid)
    with pytest.raises(AnswerError) as info:
        parse_expression(text, symbol_table(assignment, assignment.question(qid)))
    assert (info.value.category, info.value.column) == ("unknown-symbol", column)


def _env_values(catalog, aid, qid):
    assignment = catalog.assignment(aid)
    key = expression_key(assignment, assignment.question(qid))
    return [case.env.symbols for case in key.cases]


def test_the_values_are_the_engines_jacobians(catalog):
    for symbols in _env_values(catalog, RS, "q2a.other"):  # the softmax Jacobian diag(y) - y y^T
        y = symbols["y"]
        assert np.allclose(symbols.get("jacobian y z"), np.diagflat(y) - y @ y.T, rtol=1e-12, atol=1e-15)
    for symbols in _env_values(catalog, BG, "task1.i"):  # a batch of m: the examples' common W
        assert np.array_equal(symbols.get("jacobian Z3 A2"), symbols["W_next"])
        assert symbols.get("derivative A2 Z2").shape == symbols["Z_l"].shape  # g'(Z): the diagonal


def test_the_jacobian_agrees_with_central_differences(catalog):
    """∂y/∂z of the softmax by finite differences on the instance's z."""
    for symbols in _env_values(catalog, RS, "q2a.other"):
        z = np.log(symbols["y"])  # softmax(log y) = y
        def softmax(v):
            e = np.exp(v - v.max())
            return e / e.sum()
        h, n = 1e-6, z.shape[0]
        fd = np.hstack([(softmax(z + h * np.eye(n)[:, [j]]) - softmax(z - h * np.eye(n)[:, [j]])) / (2 * h)
                        for j in range(n)])
        assert np.allclose(symbols.get("jacobian y z"), fd, atol=1e-8)


def test_a_jacobian_without_a_matrix_has_no_value_and_says_why(catalog):
    symbols = _env_values(catalog, BG, "task2.dW_L")[0]
    assert symbols.get("jacobian Z3 W3") is None and "taken by a matrix" in symbols.why["jacobian Z3 W3"]
    assert symbols.get("jacobian Z3 b2") is None and "differs from one example" in symbols.why["jacobian Z3 b2"]


# (assignment, question, answer, verdict): the readings a TA accepts, and the mistakes
GRADED = [
    # a diagonal Jacobian is the vector of derivatives with ⊙, and diag(v) in a product
    (BG, "task1.i", r"\frac{\partial g^{[l]}}{\partial z^{[l]}} \odot (W^{[l+1]T} \delta^{[l+1]})", CORRECT),
    (BG, "task1.i", r"\frac{\partial a^{[l]}}{\partial z^{[l]}} (W^{[l+1]T} \delta^{[l+1]})", CORRECT),
    (BG, "task1.i", r"(\frac{\partial a^{[l]}}{\partial z^{[l]}})^T (W^{[l+1]T} \delta^{[l+1]})", CORRECT),
    # one example: diag(v) scales the rows of a matrix, (diag(v) W^T) δ = diag(v) (W^T δ)
    (SM, "task3.delta_prev", r"\frac{\partial z^{(L-1)}}{\partial \tilde{z}^{(L-1)}} (w^{(L-1)})^T \delta^{(L)}", CORRECT),
    (SM, "task3.delta_prev", r"\frac{\partial L}{\partial \hat{y}} \frac{\partial \hat{y}}{\partial \tilde{z}^{(L)}} w^{(L-1)} "
     r"\frac{\partial z^{(L-1)}}{\partial \tilde{z}^{(L-1)}}", CORRECT),
    (SM, "task3.delta_prev", r"\frac{\partial L}{\partial \hat{y}} \frac{\partial \hat{y}}{\partial \tilde{z}^{(L)}} w^{(L-1)}", WRONG),
    (BG, "task1.i", r"\frac{\partial a^{[l]}}{\partial z^{[l]}} @ (W^{[l+1]T} \delta^{[l+1]})", CORRECT),
    # denominator layout: the Jacobian transposed times the column gradient
    (BG, "task1.i", r"\frac{\partial a^{[l]}}{\partial z^{[l]}} \odot (\frac{\partial z^{[l+1]}}{\partial a^{[l]}})^T \delta^{[l+1]}", CORRECT),
    # numerator layout: the row gradient times the Jacobians, left to right
    (BG, "task1.i", r"\frac{\partial J}{\partial z^{[l+1]}} \frac{\partial z^{[l+1]}}{\partial a^{[l]}} \frac{\partial a^{[l]}}{\partial z^{[l]}}", CORRECT),
    (BG, "task1.i", r"\delta^{[l+1]} \frac{\partial z^{[l+1]}}{\partial a^{[l]}} \frac{\partial a^{[l]}}{\partial z^{[l]}}", CORRECT),
    (BG, "task1.ii", r"\frac{\partial J}{\partial A^{[L]}} \frac{\partial A^{[L]}}{\partial Z^{[L]}}", CORRECT),
    (RS, "q2b.dz", r"\frac{\partial L}{\partial y_j} \frac{\partial y_j}{\partial z_k}", WRONG),  # j free: not summed
    (RS, "q2a.other", r"\frac{\partial y_k}{\partial z_{k'}}", CORRECT),
    (RS, "q2a.same", r"\frac{\partial y_k}{\partial z_k}", CORRECT),
    # mistakes: the transpose missing, the factors in the wrong order, σ' skipped, ⊙ with a shape that does not fit
    (BG, "task1.i", r"\frac{\partial z^{[l+1]}}{\partial a^{[l]}} \delta^{[l+1]} \odot g'(Z^{[l]})", SHAPE),
    (BG, "task1.i", r"\frac{\partial a^{[l]}}{\partial z^{[l]}} \frac{\partial z^{[l+1]}}{\partial a^{[l]}} \frac{\partial J}{\partial z^{[l+1]}}", SHAPE),
    (BG, "task1.i", r"\frac{\partial J}{\partial z^{[l+1]}} \frac{\partial z^{[l+1]}}{\partial a^{[l]}}", WRONG),  # no σ'
    (BG, "task1.i", r"W^{[l+1]T} \delta^{[l+1]}", WRONG),
    (BG, "task1.i", r"\frac{\partial a^{[l]}}{\partial z^{[l]}} \odot W^{[l+1]T}", SHAPE),
    (BG, "task1.i", r"\frac{\partial z^{[l+1]}}{\partial a^{[l]}} \odot \delta^{[l+1]}", SHAPE),
]


@pytest.mark.parametrize("aid, qid, text, outcome", GRADED, ids=[r[2] for r in GRADED])
def test_jacobian_answers_are_graded_as_a_ta_grades_them(grade, aid, qid, text, outcome):
    assert grade(aid, qid, text).outcome == outcome


def test_values_pickle_as_what_is_worked_out(catalog):
    import pickle

    symbols = _env_values(catalog, RS, "q2a.other")[0]
    symbols.get("jacobian y z")
    back = pickle.loads(pickle.dumps(symbols))
    assert type(back) is dict and np.array_equal(back["jacobian y z"], symbols["jacobian y z"])
