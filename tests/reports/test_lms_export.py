"""Gradebook layouts: our long CSV, the wide sheet, Canvas's and Moodle's import CSVs; the rules
for duplicates, rejected files and missing ids; formula neutralisation; stable bytes."""
import csv
import io
import shutil
from dataclasses import replace

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.results import CORRECT, WRONG, ClassResult, QuestionResult, StudentResult, Verdict
from grader.errors import SubmissionError
from grader.reports.gradebooks import CANVAS_ID_COLUMNS, MOODLE_ID_COLUMNS, gradebook_text
from grader.batch.orchestrator import grade_folder
from tests.conftest import ROOT, SUBMISSIONS

ASSIGNMENTS = ["backprop-general", "mlp-numeric", "mlp-random", "residual-softmax", "softmax-ce"]
IDS = ["s1001", "s1002", "s1003", "s1004", "s1005", "s1006", "s1007", "s1008", "s1009", "s2001", "s2002", "s2003",
       "seed000", "seed000-writeup", "seed001", "seed001-writeup", "seed002", "seed002-writeup", "seed003",
       "seed003-writeup", "seed004-writeup"]  # s1006's file is broken: its id is read from its lines


@pytest.fixture(scope="module")
def sample(catalog):
    return grade_folder(SUBMISSIONS, catalog=catalog)


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def by_first(table: list[dict], column: str) -> dict:
    return {row[column]: row for row in table}


