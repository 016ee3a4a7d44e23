"""Grading in worker processes (grader/batch/workers.py, grader/judge/budget.py, grader/batch/progress.py):
the same results whatever the number of jobs, a time limit per answer that really stops the
work (SIGKILL of the worker, not SIGALRM), crashes that cost one row, and the progress bar.

Pathological answers are injected with monkeypatch: workers are forked (Linux), so they
inherit the patched functions. The slow answer spins in C (a backtracking regex, which no
signal handler interrupts) or sleeps in C.
"""
from __future__ import annotations

import ctypes
import faulthandler
import io
import multiprocessing
import os
import pickle
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

import grader.judge.answers
import grader.batch.orchestrator
from grader.judge import budget
from grader.keys.catalog import Catalog
from grader.errors import ConfigError
from grader.batch.orchestrator import grade_file, grade_folder
from grader.batch.progress import Progress
from grader.reports.terminal import json_report
from grader.batch.workers import limit_error

from tests.conftest import ROOT, SUBMISSIONS

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="hooks reach workers by fork (Linux)")

ALL_CORRECT = SUBMISSIONS / "s1001_all_correct.yaml"


def _class(tmp_path: Path, **replaced: tuple[str, str]) -> Path:
    """A small class: three sample files, plus a copy of the all-correct file per keyword
    (name → (question, raw answer text)) with that one answer replaced."""
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("s1001_all_correct.yaml", "s1004_wrong_entries.yaml", "s1005_wrong_shape.yaml"):
        shutil.copy(SUBMISSIONS / name, folder / name)
    for i, (name, (qid, text)) in enumerate(replaced.items()):
        lines = ALL_CORRECT.read_text().splitlines()
        lines = [f"  {qid}: {text}" if line.startswith(f"  {qid}:") else line for line in lines]
        lines = [line.replace("s1001", f"s20{i:02d}") for line in lines]
        (folder / f"{name}.yaml").write_text("\n".join(lines) + "\n")
    return folder


def _by_file(result) -> dict:
    return {r.file: r for r in result.students}


def _points(r) -> dict:
    return {q.question: q.points for q in r.questions}


@pytest.fixture
def hooked(monkeypatch):
    """grader.judge.answers.parse_numeric with test hooks: answers written as the strings below
    spin, sleep, exit or segfault instead of being parsed."""
    real = grader.judge.answers.parse_numeric

    def parse_numeric(raw, *args, **kwargs):
        if raw == "SPIN":  # catastrophic backtracking, 2**40 steps inside the C regex engine
            re.match(r"(a+)+$", "a" * 40 + "b")
        if raw == "SLEEP":
            time.sleep(600)
        if raw == "EXIT":
            os._exit(3)
        if raw == "SEGV":
            faulthandler.disable()  # (in the worker only: pytest's traceback dump is noise here)
            ctypes.string_at(0)
        return real(raw, *args, **kwargs)

    monkeypatch.setattr(grader.judge.answers, "parse_numeric", parse_numeric)


@pytest.fixture(scope="module")
def sample_inprocess():
    return grade_folder(SUBMISSIONS, catalog=Catalog(root=ROOT), time_limit=None)


def test_student_results_pickle(sample_inprocess):
    """Workers send their results back pickled: every kind of row survives the round trip."""
    for r in sample_inprocess.students:
        back = pickle.loads(pickle.dumps(r))
        assert (back.status, back.points, back.flags, back.notes) == (r.status, r.points, r.flags, r.notes)
        assert [q.verdict for q in back.questions] == [q.verdict for q in r.questions]


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_workers_give_the_inprocess_result(sample_inprocess, jobs):
    got = grade_folder(SUBMISSIONS, catalog=Catalog(root=ROOT), jobs=jobs, time_limit=3.0)
    assert json_report(got) == json_report(sample_inprocess)
    assert not multiprocessing.active_children()  # every worker reaped


