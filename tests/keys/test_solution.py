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
    r"\delta^{[2]} = \frac{\partial L}{\partial z^{[2]}} = \begin{bmatrix} -0.113937 \\ 0.13437 \end{bmatrix}",
    r"W^{[2]}_{new} = W^{[2]} - 1 \, \frac{\partial L}{\partial W^{[2]}} = \begin{bmatrix} 0.162647 & 0.162647 & 0.162647 \\ 0.0261188 & 0.0261188 & 0.0261188 \end{bmatrix}",
    r"a^{[3]} = \operatorname{softmax}(z^{[3]}) = \begin{bmatrix} 0.333333 & 0.333333 \\ 0.333333 & 0.333333 \\ 0.333333 & 0.333333 \end{bmatrix}",
    r"\delta^{[2]} = \frac{\partial L}{\partial z^{[2]}} = \begin{bmatrix} 0 & 0 \\ 0 & 0 \\ 0 & 0 \end{bmatrix}",
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