def dicts(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def graded(file, sid, points, *, assignment="mlp-numeric", max_points=10.0, name="", email="") -> StudentResult:
    q = QuestionResult("q1", Verdict(CORRECT if points == max_points else WRONG), points, max_points)
    return StudentResult(file, sid, name or sid.title(), email, assignment, (q,), max_points)


def rejected(file, sid="", *, assignment="mlp-numeric", max_points=10.0) -> StudentResult:
    error = SubmissionError("bad file", file=file, category="schema")
    return StudentResult(file, sid, "", "", assignment, (), max_points, error=error)


# --- our long CSV --------------------------------------------------------------------------------

def test_long_csv_keeps_its_columns_and_one_row_per_file(sample):
    table = rows(gradebook_text(sample))
    header = table[0]
    assert header[:4] == ["student_id", "name", "email", "assignment"]
    assert header[-7:] == ["total", "max", "percent", "status", "flags", "notes", "file"]
    assert "ex1a.delta2" in header and "task3.blowup answer" in header
    assert len(table) - 1 == 21  # every answer file and write-up, the rejected one included
    s1004 = by_first(dicts(gradebook_text(sample)), "student_id")["s1004"]
    assert (s1004["total"], s1004["max"], s1004["percent"], s1004["ex1a.delta2"]) == ("34.0", "102.0", "33.3", "0.0")
    assert s1004["flags"] == "loss-gradient-sign"


# --- Canvas ---------------------------------------------------------------------------------------

def test_canvas_header_points_possible_row_and_a_students_total(sample):
    text = gradebook_text(sample, fmt="canvas")
    lines = text.splitlines()
    assert lines[0] == "Student,ID,SIS User ID,SIS Login ID,Section," + ",".join(ASSIGNMENTS)
    assert lines[1] == "    Points Possible,,,,,40.0,102.0,18.0,27.0,18.0"
    assert "Grace Hopper,,s1004,,,,34.0,,," in lines
    assert "Seed Two,,seed002,,,26.8,,,," in lines
    table = rows(text)
    assert [r[2] for r in table[2:]] == IDS  # sorted
    assert "Charles Babbage,,s1006,,,,0.0,,," in lines  # a broken file's student counts 0, not blank
    assert all(len(r) == len(CANVAS_ID_COLUMNS) + len(ASSIGNMENTS) for r in table)


def test_canvas_wide_changes_nothing(sample):
    assert gradebook_text(sample, fmt="canvas", wide=True) == gradebook_text(sample, fmt="canvas")


# --- Moodle ---------------------------------------------------------------------------------------

def test_moodle_header_and_rows(sample):
    text = gradebook_text(sample, fmt="moodle")
    lines = text.splitlines()
    assert lines[0] == "ID number,Email address,Full name," + ",".join(ASSIGNMENTS)
    assert "s1008,jvn@example.edu,John von Neumann,,10.0,,," in lines
    assert "seed003,,Barza Nisar,,,,24.0," in lines
    assert [r[0] for r in rows(text)[1:]] == IDS
    assert rows(text)[0][:3] == MOODLE_ID_COLUMNS


# --- the wide sheet -------------------------------------------------------------------------------

def test_wide_sheet_has_one_row_per_student(sample):
    table = dicts(gradebook_text(sample, wide=True))
    assert len(table) == 21  # 21 students (s1006's id read from the lines of its broken file; 5 write-ups)
    assert [r["student_id"] for r in table] == IDS
    header = rows(gradebook_text(sample, wide=True))[0]
    assert header[:3] == ["student_id", "name", "email"] and header[-4:] == ["total", "max", "percent", "files"]
    assert header[3:8] == [f"backprop-general {w}" for w in ("total", "max", "percent", "status", "flags")]
    ada = by_first(table, "student_id")["s1001"]
    assert (ada["mlp-numeric total"], ada["mlp-numeric percent"], ada["mlp-numeric status"]) == ("102.0", "100.0", "complete")
    assert (ada["softmax-ce total"], ada["softmax-ce status"]) == ("", "no file")
    assert (ada["total"], ada["max"], ada["percent"]) == ("102.0", "205.0", "49.8")  # 102 of 40+102+18+27+18
    broken = by_first(table, "student_id")["s1006"]
    assert broken["mlp-numeric total"] == "0.0" and broken["mlp-numeric status"].startswith("rejected: ")
    assert broken["files"] == "s1006_malformed.yaml" and broken["name"] == "Charles Babbage"


# --- duplicates, rejected files, missing ids ------------------------------------------------------

def handmade(catalog, students) -> ClassResult:
    return ClassResult("class", tuple(students), catalog)


def test_duplicates_count_the_best_file(catalog):
    result = handmade(catalog, [graded("a/s1.yaml", "s1", 4.0), graded("b/s1.yaml", "s1", 7.0),
                                rejected("c/s1.yaml", "s1"), graded("s2.yaml", "s2", 3.0)])
    canvas = by_first(dicts(gradebook_text(result, fmt="canvas")), "SIS User ID")
    assert canvas["s1"]["mlp-numeric"] == "7.0" and canvas["s2"]["mlp-numeric"] == "3.0"
    wide = by_first(dicts(gradebook_text(result, wide=True)), "student_id")
    assert wide["s1"]["files"] == "b/s1.yaml"
    assert len(dicts(gradebook_text(result))) == 4  # the long CSV keeps every file


def test_ties_prefer_a_graded_file_then_the_first_path(catalog):
    result = handmade(catalog, [rejected("a.yaml", "s1", max_points=10.0), graded("z.yaml", "s1", 0.0),
                                graded("y.yaml", "s1", 0.0)])
    assert by_first(dicts(gradebook_text(result, wide=True)), "student_id")["s1"]["files"] == "y.yaml"


def test_a_rejected_file_with_an_id_counts_as_zero(catalog):
    result = handmade(catalog, [rejected("s1.yaml", "s1"), graded("s2.yaml", "s2", 5.0)])
    moodle = by_first(dicts(gradebook_text(result, fmt="moodle")), "ID number")
    assert moodle["s1"]["mlp-numeric"] == "0.0"


def test_a_student_without_a_file_for_an_assignment_gets_an_empty_cell(catalog):
    result = handmade(catalog, [graded("s1.yaml", "s1", 5.0), graded("s2.yaml", "s2", 2.0, assignment="other",
                                                                     max_points=4.0)])
    lines = gradebook_text(result, fmt="canvas").splitlines()
    assert lines[1] == "    Points Possible,,,,,10.0,4.0"
    assert lines[0].endswith(",mlp-numeric,other") and "S1,,s1,,,5.0," in lines and "S2,,s2,,,,2.0" in lines


def test_an_unknown_assignment_gets_no_column(catalog):
    unknown = rejected("x.yaml", "s9", assignment="nope", max_points=0.0)
    result = handmade(catalog, [graded("s1.yaml", "s1", 5.0), unknown])
    assert gradebook_text(result, fmt="moodle").splitlines()[0] == "ID number,Email address,Full name,mlp-numeric"


# --- formula neutralisation -----------------------------------------------------------------------

EVIL = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("fmt,wide", [("csv", False), ("csv", True), ("canvas", False), ("moodle", False)])
def test_every_text_cell_is_neutralised(catalog, fmt, wide):
    students = [graded(f"s{i}.yaml", f"s{i}", 1.0, name=name, email=name) for i, name in enumerate(EVIL)]
    cells = [c for row in rows(gradebook_text(handmade(catalog, students), fmt=fmt, wide=wide)) for c in row]
    shown = {"\tx": "\\tx", "\rx": "\\rx"}  # a tab or carriage return is shown as its escape (grader/shown_text.py)
    for name in EVIL:
        assert name not in cells and shown.get(name, "'" + name) in cells


# --- stable bytes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,wide", [("csv", False), ("csv", True), ("canvas", False), ("moodle", False)])
def test_file_order_does_not_change_a_byte(sample, fmt, wide):
    shuffled = replace(sample, students=tuple(reversed(sample.students)))
    assert gradebook_text(shuffled, fmt=fmt, wide=wide) == gradebook_text(sample, fmt=fmt, wide=wide)


def test_unknown_format_is_refused(sample):
    with pytest.raises(ValueError, match="unknown gradebook format"):
        gradebook_text(sample, fmt="xlsx")


def test_cli_regrading_twice_writes_identical_canvas_files(tmp_path, monkeypatch):
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("s1001_all_correct.yaml", "s1004_wrong_entries.yaml", "s1006_malformed.yaml"):
        shutil.copy(SUBMISSIONS / name, folder / name)
    monkeypatch.chdir(tmp_path)
    outputs = []
    for run in (1, 2):
        out = tmp_path / f"canvas{run}.csv"
        result = CliRunner().invoke(cli, [str(folder), "--format", "canvas", "--gradebook", str(out), "--course", str(ROOT)])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].decode().splitlines() == [
        "Student,ID,SIS User ID,SIS Login ID,Section,mlp-numeric",
        "    Points Possible,,,,,102.0",
        "Ada Lovelace,,s1001,,,102.0",
        "Grace Hopper,,s1004,,,34.0",
        "Charles Babbage,,s1006,,,0.0",  # the broken file: its student read from its lines, 0 points
    ]


