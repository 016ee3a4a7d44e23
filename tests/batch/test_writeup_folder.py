"""``grade FOLDER`` with write-ups beside answer files: each gets its row, in one process and in
workers alike (the judged derivation travels with the result), broken ones rejected naming why."""
import os
import shutil
from pathlib import Path

import pytest

from grader.batch.orchestrator import grade_folder
from grader.keys.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("class")
    shutil.copy(ROOT / "submissions" / "s1001_all_correct.yaml", d)
    shutil.copy(ROOT / "tests" / "judge" / "writeups" / "stray_bias_line7.md", d)
    (d / "nobody.md").write_text("$$a = b$$\n", encoding="utf-8")
    (d / "broken.ipynb").write_text("{not a notebook", encoding="utf-8")
    (d / "utf16.tex").write_bytes("assignment: softmax-ce".encode("utf-16"))
    (d / "softmax-ce").mkdir()
    (d / "softmax-ce" / "s77.txt").write_text("$$\\delta^{(L)} = \\hat{y} - y$$\n", encoding="utf-8")
    os.mkfifo(d / "fifo.md")
    return d


def rows(result):
    return {(r.file, r.student_id, r.assignment, r.points, r.error.category if r.error else None)
            for r in result.students}


def test_each_writeup_gets_its_row(folder):
    result = grade_folder(folder, catalog=Catalog(root=ROOT), time_limit=None)
    got = rows(result)
    assert ("stray_bias_line7.md", "c02", "softmax-ce", 2.0, None) in got
    assert ("softmax-ce/s77.txt", "s77", "softmax-ce", 4.0, None) in got  # identity from the folder's name; task 1 right
    assert ("nobody.md", "", "", 0.0, "assignment") in got
    assert ("broken.ipynb", "", "", 0.0, "json") in got
    assert ("utf16.tex", "", "", 0.0, "encoding") in got
    assert ("fifo.md", "", "", 0.0, "file") in got
    assert any(f == "s1001_all_correct.yaml" and e is None for f, _, _, _, e in got)


def test_workers_give_the_same_rows_and_keep_the_derivation(folder):
    alone = grade_folder(folder, catalog=Catalog(root=ROOT), time_limit=None)
    workers = grade_folder(folder, catalog=Catalog(root=ROOT), jobs=2)
    assert rows(workers) == rows(alone)
    judged = next(r for r in workers.students if r.file == "stray_bias_line7.md").writeup
    assert [(s.right.line, s.flags) for c in judged.chains for s in c.steps if s.status == "does not hold"] == [
        (7, ("stray-bias",))]
