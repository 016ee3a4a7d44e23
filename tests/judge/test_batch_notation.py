r"""Parts of a matrix graded end to end (issue 17, items 1-3): per-example superscripts and sums
over the batch (``\sum_{i=1}^{m} \delta^{[L](i)} a^{[L-1](i)T}``), slices in LaTeX and numpy
spelling (``\delta_{:,i}``, ``A[:, i]``, ``A_{i,:}``), and two indices on a bracket
(``[A]_{ij}``, ``(\delta a^T)_{ij}``), each with right and wrong variants.

backprop-general's Task 2 is a batch of m examples (its columns); softmax-ce's questions are one
example (a batch of 1), so an example superscript there is the example itself.
"""
from __future__ import annotations

import pytest

from grader.errors import AnswerError
from grader.parse.expression import tree as A
from grader.parse.expression.parser import parse_expression
from grader.parse.expression.table import SymbolTable

from tests.judge.expression_grading import check_outcome, check_refusal, row_id

SM, BG = "softmax-ce", "backprop-general"
CORRECT, TRANSPOSED, WRONG, SHAPE = "correct", "transposed", "wrong", "wrong shape"

ROWS = [
    # -- per-example superscripts, sums over the batch
    (BG, "task2.dW_L", r"\sum_{i=1}^{m} \delta^{[L](i)} a^{[L-1](i)T}", CORRECT),
    (BG, "task2.dW_L", r"\sum_{i=1}^{m} \delta^{(L)(i)} (A^{[L-1](i)})^T", CORRECT),
    (BG, "task2.dW_L", r"\sum_{i=1}^{m} \delta^{[L]\{i\}} A^{[L-1]\{i\}T}", CORRECT),
    (BG, "task2.dW_L", r"\sum_{i=1}^{m} \delta^{[L]\{i\}} Z^{[L-1]\{i\}T}", WRONG),
    (BG, "task2.dW_L", r"\sum_{n=1}^{m} \delta^{[L](n)} a^{[L-1](n)T}", CORRECT),
    (BG, "task2.dW_L", r"\sum_{i=1}^{m} \frac{\partial J}{\partial Z^{[L](i)}} a^{[L-1](i)T}", CORRECT),
    (BG, "task2.dW_L", r"\sum_{i=1}^{m} \frac{\partial J}{\partial Z^{[L](i)}} a^{[L-1](1)T}", WRONG),
    (BG, "task2.dW_L", r"\sum_{i} \delta^{[L](i)} a^{[L-1](i)T}", CORRECT),
    (BG, "task2.dW_L", r"\sum_{i=1}^{m} a^{[L-1](i)} \delta^{[L](i)T}", TRANSPOSED),
    (BG, "task2.dW_L", r"\sum_{i=2}^{m} \delta^{[L](i)} a^{[L-1](i)T}", WRONG),  # leaves out example 1
    (BG, "task2.dW_L", r"\delta^{[L](1)} a^{[L-1](1)T} + \sum_{i=2}^{m} \delta^{[L](i)} a^{[L-1](i)T}", CORRECT),
    (BG, "task2.dW_L", r"\delta^{[L]}_{:,1} (A^{[L-1]}_{:,1})^T + \sum_{i=2}^{m} \delta^{[L](i)} a^{[L-1](i)T}", CORRECT),
    (BG, "task2.dW_L", r"\delta^{[L](2)} a^{[L-1](2)T} + \sum_{i=2}^{m} \delta^{[L](i)} a^{[L-1](i)T}", WRONG),
    (BG, "task2.dW_L", r"\frac{1}{m} \sum_{i=1}^{m} \delta^{[L](i)} a^{[L-1](i)T}", WRONG),
    (BG, "task2.dW_L", r"\delta^{[L](i)} a^{[L-1](i)T}", SHAPE),  # the sum is missing
    (BG, "task2.db_L", r"\sum_{i=1}^{m} \delta^{[L](i)}", CORRECT),
    (BG, "task2.db_L", r"\frac{2}{m} \sum_{i=1}^m (\hat{y}^{(i)} - y^{(i)})", CORRECT),
    (BG, "task2.db_L", r"\frac{1}{m} \sum_{i=1}^m (\hat{y}^{(i)} - y^{(i)})", WRONG),
    (BG, "task2.db_L", r"\sum_{i=1}^{m} \delta^{[L](i)} + \delta^{[L](i)}", SHAPE),  # i free outside its sum
    # a free example index: the answer is its value example by example
    (BG, "task2.delta_L", r"\frac{2}{m} (\hat{y}^{(i)} - y^{(i)})", CORRECT),
    (BG, "task2.delta_L", r"\frac{2}{m} (A^{[L](i)} - Y^{(i)})", CORRECT),
    (BG, "task2.delta_L", r"2 (\hat{y}^{(i)} - y^{(i)})", WRONG),
    (SM, "task1.delta_L", r"\hat{y}^{(i)} - y^{(i)}", CORRECT),  # one example: itself
    (SM, "task1.delta_L", r"y^{(i)} - \hat{y}^{(i)}", WRONG),
    (SM, "task2a.grad_W", r"\delta^{(L)(i)} (z^{(L-1)(i)})^T", CORRECT),
    (SM, "task2a.grad_W", r"\delta^{(L)(i)} (\tilde{z}^{(L-1)(i)})^T", WRONG),
    ("residual-softmax", "q1c.W1bar", r"\bar{z}_1 (x^{(i)})^T", CORRECT),  # x^{(i)}: the usual letter
    ("residual-softmax", "q1c.W1bar", r"\bar{z}_1^{(i)} x^{(i)T}", CORRECT),  # _1 is part of the name
    ("residual-softmax", "q1c.W1bar", r"x^{(i)} \bar{z}_1^{(i)T}", TRANSPOSED),
    ("residual-softmax", "q1c.W1bar", r"\bar{z}_1 x^{(i)}", SHAPE),
    # -- slices, LaTeX and numpy
    (BG, "task2.dW_L", r"\sum_{i=1}^{m} \delta^{[L]}_{:,i} (A^{[L-1]}_{:,i})^T", CORRECT),
    (BG, "task2.dW_L", r"\sum_{i=1}^{m} \delta^{[L]}_{:, i} A^{[L-1]}_{:,i}^T", CORRECT),
    (BG, "task2.dW_L", r"sum_{i=1}^{m} delta^{[L]}[:, i] @ A^{[L-1]}[:, i].T", CORRECT),
    (BG, "task2.dW_L", r"sum_{i=1}^{m} delta^{[L]}[:, i] @ A^{[L-1]}[:, i]", SHAPE),
    (BG, "task2.dW_L", r"\sum_{i=1}^{m} \delta^{[L]}_{:,i} (Z^{[L-1]}_{:,i})^T", WRONG),
    (BG, "task2.db_L", r"\sum_{j=1}^{m} \delta^{[L]}_{:,j}", CORRECT),
    (BG, "task2.db_L", r"\sum_{j=1}^{m} [\delta^{[L]}]_{:,j}", CORRECT),
    (BG, "task2.db_L", r"\sum_{j=1}^{m} |\delta^{[L]}_{:,j}|", WRONG),  # a bar closes after a slice
    (BG, "task2.db_L", r"\sum_{i=1}^{m} |\delta^{[L](i)}| \odot \operatorname{sign}(\delta^{[L](i)})", CORRECT),
    (BG, "task2.db_L", r"\sum_{j=1}^{m-1} \delta^{[L]}_{:,j}", WRONG),
    (BG, "task2.db_L", r"(\sum_{j=1}^{k} \delta^{[L]}_{j,:})^T", SHAPE),  # sums the units: m×1, not k×1
    (BG, "task2.delta_L", r"\frac{2}{m} (\hat{Y}_{:,i} - Y_{:,i})", CORRECT),
    (BG, "task2.delta_L", r"2/m * (A^{[L]}[:, i] - Y[:, i])", CORRECT),
    (BG, "task2.dW_L", r"(\delta^{[L]} A^{[L-1]T})_{i,:}", CORRECT),
    (BG, "task2.dW_L", r"(A^{[L-1]} \delta^{[L]T})_{i,:}", TRANSPOSED),  # rows of the transpose
    (BG, "task2.dW_L", r"(\delta^{[L]} Z^{[L-1]T})_{i,:}", WRONG),
    # -- two indices on a bracket: entry (i, j), checked entry by entry
    (BG, "task2.dW_L", r"[\delta^{[L]} A^{[L-1]T}]_{ij}", CORRECT),
    (BG, "task2.dW_L", r"[A^{[L-1]} \delta^{[L]T}]_{ji}", CORRECT),
    (BG, "task2.dW_L", r"(delta^{[L]} @ A^{[L-1]}.T)[i, j]", CORRECT),
    (BG, "task2.dW_L", r"(delta^{[L]} @ A^{[L-1]}.T)[j, i]", WRONG),
    (BG, "task2.dW_L", r"(delta^{[L]} @ Z^{[L-1]}.T)[i, j]", WRONG),
    (BG, "task2.dW_L", r"[A^{[L-1]} \delta^{[L]T}]_{ij}", WRONG),
    (BG, "task2.dW_L", r"\sum_{k=1}^{m} [\delta^{[L]}]_{ik} [A^{[L-1]}]_{jk}", CORRECT),
    (BG, "task2.dW_L", r"\sum_{k=2}^{m} [\delta^{[L]}]_{ik} [A^{[L-1]}]_{jk}", WRONG),
    (SM, "task2a.grad_W", r"[\delta^{(L)} (z^{(L-1)})^T]_{ij}", CORRECT),
    (SM, "task2a.grad_W", r"(\delta^{(L)} (z^{(L-1)})^T)_{ij}", CORRECT),
    (SM, "task2a.grad_W", r"[\delta^{(L)} (z^{(L-1)})^T]_{ji}", WRONG),
    (SM, "task2a.grad_W", r"(\delta^{(L)} (z^{(L-1)})^T)_{ij} + b_i^{(L-1)}", WRONG),  # seed 000's stray bias
    (SM, "task2a.grad_W_ij", r"[\delta^{(L)} (z^{(L-1)})^T]_{i,j}", CORRECT),
    (SM, "task2a.grad_W_ij", r"[\delta^{(L)} (\tilde{z}^{(L-1)})^T]_{ij}", WRONG),
    (SM, "task3.delta_prev", r"[(w^{(L-1)})^T \delta^{(L)}]_{j} 1_{\{\tilde z_j^{(L-1)} > 0\}}", CORRECT),
]