# --- byte-identical to the pandas implementation the streaming writer replaced ---------------------
# The functions below are the gradebook code as it was (a DataFrame of every row, then to_csv),
# kept verbatim as the reference: the CSV files must not change by a byte. (One change since: a
# text cell is shown as grader.shown_text.shown shows it, an answer for a TA keeping its line breaks.)

def _ref_neutralise(frame):
    import pandas as pd

    from grader.shown_text import shown

    def neutral(v, keep):
        if not isinstance(v, str):
            return v
        v = shown(v.replace("\r\n", "\n").replace("\r", "\n") if keep else v, keep_newlines=keep)
        return "'" + v if v.startswith(("=", "+", "-", "@", "\t", "\r")) else v

    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(lambda v, keep=str(col).endswith(" answer"): neutral(v, keep)).astype(object)
    return out


def _ref_gradebook_frame(results, catalog):
    import pandas as pd
    qcols: list[str] = []
    for assignment in sorted({r.assignment for r in results if r.questions}):
        qcols += [q for q in catalog.assignment(assignment).question_ids if q not in qcols]
    records = []
    for r in sorted(results, key=lambda r: (r.assignment, r.student_id, r.file)):
        record = {"student_id": r.student_id, "name": r.name, "email": r.email, "assignment": r.assignment}
        per_question = {q.question: q.points for q in r.questions}
        record.update({q: per_question.get(q) for q in qcols})
        for qid, text in r.review_text:
            record[f"{qid} answer"] = text
        record.update({"total": r.points, "max": r.max_points or None, "percent": r.percent,
                       "status": r.status, "flags": " ".join(r.flags), "notes": "; ".join(r.notes), "file": r.file})
        records.append(record)
    review = sorted({f"{qid} answer" for r in results for qid, _ in r.review_text})
    return pd.DataFrame.from_records(records, columns=["student_id", "name", "email", "assignment"] + qcols + review
                                     + ["total", "max", "percent", "status", "flags", "notes", "file"])


def _ref_maxima(results):
    maxima = {}
    for r in results:
        if r.assignment and r.max_points:
            maxima[r.assignment] = max(maxima.get(r.assignment, 0.0), r.max_points)
    return dict(sorted(maxima.items()))


