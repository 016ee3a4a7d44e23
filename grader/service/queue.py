"""The submission queue, kept in the database so that nothing accepted is lost with a process.

A submission is accepted by one INSERT (status ``queued``). A grader claims it with an UPDATE
that only succeeds on a queued row (two replicas never both win), grades it, and records the
grading and the status ``graded`` in one transaction; the grading's ``UNIQUE(submission_id,
round)`` refuses a second round-0 grading. A claim whose worker or server died is queued again
once older than the lease (:func:`requeue_stale`), so the queue resumes after a kill -9.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from grader.service.db import gradings, submissions
from grader.service.grading import Graded

QUEUED, GRADING, GRADED = "queued", "grading", "graded"


class Refusal(Exception):
    """A submission the service does not accept, and why (an HTTP status and a sentence)."""

    def __init__(self, status: int, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


@dataclass(frozen=True)
class Claimed:
    id: int
    assignment: str
    filename: str
    text: str


def enqueue(engine: Engine, person_id: str, assignment: str, filename: str, text: str, *, attempts: int,
            cooldown: float, now: float | None = None) -> tuple[int, int]:
    """Accept a submission: (its id, its attempt number). Raises :class:`Refusal` past the attempt
    limit or within the cool-down after the last one."""
    now = time.time() if now is None else now
    for _ in range(5):  # two submissions at once: the attempt number's unique constraint decides, retry
        with engine.begin() as db:
            count, last = db.execute(select(func.count(), func.max(submissions.c.created_at))
                                     .where(submissions.c.person_id == person_id,
                                            submissions.c.assignment == assignment)).one()
            if count >= attempts:
                raise Refusal(409, f"no attempts left: {attempts} of {attempts} used for this assignment")
            if last is not None and now - last < cooldown:
                wait = cooldown - (now - last)
                raise Refusal(429, f"too soon: submit again in {wait:.0f} s (cool-down {cooldown:g} s)", wait)
            try:
                new = db.execute(submissions.insert().values(
                    person_id=person_id, assignment=assignment, attempt=count + 1, filename=filename, text=text,
                    created_at=now, status=QUEUED)).inserted_primary_key[0]
            except IntegrityError:
                continue
            return new, count + 1
    raise Refusal(429, "too many submissions at once: try again", 1.0)


def claim(engine: Engine, worker: str, *, limit: int = 1) -> list[Claimed]:
    """Up to ``limit`` queued submissions, oldest first, now marked as this worker's."""
    out: list[Claimed] = []
    with engine.begin() as db:
        ids = db.scalars(select(submissions.c.id).where(submissions.c.status == QUEUED)
                         .order_by(submissions.c.id).limit(limit * 4)).all()
        for sid in ids:
            won = db.execute(submissions.update().where(submissions.c.id == sid, submissions.c.status == QUEUED)
                             .values(status=GRADING, claimed_by=worker, claimed_at=time.time())).rowcount
            if won:
                row = db.execute(select(submissions.c.id, submissions.c.assignment, submissions.c.filename,
                                        submissions.c.text).where(submissions.c.id == sid)).one()
                out.append(Claimed(*row))
                if len(out) == limit:
                    break
    return out


def record(engine: Engine, submission_id: int, graded: Graded, *, reason: str = "submitted") -> bool:
    """Store the first grading of a submission and mark it graded. False when it was graded
    already (then nothing changes)."""
    try:
        with engine.begin() as db:
            db.execute(gradings.insert().values(
                submission_id=submission_id, round=0, rubric_hash=graded.rubric_hash, points=graded.points,
                max_points=graded.max_points, result_json=graded.result_json, result_blob=graded.result_blob,
                reason=reason, created_at=time.time()))
            db.execute(submissions.update().where(submissions.c.id == submission_id).values(status=GRADED))
    except IntegrityError:
        with engine.begin() as db:
            db.execute(submissions.update().where(submissions.c.id == submission_id).values(status=GRADED))
        return False
    return True


def release(engine: Engine, ids: list[int]) -> None:
    """Queue claimed submissions again (their worker died before grading them)."""
    if ids:
        with engine.begin() as db:
            db.execute(submissions.update().where(submissions.c.id.in_(ids), submissions.c.status == GRADING)
                       .values(status=QUEUED, claimed_by=None, claimed_at=None))


def requeue_stale(engine: Engine, lease: float, *, now: float | None = None) -> int:
    """Queue again every claim older than ``lease`` seconds; how many."""
    cutoff = (time.time() if now is None else now) - lease
    with engine.begin() as db:
        return db.execute(submissions.update().where(submissions.c.status == GRADING,
                                                     submissions.c.claimed_at < cutoff)
                          .values(status=QUEUED, claimed_by=None, claimed_at=None)).rowcount


def requeue_worker(engine: Engine, worker_prefix: str) -> int:
    """Queue again the claims of every worker of a server that is gone (its claims carry its id)."""
    with engine.begin() as db:
        return db.execute(submissions.update().where(submissions.c.status == GRADING,
                                                     submissions.c.claimed_by.like(worker_prefix + "%"))
                          .values(status=QUEUED, claimed_by=None, claimed_at=None)).rowcount
