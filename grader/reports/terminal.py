"""The report stage: the terminal table and the CSV gradebook.

Gradebook columns are named constants in a fixed order (question columns in the
assignment's order between them); points-possible is metadata, never a fake student row.

Every report streams: rows are ordered by the results' summaries (which stay in memory, see
:mod:`grader.result_store`), then each result is read, written and let go, so a class of
50,000 files never has them all unpacked at once. The CSV files are written with the csv
module, row by row, exactly as ``DataFrame.from_records(...).to_csv(index=False)`` of the
same rows wrote them (see :func:`column_kinds`); tests/reports/test_lms_export.py keeps the pandas
version as the reference.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from grader.results import MISSING, ClassResult
from grader.io.outputs import write_atomic
from grader.result_store import ids_checksum, question_points
from grader.shown_text import json_safe, shown, shown_lines

if TYPE_CHECKING:
    import pandas as pd

ID_COLUMNS = ["student_id", "name", "email", "assignment"]
TOTAL_COLUMNS = ["total", "max", "percent", "status", "flags", "notes", "file"]
TABLE_COLUMNS = ["id", "name", "points", "max", "percent", "status"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 500  # CSV rows per piece of text handed to the writer
INT, FLOAT, OBJECT = "int", "float", "object"  # how pandas would type a column, see column_kinds


def report_order(result: ClassResult) -> list[int]:
    """Indices of ``result.students`` in report order: by assignment, student id, file (stable)."""
    s = result.students.summaries()
    return sorted(range(len(s)), key=lambda i: (s[i].assignment, s[i].student_id, s[i].file))


def question_columns(result: ClassResult) -> list[str]:
    """Question ids of every assignment in the run, each assignment's in its own order."""
    columns: list[str] = []
    for assignment in sorted({s.assignment for s in result.students.summaries() if s.graded}):
        columns += [q for q in result.catalog.assignment(assignment).question_ids if q not in columns]
    return columns


# --- CSV, as pandas wrote it -------------------------------------------------------------------

def _neutral(v):
    """A text cell as :func:`grader.shown_text.shown` shows it (a line break, tab, bidi or
    other invisible character a visible escape: one line per row, whatever a name holds); then
    one a spreadsheet would run as a formula gets an apostrophe in front. Only a multi-line
    answer for a TA (``\\r\\n`` and ``\\r`` read as ``\\n``) keeps its line breaks: see
    :class:`MultiLine`."""
    if not isinstance(v, str):
        return v
    multi = type(v) is MultiLine
    v = shown(v.replace("\r\n", "\n").replace("\r", "\n") if multi else v, keep_newlines=multi)
    return "'" + v if v.startswith(FORMULA_START) else v


class MultiLine(str):
    """An answer as typed, for a TA to read in a CSV cell: its line breaks are kept (the cell is
    quoted), every other invisible character is escaped."""


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`_neutral` on every text cell of a frame. Every non-numeric column is looked at
    (pandas 3 gives text columns the ``str`` dtype, not ``object``). pandas is imported here,
    not with the module: a run that writes no pandas frame (the review sheet is one) never
    loads it, ~33 MB less in the parent and in every worker forked from it."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(_neutral).astype(object)
    return out


def _missing(v) -> bool:
    return v is None or (isinstance(v, (float, np.floating)) and v != v)


def _number(t: type) -> bool:
    return issubclass(t, (int, float, np.integer, np.floating)) and not issubclass(t, (bool, np.bool_))


def kind_of(types: set) -> str:
    """The dtype pandas infers for a column holding values of these types (None for a missing
    cell): float64 for numbers with a float or a gap, int64 for ints only, object otherwise."""
    present = {t for t in types if t is not type(None)}
    if not present or not all(map(_number, present)):
        return OBJECT
    if type(None) in types or any(issubclass(t, (float, np.floating)) for t in present):
        return FLOAT
    return INT


def column_kinds(columns: list[str], records: Iterable[dict]) -> list[str]:
    """Each column's :func:`kind_of` over every record (one pass)."""
    types: dict[str, set] = {c: set() for c in columns}
    for record in records:
        for c in columns:
            types[c].add(type(record.get(c)))
    return [kind_of(types[c]) for c in columns]


def _float_cell(v) -> str:
    if v is None:
        return ""
    if type(v) is float:  # the common case first: a cell per question per row
        return repr(v) if v == v else ""
    return "" if _missing(v) else repr(float(v))  # numpy's str of a float64 is Python's repr


