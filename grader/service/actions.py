"""What a student can do, once, for both the JSON API and the pages: check a file (free),
submit it (queued, counted against the attempt limit and the cool-down), read back their own
submissions and feedback. Another student's submission is "not found", never "forbidden"
(which would say it exists)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine

from grader.keys.catalog import Catalog
from grader.service import queue
from grader.service.db import gradings, submissions
from grader.service.grading import check_text, problem_view, safe_filename
from grader.service.settings import ServiceSettings
from grader.service.tokens import Person

ASSIGNMENT_LINE = re.compile(r"^\s*assignment\s*:\s*[\"']?([A-Za-z0-9._-]{1,200})", re.M)  # YAML or front matter
JSON_ASSIGNMENT = re.compile(r"\"assignment\"\s*:\s*\"([A-Za-z0-9._-]{1,200})\"")


@dataclass
class Service:
    """What every request needs: the database, the settings, the course's catalog, and a
    callback that wakes the grader after an insert."""

    engine: Engine
    settings: ServiceSettings
    catalog: Catalog
    wake: object = None


def assignment_of(text: str) -> str | None:
    """The assignment a file names (its ``assignment:`` line or JSON field), read as text.

    >>> assignment_of("student: {id: s1}\\nassignment: mlp-numeric\\n"), assignment_of('{"assignment": "x"}')
    ('mlp-numeric', 'x')
    """
    m = ASSIGNMENT_LINE.search(text[:20_000]) or JSON_ASSIGNMENT.search(text[:20_000])
    return m.group(1) if m else None


def sized(service: Service, text: str) -> None:
    """Refuse (413) a file over the size limit."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > service.settings.max_bytes:
        raise queue.Refusal(413, f"the file is {size} bytes: at most {service.settings.max_bytes} are accepted")


def check(service: Service, filename: str, text: str) -> dict:
    """Well-formedness only (what ``grade check`` says), free: never counted, never graded."""
    sized(service, text)
    problems = check_text(service.catalog, filename, text)
    return {"well_formed": not problems, "problems": [problem_view(p) for p in problems]}


def submit(service: Service, person: Person, filename: str, text: str, *, assignment: str | None = None) -> dict:
    """Accept a submission for grading; raises :class:`~grader.service.queue.Refusal`."""
    sized(service, text)
    named = assignment or assignment_of(text)
    if not named or named not in service.catalog.known_ids():
        raise queue.Refusal(400, "the file names no assignment of this course (an `assignment:` line)"
                            if not named else "unknown assignment: the file names none of this course's")
    s = service.settings
    sid, attempt = queue.enqueue(service.engine, person.id, named, safe_filename(filename), text,
                                 attempts=s.attempts, cooldown=s.cooldown)
    if service.wake:
        service.wake()
    return {"id": sid, "assignment": named, "attempt": attempt, "attempts": s.attempts, "status": queue.QUEUED,
            "url": f"/api/v1/submissions/{sid}"}


def submission(service: Service, person: Person, sid: int, *, with_text: bool = False) -> dict | None:
    """One submission and its latest grading as the student sees it; None when it is not the
    asker's own (an instructor sees every one)."""
    with service.engine.connect() as db:
        row = db.execute(select(submissions).where(submissions.c.id == sid)).mappings().first()
        if row is None or (row["person_id"] != person.id and not person.instructor):
            return None
        latest = db.execute(select(gradings.c.result_json, gradings.c.round, gradings.c.created_at)
                            .where(gradings.c.submission_id == sid).order_by(gradings.c.round.desc())).first()
    out = {"id": row["id"], "assignment": row["assignment"], "attempt": row["attempt"], "filename": row["filename"],
           "status": row["status"], "submitted_at": row["created_at"],
           "result": json.loads(latest[0]) if latest else None, "regraded": bool(latest and latest[1] > 0)}
    if with_text:
        out["text"] = row["text"]
    return out


def own_submissions(service: Service, person: Person, assignment: str | None = None) -> list[dict]:
    """The asker's submissions, newest first (points when graded)."""
    query = (select(submissions.c.id, submissions.c.assignment, submissions.c.attempt, submissions.c.status,
                    submissions.c.created_at).where(submissions.c.person_id == person.id)
             .order_by(submissions.c.id.desc()))
    if assignment:
        query = query.where(submissions.c.assignment == assignment)
    with service.engine.connect() as db:
        rows = db.execute(query).all()
        points = dict(db.execute(select(gradings.c.submission_id, gradings.c.points)
                                 .where(gradings.c.submission_id.in_([r[0] for r in rows]))
                                 .order_by(gradings.c.round)).all()) if rows else {}
    return [{"id": r[0], "assignment": r[1], "attempt": r[2], "status": r[3], "submitted_at": r[4],
             "points": points.get(r[0])} for r in rows]


def assignments(service: Service, person: Person) -> list[dict]:
    """Every assignment of the course with the asker's attempts used."""
    used: dict[str, int] = {}
    for s in own_submissions(service, person):
        used[s["assignment"]] = used.get(s["assignment"], 0) + 1
    out = []
    for a in service.catalog.known_ids():
        title = service.catalog.assignment(a).title
        out.append({"id": a, "title": title, "attempts_used": used.get(a, 0), "attempts": service.settings.attempts,
                    "cooldown_seconds": service.settings.cooldown})
    return out
