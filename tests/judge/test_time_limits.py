"""Every command that grades has a per-answer and a per-file time limit (grader.judge.time_limits).

Answers are made slow by a hook on the numeric parser (reaching the worker by fork): "SLEEP"
never finishes, "NAP" takes 0.2 s, in a worker process (``grade check`` first parses every
answer in its own process, which the structural limits bound; grading is what runs in a
worker). Only outcomes are asserted, never durations: each limit is either far below what the
slow work takes or far above it, so a busy machine (which only makes the work slower) cannot
change the outcome.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import grader.judge.answers
from grader.judge import budget
from grader.keys.catalog import Catalog
from grader.cli import cli
from grader.batch.orchestrator import grade_folder
from grader.judge.time_limits import ANSWER_SECONDS, FILE_SECONDS

from tests.conftest import ROOT, SUBMISSIONS

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="hooks reach workers by fork (Linux)")

ALL_CORRECT = SUBMISSIONS / "s1001_all_correct.yaml"
SLOW = "ex1a.dW2"
NAPPERS = ["ex1a.z1", "ex1a.x1", "ex1a.z2", "ex1a.x2", "ex1a.delta2", "ex1a.delta1", "ex1a.dW2", "ex1a.db2"]


@pytest.fixture
def hooked(monkeypatch):
    real = grader.judge.answers.parse_numeric

    def parse_numeric(raw, *args, **kwargs):
        if budget._board is None:  # not in a worker: `grade check` parses every answer in its own process first
            return real("[0]" if raw in ("SLEEP", "NAP") else raw, *args, **kwargs)
        if raw == "SLEEP":
            time.sleep(600)
        if raw == "NAP":
            time.sleep(0.2)
            raw = "[0]"
        return real(raw, *args, **kwargs)

    monkeypatch.setattr(grader.judge.answers, "parse_numeric", parse_numeric)


def answer_file(folder: Path, name: str = "answers.yaml", **answers: str) -> Path:
    """The all-correct sample with some answers replaced (question id → raw text)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ALL_CORRECT.read_text().splitlines()
    for qid, text in answers.items():
        lines = [f"  {qid}: {text}" if line.startswith(f"  {qid}:") else line for line in lines]
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


def naps() -> dict:
    return {q: '"NAP"' for q in NAPPERS}


def test_defaults_come_from_one_place():
    for command in ("run", "check", "gradescope", "prairielearn"):
        help_text = CliRunner().invoke(cli, [command, "--help"]).output
        assert "--time-limit" in help_text and "--file-time-limit" in help_text, command
        assert f"default: {ANSWER_SECONDS}" in help_text and f"default: {FILE_SECONDS}" in help_text, command


def test_gradescope_stops_a_slow_answer_and_grades_the_rest(tmp_path, hooked):
    answer_file(tmp_path / "sub", **{SLOW: '"SLEEP"'})
    out = tmp_path / "results.json"
    run = CliRunner().invoke(cli, ["gradescope", "--submission-dir", str(tmp_path / "sub"), "--results", str(out),
                                   "--time-limit", "0.3"])
    assert run.exit_code == 0, run.output
    data = json.loads(out.read_text())
    tests = {t["extra_data"]["question"]: t for t in data["tests"]}
    assert tests[SLOW]["score"] == 0 and "took more than 0.3 s to grade; stopped" in tests[SLOW]["output"]
    assert all(t["score"] == t["max_score"] for q, t in tests.items() if q != SLOW)
    assert data["score"] == 102 - tests[SLOW]["max_score"]


def test_prairielearn_stops_a_slow_answer_and_grades_the_rest(tmp_path, hooked):
    job = tmp_path / "job"
    answer_file(job / "student", **{SLOW: '"SLEEP"'})
    run = CliRunner().invoke(cli, ["prairielearn", "--grade-dir", str(job), "--time-limit", "0.3"])
    assert run.exit_code == 0, run.output
    data = json.loads((job / "results" / "results.json").read_text())
    tests = {t["name"].split(":")[0]: t for t in data["tests"]}
    assert data["gradable"] is True
    assert tests[SLOW]["points"] == 0 and "took more than 0.3 s to grade; stopped" in tests[SLOW]["message"]
    assert 0 < data["score"] < 1


def test_check_score_stops_a_slow_answer(tmp_path, hooked):
    path = answer_file(tmp_path, **{SLOW: '"SLEEP"'})
    run = CliRunner().invoke(cli, ["check", "--score", "--time-limit", "0.3", str(path)])
    lines = run.output.splitlines()
    assert f"  {SLOW}: unreadable (0/1)" in lines
    assert "  ex1a.z1: correct (0.5/0.5)" in lines


def test_a_file_over_its_limit_is_rejected_by_every_command(tmp_path, hooked):
    """Eight answers of 0.2 s each (far under the 30 s answer limit), a 0.5 s file limit."""
    limits = ["--time-limit", "30", "--file-time-limit", "0.5"]
    answer_file(tmp_path / "sub", **naps())
    out = tmp_path / "results.json"
    run = CliRunner().invoke(cli, ["gradescope", "--submission-dir", str(tmp_path / "sub"), "--results", str(out),
                                   *limits])
    assert run.exit_code == 0, run.output
    data = json.loads(out.read_text())
    assert data["score"] == 0 and "took more than 0.5 s in all to grade; stopped" in data["output"]

    run = CliRunner().invoke(cli, ["check", "--score", *limits, str(tmp_path / "sub" / "answers.yaml")])
    assert f"{tmp_path / 'sub' / 'answers.yaml'}: not graded (took more than 0.5 s in all to grade; stopped)" \
        in run.output.splitlines()

    folder = tmp_path / "class"
    answer_file(folder, "slow.yaml", **naps())
    answer_file(folder, "fine.yaml")
    result = grade_folder(folder, catalog=Catalog(root=ROOT), jobs=1, time_limit=30, file_time_limit=0.5)
    rows = {r.file: r for r in result.students}
    assert rows["slow.yaml"].status == "rejected: slow.yaml: took more than 0.5 s in all to grade; stopped"
    assert rows["slow.yaml"].error.category == "limit" and rows["slow.yaml"].points == 0
    assert rows["fine.yaml"].status == "complete"


def test_the_file_clock_counts_every_attempt(tmp_path, hooked):
    """Three answers that never finish: each stops at 0.5 s and the file is regraded; the
    attempts together pass the file's 1.2 s, so the file is rejected rather than regraded
    answers × limit seconds (each attempt alone stays under 1.2 s)."""
    folder = tmp_path / "class"
    answer_file(folder, "slow.yaml", **{q: '"SLEEP"' for q in NAPPERS[:3]})
    result = grade_folder(folder, catalog=Catalog(root=ROOT), jobs=1, time_limit=0.5, file_time_limit=1.2)
    (row,) = result.students
    assert row.status == "rejected: slow.yaml: took more than 1.2 s in all to grade; stopped"
