"""The course folder (`--course DIR`): where assignment files and rubrics come from, on every
command that reads them, and how the autograders (the course's machines) get it."""
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from click.testing import CliRunner

from grader.cli import cli
from tests.conftest import ROOT, SUBMISSIONS

NEEDS_ASSIGNMENTS = ("run", "check", "key", "handout", "selftest", "gradescope", "prairielearn", "publish")


def _hw7(course):
    """A course folder whose one assignment, hw7, is the sample residual-softmax renamed."""
    for kind in ("reference", "rubrics"):
        (course / kind).mkdir(parents=True)
        text = (ROOT / kind / "residual-softmax.yaml").read_text()
        (course / kind / "hw7.yaml").write_text(text.replace("residual-softmax", "hw7"))
    return course


@pytest.mark.parametrize("name", NEEDS_ASSIGNMENTS)
def test_every_command_that_reads_assignments_takes_course(name):
    [param] = [p for p in cli.commands[name].params if "--course" in getattr(p, "opts", [])]
    assert param.envvar == "GRADER_COURSE"


def test_commands_read_the_course_folder_given_not_the_current_one(tmp_path, monkeypatch):
    course = _hw7(tmp_path / "course")
    monkeypatch.chdir(tmp_path)
    run = CliRunner().invoke
    result = run(cli, ["selftest", "--course", str(course)])
    assert result.exit_code == 0 and result.output.startswith("hw7: ") and "mlp-numeric" not in result.output
    assert run(cli, ["selftest"]).output == ""  # the current folder is no course: nothing to test
    assert run(cli, ["key", "hw7", "--course", str(course)]).exit_code == 0
    assert run(cli, ["key", "hw7"], env={"GRADER_COURSE": str(course)}).exit_code == 0
    result = run(cli, ["key", "residual-softmax", "--course", str(course)])
    assert result.exit_code == 2 and "only its public sheet was found" in result.output


def test_quick_start_still_grades_the_sample_class_from_the_repository_root(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, [str(SUBMISSIONS.relative_to(ROOT)), "--gradebook", os.devnull])
    assert result.exit_code == 0
    assert "unknown assignment" not in result.output and " 102  102 " in result.output


def test_make_autograder_copies_the_course_folder_given(tmp_path):
    course = _hw7(tmp_path / "course")
    script = ROOT / "integrations" / "gradescope" / "make_autograder.sh"
    subprocess.run([str(script), str(tmp_path / "a.zip"), str(course)], check=True, capture_output=True, timeout=120)
    names = set(zipfile.ZipFile(tmp_path / "a.zip").namelist())
    assert {"reference/hw7.yaml", "rubrics/hw7.yaml"} <= names and "reference/mlp-numeric.yaml" not in names
    shutil.rmtree(course / "rubrics")
    done = subprocess.run([str(script), str(tmp_path / "b.zip"), str(course)], capture_output=True, text=True)
    assert done.returncode == 2 and "no rubrics/ folder" in done.stderr and not (tmp_path / "b.zip").exists()


def test_prairielearn_uses_the_questions_course_folder_before_the_images(tmp_path):
    """run.sh: a question's tests/ holding reference/ is the course folder, else $GRADER_COURSE."""
    job = tmp_path / "grade"
    (job / "student").mkdir(parents=True)
    (job / "data").mkdir()
    (job / "data" / "data.json").write_text("{}")
    _hw7(job / "tests")
    (job / "student" / "answers.yaml").write_text('assignment: hw7\nstudent: {id: s1}\nanswers:\n  q1c.ybar: "y - t"\n')
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "grade").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m grader.cli "$@"\n')
    (bin_dir / "grade").chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT),
           "GRADE_DIR": str(job), "GRADER_COURSE": str(ROOT)}
    done = subprocess.run([str(ROOT / "integrations/prairielearn/run.sh"), "--assignment", "hw7"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads((job / "results" / "results.json").read_text())
    assert data["gradable"] is True and 0 < data["score"] < 1
