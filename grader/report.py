"""The report stage: the terminal table and the CSV gradebook.

Gradebook columns are named constants in a fixed order (question columns in the
assignment's order between them); points-possible is metadata, never a fake student row.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from grader.compare import MISSING
from grader.pipeline import ClassResult

ID_COLUMNS = ["student_id", "name", "email", "assignment"]
TOTAL_COLUMNS = ["total", "max", "percent", "status", "flags", "notes", "file"]
TABLE_COLUMNS = ["id", "name", "points", "max", "percent", "status"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _rows(result: ClassResult) -> list:
    return sorted(result.students, key=lambda r: (r.assignment, r.student_id, r.file))


def question_columns(result: ClassResult) -> list[str]:
    """Question ids of every assignment in the run, each assignment's in its own order."""
    columns: list[str] = []
    for assignment in sorted({r.assignment for r in result.students if r.questions}):
        columns += [q for q in result.catalog.assignment(assignment).question_ids if q not in columns]
    return columns


def gradebook_frame(result: ClassResult) -> pd.DataFrame:
    """One row per answer file: ids, points per question, total, max, percent, status."""
    qcols = question_columns(result)
    records = []
    for r in _rows(result):
        record = {"student_id": r.student_id, "name": r.name, "email": r.email, "assignment": r.assignment}
        per_question = {q.question: q.points for q in r.questions}
        record.update({q: per_question.get(q) for q in qcols})
        for qid, text in r.review_text:  # the answer a TA must read, beside its points
            record[f"{qid} answer"] = text
        record.update({"total": r.points, "max": r.max_points or None, "percent": r.percent,
                       "status": r.status, "flags": " ".join(r.flags), "notes": "; ".join(r.notes), "file": r.file})
        records.append(record)
    review = sorted({f"{qid} answer" for r in result.students for qid, _ in r.review_text})
    return pd.DataFrame.from_records(records, columns=ID_COLUMNS + qcols + review + TOTAL_COLUMNS)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe.

    Every non-numeric column is looked at (pandas 3 gives text columns the ``str`` dtype, not
    ``object``). A carriage return inside a cell becomes a line feed: the CSV writer (lines end
    in ``\\n``) quotes a cell holding ``\\n`` but not a bare ``\\r``, which a reader would take for
    the end of the row."""
    def neutral(v):
        if not isinstance(v, str):
            return v
        v = "'" + v if v.startswith(FORMULA_START) else v
        return v.replace("\r\n", "\n").replace("\r", "\n")

    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(neutral).astype(object)
    return out


def write_atomic(path: Path, text: str) -> None:
    """Write a whole file or nothing: a temp file beside it, then a rename.

    A target that exists and is not a regular file (``/dev/stdout``, ``/dev/null``, a FIFO) is
    written in place: renaming over it would replace the device with a file.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_gradebook(result: ClassResult, path: Path) -> None:
    write_atomic(path, neutralise_formulas(gradebook_frame(result)).to_csv(index=False, lineterminator="\n"))


def summary_table(result: ClassResult, *, width: int = 72) -> str:
    """The terminal view: one row per student; text left-aligned, numbers right-aligned."""
    rows = []
    for r in _rows(result):
        status = r.status if len(r.status) <= width else r.status[: width - 1] + "…"
        rows.append([r.student_id or "?", r.name, f"{r.points:g}", f"{r.max_points:g}" if r.max_points else "",
                     f"{r.percent:.1f}" if r.percent is not None else "", status])
    if not rows:
        return "(no answer files)"
    widths = [max(len(str(row[i])) for row in rows + [TABLE_COLUMNS]) for i in range(len(TABLE_COLUMNS))]
    numeric = {2, 3, 4}

    def line(cells):
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(TABLE_COLUMNS), line(["-" * w for w in widths])] + [line(r) for r in rows])


def details_text(result: ClassResult, *, missing: bool = False) -> str:
    """Per student, every question that lost points and why (missing answers only on request)."""
    blocks = []
    for r in _rows(result):
        head = f"{r.student_id or '?'} {r.name} ({r.file}): {r.points:g}/{r.max_points:g}" if r.max_points \
            else f"{r.student_id or '?'} {r.name} ({r.file})"
        lines = [head]
        if r.error is not None:
            lines += ["  " + line for line in r.error.describe().splitlines()]
        for q in r.questions:
            if q.verdict.correct or (q.verdict.outcome == MISSING and not missing) or \
                    (q.max_points and q.points >= q.max_points):  # full marks (e.g. from a TA): nothing lost
                continue
            lines.append(f"  {q.question} ({q.points:g}/{q.max_points:g}): {q.verdict.outcome}: {q.verdict.feedback}")
        skipped = sum(q.verdict.outcome == MISSING for q in r.questions)
        if skipped and not missing:
            lines.append(f"  {skipped} question(s) not answered")
        lines += [f"  note: {n}" for n in r.notes]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def json_report(result: ClassResult) -> str:
    """Per student, per question: points, max, verdict, flags, feedback (stable order and text)."""
    students = []
    for r in _rows(result):
        students.append({
            "student_id": r.student_id, "name": r.name, "email": r.email, "assignment": r.assignment,
            "file": r.file, "points": r.points, "max": r.max_points, "percent": r.percent, "status": r.status,
            "flags": list(r.flags), "notes": list(r.notes),
            "error": r.error.describe(caret=False) if r.error else None,
            "questions": [{"id": q.question, "points": q.points, "max": q.max_points, "verdict": q.verdict.outcome,
                           "flags": list(q.verdict.flags), "feedback": q.verdict.feedback} for q in r.questions],
        })
    return json.dumps({"folder": Path(result.folder).name, "students": students}, indent=2, ensure_ascii=False) + "\n"
