"""The worked solution (grade key ID --format markdown) shows every step, with seed 004's numbers."""
import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.keys.worked_solution import tex_name, tex_number, worked_solution


@pytest.fixture(scope="module")
def markdown():
    result = CliRunner().invoke(cli, ["key", "mlp-numeric", "--format", "markdown"])
    assert result.exit_code == 0
    return result.output


def test_every_question_is_answered_by_a_step(markdown, mlp_numeric):
    for qid in mlp_numeric.question_ids:
        assert f"question {qid})" in markdown or f"question {qid}," in markdown, qid


@pytest.mark.parametrize("step", [
    r"z^{[1]} = W^{[1]} x + b^{[1]} = \begin{bmatrix} 0.2 \\ 0.2 \\ 0.2 \end{bmatrix}",
    # the δ lines carry their rule since issue 19 (the numbers are the same)
    r"\delta^{[2]} = \frac{\partial L}{\partial z^{[2]}} = \frac{\partial L}{\partial a^{[2]}} \odot \sigma'(z^{[2]}) = \begin{bmatrix} -0.113937 \\ 0.13437 \end{bmatrix}",
    r"W^{[2]}_{new} = W^{[2]} - 1 \, \frac{\partial L}{\partial W^{[2]}} = \begin{bmatrix} 0.162647 & 0.162647 & 0.162647 \\ 0.0261188 & 0.0261188 & 0.0261188 \end{bmatrix}",
    r"a^{[3]} = \operatorname{softmax}(z^{[3]}) = \begin{bmatrix} 0.333333 & 0.333333 \\ 0.333333 & 0.333333 \\ 0.333333 & 0.333333 \end{bmatrix}",
    r"\delta^{[2]} = \frac{\partial L}{\partial z^{[2]}} = \frac{\partial L}{\partial a^{[2]}} \odot \tanh'(z^{[2]}) = \begin{bmatrix} 0 & 0 \\ 0 & 0 \\ 0 & 0 \end{bmatrix}",
    "Predicted class: 1",
])
def test_seed004_steps_appear(markdown, step):
    assert step in markdown


@pytest.mark.parametrize("name, tex", [("W1", "W^{[1]}"), ("z12", "z^{[12]}"), ("x_new", "x_{new}"), ("L", "L")])
def test_tex_name(name, tex):
    assert tex_name(name) == tex


@pytest.mark.parametrize("x, tex", [(0.2, "0.2"), (-0.00050575, "-0.00050575"), (1.5e-9, r"1.5 \times 10^{-9}"), (0.0, "0")])
def test_tex_number(x, tex):
    assert tex_number(x) == tex


@pytest.mark.parametrize("assignment", ["softmax-ce", "backprop-general", "residual-softmax"])
def test_symbolic_assignments_get_a_worked_solution_with_every_question(catalog, assignment):
    a = catalog.assignment(assignment)
    text = worked_solution(catalog.key(a))
    assert all(f"(question {q.id})" in text for q in a.questions)
    assert a.question(a.questions[0].id).answer in text


# --- issue 19: the backward pass written out, the 1/m of a batch mean, ReLU'(0) only with a ReLU ---

@pytest.mark.parametrize("step", [
    # the loss gradient, σ'(z) with its values, the δ recursion, δ aᵀ and a bias summed over examples
    r"\frac{\partial L}{\partial a^{[2]}} = (a^{[2]} - t) = \begin{bmatrix} -0.458856 \\ 0.541144 \end{bmatrix}",
    r"\sigma'(z^{[2]}) = a^{[2]} \odot (1 - a^{[2]}) = \begin{bmatrix} 0.248307 \\ 0.248307 \end{bmatrix}",
    r"\frac{\partial L}{\partial a^{[1]}} = (W^{[2]})^T \delta^{[2]} = \begin{bmatrix} 0.00204328 \\ 0.00204328 \\ 0.00204328 \end{bmatrix}",
    r"\frac{\partial L}{\partial W^{[2]}} = \delta^{[2]} \, (a^{[1]})^T = \begin{bmatrix} -0.0626465 & -0.0626465 & -0.0626465 \\ 0.0738812 & 0.0738812 & 0.0738812 \end{bmatrix}",
    r"\frac{\partial L}{\partial W^{[1]}} = \delta^{[1]} \, x^T = ",
    r"\tanh'(z^{[1]}) = 1 - a^{[1]} \odot a^{[1]} = ",
    r"\frac{\partial L}{\partial b^{[3]}} = \textstyle\sum_{\text{examples}} \delta^{[3]} = \begin{bmatrix} 0.666667 \\ -0.333333 \\ -0.333333 \end{bmatrix}",
    r"\frac{\partial L}{\partial a^{[3]}} = -t \oslash a^{[3]} = ",
    # softmax and cross-entropy against one-hot targets: the rule comes to a − t, said so
    r"\delta^{[3]} = \frac{\partial L}{\partial z^{[3]}} = a^{[3]} \odot \bigl(\frac{\partial L}{\partial a^{[3]}} - "
    r"(a^{[3]})^T \frac{\partial L}{\partial a^{[3]}}\bigr) = (a^{[3]} - t) = \begin{bmatrix} 0.333333 & 0.333333 \\ "
    r"-0.666667 & 0.333333 \\ 0.333333 & -0.666667 \end{bmatrix}",
])
def test_the_backward_pass_is_written_out(markdown, step):
    assert step in markdown


def test_relu_convention_only_where_a_network_has_a_relu(markdown, catalog):
    assert "ReLU'(0)" not in markdown  # mlp-numeric: sigmoid and tanh networks
    softmax_ce = catalog.assignment("softmax-ce")  # one network, with ReLUs
    assert "Network `relu-softmax`. ReLU'(0) = 0." in worked_solution(catalog.key(softmax_ce))


