"""`grade run` killed with SIGKILL mid-run leaves the previous outputs byte-intact (every
output is written whole or not at all: a temp file beside it, then a rename), leaves no file
that could be mistaken for output (temp files start with a dot, which `grade` also skips
when it looks for answer files), and takes its worker processes down with it.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli

from tests.conftest import ROOT, SAMPLE_SETTINGS, SUBMISSIONS

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

OUTPUTS = ("gradebook.csv", "report.json", "report.html")
SAMPLE = sum(1 for p in SUBMISSIONS.rglob("*") if p.is_file() and p != SAMPLE_SETTINGS)  # the sample's files


def _class(tmp_path_factory, copies: int) -> Path:
    folder = tmp_path_factory.mktemp("class") / "class"
    for i in range(copies):
        shutil.copytree(SUBMISSIONS, folder / f"c{i:02d}", ignore=shutil.ignore_patterns(SAMPLE_SETTINGS.name))
    shutil.copyfile(SAMPLE_SETTINGS, folder / SAMPLE_SETTINGS.name)  # the class's settings: at its top
    return folder


@pytest.fixture(scope="module")
def big_class(tmp_path_factory) -> Path:
    return _class(tmp_path_factory, 300 // SAMPLE)  # about 300 answer files


@pytest.fixture(scope="module")
def mid_class(tmp_path_factory) -> Path:
    return _class(tmp_path_factory, 100 // SAMPLE)  # about 100: still reports to write, graded sooner


@pytest.fixture
def previous(tmp_path) -> tuple[Path, dict[str, bytes]]:
    """The outputs of an earlier run (of the sample class) in ``tmp_path/out``."""
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(cli, ["run", str(SUBMISSIONS), "--gradebook", str(out / OUTPUTS[0]),
                                      "--json", str(out / OUTPUTS[1]), "--html", str(out / OUTPUTS[2])])
    assert result.exit_code == 0, result.output
    return out, {name: (out / name).read_bytes() for name in OUTPUTS}


# The run under test, with one hook: an answer written "BLOCK" makes the worker grading it
# write its pid to $BLOCK_MARKER and wait there. So "killed while grading" is a state the test
# waits for (a worker is inside an answer), not a moment it guesses with a sleep.
_RUN_WITH_HOOK = """
import os, sys, time
import grader.judge.answers
real = grader.judge.answers.parse_numeric
def hooked(raw, *args, **kwargs):
    if raw == "BLOCK":
        with open(os.environ["BLOCK_MARKER"] + ".tmp", "w") as f:
            f.write(str(os.getpid()))
        os.rename(os.environ["BLOCK_MARKER"] + ".tmp", os.environ["BLOCK_MARKER"])
        time.sleep(600)
    return real(raw, *args, **kwargs)
grader.judge.answers.parse_numeric = hooked
from grader.cli import main
sys.argv[0] = "grade"
main()
"""


def _start(folder: Path, out: Path, *, marker: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BLOCK_MARKER": str(marker or "")}
    return subprocess.Popen([sys.executable, "-c", _RUN_WITH_HOOK, "run", str(folder), "--jobs", "2",
                             "--time-limit", "600",
                             "--gradebook", str(out / OUTPUTS[0]), "--json", str(out / OUTPUTS[1]),
                             "--html", str(out / OUTPUTS[2])],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _kill(proc: subprocess.Popen) -> list[int]:
    """SIGKILL the grade process alone (not its group): its workers must go by themselves."""
    workers = _children(proc.pid)
    proc.kill()
    proc.wait(timeout=30)
    return workers


def _assert_workers_gone(workers: list[int]) -> None:
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "worker processes outlived the killed run"


def _assert_nothing_mistakable(out: Path, folder: Path) -> None:
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(OUTPUTS)
    assert not [p for p in folder.rglob("*") if p.name.startswith(".")]  # nothing written among the answers


def _cleanup(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the session we started for it, should anything be left
    except (ProcessLookupError, PermissionError):
        pass


def test_killed_while_grading(big_class, previous, tmp_path):
    out, before = previous
    blocking = big_class / "zz_blocking"
    blocking.mkdir(exist_ok=True)
    text = (SUBMISSIONS / "s1001_all_correct.yaml").read_text()
    (blocking / "s1001_blocking.yaml").write_text(text.replace("ex1a.db2: [", 'ex1a.db2: "BLOCK"  # [', 1))
    marker = tmp_path / "worker-inside-an-answer"
    proc = _start(big_class, out, marker=marker)
    try:
        deadline = time.monotonic() + 300  # a bound on a wait, not a measurement
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists(), proc.stderr.read().decode(errors="replace") if proc.poll() is not None else "no worker got there"
        blocked = int(marker.read_text())
        workers = _kill(proc)
    finally:
        _cleanup(proc)
        shutil.rmtree(blocking, ignore_errors=True)
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    assert blocked in workers, (blocked, workers)
    for name in OUTPUTS:
        assert (out / name).read_bytes() == before[name], name
    _assert_nothing_mistakable(out, big_class)
    _assert_workers_gone(workers)


def test_killed_while_writing(mid_class, previous):
    """Killed as soon as the table is printed, i.e. while the outputs are being written: each
    is the previous file or the complete new one, never a mix or a truncated file."""
    out, before = previous
    proc = _start(mid_class, out)
    try:
        assert proc.stdout.readline().startswith(b"id ")  # the table's header: grading is done
        workers = _kill(proc)
    finally:
        _cleanup(proc)
    files = 100 // SAMPLE * SAMPLE
    for name in OUTPUTS:
        data = (out / name).read_bytes()
        if data == before[name]:
            continue
        if name == "gradebook.csv":
            assert data.endswith(b"\n") and data.count(b"\n") == 1 + files
        elif name == "report.json":
            assert len(json.loads(data)["students"]) == files
        else:
            assert data.endswith(b"</html>\n")
    _assert_nothing_mistakable(out, mid_class)
    _assert_workers_gone(workers)