REFUSED = [
    (BG, "task2.dW_L", r"\delta^{[L]}_{:,i} A^{[L-1]}_{j,:}", "syntax"),  # two free slice indices
    (BG, "task2.dW_L", r"[\delta^{[L]} A^{[L-1]T}]_{ijk}", "syntax"),
    (BG, "task2.delta_L", r"2/m * (A^{[L]}[:, i] - Y[:, 1])", "syntax"),  # a slice's index is a letter
    (BG, "task2.delta_L", r"2/m * (A^{[L]}[0:2, :] - Y)", "syntax"),  # ranges are not read
    (BG, "task2.delta_L", r"\frac{2}{m} (\hat{y}^{(i)} - y^{(1)})", "unknown-symbol"),  # ^{(1)}: a layer
]


@pytest.mark.parametrize("assignment_id, question_id, text, expected", ROWS, ids=[row_id(r) for r in ROWS])
def test_part_of_a_matrix_gets_its_verdict(grade, assignment_id, question_id, text, expected):
    check_outcome(grade, assignment_id, question_id, text, expected=expected)


@pytest.mark.parametrize("assignment_id, question_id, text, category", REFUSED, ids=[row_id(r) for r in REFUSED])
def test_part_of_a_matrix_refused_with_a_column(grade, assignment_id, question_id, text, category):
    err = check_refusal(grade, assignment_id, question_id, text, category=category)
    if "[:, 1]" in text or "[0:2" in text:  # said in words, at the bracket
        assert "index letter" in err.message and text[err.column - 1] == "[", err.describe()


