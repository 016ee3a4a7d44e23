"""Manual grading: free-text answers go to a TA, and the TA's points come back.

``grade FOLDER --review review.csv`` writes one row per answer that needs review (student,
question, max, the answer as typed, empty ``points`` and ``comment``); the TA fills ``points``;
``grade FOLDER --manual-scores review.csv`` merges them: the answer then scores those points
(never more than the question's max) and the comment joins its feedback.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd

from grader.results import REVIEW, StudentResult
from grader.errors import GraderError

POINTS = re.compile(r"\s*(\d{1,9}(?:\.\d{0,9})?|\.\d{1,9})\s*")  # plain decimal, no sign, no exponent
SHOWN_CHARS = 40

MANUAL_CHUNK = 2000  # results merged per read of the TA's sheet

REVIEW_COLUMNS = ["student_id", "name", "assignment", "file", "question", "max", "answer", "points", "comment"]


def review_frame(students, answers: dict) -> pd.DataFrame:
    """Rows for every answer awaiting review; ``answers`` maps (file, question) → text."""
    rows = [{"student_id": r.student_id, "name": r.name, "assignment": r.assignment, "file": r.file,
             "question": q.question, "max": q.max_points, "answer": answers.get((r.file, q.question), ""),
             "points": None, "comment": ""}
            for r in students for q in r.questions if q.verdict.outcome == REVIEW]
    return pd.DataFrame.from_records(rows, columns=REVIEW_COLUMNS)


def merge_manual_scores(students, path: Path) -> list[StudentResult]:
    """The results with the TA's points for reviewed answers (raises GraderError naming the row)."""
    try:  # every cell as the text typed: pandas would read "nan" as NaN, "inf" and "1e400" as infinity
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as e:
        raise GraderError(f"cannot read the manual scores: {e}", file=str(path)) from None
    missing = {"file", "question", "points"} - set(table.columns)
    if missing:
        raise GraderError(f"manual scores need columns {', '.join(sorted(missing))}", file=str(path))
    scores = {}
    for i, row in table.iterrows():
        if not row["points"].strip():
            continue  # not graded yet
        points = manual_points(row["points"], row=i + 2, file=str(path))
        comment = str(row.get("comment", ""))
        scores[(str(row["file"]), str(row["question"]))] = (points, comment)
    out = []
    for r in students:
        questions = []
        for q in r.questions:
            if q.verdict.outcome == REVIEW and (r.file, q.question) in scores:
                points, comment = scores[(r.file, q.question)]
                points = max(0.0, min(points, q.max_points))
                verdict = replace(q.verdict, outcome="graded by TA", feedback=comment or "graded by a TA")
                q = replace(q, verdict=verdict, points=points)
            questions.append(q)
        out.append(replace(r, questions=tuple(questions)))
    return out


def merge_into_store(store, path: Path) -> None:
    """A TA's points into the results awaiting review (the only ones they can change), in place,
    a chunk of results at a time so that they are never all unpacked at once (the sheet is read
    again per chunk, and at least once, so a broken sheet is always reported). ``store``: a
    :class:`~grader.batch.result_store.ResultStore` (``grade FOLDER --manual-scores``)."""
    waiting = [i for i, s in enumerate(store.summaries()) if s.awaiting]
    for start in range(0, max(len(waiting), 1), MANUAL_CHUNK):
        part = waiting[start:start + MANUAL_CHUNK]
        for i, merged in zip(part, merge_manual_scores([store[i] for i in part], path)):
            store[i] = merged


def manual_points(text: str, *, row: int, file: str) -> float:
    """A TA's points as typed: a plain non-negative decimal (``2``, ``1.5``, ``.5``). Anything
    else (``nan``, ``inf``, ``1e400``, ``-1``, ``1,5``, words) is refused with the sheet's row
    and column, never read as 0 or as full marks. Points above the question's max are capped."""
    if POINTS.fullmatch(text):
        return float(text)
    shown = repr(text[:SHOWN_CHARS] + ("..." if len(text) > SHOWN_CHARS else ""))
    raise GraderError(f"row {row}, column points: {shown} is not a number of points: write a plain number from 0 "
                      "to the question's max (e.g. 1.5, with a point), or leave the cell empty", file=file,
                      category="value")