def _int_cell(v) -> str:
    return str(v)


def _object_cell(v) -> str:
    if isinstance(v, str):
        return _neutral(v)
    return "" if _missing(v) else str(v)


_CELL = {FLOAT: _float_cell, INT: _int_cell, OBJECT: _object_cell}


def csv_chunks(columns: list[str], records: Iterable[dict], kinds: list[str]) -> Iterator[str]:
    """The CSV text of ``records`` (dicts, a missing key an empty cell), formulas neutralised,
    in pieces of CHUNK_ROWS rows: what ``neutralise_formulas(DataFrame.from_records(records,
    columns=columns)).to_csv(index=False, lineterminator="\\n")`` gave, when ``kinds`` are the
    columns' :func:`column_kinds` (the csv writer is the one pandas uses, with its settings)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    cells = list(zip([_CELL[k] for k in kinds], columns))
    for n, record in enumerate(records, 1):
        get = record.get  # (a missing cell is empty in every kind: most are, in a long gradebook)
        writer.writerow(["" if (v := get(c)) is None else cell(v) for cell, c in cells])
        if n % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# --- the long gradebook ------------------------------------------------------------------------

def gradebook_columns(result: ClassResult) -> tuple[list[str], list[str]]:
    """The question columns and the review columns ("<question> answer") of the long gradebook."""
    review = sorted({f"{qid} answer" for s in result.students.summaries() for qid in s.review_ids})
    return question_columns(result), review


def _summary_record(s) -> dict:
    return {"student_id": s.student_id, "name": s.name, "email": s.email, "assignment": s.assignment}


def _total_record(s) -> dict:
    return {"total": s.points, "max": s.max_points or None, "percent": s.percent, "status": s.status,
            "flags": " ".join(s.flags), "notes": "; ".join(s.notes), "file": s.file}


def gradebook_records(result: ClassResult) -> Iterator[dict]:
    """One record per answer file, in report order: ids, points per question, the answers a TA
    must read (beside their points), total, max, percent, status. Made one at a time: a result
    is unpacked only when its summary cannot give its points (answers for a TA, hand-made points)."""
    store, summaries, qcols = result.students, result.students.summaries(), question_columns(result)
    empty = dict.fromkeys(qcols)
    ids: dict[str, tuple] = {}  # assignment → its question ids and their checksum
    for i in report_order(result):
        s = summaries[i]
        record = _summary_record(s)
        known = None
        if s.graded and not s.review_ids:  # its points are in its summary (when its questions are the assignment's)
            if s.assignment not in ids:
                qids = tuple(result.catalog.assignment(s.assignment).question_ids)
                ids[s.assignment] = (qids, ids_checksum(qids))
            known = question_points(s, *ids[s.assignment])
        if known is not None:
            record.update(empty)
            record.update(known)
        elif s.graded or s.review_ids:
            r = store[i]
            per_question = {q.question: q.points for q in r.questions}
            record.update({q: per_question.get(q) for q in qcols})
            for qid, text in r.review_text:
                record[f"{qid} answer"] = MultiLine(text) if isinstance(text, str) else text
        else:
            record.update(empty)
        record.update(_total_record(s))
        yield record


def gradebook_kinds(result: ClassResult, columns: list[str], review: list[str]) -> list[str]:
    """The columns' kinds without reading a result when every result is ``plain`` (its points
    floats, its review texts strings, as grading makes them): question columns are then float,
    review columns text, and the rest comes from the summaries. Otherwise (a hand-made result)
    one more pass over every record."""
    summaries, fixed = result.students.summaries(), ID_COLUMNS + TOTAL_COLUMNS
    if not all(s.plain for s in summaries) or len(set(columns)) < len(columns):  # (a question id "total"?)
        return column_kinds(columns, gradebook_records(result))
    known = dict(zip(fixed, column_kinds(fixed, ({**_summary_record(s), **_total_record(s)} for s in summaries))))
    return [known[c] if c in known else OBJECT if c in review else FLOAT for c in columns]


def long_gradebook_chunks(result: ClassResult) -> Iterator[str]:
    """The long gradebook's CSV text, in pieces."""
    qcols, review = gradebook_columns(result)
    columns = ID_COLUMNS + qcols + review + TOTAL_COLUMNS
    return csv_chunks(columns, gradebook_records(result), gradebook_kinds(result, columns, review))


