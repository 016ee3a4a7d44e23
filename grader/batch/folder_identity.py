"""Whose work each file of a class folder is, and who gets which LMS row (``grade FOLDER``).

By default (``--ids-from file``) a file's ``student.id`` says whose it is, as before. GitHub
Classroom and LMS downloads put each student's work in a folder named for them, and that is
what the platform vouches for; with ``--ids-from folder`` the student is the **top-level
folder** a file is in (``alice/hw1.yaml`` → ``alice``), never the file's claim:

* with ``--roster`` (a CSV as ``grade handout`` reads, :func:`grader.io.roster.read_roster`), a
  folder is matched to a roster row by the row's ``folder`` column (also ``github_username``,
  ``login``), else its student id: equal, or the folder ends in ``-<it>`` (GitHub Classroom's
  ``<assignment>-<username>``; the longest such wins); without a roster the folder's name is
  the student id (it must be one an answer file could hold);
* a randomized assignment is graded with the numbers of the folder's student;
* a file naming another student is graded as the folder's student, and its notes say so;
* a file that is in no student's folder, or in a folder the roster does not know, is rejected
  (category ``student``) with the reason;
* a file too broken to read still counts for its folder's student (0 points, a row).

Whatever the mode, once a roster or ``--ids-from`` is given, files from different top-level
folders for one student and assignment ("two claimants") are never merged: their notes say so,
and the LMS cell is left blank for the instructor to decide (:func:`conflicts`). Canvas and
Moodle rows then take name and email from the roster, never from a file, list every roster
student (``--missing blank`` or ``zero`` for an assignment they sent nothing for), and leave
out ids the roster does not know. :func:`report_lines` lists on stderr every student left out
of an export and why, and every claim that differs from its folder.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from grader.defaults import IDS_FROM, MISSING
from grader.errors import SubmissionError
from grader.io.roster import MAX_ID, Student, read_roster
from grader.io.answer_files import Submission, shown_name

CLAIM_NOTE = "the file names student "
ANSWER_ID = re.compile(r"[^\s/\\]{1,64}")  # an id an answer file could hold (answer_file.schema.json)


@dataclass(frozen=True)
class ClassIdentity:
    """How a class folder's files are given to students (see the module's docstring)."""

    ids_from: str = IDS_FROM[0]
    roster: tuple[Student, ...] | None = None
    missing: str = MISSING[0]
    _keys: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.ids_from not in IDS_FROM or self.missing not in MISSING:
            raise ValueError(f"ids_from must be one of {IDS_FROM}, missing one of {MISSING}")
        for s in self.roster or ():
            self._keys.setdefault(s.folder or s.student_id, s)

    @property
    def active(self) -> bool:
        """Whether anything differs from the default (ids from files, no roster)."""
        return self.ids_from != "file" or self.roster is not None

    def by_id(self) -> dict[str, Student]:
        return {s.student_id: s for s in self.roster or ()}

    # --- before grading: whose numbers ---------------------------------------------------------------

    def folder_student(self, shown: str) -> tuple[Student | None, str]:
        """The student whose folder holds the file ``shown`` (relative to the class folder),
        or None and why not."""
        folder = sender(shown)
        if not folder:
            return None, "the file is in no student's folder (--ids-from folder wants FOLDER/<student>/...)"
        if self.roster is None:
            if ANSWER_ID.fullmatch(folder) and len(folder) <= MAX_ID:
                return Student(folder), ""
            return None, f"the folder name '{shown_name(folder)}' cannot be a student id (no roster given)"
        if folder in self._keys:
            return self._keys[folder], ""
        ends = [k for k in self._keys if folder.endswith("-" + k)]
        if ends:
            return self._keys[max(ends, key=len)], ""
        return None, f"its folder '{shown_name(folder)}' is not in the roster"

    def resolve(self, sub: Submission) -> tuple[Submission, tuple[str, ...]]:
        """``sub`` as its folder's student's work (ids from folder), with a note when the file
        claims someone else; unchanged when ids come from files. SubmissionError when the
        folder names no student."""
        if self.ids_from != "folder":
            return sub, ()
        student, why = self.folder_student(sub.file)
        if student is None:
            raise SubmissionError(f"whose work this is cannot be told: {why}", file=sub.file, category="student")
        notes = ()
        if sub.student_id != student.student_id:
            notes = (f"{CLAIM_NOTE}{shown_name(sub.student_id)}, but it is in the folder of {student.student_id}: "
                     f"graded as {student.student_id}",)
        return replace(sub, student_id=student.student_id, name=student.name, email=student.email), notes

    # --- after grading ----------------------------------------------------------------------------------

    def review(self, results) -> None:
        """In place: a file rejected before its student was known (unreadable, too slow, a
        crash) is its folder's student's (ids from folder); files of different senders for
        one student and assignment get a note saying they were not merged."""
        if not self.active:
            return
        summaries = results.summaries()
        if self.ids_from == "folder":
            maxima = {s.assignment: s.max_points for s in summaries if s.graded}
            only = next(iter(maxima.items())) if len(maxima) == 1 else None
            for i, s in enumerate(summaries):
                if s.rejected and not s.student_id:
                    student, _ = self.folder_student(s.file)
                    if student is not None:
                        results[i] = replace(results[i], student_id=student.student_id, name=student.name,
                                             email=student.email)
                    if student is not None and not s.assignment and only:  # the class's only assignment
                        results[i] = replace(results[i], assignment=only[0], max_points=only[1])
            summaries = results.summaries()
        clashes = conflicts(summaries)
        for i, s in enumerate(summaries):
            folders = clashes.get((s.student_id, s.assignment))
            if folders:
                r = results[i]
                results[i] = replace(r, notes=r.notes + (conflict_note(s.student_id, s.assignment, folders),))


def sender(shown: str) -> str:
    """The top-level folder of a file (``""`` for a file directly in the class folder)."""
    parts = PurePosixPath(shown).parts
    return parts[0] if len(parts) > 1 else ""


def conflicts(summaries: Iterable) -> dict[tuple[str, str], tuple[str, ...]]:
    """(student id, assignment) → the top-level folders of its files, where there are several."""
    folders: dict[tuple[str, str], set] = {}
    for s in summaries:
        if s.student_id and s.assignment:
            folders.setdefault((s.student_id, s.assignment), set()).add(sender(s.file))
    return {k: tuple(sorted(v)) for k, v in folders.items() if len(v) > 1}


def conflict_note(student_id: str, assignment: str, folders: tuple[str, ...]) -> str:
    shown = ", ".join(shown_name(f) or "(top level)" for f in folders)
    return (f"{len(folders)} senders ({shown}) have files for student {shown_name(student_id)} and {assignment}: "
            "not merged, the LMS cell is left blank")


def class_identity(roster: Path | None = None, *, ids_from: str = IDS_FROM[0], missing: str = MISSING[0],
                   id_column: str | None = None) -> ClassIdentity:
    """The identity rules of a run; reads the roster (a ConfigError names its bad rows)."""
    students = tuple(read_roster(roster, id_column=id_column)) if roster is not None else None
    return ClassIdentity(ids_from, students, missing)


def run_identity(roster: Path | None = None, *, ids_from: str = IDS_FROM[0],
                 missing: str = MISSING[0]) -> ClassIdentity | None:
    """``grade FOLDER``'s identity rules: None when every option is its default (each file's own
    id decides, no roster), so that a plain run does no identity work at all."""
    if roster is None and ids_from == IDS_FROM[0] and missing == MISSING[0]:
        return None
    return class_identity(roster, ids_from=ids_from, missing=missing)


def run_report_lines(summaries_of, identity: ClassIdentity | None, *, fmt: str) -> list[str]:
    """What ``grade FOLDER`` says on stderr about identities after a run (:func:`report_lines`);
    nothing for a plain run (default rules, our CSV). ``summaries_of``: a callable giving the
    results' summaries, called only when there is something to report."""
    if identity is None and fmt == "csv":
        return []
    return report_lines(summaries_of(), identity, fmt=fmt)