def test_results_come_back_stored_compressed(sample_inprocess):
    from grader.result_store import ResultStore

    got = grade_folder(SUBMISSIONS / "seeds", catalog=Catalog(root=ROOT), jobs=2, time_limit=3.0)
    assert isinstance(got.students, ResultStore) and isinstance(sample_inprocess.students, ResultStore)
    assert [s.file for s in got.students.summaries()] == [r.file for r in got.students]


def test_a_worker_that_grew_too_big_is_replaced_and_nothing_changes(sample_inprocess, monkeypatch):
    """Past MAX_GROWTH_MB (here: any growth, after one file) a worker gets no more files and is
    replaced by a fresh fork once idle; the results are the same."""
    import grader.batch.workers

    started = []
    real_init = grader.batch.workers._Worker.__init__

    def counting_init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        started.append(self.process.pid)

    monkeypatch.setattr(grader.batch.workers, "MAX_GROWTH_MB", -10**6)
    monkeypatch.setattr(grader.batch.workers, "MIN_FILES", 1)
    monkeypatch.setattr(grader.batch.workers, "PREFETCH", 2)  # (a full worker still grades the files it was sent)
    monkeypatch.setattr(grader.batch.workers._Worker, "__init__", counting_init)
    got = grade_folder(SUBMISSIONS, catalog=Catalog(root=ROOT), jobs=2, time_limit=3.0)
    assert json_report(got) == json_report(sample_inprocess)
    assert len(started) >= 16 // (grader.batch.workers.PREFETCH + 1)  # a worker per few files, not two for the run
    assert not multiprocessing.active_children()


def test_growth_counts_the_heap_after_each_assignments_first_file():
    from grader.batch.workers import Growth, anonymous_kb

    readings = iter([1000, 31000, 31500, 31200, 40000, 41000])  # kB: start, then after each file
    growth = Growth(read=readings.__next__)
    assert [growth.after(a) for a in ("a", "a", "a", "b", "b")] == [0, 500, 200, 200, 1200]
    assert Growth(read=lambda: None).after("a") == 0  # no /proc: never replaced for memory
    here = anonymous_kb()
    assert here is None or 1000 < here < 4_000_000  # this process's heap, in kB


def test_preset_answer_is_not_graded_and_is_located(catalog):
    got = grade_file(ALL_CORRECT, SUBMISSIONS, catalog, preset={"ex1a.dW2": limit_error(3)})
    q = {q.question: q for q in got.questions}
    assert q["ex1a.dW2"].points == 0 and q["ex1a.dW2"].verdict.error.category == "limit"
    assert q["ex1a.dW2"].verdict.feedback == "s1001_all_correct.yaml:11: question ex1a.dW2: took more than 3 s to grade; stopped"
    assert sum(q.points for q in got.questions) == got.max_points - q["ex1a.dW2"].max_points


@pytest.mark.parametrize("how", ["SPIN", "SLEEP"])
def test_an_answer_over_the_limit_is_stopped_and_the_rest_graded(tmp_path, hooked, sample_inprocess, how):
    folder = _class(tmp_path, slow=("ex1a.dW2", f'"{how}"'))
    limit = 0.5
    result = grade_folder(folder, catalog=Catalog(root=ROOT), jobs=1, time_limit=limit)
    rows, before = _by_file(result), _by_file(sample_inprocess)
    slow = rows["slow.yaml"]
    q = {x.question: x for x in slow.questions}["ex1a.dW2"]
    assert q.points == 0 and q.verdict.error.category == "limit"
    assert q.verdict.error.describe() == "slow.yaml:11: question ex1a.dW2: took more than 0.5 s to grade; stopped"
    assert {k: v for k, v in _points(slow).items() if k != "ex1a.dW2"} == \
        {k: v for k, v in _points(before["s1001_all_correct.yaml"]).items() if k != "ex1a.dW2"}
    assert slow.status == "lost points: 1 unreadable"
    for name in ("s1001_all_correct.yaml", "s1004_wrong_entries.yaml", "s1005_wrong_shape.yaml"):
        assert json_report_of(rows[name]) == json_report_of(before[name])
    assert not multiprocessing.active_children()


def json_report_of(r) -> tuple:
    return r.status, r.points, tuple((q.question, q.points, q.verdict.feedback) for q in r.questions)


