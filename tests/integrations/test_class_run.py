"""run_class: `grade FOLDER`'s whole run as a library function, its printed pieces in order."""
from __future__ import annotations

import pytest

from grader.errors import OutputError
from grader.judge.time_limits import NONE
from grader.integrations.class_run import run_class
from grader.reports.run_outputs import RunOutputs
from tests.conftest import SUBMISSIONS


def test_the_table_comes_first_then_what_was_written(catalog, tmp_path):
    gradebook = tmp_path / "gb.csv"
    printed = list(run_class(SUBMISSIONS, RunOutputs(gradebook), catalog=catalog, limits=NONE, details=True))
    out = "".join(p.text for p in printed if not p.err)
    assert out.split("\n")[0].split() == ["id", "name", "points", "max", "percent", "status"]
    assert out.index("s1004") < out.index("  ex1a.delta2 (0/1): wrong") < out.index("answer file(s) graded;")
    assert out.endswith(f"answer file(s) graded; gradebook written to {gradebook}\n")
    assert gradebook.read_text().startswith("student_id,name,email,assignment,")
    assert all(p.text for p in printed)


def test_an_output_that_cannot_be_written_stops_before_grading_and_leaves_nothing(catalog, tmp_path):
    folder = tmp_path / "not-a-folder"
    folder.write_text("a file where a folder is due")
    run = run_class(SUBMISSIONS, RunOutputs(tmp_path / "gb.csv", json=folder / "r.json"), catalog=catalog,
                    limits=NONE)
    with pytest.raises(OutputError):
        next(run)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]