def report_lines(summaries: list, identity: ClassIdentity | None, *, fmt: str) -> list[str]:
    """What stderr says after a run: each claim that differs from its folder, and for a Canvas
    or Moodle file every student (or file) left out of it and why, and what roster students
    who sent nothing got."""
    identity = identity or ClassIdentity()
    lines = [f"{s.file}: {n}" for s in summaries for n in s.notes if n.startswith(CLAIM_NOTE)]
    if fmt not in ("canvas", "moodle"):
        return lines
    out = []
    for s in summaries:
        if not s.student_id:
            why = shown_name(s.status)[:300]
            out.append(f"{s.file}: no student id, so no {fmt} row ({why})")
    roster = identity.by_id()
    if identity.roster is not None:
        strangers = sorted({s.student_id for s in summaries if s.student_id and s.student_id not in roster})
        out += [f"student {shown_name(sid)}: not in the roster, so no {fmt} row" for sid in strangers]
    if identity.active:
        for (sid, a), folders in sorted(conflicts(summaries).items()):
            out.append(f"student {shown_name(sid)}, {a}: {conflict_note(sid, a, folders)}")
    if identity.roster is not None:
        assignments = sorted({s.assignment for s in summaries if s.assignment and s.max_points})
        sent = {(s.student_id, s.assignment) for s in summaries}
        for sid in sorted(roster):
            none = [a for a in assignments if (sid, a) not in sent]
            if none:
                out.append(f"student {sid}: no file for {', '.join(none)} ({identity.missing})")
    if out:
        lines.append(f"{fmt} file: {len(out)} student(s) or file(s) left out or without a file:")
        lines += ["  " + line for line in out]
    return lines
