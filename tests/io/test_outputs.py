"""Outputs (grader.io.outputs, grader.reports.run_outputs): every output path checked before the work,
all outputs written then put in place together (a failure leaves the previous set), one line
and exit 3 for an output problem, stale temp files of killed runs removed, modes from the umask.

Full disks and read-only folders are real: small tmpfs mounts (root only; skipped otherwise),
and ``ulimit -f`` is RLIMIT_FSIZE in a subprocess.
"""
from __future__ import annotations

import contextlib
import errno
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.errors import OUTPUT_EXIT, OutputError
from grader.io.outputs import LEGACY_AGE, TEMP_MARK, OutputSet, remove_stale_temps, temp_name

from tests.conftest import ROOT, SUBMISSIONS


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    """The sample class's mlp-numeric files (nine, one malformed), in a folder of their own."""
    folder = tmp_path_factory.mktemp("klass") / "class"
    folder.mkdir()
    for p in SUBMISSIONS.iterdir():
        if p.is_file() and p.suffix in (".yaml", ".json"):
            shutil.copy(p, folder / p.name)
    return folder


@pytest.fixture
def no_grading(monkeypatch):
    """Grading that fails the test if it starts: an output problem must stop the run before."""
    def boom(*args, **kwargs):
        raise AssertionError("grading started before the outputs were checked")
    monkeypatch.setattr("grader.batch.orchestrator.grade_folder", boom)


def _run(*args: str):
    return CliRunner().invoke(cli, ["run", *map(str, args)])


def _listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"<dir>")
            for p in sorted(folder.rglob("*"))}


def _one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


# --- checked before the work -------------------------------------------------------------------

BAD_PATHS = {
    "missing parent": (lambda t, k: ["--gradebook", t / "nowhere" / "gb.csv"], "does not exist"),
    "a folder": (lambda t, k: ["--gradebook", t], "is a folder"),
    "parent is a file": (lambda t, k: ["--gradebook", t / "old.csv" / "gb.csv"], "is not a folder"),
    "json inside the graded folder": (lambda t, k: ["--gradebook", t / "gb.csv", "--json", k / "report.json"],
                                      "inside the folder being graded"),
    "any answer-like name inside it": (lambda t, k: ["--gradebook", k / "gb.yml"], "inside the folder being graded"),
    "given twice": (lambda t, k: ["--gradebook", t / "gb.csv", "--json", t / "gb.csv"], "given twice"),
    "feedback under a file": (lambda t, k: ["--gradebook", t / "gb.csv", "--feedback", t / "old.csv" / "fb"],
                              "is not a folder"),
}


@pytest.mark.parametrize("case", BAD_PATHS)
def test_bad_output_path_stops_before_grading(case, klass, tmp_path, no_grading):
    (tmp_path / "old.csv").write_text("previous\n")
    before, graded_before = _listing(tmp_path), _listing(klass)
    make, reason = BAD_PATHS[case]
    args = make(tmp_path, klass)
    result = _run(klass, *args)
    assert result.exit_code == OUTPUT_EXIT, result.output
    line = _one_line(result.stderr)
    assert line.startswith("output error: ") and reason in line
    assert result.stdout == ""  # no table: nothing was graded
    assert _listing(tmp_path) == before and _listing(klass) == graded_before  # nothing created, nothing left


def test_report_outside_the_graded_folder_and_hidden_names_are_fine(klass, tmp_path):
    """The rule is about what the next run would grade: a CSV or a hidden file inside is fine."""
    result = _run(klass, "--gradebook", klass / "gradebook.csv", "--json", tmp_path / "report.json")
    try:
        assert result.exit_code == 0, result.output
        again = _run(klass, "--gradebook", tmp_path / "gb2.csv")
        assert again.exit_code == 0 and "9 answer file(s) graded" in again.stdout  # the CSV is not an answer
    finally:
        (klass / "gradebook.csv").unlink(missing_ok=True)


def test_json_report_is_not_graded_next_time(klass, tmp_path):
    """The issue's case: --json inside the graded folder was graded as a student's file next run."""
    result = _run(klass, "--gradebook", tmp_path / "gb.csv", "--json", klass / "report.json")
    assert result.exit_code == OUTPUT_EXIT
    assert not (klass / "report.json").exists()


