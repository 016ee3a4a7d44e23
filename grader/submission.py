"""The read stage: find answer files under a folder and read each into a :class:`Submission`.

An answer file (YAML or JSON, schema ``answer_file.schema.json``)::

    assignment: mlp-numeric
    student: {id: s1024, name: Ada Lovelace}     # id required; name, email optional
    answers:
      ex1a.W2_new: [[0.1626, 0.1626, 0.1626], [0.0261, 0.0261, 0.0261]]
      ex1b.class: 1
"""
from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import SubmissionError
from grader.io.safe_load import load_file
from grader.io.validate import validate

ANSWER_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Submission:
    file: str  # as shown to users: relative to the folder graded
    assignment: str
    student_id: str
    name: str = ""
    email: str = ""
    answers: Mapping = field(default_factory=dict)  # question id -> raw answer as typed
    lines: Mapping = field(default_factory=dict)  # path inside the file -> line

    def line_of(self, qid: str) -> int | None:
        return self.lines.get(("answers", qid))


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str


def read_submission(path: Path, *, shown_as: str | None = None) -> Submission:
    """Load and schema-check one answer file (raises SubmissionError naming the file)."""
    shown = shown_as or str(path)
    try:
        doc = load_file(Path(path))
    except SubmissionError as e:
        raise e.at(file=shown) if e.file is None else _renamed(e, str(path), shown) from None
    doc = type(doc)(doc.data, doc.lines, shown) if doc.source != shown else doc
    validate(doc, "answer_file", error=SubmissionError)
    student = doc.data["student"]
    return Submission(shown, doc.data["assignment"], student["id"], student.get("name", ""),
                      student.get("email", ""), doc.data["answers"], doc.lines)


def _renamed(e: SubmissionError, path: str, shown: str) -> SubmissionError:
    e.file = shown if e.file == path else e.file
    return e


def discover(folder: Path) -> tuple[list[Path], list[Skipped]]:
    """Answer files under ``folder`` in a stable order, and the entries skipped with a reason.

    Hidden files and folders are ignored; symlinks and anything that is not a regular file
    are skipped (never followed), so nothing outside ``folder`` is read.
    """
    folder = Path(folder)
    files, skipped = [], []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        for d in list(dirnames):
            if d.startswith(".") or (here / d).is_symlink():
                if not d.startswith("."):
                    skipped.append(Skipped(str((here / d).relative_to(folder)), "symbolic link to a folder: not followed"))
                dirnames.remove(d)
        dirnames.sort()
        for name in sorted(filenames):
            path = here / name
            if name.startswith(".") or path.suffix.lower() not in ANSWER_SUFFIXES:
                continue
            mode = os.lstat(path).st_mode
            rel = str(path.relative_to(folder))
            if stat.S_ISLNK(mode):
                skipped.append(Skipped(rel, "symbolic link: not followed"))
            elif not stat.S_ISREG(mode):
                skipped.append(Skipped(rel, "not a regular file"))
            else:
                files.append(path)
    return files, skipped
