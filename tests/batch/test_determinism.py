"""The same class gives the same bytes — gradebook, --json, --html and the terminal table —
whatever the number of jobs, the order the files were created in, their names' sort order,
the locale and the time zone, and however often it is regraded.

Each run is a real `grade run` in a subprocess (its own environment), working in its own
directory on a copy of the class named ``class`` (the folder's name is in the reports), with
outputs at the same relative paths, so that even the last line of stdout must match.
"""
from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE_SETTINGS, SUBMISSIONS

OUTPUTS = ("gradebook.csv", "report.json", "report.html")
BASE_ENV = {"LC_ALL": "C.UTF-8", "TZ": "UTC"}


def _copy_class(dest: Path, *, order_seed: int | None = None, rename=None) -> Path:
    """Two copies of the sample class (so two workers share the work), the files
    created in a shuffled order and optionally renamed (``rename(index, name)``)."""
    files = sorted(p for p in SUBMISSIONS.rglob("*") if p.is_file() and p != SAMPLE_SETTINGS)
    todo = [(copy, i, p) for copy in ("a", "b") for i, p in enumerate(files)]
    if order_seed is not None:
        random.Random(order_seed).shuffle(todo)
    for copy, i, p in todo:
        rel = p.relative_to(SUBMISSIONS)
        target = dest / "class" / copy / rel.parent / (rename(i, rel.name) if rename else rel.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, target)
    shutil.copyfile(SAMPLE_SETTINGS, dest / "class" / SAMPLE_SETTINGS.name)  # the class's settings: at its top
    return dest


def _grade(cwd: Path, *, jobs: int, env: dict) -> dict[str, bytes]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "TZ"))}
    environment.update(env, PYTHONPATH=str(ROOT), GRADER_SALT="")
    proc = subprocess.run([sys.executable, "-m", "grader.cli", "run", "class", "--gradebook", OUTPUTS[0],
                           "--json", OUTPUTS[1], "--html", OUTPUTS[2], "--jobs", str(jobs), "--details",
                           "--course", str(ROOT)],
                          cwd=cwd, env=environment, capture_output=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    outputs = {name: (cwd / name).read_bytes() for name in OUTPUTS}
    outputs["stdout"] = proc.stdout
    return outputs


def _reversed_names(count: int):
    """A prefix that reverses the files' sort order: z013_ before z012_ …"""
    return lambda i, name: f"z{count - i:03d}_{name}"


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    count = sum(1 for p in SUBMISSIONS.rglob("*") if p.is_file() and p != SAMPLE_SETTINGS)
    tmp = tmp_path_factory.mktemp("determinism")
    plain = _copy_class(tmp / "plain")
    out = {"jobs 1": _grade(plain, jobs=1, env=BASE_ENV),
           "jobs 2": _grade(plain, jobs=2, env=BASE_ENV),  # also: the same folder regraded
           "LC_ALL=C, TZ=+5:45, jobs 2": _grade(plain, jobs=2, env={"LC_ALL": "C", "TZ": "NPT-5:45"})}
    # created in a shuffled order, and renamed so that the files sort the other way round
    renamed = _grade(_copy_class(tmp / "renamed", order_seed=3, rename=_reversed_names(count)), jobs=2, env=BASE_ENV)
    out["shuffled, renamed, jobs 2"] = {k: re.sub(rb"z\d{3}_", b"", v) for k, v in renamed.items()}
    return out


@pytest.mark.parametrize("variant", ["jobs 2", "LC_ALL=C, TZ=+5:45, jobs 2", "shuffled, renamed, jobs 2"])
@pytest.mark.parametrize("output", [*OUTPUTS, "stdout"])
def test_same_bytes(runs, variant, output):
    if output == "stdout" and variant.startswith("shuffled, renamed"):
        pytest.skip("the table cuts long statuses at 72 characters, and a longer file name moves the cut")
    assert runs[variant][output] == runs["jobs 1"][output]


def test_the_runs_graded_something(runs):
    files = 2 * sum(1 for p in SUBMISSIONS.rglob("*") if p.is_file() and p != SAMPLE_SETTINGS)
    gradebook = runs["jobs 1"]["gradebook.csv"].decode()
    assert gradebook.count("\n") == 1 + files and "complete" in gradebook and "rejected" in gradebook
    assert f"{files} answer file(s) graded".encode() in runs["jobs 1"]["stdout"]
