"""Gradebook layouts: our CSV (long or ``--wide``), and the CSVs Canvas and Moodle import.

* ``csv`` (long, the default): one row per answer file, every file of the run, columns
  :data:`grader.reports.terminal.ID_COLUMNS`, one per question, :data:`grader.reports.terminal.TOTAL_COLUMNS`. It is
  the audit record: duplicates and rejected files keep their own rows, the ``notes`` column says so.
* ``csv`` with ``wide``: one row per student, per assignment its total, max, percent, status and
  flags, then the student's overall total, max, percent and the files counted.
* ``canvas``: Canvas's gradebook import (``Student, ID, SIS User ID, SIS Login ID, Section``, one
  column per assignment, and the ``    Points Possible`` row Canvas's own export has second).
* ``moodle``: Moodle's CSV grade import (``ID number``, ``Email address``, ``Full name``, one
  column per assignment); at import, map ``ID number`` → useridnumber or ``Email address`` →
  useremail, and each assignment column to its grade item.

The one-value-per-student layouts (wide, canvas, moodle) share three rules:

* **duplicates**: of a student's several files for one assignment, the **best** counts (the most
  points; on a tie a graded file before a rejected one, then the first path in sort order). A
  rule that needs no file dates, so regrading a copied folder gives the same sheet.
* **rejected files** count as 0 of the assignment's maximum, like any other file (a better file
  of the same student wins); a file that names no known assignment has no column to go in.
* **no student id** (a file too broken to read one): Canvas and Moodle cannot match such a row
  to a person, so it is left out of their files (it stays in the summary table and the long
  CSV); the wide sheet gives each such file a row of its own with an empty ``student_id``.

With an identity (:mod:`grader.batch.folder_identity`: ``--roster``, ``--ids-from``, ``--missing``),
Canvas and Moodle rows are the roster's students with its names and emails (ids it does not
know are left out), a cell for an assignment a student sent nothing for is empty or 0, and files
of several senders for one student and assignment are never merged (their cell is left empty).

Rows are sorted by student id, columns by assignment id, so the text depends only on the
grades, never on the order files were found in. Every text cell is neutralised against formulas
(:func:`grader.reports.terminal.csv_chunks`, which writes the bytes pandas' ``to_csv`` wrote).
"""
from __future__ import annotations

from collections.abc import Iterator

from grader.defaults import GRADEBOOK_FORMATS as FORMATS
from grader.results import ClassResult
from grader.reports.terminal import column_kinds, csv_chunks, long_gradebook_chunks as long_chunks
from grader.result_store import Summary, percent

WIDE_ID_COLUMNS = ["student_id", "name", "email"]
WIDE_PER_ASSIGNMENT = ["total", "max", "percent", "status", "flags"]  # each as "<assignment> <what>"
WIDE_TOTAL_COLUMNS = ["total", "max", "percent", "files"]
CANVAS_ID_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_POSSIBLE = "    Points Possible"  # as Canvas's export spells it (four spaces)
MOODLE_ID_COLUMNS = ["ID number", "Email address", "Full name"]
NO_FILE = "no file"  # the wide sheet's status for an assignment a student sent nothing for


def gradebook_chunks(result: ClassResult, *, fmt: str = "csv", wide: bool = False, identity=None) -> Iterator[str]:
    """The gradebook file's text in layout ``fmt`` (csv, canvas, moodle), in pieces.

    ``wide`` turns our CSV into one row per student; Canvas and Moodle files are one row per
    student already, so it changes nothing there. The one-row-per-student layouts read only the
    results' summaries (twice: the columns' kinds, then the rows), never a whole result.
    ``identity`` (:class:`grader.batch.folder_identity.ClassIdentity`: a roster, ids from folders)
    changes who gets a row and where names come from (see the module's docstring).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown gradebook format {fmt!r} (known: {', '.join(FORMATS)})")
    if fmt == "csv" and not wide:
        return long_chunks(result)
    columns, records = {"canvas": canvas_records, "moodle": moodle_records}.get(fmt, wide_records)(result, identity)
    return csv_chunks(columns, records(), column_kinds(columns, records()))


def gradebook_text(result: ClassResult, *, fmt: str = "csv", wide: bool = False, identity=None) -> str:
    """The gradebook file's text in layout ``fmt`` (csv, canvas, moodle), as one string."""
    return "".join(gradebook_chunks(result, fmt=fmt, wide=wide, identity=identity))


# --- which file counts ----------------------------------------------------------------------------

def assignment_maxima(result: ClassResult) -> dict[str, float]:
    """Every assignment that gets a column, sorted by id, with its maximum: those with a graded
    file or a rejected file attributed to them (an unknown assignment has no maximum)."""
    maxima: dict[str, float] = {}
    for r in result.students.summaries():
        if r.assignment and r.max_points:
            maxima[r.assignment] = max(maxima.get(r.assignment, 0.0), r.max_points)
    return dict(sorted(maxima.items()))


def _preference(r: Summary) -> tuple:
    """Sort key: the file that counts first (most points, graded before rejected, then path)."""
    return (-r.points, r.rejected, r.file)


def counted_files(result: ClassResult, identity=None) -> dict[tuple[str, str], Summary]:
    """(student id, assignment) → the summary of the one file that counts; students without an
    id are left out, and so (with an active ``identity``) are files of several senders for one
    student and assignment (:func:`grader.batch.folder_identity.conflicts`: never merged)."""
    columns = assignment_maxima(result)
    best: dict[tuple[str, str], Summary] = {}
    clashes = _clashes(result, identity)
    for r in result.students.summaries():
        if not r.student_id or r.assignment not in columns or (r.student_id, r.assignment) in clashes:
            continue
        key = (r.student_id, r.assignment)
        if key not in best or _preference(r) < _preference(best[key]):
            best[key] = r
    return best


