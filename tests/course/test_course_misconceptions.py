"""Misconceptions a course declares in its assignment file (issue 18, part 4): each rule kind
(backward_as, scale, rewire) flagged with its own id and feedback like the catalogue's, named by
a rubric, checked by selftest; and the configuration errors a course can make."""
import shutil

import numpy as np
import pytest

from grader.batch.orchestrator import grade_submission
from grader.batch.selftest import run_selftest
from grader.errors import ConfigError
from grader.io.answer_files import Submission
from grader.keys.catalog import Catalog
from tests.conftest import ROOT

COURSE = ROOT / "tests" / "fixtures" / "own-misconceptions"

# by hand: x = (1, 1), W1 = [[1, 1], [0.5, -2]] -> z1 = (2, -1.5), h = (2, -0.15), y = 1.85,
# y - t = -0.15; δ1 = W2ᵀ(y - t) ⊙ leaky'(z1) = (-0.15, -0.015)
DELTA1 = np.array([[-0.15], [-0.015]])
X = np.array([[1.0, 1.0]])


def _grade(catalog, answers):
    result = grade_submission(Submission("<t>", "leaky", "t", answers=answers), catalog)
    return {q.question: q for q in result.questions}


@pytest.fixture
def course():
    return Catalog(root=COURSE)


def test_the_key_is_the_hand_computation(course):
    got = _grade(course, {"dh": DELTA1.tolist(), "dW1": (DELTA1 @ X).tolist()})
    assert got["dh"].verdict.correct and got["dW1"].verdict.correct


def test_leaky_slope_ignored_is_flagged_with_the_courses_id_and_the_rubrics_credit(course):
    ignored = np.array([[-0.15], [0.0]])  # ReLU' for leaky ReLU': 0 for z < 0
    got = _grade(course, {"dh": ignored.tolist(), "dW1": (ignored @ X).tolist()})
    assert got["dh"].verdict.flags == ("leaky-slope-ignored",)
    assert got["dh"].points == 0.5 and got["dh"].verdict.feedback == "Mind the slope."  # the rubric's words
    assert got["dW1"].verdict.flags == ("leaky-slope-ignored",)
    assert "Leaky ReLU passes slope" in got["dW1"].verdict.feedback  # the assignment's own feedback


def test_a_scaled_derivative_and_a_rewired_input_are_flagged(course):
    got = _grade(course, {"dW2": (2 * np.array([[-0.15 * 2, -0.15 * -0.15]])).tolist(),
                          "dW1": (DELTA1 @ np.array([[2.0, -0.15]])).tolist()})
    assert "squared-error-doubled" in got["dW2"].verdict.flags  # coincides with missing-half: both named
    assert "missing-half" in got["dW2"].verdict.flags
    assert "output-for-input" in got["dW1"].verdict.flags  # h in place of x (so is wrong-layer-input)


def test_selftest_names_every_declared_misconception(course):
    result = run_selftest(course, "leaky")
    assert result.failures == [] and result.checks > 20


def _course_with(tmp_path, old, new, rubric_old=None, rubric_new=None):
    shutil.copytree(COURSE, tmp_path / "c")
    path = tmp_path / "c" / "reference" / "leaky.yaml"
    path.write_text(path.read_text().replace(old, new))
    if rubric_old:
        r = tmp_path / "c" / "rubrics" / "leaky.yaml"
        r.write_text(r.read_text().replace(rubric_old, rubric_new))
    return Catalog(root=tmp_path / "c")


@pytest.mark.parametrize("old, new, says", [
    ("id: leaky-slope-ignored", "id: missing-half", "catalogue misconception"),
    ("as: relu}", "as: swoosh}", "unknown op 'swoosh'"),  # swish is an op since the new activations
    ("op: sse, by", "op: softmax, by", "no network of the assignment uses op 'softmax'"),
    ("sees: h}", "sees: nowhere}", "rewire names a node"),
    ('input: "1"', 'input: "5"', "has no input 5"),
])
def test_a_bad_declaration_is_a_configuration_error(tmp_path, old, new, says):
    with pytest.raises(ConfigError) as e:
        _course_with(tmp_path, old, new).assignment("leaky")
    assert says in str(e.value)


def test_a_rubric_naming_an_undeclared_id_is_still_an_error(tmp_path):
    catalog = _course_with(tmp_path, "x", "x", "leaky-slope-ignored:", "leaky-slope-forgotten:")
    with pytest.raises(ConfigError) as e:
        catalog.rubric(catalog.assignment("leaky"))
    assert "leaky-slope-forgotten" in str(e.value)
