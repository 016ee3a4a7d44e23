"""One stored submission graded, as a pool worker runs it, and what of its result a student sees.

The grading itself is the library's (:func:`grader.integrations.grade_one.grade_path`, the call
``grade gradescope`` makes; a write-up file goes through it too), under the CLI's per-answer and
per-file time limits. A worker process keeps one :class:`~grader.keys.catalog.Catalog` per course
(keys are built once per process).
"""
from __future__ import annotations

import hashlib
import json
import re
import tempfile
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from grader.batch.orchestrator import warm_up
from grader.errors import ConfigError, GraderError
from grader.integrations.platform_identity import Person, vouched
from grader.integrations.grade_one import grade_path, question_message, rejected
from grader.judge.time_limits import TimeLimits
from grader.keys.catalog import Catalog
from grader.result_store import pack
from grader.results import StudentResult
from grader.shown_text import shown

_catalogs: dict[tuple, Catalog] = {}
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Graded:
    """A grading as the database stores it."""

    points: float
    max_points: float
    rubric_hash: str
    result_json: str
    result_blob: bytes


def catalog_for(course: str, salt: str, unsalted: bool) -> Catalog:
    """This process's catalog of the course (keys built once)."""
    key = (course, salt, unsalted)
    if key not in _catalogs:
        _catalogs[key] = Catalog(root=Path(course), salt=salt, unsalted=unsalted)
    return _catalogs[key]


def safe_filename(name: str) -> str:
    """The name a sent file is written under: its last part, only ``[A-Za-z0-9._-]``.

    >>> safe_filename("../../etc/passwd"), safe_filename("mé ‮.yaml")
    ('passwd', 'm___.yaml')
    """
    base = SAFE_NAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).lstrip(".")[:100]
    return base or "answers.yaml"


def rubric_hash(catalog: Catalog, assignment: str) -> str:
    """sha256 of the assignment file and the rubric file that grade ``assignment`` (and of
    the salt, hashed, so a new salt is a new grading): a regrade is due when it changes."""
    digest = hashlib.sha256()
    for kind in ("reference", "rubrics"):
        path = catalog._find(kind, assignment)  # noqa: SLF001 - the catalog's own lookup, the one grading uses
        digest.update(path.read_bytes() if path else b"")
        digest.update(b"\0")
    digest.update(hashlib.sha256(catalog.salt.encode()).digest())
    return digest.hexdigest()


def grade_text(course: str, salt: str, unsalted: bool, assignment: str, filename: str, text: str,
               limits: TimeLimits, person: tuple[str, str] = ("", "")) -> Graded:
    """Grade one stored submission (pool workers run this; picklable arguments only) as the
    work of ``person`` (id, name: whom the token vouched for, never whom the file claims)."""
    catalog = catalog_for(course, salt, unsalted)
    name = safe_filename(filename)
    identify = partial(vouched, people=(Person(*person),), platform="the service") if person[0] else None
    with tempfile.TemporaryDirectory(prefix="grader-service-") as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        warm_up(catalog, [path])  # keys built here, once per worker: the killable child of each grading inherits them
        try:
            result = grade_path(path, catalog, shown_as=name, assignment=assignment, limits=limits,
                                identify=identify)
        except ConfigError as e:  # the course's mistake: the student's file waits for a regrade, scored 0
            result = rejected(e, catalog, None, file=name)
    return stored(result, rubric_hash(catalog, assignment))


def stored(result: StudentResult, hashed: str) -> Graded:
    """A result in the form the database keeps."""
    _summary, blob = pack(result)
    return Graded(result.points, result.max_points, hashed,
                  json.dumps(student_view(result), ensure_ascii=False), blob)


def student_view(result: StudentResult) -> dict:
    """What a student may see of a result: points, status, and per question its points, verdict
    word, flags and feedback (texts that never hold a reference value), nothing else."""
    error = result.error.describe(caret=True) if result.error is not None else None
    return {
        "points": result.points, "max_points": result.max_points, "percent": result.percent,
        "status": result.status, "error": error, "flags": list(result.flags),
        "notes": [shown(n) for n in result.notes],
        "questions": [{"id": q.question, "points": q.points, "max_points": q.max_points,
                       "verdict": q.verdict.outcome, "flags": list(q.verdict.flags),
                       "message": question_message(q, caret=True)} for q in result.questions],
    }


def check_text(catalog: Catalog, filename: str, text: str) -> list[GraderError]:
    """The problems ``grade check`` finds in one sent file (well-formedness only, free)."""
    from grader.batch.orchestrator import check_files

    name = safe_filename(filename)
    with tempfile.TemporaryDirectory(prefix="grader-check-") as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        problems = check_files([path], catalog=catalog)
    return [replace(p, file=name) if p.file else p for p in problems]


def problem_view(error: GraderError) -> dict:
    """One problem as the API gives it (every text a student typed made visible by ``shown``)."""
    return {"file": shown(error.file or ""), "question": shown(error.question or ""), "line": error.line,
            "column": error.column, "category": error.category, "message": error.describe(caret=True)}