# --- real conditions: a read-only file system, a full disk, ulimit -f --------------------------

@contextlib.contextmanager
def _tmpfs(where: Path, options: str):
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode(errors='replace').strip()})")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _previous(folder: Path) -> dict[str, bytes]:
    files = {"gb.csv": b"previous gradebook\n", "report.json": b"{}\n", "report.html": b"<p>previous</p>\n"}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def test_read_only_folder(klass, tmp_path, no_grading):
    with _tmpfs(tmp_path / "ro", "size=256k") as ro:
        before = _previous(ro)
        subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        result = _run(klass, "--gradebook", ro / "gb.csv", "--json", ro / "report.json")
        assert result.exit_code == OUTPUT_EXIT, result.output
        line = _one_line(result.stderr)
        assert str(ro / "gb.csv") in line and os.strerror(errno.EROFS) in line
        assert _listing(ro) == before


def test_full_disk_leaves_the_previous_set(klass, tmp_path):
    """128 KB: the gradebook and the feedback fit, the JSON report (~160 KB) does not. Before,
    the new gradebook had already replaced the old one when the report failed (a traceback)."""
    with _tmpfs(tmp_path / "full", "size=128k") as full:
        before = _previous(full)
        result = _run(klass, "--gradebook", full / "gb.csv", "--feedback", full / "feedback",
                      "--json", full / "report.json", "--html", full / "report.html")
        assert result.exit_code == OUTPUT_EXIT, result.output
        line = _one_line(result.stderr)
        assert str(full / "report.json") in line and os.strerror(errno.ENOSPC) in line
        assert _listing(full) == before  # no new gradebook, no feedback folder, no temp file


def _limit_file_size(limit: int):
    def set_limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # (Python ignores it too): the write gets EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return set_limit


def test_file_size_limit(klass, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    before = _previous(out)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "grader.cli", "run", str(klass), "--gradebook", str(out / "gb.csv"),
                           "--json", str(out / "report.json")], env=env, capture_output=True, text=True,
                          preexec_fn=_limit_file_size(20_000), timeout=300)  # the JSON report is ~160 KB
    assert done.returncode == OUTPUT_EXIT, done.stderr
    line = _one_line(done.stderr)
    assert str(out / "report.json") in line and os.strerror(errno.EFBIG) in line
    assert _listing(out) == before


# --- the set: all or nothing --------------------------------------------------------------------

def test_nothing_visible_until_commit_then_everything(tmp_path):
    outputs = OutputSet()
    outputs.file(tmp_path / "a.csv")
    outputs.folder(tmp_path / "fb" / "deep")
    outputs.write(tmp_path / "a.csv", ["x,", "y\n"])
    outputs.write(tmp_path / "fb" / "deep" / "s1.md", "one\n")
    visible = [p for p in tmp_path.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert visible == []
    outputs.commit()
    assert (tmp_path / "a.csv").read_text() == "x,y\n" and (tmp_path / "fb" / "deep" / "s1.md").read_text() == "one\n"
    assert not [p for p in tmp_path.rglob("*") if TEMP_MARK in p.name]


def test_a_failed_write_discards_every_temp_and_the_folders_made(tmp_path):
    (tmp_path / "a.csv").write_text("previous\n")
    outputs = OutputSet()
    outputs.file(tmp_path / "a.csv")
    outputs.folder(tmp_path / "fb")
    outputs.write(tmp_path / "a.csv", "new\n")
    outputs.write(tmp_path / "fb" / "s1.md", "one\n")

    def failing():
        yield "half"
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(OutputError) as caught:
        outputs.write(tmp_path / "fb" / "s2.md", failing())
    assert "fb/s2.md" in caught.value.describe() and os.strerror(errno.ENOSPC) in caught.value.describe()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]
    assert (tmp_path / "a.csv").read_text() == "previous\n"


# --- temp files left by kill -9 ------------------------------------------------------------------

KILLED_MID_WRITE = """
import os, signal, sys
from pathlib import Path
from grader.io.outputs import OutputSet
outputs = OutputSet()
outputs.file(Path(sys.argv[1]))
def pieces():
    yield "student_id,total\\n"
    os.kill(os.getpid(), signal.SIGKILL)
outputs.write(Path(sys.argv[1]), pieces())
"""


