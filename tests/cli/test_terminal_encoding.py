"""Every terminal output survives a terminal that cannot encode what we print: under a latin-1
locale, `grade FOLDER` died with UnicodeEncodeError on the table's "…", and `grade
key ... --format markdown` on its "—". A character the terminal lacks is now printed as an
escape (\\u2026) and the run completes. Real subprocesses through `main()`, where the streams
are set up."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SUBMISSIONS


def _grade(*args: str, encoding: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": encoding, "LC_ALL": "C"}
    env.pop("PYTHONUTF8", None)
    return subprocess.run([sys.executable, "-m", "grader.cli", *args, "--course", str(ROOT)], env=env, cwd=cwd,
                          capture_output=True,
                          timeout=300)


def test_table_and_details_on_a_latin1_terminal(tmp_path):
    done = _grade("run", str(SUBMISSIONS), "--details", "--gradebook", str(tmp_path / "gb.csv"),
                  encoding="latin-1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    out = done.stdout.decode("latin-1")
    assert "\\u2026" in out and "Traceback" not in done.stderr.decode(errors="replace")  # the table's ellipsis
    assert "s1001" in out and "answer file(s) graded" in out
    assert (tmp_path / "gb.csv").read_text(encoding="utf-8").count("\n") > 10  # the files keep UTF-8


@pytest.mark.parametrize("assignment, fmt", [("mlp-numeric", "markdown"), ("softmax-ce", "markdown"),
                                             ("softmax-ce", "text"), ("residual-softmax", "markdown")])
def test_key_on_a_latin1_terminal(assignment, fmt, tmp_path):
    done = _grade("key", assignment, "--format", fmt, encoding="latin-1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert done.stdout.decode("latin-1").startswith(("#", assignment))


def test_check_lines_on_a_latin1_terminal(tmp_path):
    answer = tmp_path / "s1.yaml"
    answer.write_text("assignment: mlp-numeric\nstudent: {id: s1, name: \"Zo\u00eb \u2014 \u00c5s\"}\n"
                      "answers:\n  ex1a.z1: [0.1, \u2026]\n", encoding="utf-8")
    done = _grade("check", str(answer), encoding="latin-1", cwd=tmp_path)
    assert done.returncode == 1, done.stderr.decode(errors="replace")  # the answer is malformed, and said so
    assert b"s1.yaml" in done.stdout and b"Traceback" not in done.stderr