def _ref_counted(results):
    columns, best = _ref_maxima(results), {}
    pref = lambda r: (-r.points, r.error is not None, r.file)  # noqa: E731
    for r in results:
        if not r.student_id or r.assignment not in columns:
            continue
        key = (r.student_id, r.assignment)
        if key not in best or pref(r) < pref(best[key]):
            best[key] = r
    return best


def _ref_identity(rows):
    ordered = sorted(rows, key=lambda r: (r.assignment, r.file))
    return (next((r.name for r in ordered if r.name), ""), next((r.email for r in ordered if r.email), ""))


def _ref_students(results):
    by_id = {}
    for r in results:
        if r.student_id:
            by_id.setdefault(r.student_id, []).append(r)
    return dict(sorted(by_id.items()))


def _ref_percent(points, maximum):
    return round(100 * points / maximum, 1) if maximum else None


def _ref_wide_frame(results):
    import pandas as pd
    maxima, counted = _ref_maxima(results), _ref_counted(results)
    per_assignment = ["total", "max", "percent", "status", "flags"]
    columns = ["student_id", "name", "email"] + [f"{a} {w}" for a in maxima for w in per_assignment] \
        + ["total", "max", "percent", "files"]
    groups = [(sid, rows, {a: counted.get((sid, a)) for a in maxima}) for sid, rows in _ref_students(results).items()]
    anonymous = sorted((r for r in results if not r.student_id), key=lambda r: r.file)
    groups += [("", [r], {a: r if r.assignment == a else None for a in maxima}) for r in anonymous]
    records = []
    for sid, rows, files in groups:
        name, email = _ref_identity(rows)
        record = {"student_id": sid, "name": name, "email": email}
        for a, maximum in maxima.items():
            r = files[a]
            record.update({f"{a} total": r.points if r else None, f"{a} max": maximum,
                           f"{a} percent": _ref_percent(r.points, maximum) if r else None,
                           f"{a} status": r.status if r else "no file", f"{a} flags": " ".join(r.flags) if r else ""})
        total = round(sum(r.points for r in files.values() if r), 6)
        overall = sum(maxima.values())
        record.update({"total": total, "max": overall or None, "percent": _ref_percent(total, overall),
                       "files": "; ".join(r.file for r in files.values() if r)})
        records.append(record)
    return pd.DataFrame.from_records(records, columns=columns)


def _ref_canvas_frame(results):
    import pandas as pd
    maxima, counted = _ref_maxima(results), _ref_counted(results)
    records = [{"Student": "    Points Possible", "ID": "", "SIS User ID": "", "SIS Login ID": "", "Section": ""}
               | dict(maxima)]
    for sid, rows in _ref_students(results).items():
        name, _ = _ref_identity(rows)
        record = {"Student": name, "ID": "", "SIS User ID": sid, "SIS Login ID": "", "Section": ""}
        record.update({a: counted[(sid, a)].points if (sid, a) in counted else None for a in maxima})
        records.append(record)
    return pd.DataFrame.from_records(records, columns=CANVAS_ID_COLUMNS + list(maxima))


def _ref_moodle_frame(results):
    import pandas as pd
    maxima, counted = _ref_maxima(results), _ref_counted(results)
    records = []
    for sid, rows in _ref_students(results).items():
        name, email = _ref_identity(rows)
        record = {"ID number": sid, "Email address": email, "Full name": name}
        record.update({a: counted[(sid, a)].points if (sid, a) in counted else None for a in maxima})
        records.append(record)
    return pd.DataFrame.from_records(records, columns=MOODLE_ID_COLUMNS + list(maxima))


def reference_text(result: ClassResult, fmt: str = "csv", wide: bool = False) -> str:
    results = list(result.students)
    if fmt == "canvas":
        frame = _ref_canvas_frame(results)
    elif fmt == "moodle":
        frame = _ref_moodle_frame(results)
    else:
        frame = _ref_wide_frame(results) if wide else _ref_gradebook_frame(results, result.catalog)
    return _ref_neutralise(frame).to_csv(index=False, lineterminator="\n")


LAYOUTS = [("csv", False), ("csv", True), ("canvas", False), ("moodle", False)]
NASTY = ["", "Ann", "=1+1", "+x", "-3", "@A1", "\tx", "\rx", "a\r\nb", "a\nb", 'say "hi", then', "café ✓",
         " lead", "trail ", "1,5", "'quoted'", "None", "nan", "0"]


