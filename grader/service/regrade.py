"""``grade serve regrade``: every student's latest attempt at an assignment graded again with the
course's current key and rubric, as a diff (old and new points, the questions that moved and
why); applied, each new grading is a new round beside the old ones: nothing is overwritten."""
from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from sqlalchemy import func, select

from grader.errors import ConfigError
from grader.keys.catalog import Catalog
from grader.result_store import unpack
from grader.results import StudentResult
from grader.service.actions import Service
from grader.service.class_view import latest_results
from grader.service.db import gradings, open_database, submissions
from grader.service.grading import Graded, grade_text, rubric_hash
from grader.service.settings import ServiceSettings
from grader.shown_text import shown


@dataclass(frozen=True)
class Change:
    student_id: str
    submission_id: int
    old_points: float
    new_points: float
    max_points: float
    rubric_changed: bool
    why: tuple[str, ...]  # per question that moved: "ex1a.z1 0 -> 2 (wrong -> correct)"
    graded: Graded

    @property
    def moved(self) -> bool:
        return self.old_points != self.new_points or bool(self.why)

    def line(self) -> str:
        """``s1004  34 -> 40 / 102  ex1a.z1 0 -> 2 (wrong -> correct); rubric changed``"""
        reasons = list(self.why) + (["assignment or rubric changed"] if self.rubric_changed else [])
        return (f"{shown(self.student_id)}  {self.old_points:g} -> {self.new_points:g} / {self.max_points:g}  "
                + ("; ".join(reasons) if self.moved else "unchanged" + (" (rubric changed)" if self.rubric_changed else "")))


def differences(old: StudentResult, new: StudentResult) -> tuple[str, ...]:
    """The questions whose points or verdict moved, each saying from what to what."""
    before = {q.question: q for q in old.questions}
    out = []
    for q in new.questions:
        o = before.get(q.question)
        if o is None:
            out.append(f"{q.question} new question: {q.points:g}")
        elif o.points != q.points or o.verdict.outcome != q.verdict.outcome:
            out.append(f"{q.question} {o.points:g} -> {q.points:g} ({o.verdict.outcome} -> {q.verdict.outcome})")
    out += [f"{qid} dropped" for qid in before if qid not in {q.question for q in new.questions}]
    if (old.error is None) != (new.error is None):
        out.append("now rejected" if new.error is not None else "no longer rejected")
    return tuple(out)


def plan(settings: ServiceSettings, assignment: str) -> list[Change]:
    """What a regrade of ``assignment`` changes, per student (nothing is stored)."""
    catalog = Catalog(root=settings.course, salt=settings.salt, unsalted=settings.unsalted)
    if assignment not in catalog.known_ids():
        raise ConfigError(f"unknown assignment '{assignment}' (known: {', '.join(catalog.known_ids()) or 'none'})")
    engine = open_database(settings.url)
    service = Service(engine, settings, catalog)
    latest = latest_results(service, assignment)
    with engine.connect() as db:
        rows = {r.id: r for r in db.execute(select(submissions.c.id, submissions.c.filename, submissions.c.text,
                                                   submissions.c.person_id)
                                            .where(submissions.c.id.in_([sid for sid, _, _ in latest])))}
        hashes = dict(db.execute(select(gradings.c.submission_id, gradings.c.rubric_hash)
                                 .where(gradings.c.submission_id.in_(list(rows))).order_by(gradings.c.round)).all())
    args = [(str(settings.course), settings.salt, settings.unsalted, assignment, rows[sid].filename, rows[sid].text,
             settings.limits, (r.student_id, r.name)) for sid, _, r in latest]
    if settings.jobs == 1 or len(args) < 2:  # (each grading still runs in its own killable child: the limits)
        new = [grade_text(*a) for a in args]
    else:
        with ProcessPoolExecutor(max_workers=settings.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            new = list(pool.map(grade_text, *zip(*args)))
    current = rubric_hash(catalog, assignment)
    return [Change(r.student_id, sid, r.points, g.points, g.max_points, hashes.get(sid) != current,
                   differences(r, unpack(g.result_blob)), g) for (sid, _, r), g in zip(latest, new)]


def apply(settings: ServiceSettings, changes: list[Change]) -> int:
    """Store a new grading round for each change that moved points or was graded by another
    rubric; the earlier rounds stay. How many were stored."""
    engine = open_database(settings.url)
    stored = 0
    with engine.begin() as db:
        for c in changes:
            if not (c.moved or c.rubric_changed):
                continue
            last = db.scalar(select(func.max(gradings.c.round)).where(gradings.c.submission_id == c.submission_id))
            g = c.graded
            db.execute(gradings.insert().values(
                submission_id=c.submission_id, round=(last or 0) + 1, rubric_hash=g.rubric_hash, points=g.points,
                max_points=g.max_points, result_json=g.result_json, result_blob=g.result_blob,
                reason="regrade: " + ("; ".join(c.why) or "rubric changed")[:180], created_at=time.time()))
            stored += 1
    return stored
