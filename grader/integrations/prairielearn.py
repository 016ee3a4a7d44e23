"""PrairieLearn: an external grader that reads ``/grade`` and writes ``/grade/results/results.json``.

PrairieLearn runs the question's ``externalGradingOptions.entrypoint`` in a container with
(PrairieLearn docs, "External Grading"):

* ``/grade/data/data.json`` — the question's ``data`` object: ``params`` and
  ``submitted_answers`` (files a student submitted also appear base64-encoded in
  ``submitted_answers._files``, a list of ``{name, contents}``);
* ``/grade/student/`` — the files the student submitted;
* ``/grade/tests/``, ``/grade/serverFilesCourse/`` — the question's and the course's files.

The answers are taken from, in order: form fields of ``submitted_answers`` named for question
ids (``ex1a.z1`` or ``ex1a_z1``), when the assignment is known (``--assignment`` or
``params.assignment``); else the one answer file in ``/grade/student/``; else the one in
``submitted_answers._files``.

A randomized assignment is graded with the numbers of the job's variant: ``params.variant``
when the question's ``generate()`` sets it (a string: the numbers shown to the student are
drawn from it, ``grade key ASSIGNMENT --student VARIANT``), else PrairieLearn's
``variant_seed`` as ``pl-<seed>``; never the ``student.id`` a file names (a claim that differs
is noted). A job with neither cannot grade a randomized assignment (a configuration error).

The results file has ``gradable``, ``score`` (points / maximum, in [0, 1]), ``message`` (the
summary) and ``tests`` (per question ``name``, ``description``, ``points``, ``max_points``,
``message``, ``output``). A file that cannot be graded (malformed YAML, none,
several, another assignment's) is ``"gradable": false`` with ``format_errors``: PrairieLearn
then charges no attempt and shows the message.
"""
from __future__ import annotations

import base64
import binascii
import json
import tempfile
from dataclasses import replace
from pathlib import Path, PurePosixPath

from grader.defaults import GRADE_DIR
from grader.keys.catalog import Catalog
from grader.errors import ConfigError, SubmissionError
from grader.integrations.platform_identity import prairielearn_draw
from grader.integrations.grade_one import (answers_for_questions, find_answer_file, grade_answers, grade_path,
                                           question_message, question_texts, rejected, summary, write_json)
from grader.results import StudentResult
from grader.io.answer_files import shown_name
from grader.judge.time_limits import NONE, TimeLimits

MAX_DATA_BYTES = 5_000_000


def read_data(grade_dir: Path) -> dict:
    """``data/data.json``, or ``{}`` when there is none; unreadable JSON is a SubmissionError."""
    path = Path(grade_dir) / "data" / "data.json"
    if not path.is_file():
        return {}
    try:
        if path.stat().st_size > MAX_DATA_BYTES:
            raise SubmissionError(f"the submission is too large (over {MAX_DATA_BYTES // 1_000_000} MB)")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SubmissionError(f"cannot read PrairieLearn's data.json: {e}", category="file") from None
    return data if isinstance(data, dict) else {}


def assignment_of(data: dict, assignment: str | None) -> str | None:
    """The assignment named on the command line, else in the question's ``params``."""
    params = data.get("params") if isinstance(data.get("params"), dict) else {}
    named = params.get("assignment")
    return assignment or (named if isinstance(named, str) and named else None)


