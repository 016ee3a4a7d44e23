r"""Every notation of issue 17 graded end to end: for each form, answers that must be right and
answers that must not be, graded as the pipeline grades them (``parse_answer`` with the question's
symbol table, then ``compare_expression`` on the assignment's random instances).

Forms: gradients of the loss by a graph quantity (``\frac{\partial J}{\partial Z^{[L]}}``,
``\nabla_{A^{[L]}} J``, ``\partial L / \partial W``), declared or derived from the graph;
``\operatorname{diag}``; ones vectors; cases, Iverson brackets and comparison masks; sums over
local indices with honoured bounds; numpy; functions (``\cosh``, ``\operatorname{sech}``,
``|z|``, ``\operatorname{sign}``, ``\sqrt``, ``\log_b``, ``\min``/``\max`` of several arguments).
The spellings are the seeds' where they have one (``\frac{\partial J}{\partial Z^{[L]}}`` from
seeds 002 and 004, ``\sum_{k=1}^{C}`` from seed 001, ``\begin{cases}`` from seed 000).
"""
from __future__ import annotations

import pytest

from grader.errors import AnswerError

from tests.judge.expression_grading import check_outcome, check_refusal, row_id

SM, BG, RS = "softmax-ce", "backprop-general", "residual-softmax"
CORRECT, TRANSPOSED, WRONG, SHAPE = "correct", "transposed", "wrong", "wrong shape"