def _mean_relu_key(tmp_path, reduction):
    from tests.keys.test_kinks import ONE_KINK, load
    data = dict(ONE_KINK, conventions={"reduction": reduction})
    data["scenarios"] = {"s": dict(ONE_KINK["scenarios"]["s"], examples=[{"x": ["1", "1"], "t": ["1"]}, {"x": ["1", "0"], "t": ["0"]}])}
    from grader.keys.answer_key import build_key
    return build_key(load(data, tmp_path, "one-kink"))


@pytest.mark.parametrize("reduction, loss_line, bias_rule", [
    ("mean", r"L = \tfrac{1}{2} \, \tfrac12 \textstyle\sum (z^{[2]} - t)^2 = ",
     r"\frac{\partial L}{\partial z^{[2]}} = \tfrac{1}{2}(z^{[2]} - t) = "),
    ("sum", r"L = \tfrac12 \textstyle\sum (z^{[2]} - t)^2 = ", r"\frac{\partial L}{\partial z^{[2]}} = (z^{[2]} - t) = "),
])
def test_a_batch_mean_shows_its_one_over_m(tmp_path, reduction, loss_line, bias_rule):
    text = worked_solution(_mean_relu_key(tmp_path, reduction))
    assert loss_line in text and bias_rule in text
    assert ("every gradient carries its 1/m" in text) == (reduction == "mean")
    assert "Network `net`, 2 examples as columns, the initial parameters, learning rate η = 1. ReLU'(0) = 0." in text
    # z1 = [[0, -0.2], [0.2, 0.6]]: ReLU'(0) = 0 at the exact zero
    assert r"\operatorname{ReLU}'(z^{[1]}) = \mathbb{1}[z^{[1]} > 0] = \begin{bmatrix} 0 & 0 \\ 1 & 1 \end{bmatrix}" in text


def test_another_relu_convention_is_in_the_derivative(tmp_path):
    from tests.keys.test_kinks import ONE_KINK, load
    from grader.keys.answer_key import build_key
    text = worked_solution(build_key(load(dict(ONE_KINK, conventions={"relu_grad_at_zero": "1"}), tmp_path, "one-kink")))
    assert (r"\operatorname{ReLU}'(z^{[1]}) = \mathbb{1}[z^{[1]} > 0] + 1 \, \mathbb{1}[z^{[1]} = 0] = "
            r"\begin{bmatrix} 1 \\ 1 \end{bmatrix}") in text
    assert "ReLU'(0) = 1." in text


@pytest.mark.parametrize("seed", range(10))
def test_random_networks_get_a_worked_backward_pass_for_every_gradient(tmp_path, seed):
    import numpy as np
    from grader.keys.answer_key import build_key
    from tests.keys.random_networks import LOSSES, load, random_assignment
    rng = np.random.default_rng([77, seed])
    depth = int(rng.integers(2, 5))
    data = random_assignment(rng, depth=depth, loss=list(LOSSES)[seed % len(LOSSES)], kinks=seed % 2 == 0,
                             reduction="mean" if seed % 3 == 0 else "sum")
    text = worked_solution(build_key(load(data, tmp_path)))
    assert all(f"(question {q['id']})" in text for q in data["questions"] if q["id"] != "jac")
    for layer in range(1, depth):  # each hidden δ by the recursion: the next layer's Wᵀ δ, then ⊙ g'(z)
        assert rf"\frac{{\partial L}}{{\partial a^{{[{layer}]}}}} = (W^{{[{layer + 1}]}})^T \delta^{{[{layer + 1}]}} = " in text
        assert rf"\delta^{{[{layer}]}} = \frac{{\partial L}}{{\partial z^{{[{layer}]}}}} = " in text
    has_relu = any("relu(" in e for e in data["networks"]["net"]["equations"])
    assert ("ReLU'(0)" in text) == has_relu


@pytest.mark.parametrize("targets, shortcut", [(["0", "1", "0"], True), (["0.5", "0.2", "0"], False)])
def test_the_softmax_shortcut_only_for_targets_that_sum_to_1(tmp_path, targets, shortcut):
    import numpy as np
    from grader.keys.answer_key import build_key
    from tests.keys.random_networks import load, random_assignment
    data = random_assignment(np.random.default_rng(3), depth=2, widths=[2, 3, 3], hidden=["tanh"],
                             loss="cross_entropy", output="softmax", batch=1)
    data["scenarios"]["s"]["examples"][0]["t"] = targets
    text = worked_solution(build_key(load(data, tmp_path)))
    assert (r"\bigr) = (a^{[2]} - t) = " in text) == shortcut


def test_every_optimizer_step_is_written_with_its_questions(catalog):
    """Each step of an optimizer scenario: gradient, state and parameters after it, tagged with
    the questions (and their step) it answers; every question of optimizer-steps has its line."""
    import re
    from grader.keys.answer_key import build_key

    assignment = catalog.assignment("optimizer-steps")
    text = worked_solution(build_key(assignment))
    tagged = set(re.findall(r"[\w.]+", " ".join(re.findall(r"\*\(question ([^)]*)\)\*", text))))
    assert [q.id for q in assignment.questions if q.id not in tagged] == []
    assert "#### Step 2" in text and r"\hat{m} = m / (1 - \beta_1^t)" in text
    line = next(x for x in text.splitlines() if "(question adam.m2_W2)" in x)
    assert line.startswith(r"$$\text{m}_{W^{[2]}}^{(2)} = ")
