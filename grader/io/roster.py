"""Rosters: the students of a class, read from our CSV, a Canvas gradebook export or a Moodle export.

``grade handout`` writes one problem sheet per roster row; ``grade FOLDER --roster`` says whose
row each answer file fills (:mod:`grader.batch.folder_identity`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from grader.errors import ConfigError

# Roster columns, most specific first: ours, Canvas ("SIS User ID", else Canvas's own "ID"),
# Moodle ("ID number"). Canvas's "Student" is "Last, First".
ID_COLUMNS = ("student_id", "student id", "sis user id", "id number", "id", "username")
NAME_COLUMNS = ("name", "student", "full name")
EMAIL_COLUMNS = ("email", "email address")
FOLDER_COLUMNS = ("folder", "github_username", "github username", "login")
VALID_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")  # a file name as it is, and an answer file's id
MAX_ID = 64


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str = ""
    email: str = ""
    folder: str = ""  # the folder holding the student's work (GitHub username, LMS download), if the roster says


def read_roster(path: Path, *, id_column: str | None = None) -> list[Student]:
    """Students of a roster CSV, in file order. Canvas's "Points Possible" row and blank rows
    are skipped. Every row that cannot be a student is refused, all of them named in one
    ConfigError before anything is written (:func:`roster_problems`): a row with a name but no
    id, an id that an answer file could not hold (over 64 characters, a space, a slash), an id
    that is not its own file name (``[A-Za-z0-9._-]``, not starting with a dot), and ids equal
    but for case (one file name on a case-insensitive disk) or repeated.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     roster = Path(folder) / "roster.csv"
    ...     _ = roster.write_text("student_id,name\\ns1,Ada Lovelace\\n")
    ...     read_roster(roster)
    [Student(student_id='s1', name='Ada Lovelace', email='', folder='')]
    """
    import pandas as pd  # (only when a roster is read: `grade FOLDER` without one never loads it)

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
    folder = _first(columns, FOLDER_COLUMNS, frame)
    rows = []
    for row_number, row in enumerate(frame.to_dict("records"), start=2):
        sid = row[ident].strip()
        full = row[name].strip() if name else " ".join(row[c].strip() for c in (first, last) if c).strip()
        if full.strip() == "Points Possible" or not any(str(v).strip() for v in row.values()):
            continue
        rows.append((row_number, Student(sid, full, row[email].strip() if email else "",
                                         row[folder].strip() if folder else "")))
    problems = roster_problems(rows)
    if problems:
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise ConfigError(f"{len(problems)} roster row(s) refused, nothing written: " + "; ".join(shown),
                          file=str(path))
    return [s for _, s in rows]


def roster_problems(rows: list[tuple[int, Student]]) -> list[str]:
    """Why rows (row number, student) cannot be students of a roster: each a text naming the row."""
    problems, seen = [], {}
    for row_number, s in rows:
        sid = s.student_id
        if not sid:
            problems.append(f"row {row_number} ({_shown(s.name) or 'no name'}): no student id (give it one, or "
                            "delete the row, e.g. Canvas's Test Student)")
        elif len(sid) > MAX_ID or not VALID_ID.fullmatch(sid):
            why = f"over {MAX_ID} characters" if len(sid) > MAX_ID else "a space, a slash or a character " \
                  "outside A-Z a-z 0-9 . _ - (it must be its own file name and fit an answer file)"
            problems.append(f"row {row_number}: student id '{_shown(sid[:MAX_ID])}{'…' if len(sid) > MAX_ID else ''}'"
                            f" has {why}")
        elif sid.lower() in seen:
            other, first_id = seen[sid.lower()]
            what = "appears twice" if first_id == sid else f"differs only in case from '{first_id}'"
            problems.append(f"student id '{sid}' {what} (rows {other} and {row_number})")
        else:
            seen[sid.lower()] = (row_number, sid)
    return problems


def _shown(text: str) -> str:
    from grader.io.answer_files import shown_name
    return shown_name(text)


def _first(columns: dict, candidates: tuple, frame) -> str | None:
    """The first candidate column present with any non-empty cell."""
    for c in candidates:
        if c in columns and frame[columns[c]].str.strip().any():
            return columns[c]
    return None