ROWS = [
    # -- gradients of the loss, inside expressions (seeds 002, 004: \frac{\partial J}{\partial Z^{[L]}})
    (BG, "task2.dW_L", r"\frac{\partial J}{\partial Z^{[L]}} A^{[L-1]T}", CORRECT),
    (BG, "task2.dW_L", r"\frac{\partial J}{\partial Z^{[L]}} (A^{[L-1]})^T", CORRECT),
    (BG, "task2.dW_L", r"\nabla_{Z^{[L]}} J \, A^{[L-1]T}", CORRECT),
    (BG, "task2.dW_L", r"\partial J / \partial Z^{[L]} \cdot A^{[L-1]T}", CORRECT),
    (BG, "task2.dW_L", r"\frac{\partial \mathcal{L}}{\partial z^{[L]}} A^{[L-1]T}", CORRECT),
    (BG, "task2.dW_L", r"A^{[L-1]} \frac{\partial J}{\partial Z^{[L]}}^T", TRANSPOSED),
    (BG, "task2.dW_L", r"\frac{\partial J}{\partial Z^{[L]}} A^{[L-1]T} + \frac{\partial J}{\partial Z^{[L]}} A^{[L-1]T}", WRONG),
    (BG, "task2.delta_l", r"\mathbb{1}\{Z^{[l]} > 0\} \odot (W^{[L]T} \frac{\partial J}{\partial Z^{[L]}})", CORRECT),
    # a gradient no symbol stands for: grad A2, from the graph
    (BG, "task2.delta_l", r"\mathbb{1}\{Z^{[l]} > 0\} \odot \frac{\partial J}{\partial A^{[L-1]}}", CORRECT),
    (BG, "task2.delta_l", r"\frac{\partial J}{\partial A^{[L-1]}}", WRONG),
    (BG, "task2.delta_l", r"\mathbb{1}\{Z^{[l]} > 0\} \odot \frac{\partial J}{\partial Z^{[L]}}", SHAPE),
    (SM, "task2a.grad_W", r"\frac{\partial L}{\partial \tilde{z}^{(L)}} (z^{(L-1)})^T", CORRECT),
    (SM, "task2a.grad_W", r"\nabla_{\tilde{z}^{(L)}} L \, (z^{(L-1)})^T", CORRECT),
    (SM, "task2a.grad_W", r"\nabla_{\tilde{z}^{(L)}} L", SHAPE),
    (SM, "task2a.grad_W", r"\frac{\partial L}{\partial \tilde{z}^{(L)}} (\tilde{z}^{(L-1)})^T", WRONG),
    (SM, "task1.delta_L", r"\frac{\partial E}{\partial \tilde{z}^{[L]}}", CORRECT),
    (SM, "task3.delta_prev", r"\frac{\partial L}{\partial z^{(L-1)}} \odot \phi'(\tilde{z}^{(L-1)})", CORRECT),
    (SM, "task3.delta_prev", r"\frac{\partial L}{\partial z^{(L-1)}}", WRONG),
    (RS, "q1c.xbar", r"W^{(1)T} \frac{\partial L}{\partial z_1} + \frac{\partial L}{\partial z_2}", CORRECT),
    (RS, "q1c.xbar", r"W^{(1)T} \frac{\partial L}{\partial z_1}", WRONG),
    (RS, "q1c.z1bar", r"\frac{\partial L}{\partial h} \circ \phi'(z_1)", CORRECT),
    (RS, "q1c.z1bar", r"\frac{\partial L}{\partial h}", WRONG),
    # -- Jacobians of one quantity by another (tests/judge/test_jacobians.py has the rest)
    (BG, "task1.i", r"\frac{\partial g^{[l]}}{\partial z^{[l]}} \odot (W^{[l+1]T} \delta^{[l+1]})", CORRECT),
    (BG, "task1.i", r"\frac{\partial J}{\partial z^{[l+1]}} \frac{\partial z^{[l+1]}}{\partial a^{[l]}} \frac{\partial a^{[l]}}{\partial z^{[l]}}", CORRECT),
    (BG, "task1.i", r"\frac{\partial z^{[l+1]}}{\partial a^{[l]}} \delta^{[l+1]} \odot g'(Z^{[l]})", SHAPE),
    (RS, "q2a.other", r"\frac{\partial y_k}{\partial z_{k'}}", CORRECT),
    (RS, "q2b.dz", r"\frac{\partial y_k}{\partial z_k}", WRONG),
    # -- diag
    (SM, "task3.delta_prev", r"\operatorname{diag}(\phi'(\tilde{z}^{(L-1)})) (w^{(L-1)})^T \delta^{(L)}", CORRECT),
    (SM, "task3.delta_prev", r"diag(\phi'(\tilde{z}^{(L-1)})) (w^{(L-1)})^T \delta^{(L)}", CORRECT),
    (SM, "task3.delta_prev", r"\operatorname{diag}(\tilde{z}^{(L-1)}) (w^{(L-1)})^T \delta^{(L)}", WRONG),
    (SM, "task3.delta_prev", r"\operatorname{diag}(\phi'(\tilde{z}^{(L-1)})) w^{(L-1)} \delta^{(L)}", SHAPE),
    # -- ones vectors
    (BG, "task2.db_L", r"\delta^{[L]} \mathbf{1}", CORRECT),
    (BG, "task2.db_L", r"\delta^{[L]} \mathbf{1}_m", CORRECT),
    (BG, "task2.db_L", r"\delta^{[L]} \vec{1}", CORRECT),
    (BG, "task2.db_L", r"\delta^{[L]} \boldsymbol{1}", CORRECT),
    (BG, "task2.db_L", r"(\mathbf{1}^T \delta^{[L]T})^T", CORRECT),
    (BG, "task2.db_L", r"\frac{1}{m} \delta^{[L]} \mathbf{1}", WRONG),
    (BG, "task2.db_L", r"\mathbf{1}^T \delta^{[L]}", SHAPE),  # 1×m where k×1 is due: sums the wrong way
    # -- cases, Iverson brackets, comparison masks (seed 000 writes phi' with cases)
    (BG, "task2.relu_prime", r"\begin{cases} 1 & Z^{[l]} > 0 \\ 0 & \text{otherwise} \end{cases}", CORRECT),
    (BG, "task2.relu_prime", r"\begin{cases} 1 & \text{if } Z^{[l]} > 0 \\ 0 & \text{if } Z^{[l]} \le 0 \end{cases}", CORRECT),
    (BG, "task2.relu_prime", r"\begin{cases} 1, & Z^{[l]} > 0 \\ 0, & \text{else} \end{cases}", CORRECT),
    (BG, "task2.relu_prime", r"[Z^{[l]} > 0]", CORRECT),
    (BG, "task2.relu_prime", r"(Z^{[l]} > 0)", CORRECT),
    (BG, "task2.relu_prime", r"\begin{cases} 1 & Z^{[l]} > 0 \\ 0.01 & \text{otherwise} \end{cases}", WRONG),
    (BG, "task2.relu_prime", r"\begin{cases} 0 & Z^{[l]} > 0 \\ 1 & \text{otherwise} \end{cases}", WRONG),
    (BG, "task2.relu_prime", r"[Z^{[l]} < 0]", WRONG),
    (BG, "task2.relu_prime", r"(Z^{[l]} \geq 0)", WRONG),
    (BG, "task2.delta_l", r"(Z^{[l]} > 0) * (W^{[L]T} \delta^{[L]})", CORRECT),
    (BG, "task2.delta_l", r"[Z^{[l]} > 0] \odot (W^{[L]T} \delta^{[L]})", CORRECT),
    (BG, "task2.delta_l", r"(Z^{[l]} < 0) * (W^{[L]T} \delta^{[L]})", WRONG),
    # -- sums over an index the assignment does not declare, bounds honoured (seed 001)
    (SM, "task2a.grad_W_ij", r"\sum_{k=1}^{C} \delta_k^{(L)} \delta_{ik} z_j^{(L-1)}", CORRECT),
    (SM, "task2a.grad_W_ij", r"\sum_{k=2}^{C} \delta_k^{(L)} \delta_{ik} z_j^{(L-1)}", WRONG),
    (SM, "task2a.grad_W_ij", r"\sum_{k=1}^{C} \delta_k^{(L)} z_j^{(L-1)}", WRONG),
    (RS, "q2b.dz", r"y_k \sum_{j=1}^{K} t_j - t_k", CORRECT),
    (RS, "q2b.dz", r"y_k \sum_{m=1}^{K} t_m - t_k", CORRECT),
    (RS, "q2b.dz", r"y_k \sum_{j=2}^{1} t_j - t_k", WRONG),  # an empty sum is 0
    (RS, "q2b.dz", r"y_k \sum_{j=2}^{K} t_j - t_k", WRONG),
    (RS, "q2a.same", r"\frac{e^{z_k}}{\sum_{m=1}^{K} e^{z_m}} (1 - y_k)", CORRECT),
    (RS, "q2a.same", r"\frac{e^{z_k}}{\sum_{m=2}^{K} e^{z_m}} (1 - y_k)", WRONG),
    # -- numpy, in the same grammar
    (SM, "task2a.grad_W", r"np.outer(delta_L, z^{(L-1)})", CORRECT),
    (SM, "task2a.grad_W", r"np.outer(z^{(L-1)}, delta_L)", TRANSPOSED),
    (SM, "task2a.grad_W", r"np.dot(delta_L, z^{(L-1)}.T)", CORRECT),
    (SM, "task2a.grad_W", r"delta_L.dot(z^{(L-1)}.T)", CORRECT),
    (SM, "task2a.grad_W", r"np.dot(delta_L.T, z^{(L-1)})", SHAPE),
    (SM, "task3.delta_prev", r"np.dot(w^{(L-1)}.T, delta_L) * (\tilde{z}^{(L-1)} > 0)", CORRECT),
    (SM, "task3.delta_prev", r"w^{(L-1)}.T.dot(delta_L) * np.sign(np.maximum(0, \tilde{z}^{(L-1)}))", CORRECT),
    (SM, "task3.delta_prev", r"np.dot(w^{(L-1)}.T, delta_L) * np.maximum(0, \tilde{z}^{(L-1)})", WRONG),
    (SM, "task3.delta_prev", r"np.multiply(np.dot(w^{(L-1)}.T, delta_L), (\tilde{z}^{(L-1)} > 0))", CORRECT),
    (BG, "task2.db_L", r"np.sum(delta^{[L]}, axis=1, keepdims=True)", CORRECT),
    (BG, "task2.db_L", r"np.sum(delta^{[L]}, axis=0, keepdims=True)", SHAPE),  # 1×m (issue 17: not k = m)
    (BG, "task2.db_L", r"np.sum(delta^{[L]})", WRONG),
    (BG, "task2.db_L", r"np.sum(delta^{[L]}, axis=1, keepdims=True) / m", WRONG),
    (RS, "q2a.same", r"np.exp(np.log(y_k)) * (1 - y_k)", CORRECT),
    (RS, "q2a.same", r"np.exp(y_k) * (1 - y_k)", WRONG),
    # -- functions
    (RS, "q2a.same", r"|y_k| (1 - y_k)", CORRECT),
    (RS, "q2a.same", r"\lvert y_k \rvert (1 - y_k)", CORRECT),
    (RS, "q2a.same", r"\sqrt{y_k^2} (1 - y_k)", CORRECT),
    (RS, "q2a.same", r"\sqrt{y_k} (1 - y_k)", WRONG),
    (RS, "q2a.same", r"\exp(\ln y_k) (1 - y_k)", CORRECT),
    (RS, "q2a.same", r"\exp(\log_2(y_k) \ln(2)) (1 - y_k)", CORRECT),
    (RS, "q2a.same", r"\exp(\log_{10} y_k) (1 - y_k)", WRONG),
    (RS, "q2a.same", r"\cosh^2(y_k) - \sinh^2(y_k) - y_k", WRONG),
    (RS, "q2a.same", r"(\cosh^2(y_k) - \sinh^2(y_k)) y_k - y_k^2", CORRECT),
    (RS, "q2a.same", r"\operatorname{sech}(0) y_k (1 - y_k)", CORRECT),
    (RS, "q2a.same", r"\min(y_k, 1 - y_k, 1) \max(y_k, 1 - y_k, 0)", CORRECT),
    (RS, "q2a.same", r"\min(y_k, 1 - y_k, 0) \max(y_k, 1 - y_k, 0)", WRONG),
    (SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot \frac{\operatorname{sign}(\tilde{z}^{(L-1)}) + |\operatorname{sign}(\tilde{z}^{(L-1)})|}{2}", CORRECT),
    (SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot \operatorname{sign}(\tilde{z}^{(L-1)})", WRONG),
    (SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot \max(0, \operatorname{sgn}(\tilde{z}^{(L-1)}))", CORRECT),
]

REFUSED = [
    (BG, "task2.dW_L", r"\frac{\partial J}{\partial Q} A^{[L-1]T}", "unknown-symbol"),  # not a quantity
    # a quantity by itself (A^{[L]} and \hat{Y} name one node): no Jacobian is read (issue 17's Jacobians:
    # tests/judge/test_jacobians.py; ∂A^{[L]}/∂Z^{[L]} A^{[L-1]T} is read now, and is a wrong shape)
    (BG, "task2.dW_L", r"\frac{\partial A^{[L]}}{\partial \hat{Y}} A^{[L-1]T}", "unknown-symbol"),
    (BG, "task2.db_L", r"np.sum(delta^{[L]}, axis=2)", "syntax"),
    (BG, "task2.db_L", r"np.tanh(delta^{[L]}, axis=1)", "syntax"),
    (BG, "task2.db_L", r"np.fft(delta^{[L]})", "unknown-function"),
    (BG, "task2.relu_prime", r"\begin{cases} 1 & \text{otherwise} \\ 0 & Z^{[l]} > 0 \end{cases}", "syntax"),
    (BG, "task2.relu_prime", r"|Z^{[l]}", "syntax"),
    (BG, "task2.relu_prime", r"Z^{[l]}| + 1", "syntax"),
    (SM, "task2a.grad_W_ij", r"\sum_{k=1}^{10^{9}} \delta_k^{(L)}", "limit"),
    (SM, "task2a.grad_W_ij", r"\sum_{k=q}^{C} \delta_k^{(L)}", "syntax"),
]


@pytest.mark.parametrize("assignment_id, question_id, text, expected", ROWS, ids=[row_id(r) for r in ROWS])
def test_notation_gets_its_verdict(grade, assignment_id, question_id, text, expected):
    check_outcome(grade, assignment_id, question_id, text, expected=expected)


@pytest.mark.parametrize("assignment_id, question_id, text, category", REFUSED, ids=[row_id(r) for r in REFUSED])
def test_notation_refused_with_a_column(grade, assignment_id, question_id, text, category):
    check_refusal(grade, assignment_id, question_id, text, category=category)


def test_every_form_has_right_and_wrong_rows():
    right = [r for r in ROWS if r[3] == CORRECT]
    wrong = [r for r in ROWS if r[3] != CORRECT]
    for marker in (r"\partial", r"\nabla", "diag", r"\mathbf{1}", "cases", "[Z", "(Z", r"\sum_{",
                   "np.", ".dot(", "|", r"\sqrt", r"\log_", r"\cosh", r"\min(", "sign"):
        assert any(marker in r[2] for r in right), marker
        assert any(marker in r[2] for r in wrong + [(0, 0, t) for _, _, t, _ in REFUSED]), marker


LHS = [  # (assignment, question, answer, whether the left-hand side names another quantity)
    (SM, "task1.delta_L", r"\delta^{(L)} = \hat{y} - y", False),
    (SM, "task1.delta_L", r"\frac{\partial L}{\partial \tilde{z}^{(L)}} = \hat{y} - y", False),
    (SM, "task1.delta_L", r"\frac{\partial L}{\partial W^{(L-1)}} = \hat{y} - y", True),
    (SM, "task2a.grad_W", r"\nabla_{w^{(L-1)}} L = \delta^{(L)} (z^{(L-1)})^T", False),
    (SM, "task2a.grad_W", r"\delta^{(L)} = \delta^{(L)} (z^{(L-1)})^T", True),
    (BG, "task2.dW_L", r"\frac{\partial J}{\partial W^{[L]}} = \delta^{[L]} A^{[L-1]T}", False),
    (BG, "task2.dW_L", r"\delta^{[l]} = \delta^{[L]} A^{[L-1]T}", True),
    (BG, "task2.dW_L", r"dJ/dW = \delta^{[L]} A^{[L-1]T}", False),  # not read: not judged
]


@pytest.mark.parametrize("assignment_id, question_id, text, other", LHS, ids=[row_id(r) for r in LHS])
def test_a_left_hand_side_naming_another_quantity_is_reported(grade, assignment_id, question_id, text, other):
    from grader.judge.symbolic.left_side import LHS_NOTE
    verdict = grade(assignment_id, question_id, text)
    assert verdict.outcome == CORRECT  # the right-hand side decides the verdict
    assert (LHS_NOTE in verdict.feedback) == other, verdict.feedback


SUGGESTIONS = [  # (assignment, question, answer, the suggestion, a name listed as the assignment spells it)
    (BG, "task2.dW_L", r"\delta^{[L]} A^{[L-3]T}", r"A^{[L-1]}", r"\delta^{[L]}"),
    (BG, "task2.dW_L", r"\delta^{[L]} A^{[L-1]T} + W^{[3]}", r"W^{[L]}", r"A^{[L-1]}"),
    (SM, "task2a.grad_W", r"\delta^{(L)} (z^{(L-2)})^T", r"z^{(L-1)}", r"\tilde{z}^{(L-1)}"),
    (SM, "task1.delta_L", r"\hat{y} - q", None, r"\hat{y}"),
]


@pytest.mark.parametrize("assignment_id, question_id, text, nearest, listed", SUGGESTIONS,
                         ids=[row_id(r) for r in SUGGESTIONS])
def test_an_unknown_name_gets_the_nearest_in_the_assignments_notation(grade, assignment_id, question_id, text,
                                                                       nearest, listed):
    with pytest.raises(AnswerError) as info:
        grade(assignment_id, question_id, text)
    message = info.value.message
    assert info.value.category == "unknown-symbol" and f" {listed}," in message.replace("(known: ", "( ")
    assert ("did you mean" in message) == (nearest is not None)
    if nearest:
        assert message.endswith(f"did you mean '{nearest}'?"), message
    if assignment_id == BG:  # backprop-general writes [l]: never the reader's canonical (l)
        assert "^{(" not in message.split("(known:")[1]
