"""The CLI end to end on the sample class in submissions/ (click's CliRunner)."""
import json
import os
import subprocess

import pandas as pd
import pytest
from click.testing import CliRunner

from grader.cli import cli
from tests.conftest import ROOT, SUBMISSIONS

# (file, points, status starts with) — what a careful TA would record for each sample answer file
EXPECTED_ROWS = {
    "s1001": (102.0, "complete"),
    "s1002": (102.0, "complete"),  # 4 significant figures are accepted
    # seed 004: Ex 1 and the batch parts right; Ex 3's hidden deltas written 2x2; Ex 2a/3a not answered
    "s1003": (45.5, "lost points: 2 wrong shape, 55 missing"),
    # δ2's sign flipped: dW2 and db2 follow through from it (half credit each)
    "s1004": (34.0, "lost points: 2 follow-through, 3 wrong, 63 missing"),
    # dW2 and db1 transposed (half credit each), dW1 missing a column
    "s1005": (16.0, "lost points: 3 wrong shape, 84 missing"),
    "s1007": (12.5, "lost points: 90 missing"),  # every notation read, every answer right
    "s1008": (10.0, "lost points: 1 wrong, 94 missing"),
    "s1009": (0.5, "lost points: 6 unreadable, 96 missing"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "gradebook.csv"
    result = CliRunner().invoke(cli, [str(SUBMISSIONS), "--gradebook", str(out)], catch_exceptions=False)
    return result, pd.read_csv(out, dtype={"student_id": str})


def test_run_exits_0_and_prints_one_row_per_file(graded):
    result, book = graded
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].split() == ["id", "name", "points", "max", "percent", "status"]
    assert len(book) == len([p for p in SUBMISSIONS.rglob("*.*") if p.suffix in (".yaml", ".json", ".md")
                             and p != SUBMISSIONS / "grader.yaml"])  # the class's settings, not an answer file


def test_gradebook_columns_are_stable(graded, catalog):
    _, book = graded
    # question columns: each assignment's questions in its own order, assignments sorted by id
    # (a question id two assignments share, as mlp-random's ex1a.* with mlp-numeric's, is one column)
    qcols = list(dict.fromkeys(q for a in sorted(set(book.assignment.dropna())) for q in catalog.assignment(a).question_ids))
    # then the text of answers a TA grades by hand (seed 002's Task 3; seed 002's write-up answers
    # task2.delta_L with a line the grammar cannot read yet, seed 000's task3.delta_prev with a line
    # writing w as \cup: a TA reads them)
    assert list(book.columns) == ["student_id", "name", "email", "assignment", *qcols, "task2.delta_L answer",
                                  "task3.blowup answer", "task3.delta_prev answer",
                                  "total", "max", "percent", "status", "flags", "notes", "file"]


def test_seed_transcriptions_are_graded_as_a_TA_would(graded):
    _, book = graded
    rows = {r.student_id: r for r in book.itertuples()}
    # the seeds' real mistakes, and nothing else, lose points
    assert rows["seed000"].total == 16 and rows["seed000"].status == "lost points: 1 wrong shape"
    assert rows["seed001"].status == "lost points: 1 wrong, 1 missing"
    # dJ/dW^{[L]} = \delta^{[L]} \cdot g^{[L-1]}(Z^{[L-1]}) (no transpose) multiplies a k×m by an n_2×m:
    # a shape error in general, "wrong shape" even on instances whose sizes let the product be
    # computed (issues 17 and 18), flagged missing-transpose
    assert rows["seed002"].status.startswith("needs review: 1 answer for a TA; lost points: 1 wrong, 2 wrong shape")
    assert "missing-transpose" in rows["seed002"].flags.split()
    assert rows["seed003"].total == 24 and rows["seed003"].status == "lost points: 1 wrong"
    assert book.loc[book.student_id == "seed003", "q1c.xbar"].item() == 0


@pytest.mark.parametrize("sid", sorted(EXPECTED_ROWS))
def test_each_sample_file_scores_as_a_TA_would(graded, sid):
    _, book = graded
    row = book[book.student_id == sid].iloc[0]
    points, status = EXPECTED_ROWS[sid]
    assert row.total == points
    assert row.status == status
    assert row["max"] == 102


def test_malformed_file_gets_a_rejected_row_with_the_line(graded):
    _, book = graded
    row = book[book.file == "s1006_malformed.yaml"].iloc[0]
    assert row.status.startswith("rejected: s1006_malformed.yaml:")
    assert row.total == 0 and row["max"] == 102 and row.percent == 0


def test_gradebook_defaults_to_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [str(SUBMISSIONS), "--course", str(ROOT)])
    assert result.exit_code == 0
    assert (tmp_path / "gradebook.csv").is_file()


def test_no_answer_files_is_an_error(tmp_path):
    result = CliRunner().invoke(cli, [str(tmp_path)])
    assert result.exit_code == 1
    assert "no answer files" in result.output


def test_key_json_scores_full_marks_when_pasted_back(tmp_path):
    result = CliRunner().invoke(cli, ["key", "mlp-numeric", "--format", "json"])
    assert result.exit_code == 0
    key = json.loads(result.output)
    assert key["assignment"] == "mlp-numeric"
    answers = {q["id"]: q["answer"] for q in key["questions"]}
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "key.json").write_text(json.dumps(
        {"assignment": "mlp-numeric", "student": {"id": "k"}, "answers": answers}))
    out = tmp_path / "gb.csv"
    CliRunner().invoke(cli, [str(tmp_path / "sub"), "--gradebook", str(out)])
    row = pd.read_csv(out).iloc[0]
    assert row.status == "complete" and row.total == row["max"]