def test_every_form_has_right_and_wrong_rows():
    for marker in ("](i)", ")(i)", r"\{i\}", "^{(i)}", "_{:,", "[:, i]", "_{i,:}", "]_{ij}", ")_{ij}", "[i, j]"):
        right = [r for r in ROWS if marker in r[2] and r[3] == CORRECT]
        wrong = [r for r in ROWS if marker in r[2] and r[3] != CORRECT] + \
            [r for r in REFUSED if marker in r[2]]
        assert right and wrong, marker


TABLE = SymbolTable.build(symbols={"d": [r"\delta^{[L]}", "delta"], "a": [r"a^{[L-1]}", "A"], "y": ["y"]},
                          indices=["j"], sizes={"m": ["m"]})

TREES = [  # how each form is read, node by node
    (r"\delta^{[L](i)}", A.Stack("i", 1, A.Slice(A.Sym("d"), 1, "i"))),
    (r"a^{[L-1](i)T}", A.Stack("i", 1, A.Transpose(A.Slice(A.Sym("a"), 1, "i")))),
    (r"\sum_{i=1}^{m} \delta^{[L](i)}", A.Sum("i", A.Slice(A.Sym("d"), 1, "i"), 1, "m")),
    (r"y^{(i)}", A.Stack("i", 1, A.Slice(A.Sym("y"), 1, "i"))),
    (r"\sum_{j} y^{(j)}", A.Sum("j", A.Slice(A.Sym("y"), 1, "j"))),
    (r"\sum_{i} y_j^{(i)}", A.Sum("i", A.Entry(A.Slice(A.Sym("y"), 1, "i"), "j"))),  # the example, then entry j
    (r"\delta_{:,i}", A.Stack("i", 1, A.Slice(A.Sym("d"), 1, "i"))),
    (r"A_{i,:}", A.Stack("i", 0, A.Slice(A.Sym("a"), 0, "i"))),
    (r"delta[:, i]", A.Stack("i", 1, A.Slice(A.Sym("d"), 1, "i"))),
    (r"A[i, :]", A.Stack("i", 0, A.Slice(A.Sym("a"), 0, "i"))),
    (r"[A]_{ij}", A.Entry(A.Sym("a"), "i", "j")),
    (r"(A)_{i,j}", A.Entry(A.Sym("a"), "i", "j")),
    (r"A[i, j]", A.Entry(A.Sym("a"), "i", "j")),
    (r"[A]_{j}", A.Entry(A.Sym("a"), "j")),
]