def write_gradebook(result: ClassResult, path: Path) -> None:
    write_atomic(path, long_gradebook_chunks(result))


# --- text for the terminal ---------------------------------------------------------------------

def _table_cells(s, width: int) -> list[str]:
    status = shown(s.status)
    status = status if len(status) <= width else status[: width - 1] + "…"
    return [shown(s.student_id) or "?", shown(s.name), f"{s.points:g}", f"{s.max_points:g}" if s.max_points else "",
            f"{s.percent:.1f}" if s.percent is not None else "", status]


def summary_lines(result: ClassResult, *, width: int = 72) -> Iterator[str]:
    """The terminal view, line by line: one row per file; text left-aligned, numbers
    right-aligned. From the summaries alone (two passes: the widths, then the lines)."""
    summaries, order = result.students.summaries(), report_order(result)
    if not order:
        yield "(no answer files)"
        return
    widths = [len(c) for c in TABLE_COLUMNS]
    for i in order:
        widths = [max(w, len(c)) for w, c in zip(widths, _table_cells(summaries[i], width))]
    numeric = {2, 3, 4}

    def line(cells):
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    yield line(TABLE_COLUMNS)
    yield line(["-" * w for w in widths])
    for i in order:
        yield line(_table_cells(summaries[i], width))


def summary_table(result: ClassResult, *, width: int = 72) -> str:
    return "\n".join(summary_lines(result, width=width))


def details_blocks(result: ClassResult, *, missing: bool = False) -> Iterator[str]:
    """Per file, every question that lost points and why (missing answers only on request)."""
    store = result.students
    for i in report_order(result):
        r = store[i]
        who = f"{shown(r.student_id) or '?'} {shown(r.name)} ({shown(r.file)})"
        head = f"{who}: {r.points:g}/{r.max_points:g}" if r.max_points else who
        lines = [head]
        if r.error is not None:
            lines += ["  " + line for line in shown_lines(r.error.describe())]
        for q in r.questions:
            if q.full_marks or (q.verdict.outcome == MISSING and not missing):  # (full marks from a TA too)
                continue
            lines.append(f"  {shown(q.question)} ({q.points:g}/{q.max_points:g}): {q.verdict.outcome}: "
                         f"{shown(q.verdict.feedback)}")
        skipped = sum(q.verdict.outcome == MISSING for q in r.questions)
        if skipped and not missing:
            lines.append(f"  {skipped} question(s) not answered")
        lines += [f"  note: {shown(n)}" for n in r.notes]
        yield "\n".join(lines)


def details_text(result: ClassResult, *, missing: bool = False) -> str:
    return "\n\n".join(details_blocks(result, missing=missing))


def _json_student(r) -> dict:
    return {
        "student_id": r.student_id, "name": r.name, "email": r.email, "assignment": r.assignment,
        "file": r.file, "points": r.points, "max": r.max_points, "percent": r.percent, "status": r.status,
        "flags": list(r.flags), "notes": list(r.notes),
        "error": r.error.describe(caret=False) if r.error else None,
        "questions": [{"id": q.question, "points": q.points, "max": q.max_points, "verdict": q.verdict.outcome,
                       "flags": list(q.verdict.flags), "feedback": q.verdict.feedback} for q in r.questions],
    }


def json_chunks(result: ClassResult) -> Iterator[str]:
    """The JSON report in pieces, one per student: the text of ``json.dumps({"folder": ...,
    "students": [...]}, indent=2, ensure_ascii=False)`` (a student's own dump, indented two
    levels deeper: JSON strings hold no raw line break, so every line break is the layout's)."""
    store = result.students
    yield '{\n  "folder": ' + json.dumps(Path(result.folder).name, ensure_ascii=False) + ',\n  "students": '
    order = report_order(result)
    if not order:
        yield "[]\n}\n"
        return
    for n, i in enumerate(order):
        text = json_safe(json.dumps(_json_student(store[i]), indent=2, ensure_ascii=False)).replace("\n", "\n    ")
        yield ("[\n    " if n == 0 else ",\n    ") + text
    yield "\n  ]\n}\n"


def json_report(result: ClassResult) -> str:
    """Per student, per question: points, max, verdict, flags, feedback (stable order and text)."""
    return "".join(json_chunks(result))
