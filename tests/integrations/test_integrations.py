"""`grade gradescope` and `grade prairielearn`: schema-valid results files with the sample class's
exact scores, and a results file that explains every problem (never a traceback, never the key)."""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import jsonschema
import pytest
from click.testing import CliRunner

import grader.keys.catalog
from grader.cli import cli
from tests.conftest import ROOT, SUBMISSIONS

# --- the documented fields of each platform's results.json -------------------------------------
# Gradescope: https://gradescope-autograders.readthedocs.io/en/latest/specs/
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
NUMBER = {"type": "number"}
GRADESCOPE_TEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "number", "score", "max_score", "status", "output", "visibility"],
    "properties": {
        "score": NUMBER, "max_score": {"type": "number", "minimum": 0},
        "status": {"enum": ["passed", "failed"]},
        "name": {"type": "string", "minLength": 1}, "name_format": FORMAT, "number": {"type": "string"},
        "output": {"type": "string"}, "output_format": FORMAT,
        "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": VISIBILITY, "extra_data": {"type": "object"},
    },
}
GRADESCOPE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["score", "execution_time", "output", "tests"],
    "properties": {
        "score": NUMBER, "execution_time": {"type": "number", "minimum": 0}, "output": {"type": "string"},
        "output_format": FORMAT, "test_output_format": FORMAT, "test_name_format": FORMAT,
        "visibility": VISIBILITY, "stdout_visibility": VISIBILITY, "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": GRADESCOPE_TEST}, "leaderboard": {"type": "array"},
    },
}
# PrairieLearn: docs/externalGrading.md, "Grading results"
IMAGES = {"type": "array"}
PL_TEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "points", "max_points", "message"],
    "properties": {"name": {"type": "string"}, "description": {"type": "string"}, "points": NUMBER,
                   "max_points": {"type": "number", "minimum": 0}, "message": {"type": "string"},
                   "output": {"type": "string"}, "images": IMAGES},
}
PL_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["gradable", "score", "message"],
    "properties": {
        "gradable": {"type": "boolean"}, "score": {"type": "number", "minimum": 0, "maximum": 1},
        "message": {"type": "string"}, "output": {"type": "string"}, "images": IMAGES,
        "format_errors": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "tests": {"type": "array", "items": PL_TEST},
    },
}


@pytest.fixture
def shared_catalog(monkeypatch, catalog):
    """The commands build `Catalog(salt=...)`; hand them the session's (keys already built)."""
    monkeypatch.setattr(grader.keys.catalog, "Catalog", lambda **kw: catalog)
    return catalog


def submission(tmp_path, *names, as_name=None):
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(SUBMISSIONS / name, folder / (as_name or name))
    return folder


def gradescope(tmp_path, folder, *options):
    out = tmp_path / "results" / "results.json"
    result = CliRunner().invoke(cli, ["gradescope", "--submission-dir", str(folder), "--results", str(out), *options])
    data = json.loads(out.read_text())
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    return result, data


def key_numbers(key, qid):
    """The key's entries of a question as a student would copy them (5 significant figures)."""
    return {f"{v:.5g}" for v in key[qid].value.ravel() if len(f"{abs(v):.5g}".replace("0.", "").strip("0")) >= 3}


# --- Gradescope -----------------------------------------------------------------------------------

