"""The instructor's view of the class, from the database: the latest graded attempt per student
and assignment, as the library's :class:`~grader.results.ClassResult`, so the statistics and the
gradebooks are the CLI's own (:mod:`grader.reports.html`, :mod:`grader.reports.gradebooks`)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from grader.reports.gradebooks import gradebook_text
from grader.reports.html import flag_counts, question_stats
from grader.result_store import unpack
from grader.results import ClassResult, StudentResult
from grader.service.actions import Service
from grader.service.db import gradings, people, submissions
from grader.service.tokens import students

BINS = 10


def latest_results(service: Service, assignment: str | None = None) -> list[tuple[int, int, StudentResult]]:
    """(submission id, attempt, result of its newest grading) of each student's newest graded
    attempt, per assignment (every assignment when None), by student id."""
    newest_round = (select(gradings.c.submission_id, func.max(gradings.c.round).label("round"))
                    .group_by(gradings.c.submission_id).subquery())
    query = (select(submissions.c.id, submissions.c.person_id, submissions.c.assignment, submissions.c.attempt,
                    gradings.c.result_blob, people.c.name, people.c.email)
             .join(newest_round, newest_round.c.submission_id == submissions.c.id)
             .join(gradings, (gradings.c.submission_id == submissions.c.id) & (gradings.c.round == newest_round.c.round))
             .join(people, people.c.id == submissions.c.person_id)
             .order_by(submissions.c.person_id, submissions.c.assignment, submissions.c.attempt))
    if assignment:
        query = query.where(submissions.c.assignment == assignment)
    newest: dict[tuple[str, str], tuple] = {}
    with service.engine.connect() as db:
        for row in db.execute(query):
            newest[(row.person_id, row.assignment)] = row  # ordered by attempt: the last one stays
    out = []
    for (pid, _a), row in sorted(newest.items()):
        r = unpack(row.result_blob)
        out.append((row.id, row.attempt, StudentResult(
            r.file, pid, row.name, row.email, r.assignment or row.assignment, r.questions, r.max_points, r.error,
            r.notes, r.review_text)))
    return out


def class_result(service: Service, assignment: str | None = None) -> ClassResult:
    return ClassResult(str(Path(service.settings.course).name),
                       [r for _, _, r in latest_results(service, assignment)], service.catalog)


def class_stats(service: Service, assignment: str) -> dict:
    """Histogram (10 bins of percent), per-question difficulty, misconception counts per
    question, the latest attempt per student and who has not submitted."""
    latest = latest_results(service, assignment)
    rows = [r for _, _, r in latest]
    hist = [0] * BINS
    for r in rows:
        if r.percent is not None:
            hist[min(int(max(r.percent, 0.0) // (100 / BINS)), BINS - 1)] += 1
    result = ClassResult(assignment, rows, service.catalog)
    graded = [r for r in rows if r.error is None]
    flags: dict[str, Counter] = {}
    for r in graded:
        for q in r.questions:
            flags.setdefault(q.question, Counter()).update(q.verdict.flags)
    with service.engine.connect() as db:
        sent = set(db.scalars(select(submissions.c.person_id).where(submissions.c.assignment == assignment)))
    return {
        "assignment": assignment,
        "histogram": [{"from": i * 100 // BINS, "to": (i + 1) * 100 // BINS, "count": n} for i, n in enumerate(hist)],
        "questions": [{"id": q, "percent_of_points": round(p, 2), "graded": n,
                       "misconceptions": dict(sorted(flags.get(q, Counter()).items()))}
                      for q, p, n in question_stats(result, assignment, graded)],
        "misconceptions": dict(flag_counts(graded)),
        "latest": [{"student_id": r.student_id, "name": r.name, "submission": sid, "attempt": attempt,
                    "points": r.points, "max_points": r.max_points, "status": r.status, "flags": list(r.flags)}
                   for sid, attempt, r in latest],
        "not_submitted": [{"student_id": p.id, "name": p.name} for p in students(service.engine) if p.id not in sent],
    }


def gradebook(service: Service, *, fmt: str = "csv", wide: bool = False) -> str:
    """A gradebook of every assignment, in any layout of ``grade FOLDER --format``."""
    return gradebook_text(class_result(service), fmt=fmt, wide=wide)
