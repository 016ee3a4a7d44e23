r"""Diagnosis by the smallest repair (issue 18, part 2): a table of wrong answers, each with the
catalogue id a TA names (None: a mistake with no catalogue id, or none to name) and the subterm
the repair points at, in the student's notation. Rows come from the seeds' own mistakes
(seed 000's stray bias entry-wise, seed 002's missing transpose) and the same mistakes in other
notations."""
import pytest

from grader.batch.orchestrator import grade_submission
from grader.io.answer_files import Submission
from grader.judge.diagnosis.edits import single_edits
from grader.judge.diagnosis.repair import MAX_EDITS
from grader.parse.expression import tree as A
from grader.results import CORRECT

SC, BG, RS = "softmax-ce", "backprop-general", "residual-softmax"

ROWS = [
    # seed 000: the stray bias, entry-wise and whole
    (SC, "task2a.grad_W_ij", r"\delta_i^{(L)} z_j^{(L-1)} + b_i^{(L-1)}", "stray-bias", "`b_i^{(L-1)}`"),
    (SC, "task2a.grad_W_ij", r"\delta_i^{[L]} z_j^{[L-1]} + b_i^{[L-1]}", "stray-bias", "`b_i^{[L-1]}`"),
    (SC, "task2a.grad_W", r"\delta^{(L)} (z^{(L-1)})^T + b^{(L-1)}", "stray-bias", "`b^{(L-1)}`"),
    (SC, "task2a.grad_W", r"delta_L @ z^{(L-1)}.T + b^{(L-1)}", "stray-bias", "`b^{(L-1)}`"),
    # missing transposes: wrong shape, pointed at the factor to transpose
    (SC, "task2a.grad_W", r"\delta^{(L)} z^{(L-1)}", "missing-transpose", "`z^{(L-1)}`"),
    (SC, "task3.delta_prev", r"(w^{(L-1)} \delta^{(L)}) \odot \phi'(\tilde{z}^{(L-1)})", "missing-transpose", "`w^{(L-1)}`"),
    (BG, "task2.dW_L", r"\delta^{[L]} g^{[L-1]}(Z^{[L-1]})", "missing-transpose", "`g^{[L-1]}(Z^{[L-1]})`"),  # seed 002
    (BG, "task2.dW_L", r"\delta^{[L]} A^{[L-1]}", "missing-transpose", "`A^{[L-1]}`"),
    (BG, "task2.dW_l", r"\delta^{[l]} A^{[l-1]}", "missing-transpose", "`A^{[l-1]}`"),
    (BG, "task1.i", r"g'(Z^{[l]}) \odot (W^{[l+1]} \delta^{[l+1]})", "missing-transpose", "`W^{[l+1]}`"),
    # stray bias in the other assignment (task 2 declares its biases now)
    (BG, "task2.dW_L", r"\delta^{[L]} A^{[L-1]T} + b^{[L]}", "stray-bias", "`b^{[L]}`"),
    (BG, "task2.dW_l", r"\delta^{[l]} A^{[l-1]T} + b^{[l]}", "stray-bias", "`b^{[l]}`"),
    # z where a belongs, and the loss gradient's sign entry-wise
    (BG, "task2.dW_L", r"\delta^{[L]} Z^{[L-1]T}", "preactivation-for-activation", None),
    (SC, "task1.delta_L", r"y_j - \hat{y}_j", "loss-gradient-sign", r"`y_j - \hat{y}_j`"),
    (SC, "task2b.grad_b", r"y - \hat{y}", "loss-gradient-sign", None),
    # sign slips in a δ recursion written with δ: a slip, never the loss gradient's sign
    (BG, "task1.i", r"-g'(Z^{[l]}) \odot (W^{[l+1]T} \delta^{[l+1]})", None, "sign of `-g'(Z^{[l]})`"),
    (BG, "task2.delta_l", r"-\mathbb{1}\{Z^{[l]} > 0\} \odot (W^{[L]T} \delta^{[L]})", None, "flipped"),
    (SC, "task3.delta_prev", r"-((w^{(L-1)})^T \delta^{(L)}) \odot \phi'(\tilde{z}^{(L-1)})", None, "flipped"),
    # repairs with no catalogue id, said plainly
    (SC, "task1.delta_L", r"2(\hat{y} - y)", None, "without the factor `2`"),
    (BG, "task2.delta_l", r"\mathbb{1}\{Z^{[l]} > 0\} \odot (W^{[L]T} \delta^{[L]}) + 1", None, "without the term `1`"),
    # ReLU' asked for itself: its own error only
    (BG, "task2.relu_prime", "1", "relu-derivative-one", None),
]


def _verdict(catalog, assignment_id, qid, answer):
    result = grade_submission(Submission("<test>", assignment_id, "t", answers={qid: answer}), catalog)
    return next(q.verdict for q in result.questions if q.question == qid)