def test_gradescope_wrong_entries(tmp_path, shared_catalog, mlp_key):
    result, data = gradescope(tmp_path, submission(tmp_path, "s1004_wrong_entries.yaml", as_name="answers.yaml"),
                              "--assignment", "mlp-numeric")
    assert result.exit_code == 0, result.output
    assert data["score"] == 34.0
    assert data["output"].startswith("answers.yaml (student s1004), assignment mlp-numeric: 34/102 points (33.3 %)")
    tests = {t["extra_data"]["question"]: t for t in data["tests"]}
    assert len(tests) == 103 and sum(t["max_score"] for t in data["tests"]) == 102
    assert sum(t["score"] for t in data["tests"]) == 34.0
    assert [t["number"] for t in data["tests"][:3]] == ["1", "2", "3"]
    assert tests["ex1a.z1"] | {"extra_data": None} == {
        "name": "ex1a.z1: net input z^{[1]} (training example)", "number": "1", "score": 0.5, "max_score": 0.5,
        "status": "passed", "output": "correct", "output_format": "text", "visibility": "visible", "extra_data": None}
    delta2 = tests["ex1a.delta2"]
    assert (delta2["status"], delta2["score"], delta2["max_score"], delta2["tags"]) == ("failed", 0.0, 1.0,
                                                                                       ["loss-gradient-sign"])
    assert delta2["output"].startswith("wrong: no entry matches") and "[loss-gradient-sign]" in delta2["output"]
    assert (tests["ex1a.dW2"]["status"], tests["ex1a.dW2"]["score"]) == ("failed", 0.5)
    assert tests["ex1a.W1_new"]["output"].startswith("wrong: 6 of 15 entries are off: (1,1), (1,2)")
    assert tests["ex2b.z1"]["output"] == "missing: no answer given"
    for qid in ("ex1a.W1_new", "ex2a.b3_new", "ex2b.W3_new"):  # wrong or missing: the key never shows
        assert not {n for n in key_numbers(mlp_key, qid) if n in json.dumps(data)}, qid
    assert "answers.yaml: score 34 (lost points: 2 follow-through, 3 wrong, 63 missing)" in result.output


def test_gradescope_all_correct_passes_every_test(tmp_path, shared_catalog):
    _, data = gradescope(tmp_path, submission(tmp_path, "s1001_all_correct.yaml"), "--visibility", "after_due_date",
                         "--stdout-visibility", "visible")
    assert data["score"] == 102.0 and {t["status"] for t in data["tests"]} == {"passed"}
    assert data["visibility"] == "after_due_date" and data["stdout_visibility"] == "visible"
    assert {t["visibility"] for t in data["tests"]} == {"after_due_date"}


@pytest.mark.parametrize("files, options, max_score, message", [
    (["s1006_malformed.yaml"], ["--assignment", "mlp-numeric"], 102.0,
     "s1006_malformed.yaml:8: column 10: invalid YAML: did not find expected ',' or ']'"),
    (["s1006_malformed.yaml"], [], 0.0, "s1006_malformed.yaml:8: column 10: invalid YAML"),
    ([], ["--assignment", "mlp-numeric"], 102.0,
     "no answer file found: submit one file named *.yaml, *.yml or *.json (the submission is empty)"),
    (["s1001_all_correct.yaml", "s1008_ex1_only.json"], [], 0.0,
     "2 answer files found (s1001_all_correct.yaml, s1008_ex1_only.json): submit exactly one"),
    (["s1001_all_correct.yaml"], ["--assignment", "softmax-ce"], 18.0,
     "s1001_all_correct.yaml:2: this file answers assignment 'mlp-numeric', but this is assignment 'softmax-ce'"),
])
def test_gradescope_rejected_file_scores_zero_and_says_why(tmp_path, shared_catalog, files, options, max_score,
                                                            message):
    result, data = gradescope(tmp_path, submission(tmp_path, *files), *options)
    assert result.exit_code == 0, result.output
    assert data["score"] == 0.0
    assert data["output"].startswith("Your answer file could not be graded (0 points); fix it and submit again.\n")
    assert message in data["output"]
    [test] = data["tests"]
    assert (test["name"], test["status"], test["score"], test["max_score"]) == ("answer file", "failed", 0.0, max_score)
    assert message in test["output"] and "Traceback" not in json.dumps(data)


def test_gradescope_other_files_are_named(tmp_path, shared_catalog):
    folder = submission(tmp_path)
    (folder / "answers.txt").write_text("ex1a.z1 = 0.2\n")
    _, data = gradescope(tmp_path, folder)
    assert "no answer file found: submit one file named *.yaml, *.yml or *.json (found only: answers.txt)" in data["output"]


def test_gradescope_missing_submission_dir(tmp_path, shared_catalog):
    _, data = gradescope(tmp_path, tmp_path / "nowhere")
    assert data["score"] == 0.0 and "no submission found (the folder" in data["output"]


def test_gradescope_our_configuration_error_exits_2_with_a_results_file(tmp_path, shared_catalog):
    result, data = gradescope(tmp_path, submission(tmp_path, "s1001_all_correct.yaml"), "--assignment", "no-such-hw")
    assert result.exit_code == 2
    assert data["score"] == 0.0 and "This is not your fault" in data["output"]
    assert "unknown assignment 'no-such-hw'" in data["output"]