def test_key_prints_at_least_10_significant_digits():
    result = CliRunner().invoke(cli, ["key", "mlp-numeric", "--format", "json"])
    w2 = next(q for q in json.loads(result.output)["questions"] if q["id"] == "ex1a.W2_new")["answer"]
    assert len(repr(w2[0][0]).lstrip("0.")) >= 10


def test_key_unknown_assignment_is_a_config_error():
    result = CliRunner().invoke(cli, ["key", "no-such-assignment"])
    assert result.exit_code == 2
    assert "configuration error: grade key needs the course's assignment file for 'no-such-assignment'" in result.output
    assert "--course DIR" in result.output and "not a student's" in result.output


def test_key_accepts_a_path():
    result = CliRunner().invoke(cli, ["key", str(ROOT / "reference" / "mlp-numeric.yaml")])
    assert result.exit_code == 0 and "ex1b.class" in result.output


@pytest.mark.parametrize("files, code", [
    (["s1001_all_correct.yaml", "s1002_rounded_4sf.yaml", "s1008_ex1_only.json"], 0),
    (["s1003_seed004_transcription.yaml"], 0),  # wrong shapes are wrong, not malformed
    (["s1006_malformed.yaml"], 1),
    (["s1009_unreadable_answers.yaml"], 1),
    (["s1001_all_correct.yaml", "s1006_malformed.yaml"], 1),
])
def test_check_exit_codes(files, code):
    result = CliRunner().invoke(cli, ["check", *[str(SUBMISSIONS / f) for f in files]])
    assert result.exit_code == code, result.output


def test_check_prints_one_line_per_problem_naming_file_and_question():
    result = CliRunner().invoke(cli, ["check", str(SUBMISSIONS / "s1009_unreadable_answers.yaml")])
    lines = [l for l in result.output.splitlines() if l.startswith(str(SUBMISSIONS))]
    assert len(lines) == 7  # six unreadable answers and one unknown question id
    assert any("question ex1a.z2" in l and "not a finite number" in l for l in lines)
    assert any("question ex1a.typo_W1_new" in l and "unknown question" in l for l in lines)
    assert all(":" in l.split(" ")[0] for l in lines)  # file:line


def test_details_say_which_entries_are_off_and_why(tmp_path):
    result = CliRunner().invoke(cli, [str(SUBMISSIONS), "--details", "--gradebook", str(tmp_path / "gb.csv")])
    out = result.output
    assert "ex1a.dW2 (0.5/1): wrong shape: expected a 2×3 matrix, got 3×2. [transposed-answer]" in out
    assert "ex1a.db2 (0.5/1): follow-through: right given your own earlier answers" in out
    assert "ex1a.delta2 (0/1): wrong: no entry matches (relative tolerance 0.001, absolute 1e-06). [loss-gradient-sign]" in out
    assert "ex2a.b3_new (0/1.5): wrong: 1 of 3 entries is off: entry 2" in out
    assert "ex1a.W1_new (0/1.5): wrong: 6 of 15 entries are off: (1,1), (1,2)" in out
    assert "ex1a.z2 (0/0.5): unreadable: s1009_unreadable_answers.yaml:7: question ex1a.z2: entry 2: not a finite number" in out
    assert "note: ignored answer to unknown question 'ex1a.typo_W1_new'" in out
    assert "s1006_malformed.yaml:8: column 10: invalid YAML" in out


def test_gradebook_to_a_device_writes_in_place(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    result = CliRunner().invoke(cli, [str(SUBMISSIONS), "--gradebook", str(fifo)])
    out = reader.communicate(timeout=30)[0].decode()
    assert result.exit_code == 0
    assert fifo.exists() and not fifo.is_file()  # still a FIFO, not replaced by a file
    assert out.startswith("student_id,name,email,assignment,")


# mlp-random (per-student numbers; the sample run has no salt): graded against each student's own draw
EXPECTED_RANDOM_ROWS = {
    "s2001": (18.0, "complete", ""),
    # σ'(z) taken as z(1 − z): δ2 and δ1 wrong and flagged, everything after follows through
    "s2002": (10.0, "lost points: 12 follow-through, 2 wrong", ""),
    # s2001's answers handed in: all wrong, no follow-through credit, and the note says whose they are
    "s2003": (0.0, "lost points: 19 wrong", "18 of 18 wrong answers fit the numbers of student s2001"),
}


@pytest.mark.parametrize("sid", sorted(EXPECTED_RANDOM_ROWS))
def test_randomized_sample_files_are_graded_against_their_own_numbers(graded, sid):
    _, book = graded
    row = book[book.student_id == sid].iloc[0]
    points, status, note = EXPECTED_RANDOM_ROWS[sid]
    assert (row.total, row.status, row["max"], row.assignment) == (points, status, 18, "mlp-random")
    assert note in (row.notes if isinstance(row.notes, str) else "")
    if sid == "s2002":
        assert row["flags"] == "sigmoid-derivative-of-z"
