"""Problem sheets: one per student, with their own numbers and an answer file to fill in.

``grade handout mlp-random --roster roster.csv --out handouts/`` reads the roster (our CSV, a
Canvas gradebook export or a Moodle export), draws each student's numbers exactly as grading
will, and writes ``<id>.md`` (the sheet: Markdown with LaTeX) and ``<id>.answers.yaml`` (the
answer file, every question id present and empty).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from grader.assignment import Assignment
from grader.catalog import Catalog
from grader.errors import ConfigError
from grader.keyformat import conventions_text
from grader.report import write_atomic
from grader.shown_text import shown
from grader.solution import tex_matrix, tex_name, tex_number

# Roster columns, most specific first: ours, Canvas ("SIS User ID", else Canvas's own "ID"),
# Moodle ("ID number"). Canvas's "Student" is "Last, First".
ID_COLUMNS = ("student_id", "student id", "sis user id", "id number", "id", "username")
NAME_COLUMNS = ("name", "student", "full name")
EMAIL_COLUMNS = ("email", "email address")
SAFE_FILE_NAME = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str = ""
    email: str = ""


def read_roster(path: Path, *, id_column: str | None = None) -> list[Student]:
    """Students of a roster CSV, in file order. Rows without an id (Canvas's "Points Possible"
    row, blank lines) are skipped; a repeated id is a ConfigError naming both rows.

    >>> # student_id,name  /  s1,Ada Lovelace   →   [Student("s1", "Ada Lovelace")]
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise ConfigError(f"cannot read the roster: {e}", file=str(path)) from None
    columns = {c.strip().lower(): c for c in frame.columns}
    ident = columns.get(id_column.strip().lower()) if id_column else _first(columns, ID_COLUMNS, frame)
    if ident is None:
        wanted = f"'{id_column}'" if id_column else "one of " + ", ".join(ID_COLUMNS)
        raise ConfigError(f"no student id column ({wanted}); columns are: {', '.join(frame.columns)}", file=str(path))
    name = _first(columns, NAME_COLUMNS, frame)
    first, last = columns.get("first name"), columns.get("last name") or columns.get("surname")
    email = _first(columns, EMAIL_COLUMNS, frame)
    students, seen = [], {}
    for row_number, row in enumerate(frame.to_dict("records"), start=2):
        sid = row[ident].strip()
        if not sid or row.get(name, "").strip() == "Points Possible":
            continue
        if sid in seen:
            raise ConfigError(f"student id '{sid}' appears twice (rows {seen[sid]} and {row_number})", file=str(path))
        seen[sid] = row_number
        full = row[name].strip() if name else " ".join(row[c].strip() for c in (first, last) if c).strip()
        students.append(Student(sid, full, row[email].strip() if email else ""))
    return students


def _first(columns: dict, candidates: tuple, frame: pd.DataFrame) -> str | None:
    """The first candidate column present with any non-empty cell."""
    for c in candidates:
        if c in columns and frame[columns[c]].str.strip().any():
            return columns[c]
    return None


def file_stem(student_id: str, taken: set) -> str:
    """A file name for a student id: safe characters only, never a path, unique in ``taken``."""
    stem = SAFE_FILE_NAME.sub("_", student_id) or "student"
    candidate, n = stem, 2
    while candidate in taken:
        candidate, n = f"{stem}-{n}", n + 1
    taken.add(candidate)
    return candidate


def answer_template(assignment: Assignment, student: Student) -> str:
    """The answer file to fill in: every question id, each answer empty."""
    header = (f"# Answer file for {assignment.id}: write each answer after its colon, e.g. [0.1, -0.2] or\n"
              f"# [[1, 2], [3, 4]]; check it with `grade check FILE` before you hand it in.\n")
    data = {"assignment": assignment.id, "student": {"id": student.student_id, "name": student.name}}
    plain = all(shown(v) == v for v in (student.student_id, student.name))  # else escaped: "\u202e", not raw
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=plain, width=200)
    return header + body + "answers:\n" + "".join(f"  {q.id}:\n" for q in assignment.questions)


def problem_sheet(assignment: Assignment, student: Student) -> str:
    """One student's problem sheet (Markdown with LaTeX): their numbers and the questions."""
    out = [f"# {assignment.title}\n", f"*Assignment `{assignment.id}` for {_escape(student.name) or 'student'} "
           f"(`{_escape(student.student_id)}`). These numbers are yours: another student's differ.*\n"]
    if assignment.description:
        out.append(assignment.description.strip() + "\n")
    out.append(conventions_text(assignment) + "\n")
    for name in assignment.scenario_order():
        s = assignment.scenarios[name]
        graph = assignment.graphs[s.network]
        out.append(f"\n## Part `{name}`: network `{s.network}`\n")
        if s.params_from:
            out.append(f"Start from the parameters after the update of part `{s.params_from}`.\n")
        else:
            for p in graph.params:
                out.append(f"$${tex_name(p)} = {tex_matrix(_param(assignment, s, p))}$$\n")
        for i, example in enumerate(s.examples):
            label = f"Example {i + 1}: " if len(s.examples) > 1 else ""
            values = ", \\quad ".join(f"{tex_name(k)} = {tex_matrix(np.array([[float(v)] for v in vec]))}"
                                      for k, vec in example.items())
            out.append(f"{label}$${values}$$\n")
        if s.learning_rate is not None:
            out.append(f"Learning rate $\\eta = {tex_number(float(s.learning_rate))}$.\n")
        questions = [q for q in assignment.questions if q.scenario == name]
        if questions:
            out.append("\n| question id | asks for |\n|---|---|")
            out += [f"| `{q.id}` | {q.text or q.quantity} |" for q in questions]
            out.append("")
    out.append("\n## Answer file\n\nFill in the file handed out with this sheet (the same answers as below) "
               "and check it with `grade check`.\n")
    out.append("```yaml\n" + answer_template(assignment, student) + "```\n")
    return "\n".join(out)


def _param(assignment: Assignment, scenario, p: str) -> np.ndarray:
    from grader.engine.autodiff import FLOAT
    from grader.key import initial_params
    return np.asarray(initial_params(assignment, scenario, FLOAT, {})[p], dtype=float)


def _escape(text: str) -> str:
    """Student-supplied text shown in Markdown: no markup, no HTML."""
    return re.sub(r"([\\`*_{}\[\]()<>#|!])", r"\\\1", shown(text.replace("\n", " ")))


def write_handouts(catalog: Catalog, assignment_id: str, students: list[Student], out: Path) -> list[Path]:
    """Each student's sheet and answer file in ``out`` (created); returns the files written.
    A student whose numbers cannot be drawn stops the run (ConfigError: the assignment's fault)."""
    template = catalog.assignment(assignment_id)
    out.mkdir(parents=True, exist_ok=True)
    written, taken = [], set()
    for student in students:
        mine = catalog.for_student(template, student.student_id)
        stem = file_stem(student.student_id, taken)
        for path, text in ((out / f"{stem}.md", problem_sheet(mine, student)),
                           (out / f"{stem}.answers.yaml", answer_template(mine, student))):
            write_atomic(path, text)
            written.append(path)
    return written