def odd_class(catalog, seed: int, *, ints: bool = False, one_assignment: bool = False,
              rejected_only: bool = False) -> ClassResult:
    """Hand-made results meant to reach every column type pandas infers: missing questions,
    review columns present in some rows only, rejected rows (an int 0 total), unknown and empty
    assignments, duplicate ids, hostile text, and with ``ints`` int and numpy points."""
    import random

    import numpy as np

    from grader.results import REVIEW

    rng = random.Random(seed)
    assignments = ["softmax-ce"] if one_assignment else ["softmax-ce", "backprop-general", "mlp-numeric"]
    out = []
    for i in range(40):
        a = rng.choice(assignments)
        sid = rng.choice(["", f"s{rng.randrange(12)}", rng.choice(NASTY)])
        name, email = rng.choice(NASTY), rng.choice(NASTY)
        if rejected_only or (not one_assignment and rng.random() < 0.15):
            error = SubmissionError(rng.choice(NASTY) or "bad", file=f"f{i}.yaml", category="schema")
            out.append(StudentResult(f"f{i}.yaml", sid, name, email, rng.choice([a, "", "nope"]), (),
                                     rng.choice([0.0, 0, 10.0]), error=error))
            continue
        ids = catalog.assignment(a).question_ids
        chosen = ids if one_assignment else [q for q in ids if rng.random() < 0.8]
        questions, review = [], []
        for qid in chosen:
            if ints and (one_assignment or rng.random() < 0.3):
                points = rng.choice([0, 1, 2])
            elif ints and rng.random() < 0.2:
                points = np.float64(rng.choice([0.25, 1 / 3, 1e-7]))
            else:
                points = rng.choice([0.0, 0.5, 1.0, 1 / 3, 2.675, 1e-7, 12345678.9])
            outcome = REVIEW if rng.random() < 0.05 else rng.choice([CORRECT, WRONG])
            if outcome == REVIEW:
                review.append((qid, rng.choice(NASTY)))
            questions.append(QuestionResult(qid, Verdict(outcome, rng.choice(NASTY), flags=tuple(
                rng.sample(["sign-flip", "no-transpose", "=evil"], rng.randrange(3)))), points, 1.0))
        max_points = rng.choice([float(len(questions)), len(questions), 0.0])
        notes = tuple(rng.sample(NASTY, rng.randrange(3)))
        out.append(StudentResult(f"{a}/f{i}.yaml", sid, name, email, a, tuple(questions), max_points,
                                 notes=notes, review_text=tuple(review)))
    return ClassResult("odd", tuple(out), catalog)


@pytest.fixture(scope="module")
def synthetic(catalog, tmp_path_factory):
    """A small class from bench/make_class.py (every assignment, every kind of answer), graded."""
    import importlib.util

    from tests.conftest import ROOT
    spec = importlib.util.spec_from_file_location("make_class", ROOT / "bench" / "make_class.py")
    make_class = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_class)
    out = tmp_path_factory.mktemp("synthetic")
    manifest = make_class.generate(6, out, seed=11, salt="test", root=ROOT)
    from grader.keys.catalog import Catalog
    return grade_folder(out, catalog=Catalog(root=ROOT, salt=manifest["salt"]), time_limit=None)


@pytest.mark.parametrize("fmt,wide", LAYOUTS)
def test_same_bytes_as_the_pandas_gradebook_on_the_sample_and_a_synthetic_class(sample, synthetic, fmt, wide):
    assert gradebook_text(sample, fmt=fmt, wide=wide) == reference_text(sample, fmt, wide)
    assert gradebook_text(synthetic, fmt=fmt, wide=wide) == reference_text(synthetic, fmt, wide)


@pytest.mark.parametrize("fmt,wide", LAYOUTS)
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("kind", ["floats", "ints", "one assignment, ints", "one assignment", "rejected only"])
def test_same_bytes_as_the_pandas_gradebook_on_odd_results(catalog, fmt, wide, seed, kind):
    result = odd_class(catalog, seed, ints="ints" in kind, one_assignment="one" in kind,
                       rejected_only=kind == "rejected only")
    assert gradebook_text(result, fmt=fmt, wide=wide) == reference_text(result, fmt, wide)


@pytest.mark.parametrize("fmt,wide", LAYOUTS)
def test_same_bytes_as_the_pandas_gradebook_with_no_rows(catalog, fmt, wide):
    empty = handmade(catalog, [])
    assert gradebook_text(empty, fmt=fmt, wide=wide) == reference_text(empty, fmt, wide)