def test_two_slow_answers_in_one_file_and_jobs_2(tmp_path, hooked):
    folder = _class(tmp_path, slow=("ex1a.dW2", '"SPIN"'), slower=("ex1a.z1", '"SLEEP"'))
    (folder / "slow.yaml").write_text((folder / "slow.yaml").read_text().replace("ex1a.db2: [", 'ex1a.db2: "SLEEP"  # ['))
    result = grade_folder(folder, catalog=Catalog(root=ROOT), jobs=2, time_limit=0.3)
    rows = _by_file(result)
    limited = {x.question for x in rows["slow.yaml"].questions if x.verdict.error and x.verdict.error.category == "limit"}
    assert limited == {"ex1a.dW2", "ex1a.db2"}
    lost = sum(x.max_points for x in rows["slow.yaml"].questions if x.question in limited)
    assert rows["slow.yaml"].points == rows["slow.yaml"].max_points - lost
    assert [x.question for x in rows["slower.yaml"].questions if x.points == 0] == ["ex1a.z1"]
    assert rows["s1001_all_correct.yaml"].status == "complete"


@pytest.mark.parametrize("warmed", [True, False], ids=["warm-up guessed it", "built in the worker"])
def test_building_keys_is_not_on_the_clock(tmp_path, monkeypatch, warmed):
    """Engine work (answer keys, misconception variants, expression keys) is ours: a slow
    build under a short limit stops nothing, whether the parent's warm-up built it or the
    worker builds it on the assignment's first file."""
    import grader.keys.catalog
    from grader.judge.symbolic import equivalence

    real_key, real_expr = grader.keys.catalog.build_key, equivalence._build_expression_key

    def slow_key(*args, **kwargs):
        time.sleep(0.4)
        return real_key(*args, **kwargs)

    def slow_expression_key(*args, **kwargs):
        time.sleep(0.3)
        return real_expr(*args, **kwargs)

    monkeypatch.setattr(grader.keys.catalog, "build_key", slow_key)
    monkeypatch.setattr(equivalence, "_build_expression_key", slow_expression_key)
    monkeypatch.setattr(equivalence, "_CACHE", {})
    if not warmed:
        monkeypatch.setattr(grader.batch.orchestrator, "warm_up", lambda catalog, files: None)
    folder = tmp_path / "class"
    folder.mkdir()
    seed000 = (SUBMISSIONS / "seeds" / "seed000_softmax_ce.yaml").read_text()
    (folder / "one_expression.yaml").write_text(seed000.split("\n  task1.delta_L:")[0] + "\n  task1.delta_L: 'y_hat - y'\n")
    result = grade_folder(folder, catalog=Catalog(root=ROOT), jobs=1, time_limit=0.2)
    assert result.students[0].points > 0
    for r in result.students:
        assert r.error is None and not [q for q in r.questions if q.verdict.error and q.verdict.error.category == "limit"]


def test_a_file_too_slow_to_read_is_rejected(tmp_path, monkeypatch):
    real = grader.batch.orchestrator.read_submission

    def read_submission(path, **kwargs):
        if Path(path).name == "s1005_wrong_shape.yaml":
            time.sleep(600)
        return real(path, **kwargs)

    monkeypatch.setattr(grader.batch.orchestrator, "read_submission", read_submission)
    result = grade_folder(_class(tmp_path), catalog=Catalog(root=ROOT), time_limit=0.3)
    rows = _by_file(result)
    assert rows["s1005_wrong_shape.yaml"].status == "rejected: s1005_wrong_shape.yaml: took more than 0.3 s to read; stopped"
    assert rows["s1001_all_correct.yaml"].status == "complete"