@pytest.mark.parametrize("text, tree", TREES, ids=[t[0] for t in TREES])
def test_each_form_reads_as_its_tree(text, tree):
    assert parse_expression(text, TABLE).expr == tree


def test_a_layer_tag_alone_stays_a_layer():
    """``^{(L)}`` alone is a layer tag (part of the name); only a second bracketed superscript,
    or an index letter, is an example."""
    table = SymbolTable.build(symbols={"d": [r"\delta^{(L)}"]})
    assert parse_expression(r"\delta^{(L)}", table).expr == A.Sym("d")
    assert parse_expression(r"\delta^{(L)(i)}", table).expr == A.Stack("i", 1, A.Slice(A.Sym("d"), 1, "i"))
    with pytest.raises(AnswerError) as info:
        parse_expression(r"\delta^{(k)}", table)  # k: neither a layer of this table nor an index
    assert info.value.category == "unknown-symbol"


def test_an_entry_of_an_example():
    r"""``\delta_j^{[L](i)}`` is entry j of example i (the column first, then its entry), and a sum
    over i adds the examples' entries: row j of δ summed."""
    import numpy as np

    from grader.judge.symbolic.evaluate import Env, ShapeError, evaluate
    tree = parse_expression(r"\sum_{i=1}^{m} \delta_j^{[L](i)}", TABLE).expr
    assert tree == A.Sum("i", A.Entry(A.Slice(A.Sym("d"), 1, "i"), "j"), 1, "m")
    value = np.arange(6.0).reshape(2, 3)
    env = Env({"d": value}, sizes={"m": 3}, indices={"j": 1})
    assert evaluate(tree, env).tolist() == [[value[1].sum()]]
    with pytest.raises(ShapeError) as info:  # past the batch: said, not an empty slice
        evaluate(A.Slice(A.Sym("d"), 1, "i"), Env({"d": value}, indices={"i": 3}))
    assert "has no column 4" in str(info.value)
