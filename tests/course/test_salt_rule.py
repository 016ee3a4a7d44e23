"""A randomized assignment is graded or handed out with the course's salt, or unsalted only on
purpose (grader.course.salt_rule); the sample class says it is a demo (submissions/grader.yaml)."""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from grader.keys.catalog import Catalog
from grader.course.class_settings import read_class_settings
from grader.cli import cli
from grader.errors import ConfigError
from grader.batch.orchestrator import grade_folder
from tests.conftest import ROOT, SAMPLE_SETTINGS, SUBMISSIONS

RANDOM = SUBMISSIONS / "random"
OWN = "s2001_random_own_numbers.yaml"


@pytest.fixture(autouse=True)
def no_salt_in_the_environment(monkeypatch):
    monkeypatch.delenv("GRADER_SALT", raising=False)


@pytest.fixture
def random_class(tmp_path):
    """The sample's randomized files as a real course would have them: no settings file."""
    folder = tmp_path / "class"
    shutil.copytree(RANDOM, folder)
    return folder


def test_grading_a_randomized_class_without_a_salt_exits_2_and_says_why(random_class, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GRADER_SALT", None)
    proc = subprocess.run([sys.executable, "-m", "grader.cli", str(random_class), "--gradebook", str(tmp_path / "g.csv"),
                           "--course", str(ROOT)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False)
    assert proc.returncode == 2
    assert "mlp-random" in proc.stderr and "--salt" in proc.stderr and "--unsalted" in proc.stderr
    assert "GRADER_SALT" in proc.stderr
    assert not (tmp_path / "g.csv").exists()


def test_unsalted_on_purpose_grades_the_unsalted_draws(random_class, tmp_path):
    book = tmp_path / "g.csv"
    result = CliRunner().invoke(cli, [str(random_class), "--unsalted", "--gradebook", str(book)])
    assert result.exit_code == 0, result.output
    assert "note: mlp-random graded with the unsalted draws, on purpose" in result.output  # (on stderr)
    points = {r["student_id"]: r["total"] for r in csv.DictReader(book.open())}
    assert points == {"s2001": "18.0", "s2002": "10.0", "s2003": "0.0"}  # the README's figures


def test_a_salt_grades_too(random_class, tmp_path):
    """With a salt the students' numbers differ from the unsalted draws the sample was made with."""
    book = tmp_path / "g.csv"
    result = CliRunner().invoke(cli, [str(random_class), "--salt", "course-secret", "--gradebook", str(book)])
    assert result.exit_code == 0, result.output
    assert "unsalted" not in result.output
    points = {r["student_id"]: float(r["total"]) for r in csv.DictReader(book.open())}
    assert set(points) == {"s2001", "s2002", "s2003"} and points["s2001"] < 18.0


def test_the_library_refuses_too(random_class):
    with pytest.raises(ConfigError, match="mlp-random gives each student their own numbers"):
        grade_folder(random_class, catalog=Catalog(root=ROOT, salt=""), time_limit=None)
    result = grade_folder(random_class, catalog=Catalog(root=ROOT, salt="", unsalted=True), time_limit=None)
    assert [r.points for r in result.students] == [18.0, 10.0, 0.0]


def test_a_fixed_assignment_needs_no_salt(tmp_path):
    folder = tmp_path / "fixed"
    folder.mkdir()
    shutil.copy(SUBMISSIONS / "s1001_all_correct.yaml", folder)
    result = CliRunner().invoke(cli, [str(folder), "--gradebook", str(tmp_path / "g.csv")])
    assert result.exit_code == 0, result.output


def test_the_sample_class_grades_from_a_fresh_clone(tmp_path):
    """`grade submissions/` works with no salt: its settings file says it is a demo."""
    assert "demo" in read_class_settings(SUBMISSIONS).unsalted
    book = tmp_path / "g.csv"
    result = CliRunner().invoke(cli, [str(SUBMISSIONS), "--gradebook", str(book)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(book.open()))
    assert not any(r["file"] == "grader.yaml" for r in rows)  # the settings are not an answer file
    random_rows = {r["student_id"]: r["total"] for r in rows if r["assignment"] == "mlp-random"}
    assert random_rows == {"s2001": "18.0", "s2002": "10.0", "s2003": "0.0"}


def test_a_settings_file_below_the_top_is_an_answer_file_and_allows_nothing(random_class, tmp_path):
    """Only the graded folder's own grader.yaml is the class's: a student cannot switch the rule off."""
    (random_class / "s9").mkdir()
    shutil.copy(SAMPLE_SETTINGS, random_class / "s9" / "grader.yaml")
    result = CliRunner().invoke(cli, [str(random_class), "--gradebook", str(tmp_path / "g.csv")])
    assert result.exit_code == 2 and "--unsalted" in result.output


@pytest.mark.parametrize("text, message", [
    ("unsalted: yes please\nsalt: x\n", "unknown class setting(s) salt"),
    ("unsalted: ''\n", "give the reason"),
    ("- unsalted\n", "must be a mapping"),
])
def test_a_bad_settings_file_is_a_configuration_error(random_class, tmp_path, text, message):
    (random_class / "grader.yaml").write_text(text)
    result = CliRunner().invoke(cli, [str(random_class), "--gradebook", str(tmp_path / "g.csv")])
    assert result.exit_code == 2 and message in result.output


def test_handout_without_a_salt_writes_nothing(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("student_id,name\ns1,Ann\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["handout", "mlp-random", "--roster", str(roster), "--out", str(out)])
    assert result.exit_code == 2 and "--unsalted" in result.output
    assert not out.exists()
    result = CliRunner().invoke(cli, ["handout", "mlp-random", "--roster", str(roster), "--out", str(out), "--unsalted"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["s1.answers.yaml", "s1.md"]


def test_key_of_a_student_without_a_salt_exits_2():
    result = CliRunner().invoke(cli, ["key", "mlp-random", "--student", "s1"])
    assert result.exit_code == 2 and "--unsalted" in result.output


def test_gradescope_without_a_salt_exits_2_with_a_results_file(tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    shutil.copy(RANDOM / OWN, folder)
    (tmp_path / "submission_metadata.json").write_text(json.dumps({"users": [{"id": 1, "sid": "s2001", "name": "A"}]}))
    out = tmp_path / "results.json"
    result = CliRunner().invoke(cli, ["gradescope", "--submission-dir", str(folder), "--results", str(out)])
    assert result.exit_code == 2
    data = json.loads(out.read_text())
    assert data["score"] == 0.0 and "no salt is set" in data["output"]
    result = CliRunner().invoke(cli, ["gradescope", "--submission-dir", str(folder), "--results", str(out), "--unsalted"])
    assert result.exit_code == 0 and json.loads(out.read_text())["score"] == 18.0


def test_prairielearn_without_a_salt_exits_2(tmp_path):
    job = tmp_path / "grade"
    (job / "student").mkdir(parents=True)
    (job / "data").mkdir()
    (job / "data" / "data.json").write_text(json.dumps({"params": {"variant": "s2001"}, "submitted_answers": {}}))
    shutil.copy(RANDOM / OWN, job / "student" / "answers.yaml")
    result = CliRunner().invoke(cli, ["prairielearn", "--grade-dir", str(job)])
    assert result.exit_code == 2 and "no salt is set" in result.output  # (the student reads "not your fault")
    assert json.loads((job / "results" / "results.json").read_text())["score"] == 0
    result = CliRunner().invoke(cli, ["prairielearn", "--grade-dir", str(job), "--unsalted"])
    assert result.exit_code == 0 and json.loads((job / "results" / "results.json").read_text())["score"] == 1.0