def unpack_files(files: list, folder: Path) -> None:
    """Write ``submitted_answers._files`` (base64 contents) into ``folder``, each under its
    base name only (a name such as ``../x`` cannot leave the folder)."""
    for item in files if isinstance(files, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        name = PurePosixPath(item["name"].replace("\\", "/")).name
        if not name or name.startswith("."):
            continue
        try:
            content = base64.b64decode(item.get("contents") or "", validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise SubmissionError(f"{name}: the uploaded file could not be decoded", file=name, category="file") from None
        (folder / name).write_bytes(content)


def identify_with(draw: str | None, catalog: Catalog):
    """The function that grades a file with the job's variant (see :mod:`grader.integrations.platform_identity`):
    a randomized assignment's numbers are the variant's, whatever id the file names (a claim
    that differs is noted); a job naming no variant cannot grade a randomized assignment
    (ConfigError: the question's configuration, not the student's file)."""

    def identify(sub):
        if not _randomized(catalog, sub.assignment):
            return sub, ()
        if draw is None:
            raise ConfigError(no_variant(sub.assignment))
        notes = () if sub.student_id in ("", draw) else (
            f"the file names student {shown_name(sub.student_id)}: graded with the numbers of this question's "
            f"variant, not that student's",)
        return replace(sub, student_id=draw), notes

    return identify


def _randomized(catalog: Catalog, assignment: str | None) -> bool:
    return bool(assignment) and assignment in catalog.known_ids() and catalog.assignment(assignment).randomized


def no_variant(assignment: str) -> str:
    return (f"{assignment} gives each student their own numbers, but this PrairieLearn job names no variant "
            "(data.json has neither params.variant nor variant_seed)")


def grade_job(grade_dir: Path, catalog: Catalog, *, assignment: str | None = None,
              limits: TimeLimits = NONE) -> StudentResult:
    """The graded (or rejected) result for the submission of a PrairieLearn grading job. A
    randomized assignment is graded with the numbers of the job's variant
    (:func:`grader.integrations.platform_identity.prairielearn_draw`), never those of the id a file names."""
    grade_dir = Path(grade_dir)
    try:
        data = read_data(grade_dir)
    except SubmissionError as e:
        return rejected(e, catalog, assignment)
    assignment = assignment_of(data, assignment)
    draw = prairielearn_draw(data)
    submitted = data.get("submitted_answers") if isinstance(data.get("submitted_answers"), dict) else {}
    if assignment:
        fields = answers_for_questions(submitted, catalog, assignment)
        if fields:
            if _randomized(catalog, assignment) and draw is None:
                raise ConfigError(no_variant(assignment))
            return grade_answers(fields, catalog, assignment=assignment, source="submitted answers",
                                 student_id=draw or "", limits=limits)
    identify = identify_with(draw, catalog)
    student = grade_dir / "student"
    try:
        if student.is_dir() and any(student.iterdir()):
            path = find_answer_file(student)
            return grade_path(path, catalog, shown_as=str(path.relative_to(student)), assignment=assignment,
                              identify=identify, limits=limits)
        with tempfile.TemporaryDirectory(prefix="pl-files-") as tmp:
            unpack_files(submitted.get("_files", []), Path(tmp))
            path = find_answer_file(Path(tmp))
            return grade_path(path, catalog, shown_as=path.name, assignment=assignment, identify=identify, limits=limits)
    except SubmissionError as e:
        return rejected(e, catalog, assignment)


def results(result: StudentResult, *, catalog: Catalog) -> dict:
    """PrairieLearn's results.json for one graded or rejected submission."""
    if result.error is not None:
        return {"gradable": False, "score": 0.0, "message": summary(result),
                "format_errors": [result.error.describe(caret=False)],
                "output": result.error.describe(caret=True), "tests": []}
    texts = question_texts(catalog, result.assignment)
    score = min(1.0, max(0.0, result.points / result.max_points)) if result.max_points else 0.0
    tests = []
    for q in result.questions:
        message = question_message(q)
        tests.append({"name": q.question, "description": texts.get(q.question, ""), "points": q.points,
                      "max_points": q.max_points, "message": message,
                      "output": question_message(q, caret=True) if q.verdict.error is not None else message})
    return {"gradable": True, "score": round(score, 6), "message": summary(result), "tests": tests}


def problem_results(message: str) -> dict:
    """results.json when the grader itself failed (our configuration or a bug): not gradable,
    so the student loses no attempt, with a message saying it is not their fault."""
    return {"gradable": False, "score": 0.0,
            "message": "The grader could not grade this submission. This is not your fault: please tell your "
                       "instructor.", "format_errors": [message], "tests": []}


def results_path_for(grade_dir: Path, results_path: Path | None) -> Path:
    return Path(results_path) if results_path else Path(grade_dir) / "results" / "results.json"


def run(grade_dir: Path = GRADE_DIR, results_path: Path | None = None, *, catalog: Catalog,
        assignment: str | None = None, limits: TimeLimits = NONE) -> tuple[StudentResult, dict]:
    """Grade the job's submission and write results.json (a ConfigError propagates), under
    ``limits`` (:class:`~grader.judge.time_limits.TimeLimits`; default: none)."""
    result = grade_job(grade_dir, catalog, assignment=assignment, limits=limits)
    data = results(result, catalog=catalog)
    write_json(data, results_path_for(grade_dir, results_path))
    return result, data
