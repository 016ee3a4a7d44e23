"""A file that cannot be parsed keeps the student its lines name (grader.io.identity_recovery)."""
from __future__ import annotations

import csv
import shutil

import pytest

from grader.keys.catalog import Catalog
from grader.io.identity_recovery import recover_student
from grader.reports.gradebooks import gradebook_chunks
from grader.batch.orchestrator import grade_folder
from tests.conftest import ROOT, SUBMISSIONS

BROKEN_ANSWER = "answers:\n  ex1a.z1: [0.2, 0.2\n  ex1a.x1: [1]\n"


@pytest.mark.parametrize("text, ident, line, name, email", [
    ("assignment: mlp-numeric\nstudent: {id: s1024, name: Ada Lovelace}\n" + BROKEN_ANSWER,
     "s1024", 2, "Ada Lovelace", ""),
    ("assignment: mlp-numeric\nstudent:\n  id: 's1024'   # me\n  name: \"Ada Lovelace\"\n  email: ada@x.edu\n"
     + BROKEN_ANSWER, "s1024", 3, "Ada Lovelace", "ada@x.edu"),
    ('{"assignment": "mlp-numeric", "student": {"id": "s7", "name": "Bo"}, "answers": {"id": [1,}}', "s7", 1, "Bo", ""),
    ('{\n  "student": {\n    "id": "s7",\n    "email": "b@x.edu"\n  },\n  "answers": {"q": [1,\n', "s7", 3, "", "b@x.edu"),
    ("student: {id: s1, name: Lovelace, Ada}\n" + BROKEN_ANSWER, "s1", 1, "Lovelace", ""),  # simple fields only
])
def test_recovered(text, ident, line, name, email):
    found = recover_student(text)
    assert (found.student_id, found.line, found.name, found.email) == (ident, line, name, email)
    assert found.note == f"student id read from line {line} of a file that could not be parsed"


@pytest.mark.parametrize("text", [
    "assignment: mlp-numeric\n" + BROKEN_ANSWER,                     # no student block
    "student: {id: s1}\nstudent: {id: s2}\n" + BROKEN_ANSWER,       # two claims: no guess
    "student: {id: a b}\n" + BROKEN_ANSWER,                          # not an id the schema accepts
    "student: {id: ../x}\n" + BROKEN_ANSWER,
    "student: {name: Ada}\n" + BROKEN_ANSWER,
    "student:\nid: s1\n" + BROKEN_ANSWER,                              # not below student:
    "student: {id: " + "x" * 65 + "}\n" + BROKEN_ANSWER,
])
def test_not_recovered(text):
    assert recover_student(text) is None


def test_a_broken_file_gets_its_students_row_with_0_in_canvas(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(SUBMISSIONS / "s1001_all_correct.yaml", folder)
    (folder / "typo.yaml").write_text("assignment: mlp-numeric\nstudent: {id: s1050, name: Kay}\n" + BROKEN_ANSWER)
    result = grade_folder(folder, catalog=Catalog(root=ROOT), time_limit=None)
    broken = next(r for r in result.students if r.file == "typo.yaml")
    assert (broken.student_id, broken.name, broken.assignment) == ("s1050", "Kay", "mlp-numeric")
    assert broken.error is not None and broken.error.category == "yaml"
    assert broken.notes == ("student id read from line 2 of a file that could not be parsed",)
    canvas = list(csv.reader("".join(gradebook_chunks(result, fmt="canvas")).splitlines()))
    assert ["Kay", "", "s1050", "", "", "0.0"] in canvas  # was: no row at all (blank in Canvas, not 0)


def test_a_file_rejected_for_another_reason_is_not_guessed(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copy(SUBMISSIONS / "s1001_all_correct.yaml", folder)
    (folder / "big.yaml").write_bytes(b"student: {id: s9}\n" + b"#" * 1_000_001)  # too big: never read
    result = grade_folder(folder, catalog=Catalog(root=ROOT), time_limit=None)
    assert next(r for r in result.students if r.file == "big.yaml").student_id == ""
