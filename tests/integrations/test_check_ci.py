"""`grade check` in students' CI: exact GitHub Actions annotations, `--score` without the key, and
the shipped workflow and pre-commit hook."""
import re

import pytest
import yaml
from click.testing import CliRunner

import grader.keys.catalog
from grader.cli import cli
from grader.errors import AnswerError, GraderError, SubmissionError
from grader.integrations.annotations import (error_annotation, escape_data, escape_property, file_column,
                                             in_github_actions, workflow_command)
from tests.conftest import ROOT

S1006 = "submissions/s1006_malformed.yaml"
S1009 = "submissions/s1009_unreadable_answers.yaml"
S1004 = "submissions/s1004_wrong_entries.yaml"


@pytest.fixture
def here(monkeypatch, catalog):
    """Run from the repository root (paths as a student's CI gives them), with the session catalog."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(grader.keys.catalog, "Catalog", lambda **kw: catalog)


def check(*args, github=True):
    env = {"GITHUB_ACTIONS": "true" if github else "false"}
    return CliRunner().invoke(cli, ["check", *args], env=env)


@pytest.mark.parametrize("text, data, prop", [
    ("plain", "plain", "plain"),
    ("50% off", "50%25 off", "50%25 off"),
    ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
    ("x: y, z", "x: y, z", "x%3A y%2C z"),
    ("%0A", "%250A", "%250A"),  # an escape sequence typed by a student stays literal
])
def test_escaping(text, data, prop):
    assert escape_data(text) == data and escape_property(text) == prop


def test_workflow_command_leaves_out_unknown_properties():
    assert workflow_command("error", "m", file="a.yaml", line=None, col=None, title="t") == "::error file=a.yaml,title=t::m"
    assert workflow_command("notice", "only a message") == "::notice::only a message"


def test_in_github_actions():
    assert in_github_actions({"GITHUB_ACTIONS": "true"}) and not in_github_actions({}) \
        and not in_github_actions({"GITHUB_ACTIONS": "false"})


def test_malformed_file_annotation(here):
    result = check(S1006)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=submissions/s1006_malformed.yaml,line=8,col=10,title=answer file::"
        "invalid YAML: did not find expected ',' or ']'"]


def test_unreadable_answers_annotations_point_at_the_answer(here):
    result = check(S1009)
    assert result.exit_code == 1
    f = "file=submissions/s1009_unreadable_answers.yaml"
    assert result.stdout.splitlines() == [
        f"::error {f},line=6,col=13,title=question ex1a.x1::expected a number, got 'about'",
        f"::error {f},line=7,title=question ex1a.z2::entry 2: not a finite number: 'nan'",
        f"::error {f},line=8,col=32,title=question ex1a.x2::missing ']' for the '[' at column 1",
        f"::error {f},line=9,title=question ex1a.delta2::row 2 has 1 entry, row 1 has 2",
        f"::error {f},line=10,col=16,title=question ex1a.W2_new::expected a number, got 'no'",
        f"::error {f},line=11,col=15,title=question ex1b.class::expected a whole number such as 2, got '1.0'",
        f"::error {f},line=12,title=question ex1a.typo_W1_new::unknown question id (not in mlp-numeric)",
    ]
    assert "7 problem(s) in 1 file(s)" in result.stderr


def test_outside_github_actions_lines_are_plain(here):
    result = check(S1006, github=False)
    assert result.stdout.splitlines() == [
        "submissions/s1006_malformed.yaml:8: column 10: invalid YAML: did not find expected ',' or ']'"]


def test_well_formed_files_pass(here):
    result = check("submissions/s1001_all_correct.yaml", "submissions/s1008_ex1_only.json")
    assert result.exit_code == 0 and result.stdout == "2 file(s) well-formed\n"


def test_score_prints_verdict_words_never_the_key(here, mlp_key):
    result = check("--score", S1004, github=False)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "submissions/s1004_wrong_entries.yaml: 34/102 points (33.3 %)"
    assert lines[1:3] == ["  ex1a.z1: correct (0.5/0.5)", "  ex1a.x1: correct (0.5/0.5)"]
    for line in ("  ex1a.delta2: wrong (0/1)", "  ex1a.dW2: follow-through (0.5/1)", "  ex1a.W1_new: wrong (0/1.5)",
                 "  ex2b.z1: missing (0/0.5)"):
        assert line in lines
    assert len(lines) == 1 + 103 + 1 and lines[-1] == "1 file(s) well-formed"
    assert all(re.fullmatch(r"  \S+: (correct|wrong|wrong shape|missing|unreadable|transposed|follow-through|"
                            r"needs review) \([\d.]+/[\d.]+\)", line) for line in lines[1:-1])
    assert "expected" not in result.stdout
    for qid in ("ex1a.W1_new", "ex2a.b3_new"):
        assert f"{mlp_key[qid].value.ravel()[0]:.5g}" not in result.stdout


def test_score_under_github_adds_a_notice_and_skips_broken_files(here):
    result = check("--score", S1004, S1006)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=submissions/s1006_malformed.yaml,line=8,col=10")
    assert "::notice file=submissions/s1004_wrong_entries.yaml,title=score::mlp-numeric: 34/102 points (33.3 %25)" in lines
    assert "submissions/s1006_malformed.yaml: not graded (see the problem above)" in lines


def test_a_message_is_escaped_and_properties_too():
    error = AnswerError("50% of it\nis off", file="hw,1:a.yaml", question="q:1", line=3)
    # a line break a student slipped in is shown as \n first (grader/shown_text.py), then escaped
    assert error_annotation(error) == "::error file=hw%2C1%3Aa.yaml,line=3,title=question q%3A1::50%25 of it\\nis off"
    assert escape_data("50% of it\r\nis off") == "50%25 of it%0D%0Ais off"


@pytest.mark.parametrize("error, line, col", [
    (SubmissionError("bad YAML", file="a.yaml", line=2, column=7), "x: [1,", 7),  # a file column already
    (AnswerError("bad", question="q1", column=3, text="1 x 2"), '  "q1": "1 x 2",', 12),  # JSON
    (AnswerError("bad", question="q1", column=1, text="1"), "  q1: 1", 7),  # after the id, not inside it
    (AnswerError("bad", question="q1", column=2, text="[1 2\n3]"), "  q1: |", None),  # block: not on the line
    (AnswerError("bad", question="q1", column=None, text=None), "  q1: nan", None),
    (GraderError("cannot read file", file="a.yaml"), None, None),
])
def test_file_column(error, line, col):
    assert file_column(error, line) == col


def test_answer_column_stated_when_not_on_the_line():
    error = AnswerError("missing ']'", file="a.yaml", question="q1", line=4, column=5, text="[1 2\n3")
    assert error_annotation(error, "  q1: |") == \
        "::error file=a.yaml,line=4,title=question q1::column 5 of the answer: missing ']'"


def test_block_answer_in_a_real_file(here, tmp_path):
    path = tmp_path / "hw.yaml"
    path.write_text("assignment: mlp-numeric\nstudent: {id: s1}\nanswers:\n  ex1a.z1: |\n    [0.2 0.2\n     0.2 x]\n")
    result = check(str(path))
    assert result.stdout.splitlines() == [
        f"::error file={path},line=4,title=question ex1a.z1::column 15 of the answer: expected a number, got 'x'"]


# --- what a course repository copies -------------------------------------------------------------

def test_pre_commit_hook():
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert (hook["id"], hook["entry"], hook["language"]) == ("grade-check", "grade check", "python")
    files = re.compile(hook["files"])
    for path in ("answers/hw1.yaml", "answers/hw1.yml", "answers/week2/hw.json", "course/answers/a.yaml"):
        assert files.search(path), path
    for path in (".pre-commit-config.yaml", ".github/workflows/grade-check.yml", "answers/notes.md", "answers.yaml"):
        assert not files.search(path), path


def test_github_classroom_workflow():
    text = (ROOT / "integrations/github-classroom/grade-check.yml").read_text()
    workflow = yaml.safe_load(text)
    [job] = workflow["jobs"].values()
    runs = [step.get("run", "") for step in job["steps"]]
    assert "grade check --sheets sheets answers/*.yaml" in runs
    assert not [r for r in runs if "--score" in r or "salt" in r.lower()]  # a student's CI never scores
    assert any(r.startswith("pip install") and "backprop-grader" in r for r in runs)
    assert any(step.get("uses", "").startswith("actions/checkout@") for step in job["steps"])
    assert (ROOT / "integrations/github-classroom/README.md").is_file()


def test_checking_numeric_answers_loads_neither_sympy_nor_the_expression_grammar():
    """`grade check` runs on every commit of a student's repository: a file of numbers needs
    no exact key (sympy) and no expression parser, which are a third of a second to load."""
    import subprocess
    import sys
    code = ("import sys; from pathlib import Path; from grader.batch.orchestrator import check_files; "
            "import grader.parse.expression.parser as e; "
            "assert check_files([Path('submissions/s1001_all_correct.yaml')]) == []; "
            "print('sympy' in sys.modules, e.parsers.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "0"]


def test_a_template_with_blank_answers_is_well_formed(here, tmp_path):
    """A handed-out template, partly filled in: blanks are unanswered (graded as missing), not
    malformed; a filled-in answer is still checked, and so is a blank under an unknown id."""
    path = tmp_path / "s1.yaml"
    path.write_text('assignment: mlp-numeric\nstudent: {id: s1}\nanswers:\n  ex1a.z1: "[1; 2; 3]"\n'
                    '  ex1a.x1:\n  ex1b.class: "  "\n')
    assert check(str(path), github=False).stdout == "1 file(s) well-formed\n"
    path.write_text('assignment: mlp-numeric\nstudent: {id: s1}\nanswers:\n  ex1a.z1: "[1; 2"\n'
                    '  ex1a.x1:\n  ex9.nothing:\n')
    lines = check(str(path), github=False).stdout.splitlines()
    assert len(lines) == 2 and ":4: question ex1a.z1:" in lines[0] and "ex9.nothing" in lines[1]
