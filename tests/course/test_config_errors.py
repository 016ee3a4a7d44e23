"""Mistakes in our own configuration (assignment, rubric) are reported as such: exit 2, the
file and the place named, never a traceback."""
import shutil

import pytest
from click.testing import CliRunner

from grader.cli import cli
from tests.conftest import ROOT, SUBMISSIONS


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course folder with its own reference/ and rubrics/ (copies of the shipped ones)."""
    shutil.copytree(ROOT / "reference", tmp_path / "reference")
    shutil.copytree(ROOT / "rubrics", tmp_path / "rubrics")
    (tmp_path / "subs").mkdir()
    shutil.copy(SUBMISSIONS / "s1001_all_correct.yaml", tmp_path / "subs")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_local_copies_are_used_first(course):
    rubric = course / "rubrics" / "mlp-numeric.yaml"
    rubric.write_text(rubric.read_text().replace("ex1b.class: {points: 2}", "ex1b.class: {points: 10}"))
    result = _run("subs")
    assert result.exit_code == 0
    assert " 110  110  " in result.output


@pytest.mark.parametrize("edit, message", [
    (("ex1b.class: {points: 2}", "ex9.nothing: {points: 2}"), "'ex9.nothing' matches no question of assignment mlp-numeric"),
    (("points: 1\n", "points: lots\n"), "at defaults.points"),
    (("assignment: mlp-numeric", "assignment: other"), "rubric is for assignment 'other'"),
])
def test_bad_rubric_is_a_configuration_error(course, edit, message):
    rubric = course / "rubrics" / "mlp-numeric.yaml"
    rubric.write_text(rubric.read_text().replace(*edit))
    result = _run("subs")
    assert result.exit_code == 2
    assert "configuration error" in result.output and message in result.output
    assert "rubrics/mlp-numeric.yaml" in result.output


def test_missing_rubric_is_a_configuration_error(course, monkeypatch):
    (course / "rubrics" / "mlp-numeric.yaml").unlink()
    result = _run("subs")
    assert result.exit_code == 2
    assert "no rubric for assignment 'mlp-numeric'" in result.output


@pytest.mark.parametrize("edit, message", [
    (("quantity: \"grad z2\"", "quantity: \"grad z9\""), "'z9' is not a node of network sigmoid-5-3-2"),
    (("network: tanh-4-4-3-3\n    init", "network: tanh-9\n    init"), "unknown network 'tanh-9'"),
    (("mlp: {sizes: [5, 3, 2]", "mlp: {sizes: [5, three, 2]"), "at networks.sigmoid-5-3-2"),
    (("init: {\"W*\": 0.1, \"b*\": 0}", "init: {\"W*\": 0.1}"), "parameter 'b1' has no initial value"),
    (("{x: [1, 1, 0, 0, 0], t: [1, 0]}", "{x: [1, 1, 0, 0], t: [1, 0]}"), "'x' has 4 entries, the network expects 5"),
])
def test_bad_assignment_is_a_configuration_error(course, edit, message):
    ref = course / "reference" / "mlp-numeric.yaml"
    assert edit[0] in ref.read_text()
    ref.write_text(ref.read_text().replace(*edit, 1))
    result = _run("key", "mlp-numeric")
    assert result.exit_code == 2
    assert "configuration error: " in result.output and "reference/mlp-numeric.yaml" in result.output
    assert message in result.output


def test_unknown_assignment_in_a_student_file_rejects_that_file_only(course):
    (course / "subs" / "typo.yaml").write_text(
        "assignment: mlp-numerc\nstudent: {id: s7}\nanswers: {ex1b.class: 1}\n")
    result = _run("subs")
    assert result.exit_code == 0
    assert "rejected: typo.yaml:1: unknown assignment 'mlp-numerc'" in result.output
