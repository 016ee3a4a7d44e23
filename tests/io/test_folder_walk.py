"""Discovery walks a class folder without recursion (grader.io.folder_walk): a folder nested 990
deep crashed the whole run with RecursionError, no gradebook for anyone; now it is a skipped
row (category limit) and the rest of the class is graded."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.io.folder_walk import MAX_DEPTH, walk
from grader.batch.orchestrator import grade_folder
from grader.io.answer_files import discover

from tests.conftest import SUBMISSIONS


def _nest(top: Path, depth: int) -> Path:
    """``top/d/d/.../d`` (``depth`` levels) built without long paths in one system call."""
    top.mkdir(parents=True, exist_ok=True)
    here = top
    for _ in range(depth):  # (os.makedirs recurses once per level too)
        here = here / "d"
        here.mkdir()
    return here


def test_walk_gives_what_os_walk_gives():
    assert list(walk(SUBMISSIONS)) == list(os.walk(SUBMISSIONS, followlinks=False))


def test_walk_prunes_in_place_and_reports_too_deep(tmp_path):
    bottom = _nest(tmp_path, 5)
    (bottom / "x.yaml").write_text("x")
    (tmp_path / "skip").mkdir()
    deep: list[str] = []
    seen = []
    for dirpath, dirnames, _ in walk(tmp_path, too_deep=deep.append, max_depth=3):
        seen.append(os.path.relpath(dirpath, tmp_path))
        if "skip" in dirnames:
            dirnames.remove("skip")
    assert seen == [".", "d", "d/d", "d/d/d"]
    assert deep == [str(tmp_path / "d" / "d" / "d" / "d")]


@pytest.fixture
def deep_class(tmp_path):
    """A class with one good file and one 990 folders down; removed bottom-up afterwards
    (shutil.rmtree, and so pytest's own clean-up of old temp folders, recurses per level)."""
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(SUBMISSIONS / "s1001_all_correct.yaml", folder / "s1001_all_correct.yaml")
    try:
        bottom = _nest(folder / "hostile", 990)
        shutil.copy(SUBMISSIONS / "s1004_wrong_entries.yaml", bottom / "s1004.yaml")
        yield folder
    finally:  # however far the chain got
        bottom = folder / "hostile"
        while (bottom / "d").is_dir():
            bottom = bottom / "d"
        (bottom / "s1004.yaml").unlink(missing_ok=True)
        while bottom != folder and bottom.is_dir():
            bottom.rmdir()
            bottom = bottom.parent


def test_folder_nested_990_deep_is_a_skipped_row(deep_class, tmp_path):
    folder = deep_class
    files, skipped = discover(folder)
    assert files == [folder / "s1001_all_correct.yaml"]
    [row] = skipped
    assert row.category == "limit" and row.file == "/".join(["hostile"] + ["d"] * MAX_DEPTH)
    assert f"nested more than {MAX_DEPTH} folders deep" in row.reason

    result = grade_folder(folder, time_limit=None)
    by_file = {s.file: s for s in result.students.summaries()}
    assert by_file["s1001_all_correct.yaml"].status == "complete"
    assert by_file[row.file].rejected

    out = CliRunner().invoke(cli, ["run", str(folder), "--gradebook", str(tmp_path / "gb.csv")])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "gb.csv").read_text().count("\n") == 3  # header, the graded file, the skipped folder


def test_a_folder_met_twice_is_walked_once(tmp_path):
    """A bind mount of a parent inside itself (a loop symbolic links cannot make: they are not
    followed) is entered once; needs root for the mount, else the check is on a plain tree."""
    (tmp_path / "a").mkdir()
    loop = tmp_path / "a" / "loop"
    loop.mkdir()
    mounted = subprocess.run(["mount", "--bind", str(tmp_path), str(loop)], capture_output=True).returncode == 0
    try:
        seen = [os.path.relpath(d, tmp_path) for d, _, _ in walk(tmp_path)]
        assert seen == ([".", "a"] if mounted else [".", "a", "a/loop"])  # a/loop is "." again
    finally:
        if mounted:
            subprocess.run(["umount", str(loop)], check=False)


def test_the_course_configuration_at_the_top_is_never_an_answer_file(tmp_path):
    from grader.io.answer_files import discover
    for name in ("grader.yaml", "lti.yaml", "s1.yaml"):
        (tmp_path / name).write_text("student: {id: s1}\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "lti.yaml").write_text("student: {id: s2}\n")  # below the top: a student's file
    found, _ = discover(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in found) == ["s1.yaml", "sub/lti.yaml"]