def _left_by_a_killed_writer(target: Path) -> list[Path]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", KILLED_MID_WRITE, str(target)], env=env, timeout=120)
    assert done.returncode == -signal.SIGKILL
    left = [p for p in target.parent.iterdir() if TEMP_MARK in p.name]
    assert left and all(p.name.startswith(".") for p in left)
    return left


def test_a_later_run_removes_the_temp_files_of_a_killed_one(klass, tmp_path):
    left = _left_by_a_killed_writer(tmp_path / "gb.csv")
    alive = OutputSet()  # a run still going (this process): its temp file must survive
    alive.file(tmp_path / "other.csv")
    mine = [p for p in tmp_path.iterdir() if TEMP_MARK in p.name and p not in left]
    legacy_old, legacy_new = tmp_path / ".gb.csv.ab3_x9zq", tmp_path / ".gb.csv.k2j4h5g6"  # tempfile.mkstemp's
    for p in (legacy_old, legacy_new):
        p.write_text("half a gradebook")
    old = time.time() - LEGACY_AGE - 60
    os.utime(legacy_old, (old, old))
    try:
        result = _run(klass, "--gradebook", tmp_path / "gb.csv")
        assert result.exit_code == 0, result.output
        assert not any(p.exists() for p in left) and not legacy_old.exists()
        assert all(p.exists() for p in mine) and legacy_new.exists()
    finally:
        alive.discard()
    assert not any(p.exists() for p in mine)


def test_stale_temp_files_of_a_reused_pid_are_removed(tmp_path):
    """A temp file naming this very pid but another start time: a process before us had the pid."""
    name = temp_name("gb.csv")
    pid, start, n = name.rsplit(TEMP_MARK, 1)[1].split("-")
    stale = tmp_path / name.replace(f"{pid}-{start}-", f"{pid}-{int(start) + 1}-")
    live = tmp_path / name
    stale.write_text("x")
    live.write_text("x")
    assert remove_stale_temps(tmp_path) == [stale]
    assert live.exists()


# --- modes ------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002])
def test_every_output_follows_the_umask(mask, klass, tmp_path):
    (tmp_path / "gb.csv").write_text("previous, made private by an earlier version\n")
    os.chmod(tmp_path / "gb.csv", 0o600)
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\ns1,Ada\n")
    with _umask(mask):
        graded = _run(klass, "--gradebook", tmp_path / "gb.csv", "--json", tmp_path / "r.json",
                      "--html", tmp_path / "r.html", "--review", tmp_path / "review.csv",
                      "--feedback", tmp_path / "feedback")
        handed = CliRunner().invoke(cli, ["handout", "mlp-numeric", "--roster", str(roster),
                                          "--out", str(tmp_path / "handouts"), "--salt", "s"])
    assert graded.exit_code == 0 and handed.exit_code == 0, graded.output + handed.output
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p != roster]
    assert len(files) == 4 + 9 + 2
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in files} == {p.name: oct(0o666 & ~mask) for p in files}


def test_an_autograder_that_cannot_write_its_results_says_so_in_one_line(tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    shutil.copy(SUBMISSIONS / "s1001_all_correct.yaml", submission / "answers.yaml")
    (tmp_path / "results").write_text("a file where the results folder should be\n")
    result = CliRunner().invoke(cli, ["gradescope", "--submission-dir", str(submission),
                                      "--results", str(tmp_path / "results" / "results.json")])
    assert result.exit_code == OUTPUT_EXIT, result.output
    assert _one_line(result.stderr).startswith("output error: ") and "results.json" in result.stderr


def test_handout_folder_checked_before_any_number_is_drawn(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("numbers drawn before the output folder was checked")
    monkeypatch.setattr("grader.keys.catalog.Catalog.for_student", boom)
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\ns1,Ada\n")
    result = CliRunner().invoke(cli, ["handout", "mlp-random", "--roster", str(roster), "--salt", "s",
                                      "--out", str(roster / "handouts")])
    assert result.exit_code == OUTPUT_EXIT, result.output
    assert "is not a folder" in _one_line(result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.csv"]