def test_gradescope_a_bug_of_ours_is_an_internal_error_result(tmp_path, shared_catalog, monkeypatch):
    import grader.integrations.grade_one as one

    def boom(sub, catalog):
        raise RuntimeError("engine exploded")
    monkeypatch.setattr(one, "grade_submission", boom)
    result, data = gradescope(tmp_path, submission(tmp_path, "s1001_all_correct.yaml"), "--assignment", "mlp-numeric")
    assert result.exit_code == 0
    assert data["score"] == 0.0 and data["tests"][0]["max_score"] == 102.0
    assert "internal error while grading (RuntimeError: engine exploded); this is not your fault" in data["output"]


def _shim(tmp_path):
    """A `grade` on PATH that runs this checkout (the scripts call `grade` when no venv exists)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "grade").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m grader.cli "$@"\n')
    (bin_dir / "grade").chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}


def test_run_autograder_script_writes_results(tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "source").symlink_to(ROOT)
    shutil.copy(SUBMISSIONS / "s1008_ex1_only.json", root / "submission" / "answers.json")
    env = {**_shim(tmp_path), "AUTOGRADER_ROOT": str(root)}
    done = subprocess.run([str(ROOT / "integrations/gradescope/run_autograder")], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert data["score"] == 10.0 and len(data["tests"]) == 103


def test_gradescope_scripts_and_zip(tmp_path):
    here = ROOT / "integrations" / "gradescope"
    for script in ("setup.sh", "run_autograder", "make_autograder.sh"):
        assert os.access(here / script, os.X_OK), script
        subprocess.run(["bash", "-n", str(here / script)], check=True)
    assert "/autograder/source" in (here / "setup.sh").read_text()
    out = tmp_path / "autograder.zip"
    subprocess.run([str(here / "make_autograder.sh"), str(out)], check=True, capture_output=True, timeout=120)
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        assert {"setup.sh", "run_autograder", "pyproject.toml", "README.md", "grader/cli/__init__.py",
                "grader/integrations/gradescope.py", "reference/mlp-numeric.yaml", "rubrics/mlp-numeric.yaml"} <= names
        assert not [n for n in names if "__pycache__" in n]
        assert z.getinfo("run_autograder").external_attr >> 16 & 0o111


# --- PrairieLearn ---------------------------------------------------------------------------------

def pl_job(tmp_path, *, student=None, data=None):
    job = tmp_path / "grade"
    (job / "data").mkdir(parents=True)
    if data is not None:
        (job / "data" / "data.json").write_text(json.dumps(data))
    if student:
        (job / "student").mkdir()
        for name, as_name in student.items():
            shutil.copy(SUBMISSIONS / name, job / "student" / as_name)
    return job


def prairielearn(job, *options):
    result = CliRunner().invoke(cli, ["prairielearn", "--grade-dir", str(job), *options])
    data = json.loads((job / "results" / "results.json").read_text())
    jsonschema.validate(data, PL_SCHEMA)
    return result, data


def test_prairielearn_answer_file(tmp_path, shared_catalog, mlp_key):
    job = pl_job(tmp_path, student={"s1004_wrong_entries.yaml": "answers.yaml"}, data={"params": {},
                                                                                           "submitted_answers": {}})
    result, data = prairielearn(job, "--assignment", "mlp-numeric")
    assert result.exit_code == 0, result.output
    assert data["gradable"] is True and data["score"] == round(34 / 102, 6)
    assert data["message"].startswith("answers.yaml (student s1004), assignment mlp-numeric: 34/102 points")
    tests = {t["name"]: t for t in data["tests"]}
    assert len(tests) == 103
    assert tests["ex1a.delta2"]["points"] == 0 and tests["ex1a.delta2"]["max_points"] == 1
    assert tests["ex1a.delta2"]["description"] == "delta^{[2]} = dE/dz^{[2]}"
    assert tests["ex1a.delta2"]["message"].startswith("wrong: no entry matches")
    assert tests["ex1a.dW2"]["points"] == 0.5 and tests["ex1a.z1"]["message"] == "correct"
    assert not {n for n in key_numbers(mlp_key, "ex1a.W1_new") if n in json.dumps(data)}


def test_prairielearn_form_fields(tmp_path, shared_catalog):
    answers = {"ex1a_z1": "[0.2, 0.2, 0.2]", "ex1a.x1": "about 0.55", "ex1b.class": "1", "ex1a.z2": " ", "unrelated": 7}
    job = pl_job(tmp_path, data={"params": {"assignment": "mlp-numeric"}, "submitted_answers": answers})
    _, data = prairielearn(job)
    assert data["gradable"] is True and data["score"] == round(2.5 / 102, 6)
    tests = {t["name"]: t for t in data["tests"]}
    assert tests["ex1a.z1"]["points"] == 0.5 and tests["ex1b.class"]["points"] == 2
    assert tests["ex1a.z2"]["message"] == "missing: no answer given"
    assert tests["ex1a.x1"]["message"] == "unreadable: column 1: expected a number, got 'about'"
    assert tests["ex1a.x1"]["output"] == "unreadable: column 1: expected a number, got 'about'\n    about 0.55\n    ^"


def test_prairielearn_uploaded_files_in_data_json(tmp_path, shared_catalog):
    content = base64.b64encode((SUBMISSIONS / "s1001_all_correct.yaml").read_bytes()).decode()
    files = [{"name": "../../escape/answers.yaml", "contents": content}]
    job = pl_job(tmp_path, data={"submitted_answers": {"_files": files}})
    out = tmp_path / "elsewhere" / "r.json"
    result = CliRunner().invoke(cli, ["prairielearn", "--grade-dir", str(job), "--results", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    jsonschema.validate(data, PL_SCHEMA)
    assert data["score"] == 1.0 and data["message"].startswith("answers.yaml (student s1001)")
    assert not (tmp_path / "escape").exists() and not (job / "results").exists()


@pytest.mark.parametrize("student, data, message", [
    ({"s1006_malformed.yaml": "answers.yaml"}, None,
     "answers.yaml:8: column 10: invalid YAML: did not find expected ',' or ']'"),
    (None, {"submitted_answers": {}}, "no answer file found: submit one file named *.yaml, *.yml or *.json"),
    ({"s1001_all_correct.yaml": "a.yaml", "s1002_rounded_4sf.yaml": "b.yaml"}, None,
     "2 answer files found (a.yaml, b.yaml): submit exactly one"),
    (None, {"submitted_answers": {"_files": [{"name": "a.yaml", "contents": "not base64!"}]}},
     "a.yaml: the uploaded file could not be decoded"),
])
def test_prairielearn_problem_is_not_gradable(tmp_path, shared_catalog, student, data, message):
    result, out = prairielearn(pl_job(tmp_path, student=student, data=data), "--assignment", "mlp-numeric")
    assert result.exit_code == 0, result.output
    assert out["gradable"] is False and out["score"] == 0.0
    assert message in out["message"] and message in out["format_errors"][0]


def test_prairielearn_unreadable_data_json(tmp_path, shared_catalog):
    job = pl_job(tmp_path)
    (job / "data" / "data.json").write_text("{not json")
    _, out = prairielearn(job)
    assert out["gradable"] is False and "cannot read PrairieLearn's data.json" in out["message"]


def test_prairielearn_configuration_error(tmp_path, shared_catalog):
    job = pl_job(tmp_path, data={"submitted_answers": {"ex1a.z1": "1"}})
    result, out = prairielearn(job, "--assignment", "no-such-hw")
    assert result.exit_code == 2
    assert out["gradable"] is False and "not your fault" in out["message"]
    assert "unknown assignment 'no-such-hw'" in out["format_errors"][0]


def test_prairielearn_run_script_and_dockerfile(tmp_path):
    job = pl_job(tmp_path, student={"s1005_wrong_shape.yaml": "answers.yaml"})
    env = {**_shim(tmp_path), "GRADE_DIR": str(job), "GRADER_COURSE": str(ROOT)}
    done = subprocess.run([str(ROOT / "integrations/prairielearn/run.sh"), "--assignment", "mlp-numeric"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads((job / "results" / "results.json").read_text())
    jsonschema.validate(data, PL_SCHEMA)
    assert data["score"] == round(16 / 102, 6)
    docker = (ROOT / "integrations/prairielearn/Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.1[1-9]", docker, re.M) and "integrations/prairielearn/run.sh" in docker
    readme = (ROOT / "integrations/prairielearn/README.md").read_text()
    info = json.loads(re.search(r"```json\n(.*?)```", readme, re.S).group(1))
    assert info["externalGradingOptions"]["enabled"] is True and info["gradingMethod"] == "External"