@pytest.mark.parametrize("assignment_id, qid, answer, flag, points_at", ROWS, ids=[f"{r[1]}:{r[2]}" for r in ROWS])
def test_the_mistake_is_named_and_pointed_at(catalog, assignment_id, qid, answer, flag, points_at):
    verdict = _verdict(catalog, assignment_id, qid, answer)
    assert verdict.outcome != CORRECT
    assert verdict.flags == ((flag,) if flag else ()), verdict.feedback
    if points_at:
        assert points_at in verdict.feedback, verdict.feedback


@pytest.mark.parametrize("answer, column", [
    (r"\delta^{(L)} z^{(L-1)}", 14),
    (r"\delta_i^{(L)} z_j^{(L-1)} + b_i^{(L-1)}", 30),
])
def test_the_repair_gives_the_subterms_column(catalog, answer, column):
    qid = "task2a.grad_W_ij" if "_i" in answer else "task2a.grad_W"
    assert f"(column {column})" in _verdict(catalog, SC, qid, answer).feedback


def test_a_wrong_answer_no_single_edit_repairs_gets_no_flag_and_no_repair(catalog):
    verdict = _verdict(catalog, SC, "task2a.grad_W", r"\hat{y} \hat{y}^T")
    assert verdict.flags == () and "right " not in verdict.feedback


def test_the_edits_are_bounded_and_every_kind_is_tried():
    big = A.Sym("x")
    for n in range(20):
        big = A.Add(A.Product(big, A.Sym(f"s{n}")), A.Sym(f"t{n}"))
    symbols = {f"s{n}": (2, 1) for n in range(20)}
    edits = list(single_edits(big, symbols))
    assert len(edits) > MAX_EDITS  # a large answer has more candidates than the budget allows
    kinds = {e.kind for e in edits}
    assert {"transpose", "drop term", "flip sign", "drop factor", "hadamard for product", "swap symbol",
            "double", "halve"} <= kinds


def test_the_search_stops_at_its_budget(catalog):
    from grader.judge.diagnosis.repair import _roles, smallest_repair
    from grader.judge.symbolic.equivalence import expression_key, parse_for
    a = catalog.assignment(SC)
    q = a.question("task2a.grad_W")
    ek = expression_key(a, q, catalog.key(a)[q.id].exact)
    parsed = parse_for(q, r"\delta^{(L)} (z^{(L-1)})^T + b^{(L-1)}", ek)
    found = smallest_repair(parsed, ek, _roles(a, ek))
    assert found is not None and found.id == "stray-bias"
    assert smallest_repair(parsed, ek, _roles(a, ek), budget=0) is None


@pytest.mark.parametrize("assignment_id, qid, answer, said, never", [
    (RS, "q1c.ybar", "t - y", "it is y − t", "ŷ"),             # the prediction is y, the target t
    (BG, "task2.delta_L", r"\frac{2}{m} (Y - A^{[L]})", "it is A^{[L]} − Y", "ŷ"),
    (SC, "task1.delta_L", r"y - \hat{y}", r"it is \hat{y} − y", "ŷ"),
])
def test_feedback_is_in_the_assignments_own_words(catalog, assignment_id, qid, answer, said, never):
    feedback = _verdict(catalog, assignment_id, qid, answer).feedback
    assert said in feedback and never not in feedback, feedback


def test_numeric_feedback_speaks_the_assignments_notation(catalog, mlp_key):
    # mlp-numeric writes seed 004's names: the prediction x^{[2]}, the target z
    from tests.corpora.diagnosis.numeric_mlp import run
    verdict = _verdict(catalog, "mlp-numeric", "ex1a.delta2", run("ex1a", {"sign": True})["delta2"].tolist())
    assert "loss-gradient-sign" in verdict.flags and "it is x^{[2]} − z" in verdict.feedback


def test_an_assignment_without_symbols_keeps_the_usual_words(catalog):
    from grader.course.misconceptions import DEFAULT_WORDS, words_of
    assignment = catalog.assignment("optimizer-steps")
    assert all(words_of(assignment, s) == DEFAULT_WORDS for s in assignment.scenarios)


def test_every_edit_of_a_negated_difference_builds():
    # -(a - b): flipping the sign of the Neg yields a Sub, which is not an a + b -> a - b flip
    expr = A.Neg(A.Sub(A.Sym("yhat"), A.Sym("y")))
    trees = {e.kind: e.tree for e in single_edits(expr, {"yhat": (2, 1), "y": (2, 1)})}
    assert trees["flip sign"] in (A.Sub(A.Sym("yhat"), A.Sym("y")), A.Neg(A.Sub(A.Sym("y"), A.Sym("yhat"))))
    assert trees["drop term"] == A.Neg(A.Sym("yhat")) or trees["drop term"] == A.Neg(A.Neg(A.Sym("y")))
