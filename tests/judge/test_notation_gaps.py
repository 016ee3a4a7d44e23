r"""Issue 17's last gaps, graded end to end as the pipeline grades them (``parse_answer`` with the
question's symbol table, then ``compare_expression`` on the assignment's random instances): the
outer product ``\otimes``/``⊗`` of two vectors (of matrices a Kronecker product, refused in
words), decorations on a declared name, and the Heaviside step as ReLU's derivative. Each form
has rows that must be right and rows that must not be.
"""
from __future__ import annotations

import pytest

from grader.errors import AnswerError

SM, BG, RS = "softmax-ce", "backprop-general", "residual-softmax"
CORRECT, TRANSPOSED, WRONG, SHAPE = "correct", "transposed", "wrong", "wrong shape"

ROWS = [
    # -- the outer product of two vectors: δ ⊗ z = δ zᵀ
    (SM, "task2a.grad_W", r"\delta^{(L)} \otimes z^{(L-1)}", CORRECT),
    (SM, "task2a.grad_W", r"\delta^{(L)} ⊗ z^{(L-1)}", CORRECT),
    (SM, "task2a.grad_W", r"(\hat{y} - y) \otimes z^{(L-1)}", CORRECT),
    (SM, "task2a.grad_W", r"z^{(L-1)} \otimes \delta^{(L)}", TRANSPOSED),
    (SM, "task2a.grad_W", r"\delta^{(L)} \otimes \tilde{z}^{(L-1)}", WRONG),
    (SM, "task2a.grad_W", r"2 \delta^{(L)} \otimes z^{(L-1)}", WRONG),
    # of a matrix: a Kronecker product, refused in words (below)
    (SM, "task2a.grad_W", r"\delta^{(L)} \otimes w^{(L-1)}", SHAPE),
    (BG, "task2.dW_L", r"\delta^{[L]} \otimes A^{[L-1]}", SHAPE),
    # -- a vector arrow on a name declared without it (\mathbf, \boldsymbol, \underline as well)
    (SM, "task1.delta_L", r"\vec{\hat{y}} - \vec{y}", CORRECT),
    (SM, "task1.delta_L", r"\overrightarrow{\hat{y}} - \overrightarrow{y}", CORRECT),
    (SM, "task1.delta_L", r"\underline{\hat{y}} - \underline{y}", CORRECT),
    (SM, "task1.delta_L", r"\vec{y} - \vec{\hat{y}}", WRONG),
    (SM, "task2a.grad_W", r"\vec{\delta}^{(L)} (\vec{z}^{(L-1)})^T", CORRECT),
    (SM, "task2a.grad_W", r"\vec{\delta}^{(L)} \vec{z}^{(L-1)}", SHAPE),
    (BG, "task2.db_L", r"\delta^{[L]} \vec{1}", CORRECT),  # \vec{1} stays the ones vector
    # -- the Heaviside step as ReLU's derivative, where the name is no declared symbol
    (SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot H(\tilde{z}^{(L-1)})", CORRECT),
    (SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot \Theta(\tilde{z}^{(L-1)})", CORRECT),
    (SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot \operatorname{step}(\tilde{z}^{(L-1)})", CORRECT),
    (SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot \text{step}(\tilde{z}^{(L-1)})", CORRECT),
    (SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot u(\tilde{z}^{(L-1)})", CORRECT),
    (SM, "task3.delta_prev", r"H(\tilde{z}^{(L-1)}) \odot (w^{(L-1)})^T \delta^{(L)}", CORRECT),
    (SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot \mathbb{1}_{\tilde{z}^{(L-1)}>0}", CORRECT),
    (SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot \mathbb{1}(\tilde{z}^{(L-1)}>0)", CORRECT),
    (SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot H(-\tilde{z}^{(L-1)})", WRONG),
    (SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot H(\tilde{z}^{(L-1)}) \tilde{z}^{(L-1)}", WRONG),
    (SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot \Theta(\tilde{z}^{(L-1)} + 1)", WRONG),
    (SM, "task3.delta_prev", r"(w^{(L-1)})^T \delta^{(L)} + u(\tilde{z}^{(L-1)})", WRONG),
    (BG, "task2.relu_prime", r"H(Z^{[l]})", CORRECT),
    (BG, "task2.relu_prime", r"\operatorname{heaviside}(Z^{[l]})", CORRECT),  # refused before (unknown)
    (BG, "task2.relu_prime", r"1 - H(Z^{[l]})", WRONG),
    # -- one free index on a batch matrix: its row, every example (was: the first column only)
    (BG, "task2.delta_L", r"\frac{2}{m} [A^{[L]} - Y]_j", CORRECT),
    (BG, "task2.delta_L", r"\frac{2}{m} (\hat{Y} - Y)_i", CORRECT),
    (BG, "task2.relu_prime", r"[\mathbb{1}\{Z^{[l]} > 0\}]_j", CORRECT),
    (BG, "task2.delta_L", r"\frac{2}{m} [A^{[L]}_{:,1} - Y_{:,1}]_j", WRONG),  # example 1 only: was correct
    (BG, "task2.delta_L", r"\frac{2}{m} [A^{[L]} - Y]_j + [A^{[L]} - A^{[L]}_{:,1}]_j", WRONG),  # right on example 1
    (BG, "task2.delta_L", r"2 [A^{[L]} - Y]_j", WRONG),
    (BG, "task2.relu_prime", r"[\mathbb{1}\{Z^{[l]}_{:,1} > 0\}]_j", WRONG),
    # -- _i, _n as the example where the assignment declares no index (seed 002: y_i - z_i^{[L]})
    (BG, "task2.delta_L", r"-\frac{2}{m} (y_i - z_i^{[L]})", CORRECT),
    (BG, "task2.delta_L", r"\frac{2}{m} (z_n^{[L]} - y_n)", CORRECT),
    (BG, "task2.delta_L", r"\frac{2}{m} (A_i^{[L]} - Y_i)", CORRECT),
    (BG, "task2.delta_L", r"\frac{1}{m} (z_i^{[L]} - y_i)", WRONG),
    (BG, "task2.delta_L", r"\frac{2}{m} (y_i - z_i^{[L]})", WRONG),
    (SM, "task1.delta_L", r"\hat{y}_i - y_i", CORRECT),  # softmax-ce declares i: entry i, as before
    # -- the sweep's most common refusals: a Leibniz d, \left\{ after an indicator
    (SM, "task2a.grad_W", r"\frac{\mathrm{d} L}{\mathrm{d} \tilde{z}^{(L)}} (z^{(L-1)})^T", CORRECT),
    (SM, "task2a.grad_W", r"\frac{dL}{d\tilde{z}^{(L)}} (z^{(L-1)})^T", CORRECT),
    (BG, "task2.dW_L", r"\frac{dJ}{dZ^{[L]}} A^{[L-1]T}", CORRECT),
    (BG, "task2.dW_L", r"\frac{\text{d}J}{\text{d}Z^{[L]}} A^{[L-1]T}", CORRECT),
    (BG, "task2.dW_L", r"\frac{\mathrm{d}J}{\mathrm{d}A^{[L-1]}} A^{[L-1]T}", SHAPE),
    (SM, "task2a.grad_W", r"\frac{dL}{dz^{(L-1)}} (z^{(L-1)})^T", SHAPE),
    (BG, "task2.relu_prime", r"\mathbb{1}\left\{Z^{[l]} > 0\right\}", CORRECT),
    (BG, "task2.relu_prime", r"\mathbb{1}\left\{Z^{[l]} < 0\right\}", WRONG),
    (BG, "task2.delta_l", r"\mathbb{1}\left\{Z^{[l]} > 0\right\} \odot \left(W^{[L]T} \delta^{[L]}\right)", CORRECT),
    # -- numpy's shape tuple, as a whole shape answer only
    (SM, "task2a.dims", r"(C, d_{L-1})", CORRECT),
    (SM, "task2b.dims", r"(C, 1)", CORRECT),
    (RS, "q1a.W2_shape", r"(1, d)", CORRECT),
    (SM, "task2a.dims", r"(d_{L-1}, C)", TRANSPOSED),
    (SM, "task2b.dims", r"(C, C)", WRONG),
]

PAIRS_REFUSED = [  # a pair that is no shape: refused with its column (2: the pair's first operand)
    (SM, "task1.delta_L", r"(\hat{y}, y)"),
    (SM, "task2a.dims", r"(C, y)"),
    (SM, "task1.delta_L", r"(\hat{y}, y) - y"),
]

KRONECKER = [  # (assignment, question, answer, the side named in the message)
    (SM, "task2a.grad_W", r"\delta^{(L)} \otimes w^{(L-1)}", "right"),
    (BG, "task2.dW_L", r"\delta^{[L]} \otimes A^{[L-1]}", "left"),
]


def _id(row) -> str:
    return f"{row[0]}:{row[1]}:{row[2]}"


@pytest.mark.parametrize("assignment_id, question_id, text, expected", ROWS, ids=[_id(r) for r in ROWS])
def test_gap_gets_its_verdict(grade, assignment_id, question_id, text, expected):
    try:
        verdict = grade(assignment_id, question_id, text)
    except AnswerError as e:
        pytest.fail(f"refused ({e.category}): {e.describe()}")
    assert verdict.outcome == expected, f"{text!r}: {verdict.outcome} ({verdict.feedback})"


@pytest.mark.parametrize("assignment_id, question_id, text, side", KRONECKER, ids=[_id(r) for r in KRONECKER])
def test_a_kronecker_product_is_refused_in_words(grade, assignment_id, question_id, text, side):
    verdict = grade(assignment_id, question_id, text)
    assert verdict.outcome == SHAPE
    assert "Kronecker" in verdict.feedback and f"its {side} side" in verdict.feedback, verdict.feedback


@pytest.mark.parametrize("at_zero", [0.0, 1.0, 0.5])
def test_the_step_at_zero_follows_the_relu_convention(at_zero):
    import numpy as np

    from grader.judge.symbolic.evaluate import Env, evaluate
    from grader.parse.expression.parser import parse_expression
    from grader.parse.expression.table import SymbolTable
    table = SymbolTable.build(symbols={"z": ["z"]})
    z = np.array([[-2.0], [0.0], [3.0]])
    for spelling in ("H(z)", r"\Theta(z)", r"\operatorname{step}(z)", "u(z)"):
        value = evaluate(parse_expression(spelling, table).expr, Env({"z": z}, relu_grad_at_zero=at_zero))
        assert value.ravel().tolist() == [0.0, at_zero, 1.0], spelling


@pytest.mark.parametrize("symbols, sizes, text", [
    ({"u": ["u"], "z": ["z"]}, {}, "u(z)"),  # u declared: u times z, not a step
    ({"z": ["z"]}, {"H": ["H"]}, "H(z)"),  # H a size (hidden units): H times z
])
def test_a_declared_name_is_never_the_step(symbols, sizes, text):
    from grader.parse.expression import tree as A
    from grader.parse.expression.parser import parse_expression
    from grader.parse.expression.table import SymbolTable
    expr = parse_expression(text, SymbolTable.build(symbols=symbols, sizes=sizes), expect="expression").expr
    assert isinstance(expr, A.Product) and not any(isinstance(n, A.Call) for n in A.walk(expr))


def test_an_example_subscript_needs_no_declared_index_but_softmax_ces_i_stays_an_entry(grade):
    with pytest.raises(AnswerError) as info:  # softmax-ce declares i, j: n is no index there
        grade(SM, "task1.delta_L", r"\hat{y}_n - y_n")
    assert info.value.category == "unknown-symbol" and info.value.column == 1


def test_a_sum_over_an_index_nothing_uses_goes_to_a_ta_saying_why(grade):
    """Seed 002's line 39: y_i, z_i^{[L]} are example i, but the sum over p sums nothing that
    depends on p (D copies? a sum over entries?): unread, with the reason and its column."""
    from grader.results import UNREADABLE
    text = r"-\frac{2}{m} \sum_{p=1}^D (y_i - z_i^{[L]})"
    verdict = grade(BG, "task2.delta_L", text)
    assert verdict.outcome == UNREADABLE
    assert "the sum over p has nothing indexed by p" in verdict.feedback
    assert text.index("(y_i") < verdict.error.column <= len(text)  # in the sum's terms


def test_seed002_line_39_is_reviewed_with_the_reason(catalog):
    from grader.batch.writeup_grading import grade_writeup
    from tests.conftest import ROOT
    seeds = ROOT / "submissions" / "writeups"
    result = grade_writeup(seeds / "seed002_backprop-general.md", seeds, catalog)
    verdict = {q.question: q.verdict for q in result.questions}["task2.delta_L"]
    assert verdict.outcome == "needs review"
    assert "line 39" in verdict.feedback and "nothing indexed by p" in verdict.feedback, verdict.feedback


@pytest.mark.parametrize("assignment_id, question_id, text", PAIRS_REFUSED, ids=[_id(r) for r in PAIRS_REFUSED])
def test_a_pair_that_is_no_shape_is_refused(grade, assignment_id, question_id, text):
    with pytest.raises(AnswerError) as info:
        grade(assignment_id, question_id, text)
    assert info.value.category == "syntax" and info.value.column == 2, info.value.describe()
