"""Gradebook layouts: our CSV (long or ``--wide``), and the CSVs Canvas and Moodle import.

* ``csv`` (long, the default): one row per answer file, every file of the run, columns
  :data:`grader.report.ID_COLUMNS`, one per question, :data:`grader.report.TOTAL_COLUMNS`. It is
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

Rows are sorted by student id, columns by assignment id, so the text depends only on the
grades, never on the order files were found in. Every text cell is neutralised against formulas
(:func:`grader.report.csv_chunks`, which writes the bytes pandas' ``to_csv`` wrote).
"""
from __future__ import annotations

from collections.abc import Iterator

from grader.pipeline import ClassResult
from grader.report import column_kinds, csv_chunks, gradebook_chunks as long_chunks
from grader.result_store import Summary

FORMATS = ("csv", "canvas", "moodle")
WIDE_ID_COLUMNS = ["student_id", "name", "email"]
WIDE_PER_ASSIGNMENT = ["total", "max", "percent", "status", "flags"]  # each as "<assignment> <what>"
WIDE_TOTAL_COLUMNS = ["total", "max", "percent", "files"]
CANVAS_ID_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_POSSIBLE = "    Points Possible"  # as Canvas's export spells it (four spaces)
MOODLE_ID_COLUMNS = ["ID number", "Email address", "Full name"]
NO_FILE = "no file"  # the wide sheet's status for an assignment a student sent nothing for


def gradebook_chunks(result: ClassResult, *, fmt: str = "csv", wide: bool = False) -> Iterator[str]:
    """The gradebook file's text in layout ``fmt`` (csv, canvas, moodle), in pieces.

    ``wide`` turns our CSV into one row per student; Canvas and Moodle files are one row per
    student already, so it changes nothing there. The one-row-per-student layouts read only the
    results' summaries (twice: the columns' kinds, then the rows), never a whole result.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown gradebook format {fmt!r} (known: {', '.join(FORMATS)})")
    if fmt == "csv" and not wide:
        return long_chunks(result)
    columns, records = {"canvas": canvas_records, "moodle": moodle_records}.get(fmt, wide_records)(result)
    return csv_chunks(columns, records(), column_kinds(columns, records()))


def gradebook_text(result: ClassResult, *, fmt: str = "csv", wide: bool = False) -> str:
    """The gradebook file's text in layout ``fmt`` (csv, canvas, moodle), as one string."""
    return "".join(gradebook_chunks(result, fmt=fmt, wide=wide))


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


def counted_files(result: ClassResult) -> dict[tuple[str, str], Summary]:
    """(student id, assignment) → the summary of the one file that counts; students without an
    id are left out."""
    columns = assignment_maxima(result)
    best: dict[tuple[str, str], Summary] = {}
    for r in result.students.summaries():
        if not r.student_id or r.assignment not in columns:
            continue
        key = (r.student_id, r.assignment)
        if key not in best or _preference(r) < _preference(best[key]):
            best[key] = r
    return best


def _identity(rows: list[Summary]) -> tuple[str, str]:
    """A student's name and email: the first non-empty ones, files in (assignment, path) order."""
    ordered = sorted(rows, key=lambda r: (r.assignment, r.file))
    return (next((r.name for r in ordered if r.name), ""), next((r.email for r in ordered if r.email), ""))


def _students(result: ClassResult) -> dict[str, list[Summary]]:
    """Student id → the summaries of all their files, ids sorted."""
    by_id: dict[str, list[Summary]] = {}
    for r in result.students.summaries():
        if r.student_id:
            by_id.setdefault(r.student_id, []).append(r)
    return dict(sorted(by_id.items()))


def _percent(points: float, maximum: float) -> float | None:
    return round(100 * points / maximum, 1) if maximum else None


# --- the layouts: (columns, a function giving the rows as dicts) ------------------------------------

def wide_records(result: ClassResult):
    """One row per student (and one per file without a student id, after them): per assignment
    its total, max, percent, status and flags (``no file`` when none was sent), then the overall
    total, the sum of every assignment's maximum, the percent and the files counted."""
    maxima = assignment_maxima(result)
    counted = counted_files(result)
    columns = WIDE_ID_COLUMNS + [f"{a} {what}" for a in maxima for what in WIDE_PER_ASSIGNMENT] + WIDE_TOTAL_COLUMNS
    students = _students(result)
    anonymous = sorted((r for r in result.students.summaries() if not r.student_id), key=lambda r: r.file)

    def records():
        groups = ((sid, rows, {a: counted.get((sid, a)) for a in maxima}) for sid, rows in students.items())
        for sid, rows, files in [*groups, *(("", [r], {a: r if r.assignment == a else None for a in maxima})
                                            for r in anonymous)]:
            name, email = _identity(rows)
            record = {"student_id": sid, "name": name, "email": email}
            for a, maximum in maxima.items():
                r = files[a]
                record.update({f"{a} total": r.points if r else None, f"{a} max": maximum,
                               f"{a} percent": _percent(r.points, maximum) if r else None,
                               f"{a} status": r.status if r else NO_FILE, f"{a} flags": " ".join(r.flags) if r else ""})
            total = round(sum(r.points for r in files.values() if r), 6)
            overall = sum(maxima.values())
            record.update({"total": total, "max": overall or None, "percent": _percent(total, overall),
                           "files": "; ".join(r.file for r in files.values() if r)})
            yield record

    return columns, records


def canvas_records(result: ClassResult):
    """Canvas's gradebook import: ``Student`` (the name), ``SIS User ID`` (our student id; ``ID``,
    ``SIS Login ID`` and ``Section`` are Canvas's own and left empty), one column per assignment
    headed by its id (Canvas matches it to the assignment of that name or creates it), its total
    per student (empty when the student sent no file), and the ``Points Possible`` row second."""
    maxima = assignment_maxima(result)
    counted = counted_files(result)
    students = _students(result)

    def records():
        possible = {"Student": CANVAS_POINTS_POSSIBLE, "ID": "", "SIS User ID": "", "SIS Login ID": "", "Section": ""}
        yield possible | dict(maxima)
        for sid, rows in students.items():
            name, _ = _identity(rows)
            record = {"Student": name, "ID": "", "SIS User ID": sid, "SIS Login ID": "", "Section": ""}
            record.update({a: counted[(sid, a)].points if (sid, a) in counted else None for a in maxima})
            yield record

    return CANVAS_ID_COLUMNS + list(maxima), records


def moodle_records(result: ClassResult):
    """Moodle's CSV grade import: ``ID number`` (our student id), ``Email address``, ``Full name``
    and one column per assignment headed by its id: the student's total, empty when they sent no
    file (Moodle then leaves that grade alone)."""
    maxima = assignment_maxima(result)
    counted = counted_files(result)
    students = _students(result)

    def records():
        for sid, rows in students.items():
            name, email = _identity(rows)
            record = {"ID number": sid, "Email address": email, "Full name": name}
            record.update({a: counted[(sid, a)].points if (sid, a) in counted else None for a in maxima})
            yield record

    return MOODLE_ID_COLUMNS + list(maxima), records
