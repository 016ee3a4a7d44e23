"""A run in which no file matches a known assignment stops with a hint (grader.batch.unmatched)."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from click.testing import CliRunner

from grader.cli import cli
from grader.errors import GraderError
from grader.batch.unmatched import require_some_match
from tests.conftest import ROOT, SUBMISSIONS

LOCAL = "assignment: hw3-local\nstudent: {id: s1}\nanswers: {q1: '1'}\n"


def test_no_file_matched_exits_1_with_the_course_hint(tmp_path, monkeypatch):
    """Run from a folder without the course's reference/: was exit 0, every row rejected,
    a Canvas file without a column."""
    folder = tmp_path / "class"
    folder.mkdir()
    for n in range(3):
        (folder / f"s{n}.yaml").write_text(LOCAL.replace("s1", f"s{n}"))
    monkeypatch.chdir(tmp_path)
    book = tmp_path / "canvas.csv"
    result = CliRunner().invoke(cli, [str(folder), "--format", "canvas", "--gradebook", str(book)])
    assert result.exit_code == 1
    assert "no answer file could be matched to a known assignment" in result.output
    assert "3 name an assignment not found ('hw3-local')" in result.output
    assert "--course DIR" in result.output and "reference/" in result.output
    assert not book.exists()  # an earlier gradebook would be left as it was


def test_the_hint_escapes_what_the_files_say(catalog):
    summaries = [SimpleNamespace(assignment="x\x1b[31mred\u202e" + "y" * 100)]
    with pytest.raises(GraderError) as info:
        require_some_match(Path("class"), summaries, catalog)
    text = info.value.describe()
    assert "\x1b" not in text and "\u202e" not in text and "'x\\x1b[31mred\\u202eyyy" in text
    assert "y" * 50 not in text  # shortened


def test_one_matched_file_is_enough(tmp_path, monkeypatch):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "local.yaml").write_text(LOCAL)
    shutil.copy(SUBMISSIONS / "s1001_all_correct.yaml", folder)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [str(folder), "--gradebook", str(tmp_path / "g.csv"), "--course", str(ROOT)])
    assert result.exit_code == 0, result.output
    assert "unknown assignment 'hw3-local'" in (tmp_path / "g.csv").read_text()


def test_a_broken_file_counts_against_the_assignment_its_line_names(tmp_path):
    """Alone in its folder (no other file to agree with), a file that cannot be parsed still
    names its assignment on a line: it is that assignment's 0, and the run is not 'unmatched'."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "broken.yaml").write_text("assignment: mlp-numeric\nstudent: {id: s1\nanswers: {}\n")
    (folder / "pipe.yaml").symlink_to("/dev/zero")  # never opened to look for a line
    result = CliRunner().invoke(cli, [str(folder), "--gradebook", str(tmp_path / "g.csv"), "--course", str(ROOT)])
    assert result.exit_code == 0, result.output
    rows = {r["file"]: r for r in csv.DictReader((tmp_path / "g.csv").open())}
    assert rows["broken.yaml"]["assignment"] == "mlp-numeric" and rows["broken.yaml"]["max"] == "102.0"
    assert rows["pipe.yaml"]["assignment"] == ""  # a link is never opened; no graded file beside it to agree with