def _clashes(result: ClassResult, identity) -> dict:
    if identity is None or not identity.active:
        return {}
    from grader.batch.folder_identity import conflicts
    return conflicts(result.students.summaries())


def _roster(identity) -> dict | None:
    """Student id → roster row, or None without a roster."""
    return identity.by_id() if identity is not None and identity.roster is not None else None


def _identity(rows: list[Summary], vouched=None) -> tuple[str, str]:
    """A student's name and email: the roster's (``vouched``) when there is one, else the first
    non-empty ones of their files, in (assignment, path) order."""
    if vouched is not None:
        return vouched.name, vouched.email
    ordered = sorted(rows, key=lambda r: (r.assignment, r.file))
    return (next((r.name for r in ordered if r.name), ""), next((r.email for r in ordered if r.email), ""))


def _students(result: ClassResult, identity=None, *, strangers: bool = True) -> dict[str, list[Summary]]:
    """Student id → the summaries of all their files, ids sorted. With a roster, every roster
    student is there (with no files if they sent none); ``strangers`` keeps ids the roster
    does not know (Canvas and Moodle leave them out: no row can be vouched for)."""
    by_id: dict[str, list[Summary]] = {}
    roster = _roster(identity)
    for sid in roster or ():
        by_id[sid] = []
    for r in result.students.summaries():
        if r.student_id and (strangers or roster is None or r.student_id in roster):
            by_id.setdefault(r.student_id, []).append(r)
    return dict(sorted(by_id.items()))


def _cell(counted: dict, sid: str, a: str, clashes: dict, identity):
    """A student's total for an assignment in a Canvas/Moodle column: the counted file's points;
    for no file 0 or empty (``--missing``); empty for files of several senders."""
    if (sid, a) in counted:
        return counted[(sid, a)].points
    if identity is not None and identity.missing == "zero" and (sid, a) not in clashes:
        return 0.0
    return None


# --- the layouts: (columns, a function giving the rows as dicts) ------------------------------------

def wide_records(result: ClassResult, identity=None):
    """One row per student (and one per file without a student id, after them): per assignment
    its total, max, percent, status and flags (``no file`` when none was sent), then the overall
    total, the sum of every assignment's maximum, the percent and the files counted."""
    maxima = assignment_maxima(result)
    counted = counted_files(result, identity)
    columns = WIDE_ID_COLUMNS + [f"{a} {what}" for a in maxima for what in WIDE_PER_ASSIGNMENT] + WIDE_TOTAL_COLUMNS
    students, roster = _students(result, identity), _roster(identity) or {}
    anonymous = sorted((r for r in result.students.summaries() if not r.student_id), key=lambda r: r.file)

    def records():
        groups = ((sid, rows, {a: counted.get((sid, a)) for a in maxima}) for sid, rows in students.items())
        for sid, rows, files in [*groups, *(("", [r], {a: r if r.assignment == a else None for a in maxima})
                                            for r in anonymous)]:
            name, email = _identity(rows, roster.get(sid))
            record = {"student_id": sid, "name": name, "email": email}
            for a, maximum in maxima.items():
                r = files[a]
                record.update({f"{a} total": r.points if r else None, f"{a} max": maximum,
                               f"{a} percent": percent(r.points, maximum) if r else None,
                               f"{a} status": r.status if r else NO_FILE, f"{a} flags": " ".join(r.flags) if r else ""})
            total = round(sum(r.points for r in files.values() if r), 6)
            overall = sum(maxima.values())
            record.update({"total": total, "max": overall or None, "percent": percent(total, overall),
                           "files": "; ".join(r.file for r in files.values() if r)})
            yield record

    return columns, records


def canvas_records(result: ClassResult, identity=None):
    """Canvas's gradebook import: ``Student`` (the name), ``SIS User ID`` (our student id; ``ID``,
    ``SIS Login ID`` and ``Section`` are Canvas's own and left empty), one column per assignment
    headed by its id (Canvas matches it to the assignment of that name or creates it), its total
    per student (empty when the student sent no file), and the ``Points Possible`` row second."""
    maxima = assignment_maxima(result)
    counted, clashes = counted_files(result, identity), _clashes(result, identity)
    students, roster = _students(result, identity, strangers=False), _roster(identity) or {}

    def records():
        possible = {"Student": CANVAS_POINTS_POSSIBLE, "ID": "", "SIS User ID": "", "SIS Login ID": "", "Section": ""}
        yield possible | dict(maxima)
        for sid, rows in students.items():
            name, _ = _identity(rows, roster.get(sid))
            record = {"Student": name, "ID": "", "SIS User ID": sid, "SIS Login ID": "", "Section": ""}
            record.update({a: _cell(counted, sid, a, clashes, identity) for a in maxima})
            yield record

    return CANVAS_ID_COLUMNS + list(maxima), records


def moodle_records(result: ClassResult, identity=None):
    """Moodle's CSV grade import: ``ID number`` (our student id), ``Email address``, ``Full name``
    and one column per assignment headed by its id: the student's total, empty when they sent no
    file (Moodle then leaves that grade alone)."""
    maxima = assignment_maxima(result)
    counted, clashes = counted_files(result, identity), _clashes(result, identity)
    students, roster = _students(result, identity, strangers=False), _roster(identity) or {}

    def records():
        for sid, rows in students.items():
            name, email = _identity(rows, roster.get(sid))
            if identity is not None and identity.ids_from == "folder" and sid not in roster:
                email = ""  # a file's own email is no one's word: it could point the row at another student
            record = {"ID number": sid, "Email address": email, "Full name": name}
            record.update({a: _cell(counted, sid, a, clashes, identity) for a in maxima})
            yield record

    return MOODLE_ID_COLUMNS + list(maxima), records
