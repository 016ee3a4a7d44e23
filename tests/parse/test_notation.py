r"""The notations of issue 17 read into the tree (the verdicts they get are in
``tests/judge/test_notation_table.py``): each form, the node it becomes, and the errors, with
their columns, of its malformed spellings."""
from __future__ import annotations

import pytest

from grader.errors import AnswerError
from grader.parse.expression.parser import parse_expression
from grader.parse.expression.table import SymbolTable
from grader.parse.expression import tree as A

T = SymbolTable.build(symbols={"z": ["z", "Z^{[l]}"], "d": [r"\delta^{[L]}", "delta"], "a": ["a", "A^{[L-1]}"],
                               "W": ["W"], "y": ["y"], "g": ["zbar"]},
                      indices={"i", "j"}, sizes={"m": ["m"], "C": ["C"]},
                      gradients={"z": "g", "a": "grad a"})
Z, D, AA, W, Y = (A.Sym(n) for n in ("z", "d", "a", "W", "y"))
ZERO, ONE = A.Num(0), A.Num(1)

READ = [
    # gradients of the loss: a declared symbol (g) or a derived one (grad a)
    (r"\frac{\partial L}{\partial z}", A.Sym("g")),
    (r"\dfrac{\partial J}{\partial Z^{[l]}}", A.Sym("g")),
    (r"\frac{\partial \mathcal{L}}{\partial A^{[L-1]}}", A.Sym("grad a")),
    (r"\nabla_{z} L", A.Sym("g")),
    (r"\nabla_{Z^{[l]}} (J)", A.Sym("g")),
    (r"\partial E / \partial a", A.Sym("grad a")),
    (r"W^T \frac{\partial J}{\partial z}", A.Product(A.Transpose(W), A.Sym("g"))),
    # functions
    (r"\operatorname{diag}(z)", A.Call("diag", (Z,))),
    (r"\cosh^2 z", A.Pow(A.Call("cosh", (Z,)), 2)),
    (r"\operatorname{sech}^2(z)", A.Pow(A.Call("sech", (Z,)), 2)),
    (r"|z|", A.Call("abs", (Z,))),
    (r"|z| |y|", A.Product(A.Call("abs", (Z,)), A.Call("abs", (Y,)))),
    (r"\lvert z \rvert", A.Call("abs", (Z,))),
    (r"\sqrt{z}", A.Call("sqrt", (Z,))),
    (r"\operatorname{sign}(z)", A.Call("sign", (Z,))),
    (r"\max(z, y, a)", A.Call("max", (A.Call("max", (Z, Y)), AA))),
    (r"\min(z, y)", A.Call("min", (Z, Y))),
    (r"\log_2 z", A.Div(A.Call("log", (Z,)), A.Call("log", (A.Num(2),)))),
    (r"\log_e z", A.Call("log", (Z,))),
    # ones vectors; an indicator keeps its condition
    (r"\mathbf{1}", A.Ones()),
    (r"\delta^{[L]} \mathbf{1}_m", A.Product(D, A.Ones("m"))),
    (r"\vec{1}^T \delta^{[L]}", A.Product(A.Transpose(A.Ones()), D)),
    (r"\mathbb{1}\{z > 0\}", A.Indicator(">", Z, ZERO)),
    (r"\mathbb{1}_{\{z > 0\}}", A.Indicator(">", Z, ZERO)),
    # masks, Iverson brackets, cases
    (r"(z > 0) * y", A.Product(A.Indicator(">", Z, ZERO), Y)),
    (r"[z \geq 0]", A.Indicator(">=", Z, ZERO)),
    (r"\begin{cases} 1 & z > 0 \\ 0 & \text{otherwise} \end{cases}",
     A.Cases((A.Indicator(">", Z, ZERO),), (ONE,), ZERO)),
    (r"\begin{cases} 1, & \text{if } z > 0 \\ 0, & z \le 0 \end{cases}",
     A.Cases((A.Indicator(">", Z, ZERO), A.Indicator("<=", Z, ZERO)), (ONE, ZERO))),
    # sums: a local index, bounds kept
    (r"\sum_{k=1}^{C} y_k", A.Sum("k", A.Sym("y", ("k",)), 1, "C")),
    (r"\sum_{q=2}^{3} y_q", A.Sum("q", A.Sym("y", ("q",)), 2, 3)),
    (r"\sum_{k} y_k", A.Sum("k", A.Sym("y", ("k",)))),
    (r"\sum_{k=1}^{N} y_k", A.Sum("k", A.Sym("y", ("k",)), 1, None)),
    # numpy
    ("np.outer(delta, a)", A.Call("outer", (D, AA))),
    ("np.dot(W.T, delta)", A.MatMul(A.Transpose(W), D)),
    ("W.T.dot(delta)", A.MatMul(A.Transpose(W), D)),
    ("np.sum(delta, axis=1, keepdims=True)", A.Call("sum_rows", (D,))),
    ("numpy.sum(delta, axis=0)", A.Call("sum_cols", (D,))),
    ("np.sum(delta)", A.Call("sum", (D,))),
    ("np.maximum(0, z)", A.Call("max", (ZERO, Z))),
    ("np.tanh(z) * np.exp(y)", A.Product(A.Call("tanh", (Z,)), A.Call("exp", (Y,)))),
    ("np.multiply(z, y)", A.Hadamard(Z, Y)),
    ("np.diag(z)", A.Call("diag", (Z,))),
]

REFUSED = [
    (r"\frac{\partial L}{\partial q}", "unknown-symbol", 28),
    (r"\frac{\partial y}{\partial z}", "unknown-symbol", 1),  # a Jacobian: not read
    (r"\frac{\partial L}{\partial W}", "unknown-symbol", 28),  # W has no gradient in this table
    ("|z", "syntax", 3),
    ("z|", "syntax", 3),  # the bar opens an absolute value that never closes
    ("np.fft(z)", "unknown-function", 1),
    ("np.sum(z, axis=3)", "syntax", 1),
    ("np.tanh(z, axis=1)", "syntax", 12),
    (r"\max(z)", "syntax", 1),
    ("a & b", "syntax", 3),
    (r"\begin{cases} 1 & z > 0 \\ 0 & \text{otherwise} \\ 2 & z < 0 \end{cases}", "syntax", 52),
    (r"\sum_{k=1}^{10^{9}} y_k", "limit", 12),
    (r"\sum_{k=a}^{C} y_k", "syntax", 6),
    (r"\mathbb{1}\{z\}", "syntax", 14),
]


@pytest.mark.parametrize("text, tree", READ, ids=[r[0] for r in READ])
def test_notation_is_read(text, tree):
    assert parse_expression(text, T).expr == tree


@pytest.mark.parametrize("text, category, column", REFUSED, ids=[r[0] for r in REFUSED])
def test_malformed_notation_is_refused_with_its_column(text, category, column):
    with pytest.raises(AnswerError) as info:
        parse_expression(text, T)
    assert (info.value.category, info.value.column) == (category, column), info.value.describe()