@pytest.mark.parametrize("how, why", [("EXIT", "exit code 3"), ("SEGV", "killed by signal SIGSEGV")])
def test_a_worker_crash_is_that_files_internal_error(tmp_path, hooked, how, why):
    folder = _class(tmp_path, crash=("ex1a.db1", f'"{how}"'))
    result = grade_folder(folder, catalog=Catalog(root=ROOT), jobs=2, time_limit=3)
    rows = _by_file(result)
    assert rows["crash.yaml"].status == ("rejected: crash.yaml: internal error while grading (the grading process "
                                         f"died: {why}, on question ex1a.db1); please report it")
    assert rows["crash.yaml"].error.category == "internal"
    assert rows["s1001_all_correct.yaml"].status == "complete"
    assert len(rows) == 4
    assert not multiprocessing.active_children()


def test_a_configuration_error_in_a_worker_stops_the_run(tmp_path, monkeypatch):
    real = grader.batch.orchestrator.grade_submission

    def grade_submission(sub, catalog, **kwargs):
        if sub.student_id == "s1005":
            raise ConfigError("rubric broken", file="rubrics/x.yaml")
        return real(sub, catalog, **kwargs)

    monkeypatch.setattr(grader.batch.orchestrator, "grade_submission", grade_submission)
    with pytest.raises(ConfigError, match="rubric broken"):
        grade_folder(_class(tmp_path), catalog=Catalog(root=ROOT), jobs=2)
    assert not multiprocessing.active_children()


def test_checkpoint_is_a_no_op_outside_a_worker():
    budget.checkpoint("q1")
    budget.checkpoint(None)
    budget.begin_file()


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_bar_after_a_second_on_a_terminal_only():
    clock, out = _Clock(), _Tty()
    bar = Progress(400, stream=out, clock=clock)
    bar.advance(10)
    assert out.getvalue() == ""  # a quick run prints nothing
    clock.now += 3.2
    bar.advance(110)
    assert out.getvalue() == "\rgrading 120/400 files (30%) 3.2 s"
    clock.now += 0.01
    bar.advance()
    assert out.getvalue().count("\r") == 1  # redrawn at most every 0.1 s
    clock.now += 1
    bar.advance(279)
    bar.close()
    assert out.getvalue().endswith("\rgrading 400/400 files (100%) 4.2 s\n")
    plain = io.StringIO()  # not a terminal: never a carriage return
    with Progress(400, stream=plain, clock=clock) as bar:
        clock.now += 5
        bar.advance(400)
    assert plain.getvalue() == ""


def test_grade_folder_progress_stays_off_when_stderr_is_not_a_terminal(capfd):
    grade_folder(SUBMISSIONS / "seeds", catalog=Catalog(root=ROOT), progress=True)
    assert "grading" not in capfd.readouterr().err


def test_warm_up_builds_the_keys_of_the_assignments_each_folder_names(tmp_path):
    """Keys are built once in the parent, before the fork, for the assignment the first file
    of each folder names; broken and unknown names are ignored (it is only a speed-up)."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    (tmp_path / "a" / "s0.yaml").write_text("- just\n- a list\n")  # a broken first file: the next one tells
    shutil.copy(ALL_CORRECT, tmp_path / "a" / "s1.yaml")
    (tmp_path / "b" / "s2.json").write_text('{"assignment": "softmax-ce", "student": {"id": "x"}, "answers": {}}')
    (tmp_path / "c" / "s3.yaml").write_bytes(b"assignment: no-such-thing\n\xff\xfe")
    catalog = Catalog(root=ROOT)
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    from grader.judge.symbolic.equivalence import _CACHE
    for k in [k for k in _CACHE if k[1] == "softmax-ce"]:  # (built by earlier tests)
        del _CACHE[k]
    grader.batch.orchestrator.warm_up(catalog, files)
    assert sorted(ident for ident, _ in catalog._keys) == ["mlp-numeric", "softmax-ce"]
    assert sorted(ident for ident, _ in catalog._variants) == ["mlp-numeric", "softmax-ce"]
    # and the keys of softmax-ce's expression questions (mlp-numeric has none), which the
    # workers then share instead of each building them
    softmax = catalog.assignment("softmax-ce")
    expression_ids = {q.id for q in softmax.questions if q.kind == "expression"}
    assert expression_ids and expression_ids <= {k[3] for k in _CACHE if k[1] == "softmax-ce"}
