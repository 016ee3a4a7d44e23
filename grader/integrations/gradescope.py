"""Gradescope: grade the one submission in ``/autograder/submission``, write ``results.json``.

Gradescope runs ``/autograder/run_autograder`` once per submission, with the student's files
in ``/autograder/submission`` and the autograder zip unpacked in ``/autograder/source``; it
reads ``/autograder/results/results.json`` (Autograder Specifications,
https://gradescope-autograders.readthedocs.io/en/latest/specs/). The fields written here:

* top level: ``score`` (the submission's points), ``execution_time`` (seconds), ``output``
  (the summary: points, status, notes), ``output_format``, ``visibility``,
  ``stdout_visibility``, ``extra_data`` and ``tests``;
* one test per question: ``name`` (its id and text), ``number``, ``score``, ``max_score``,
  ``status`` (``passed`` for full marks, else ``failed``), ``output`` (the verdict and the
  feedback, never the key), ``output_format``, ``visibility`` and, for a flagged
  misconception, ``tags``.

The student is the one Gradescope vouches for in ``/autograder/submission_metadata.json``
(:func:`grader.integrations.platform_identity.gradescope_people`), never the file's ``student.id``: a randomized
assignment is graded with the submitter's numbers, and a file naming someone else says so in
its notes.

A submission that cannot be graded (no answer file, several, malformed YAML, another
assignment's file) still gets a results file: score 0 and one failed test whose output says
what is wrong, with the file and line.
"""
from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

from grader.defaults import RESULTS_PATH, STDOUT_VISIBILITY, SUBMISSION_DIR, VISIBILITIES, VISIBILITY
from grader.keys.catalog import Catalog
from grader.errors import ConfigError, SubmissionError
from grader.integrations.platform_identity import gradescope_people, vouched
from grader.integrations.grade_one import (find_answer_file, grade_path, question_message, question_texts,
                                           rejected, summary, write_json)
from grader.results import StudentResult
from grader.judge.time_limits import NONE, TimeLimits

OUTPUT_FORMATS = ("text", "html", "simple_format", "md", "ansi")
METADATA_NAME = "submission_metadata.json"  # beside the submission folder: /autograder/submission_metadata.json


def read_metadata(path: Path) -> dict | None:
    """``submission_metadata.json`` (None when there is none: a local run); unreadable is a
    ConfigError, since Gradescope writes it, not the student."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(f"cannot read {path}: {e}") from None
    return data if isinstance(data, dict) else {}


def identify_with(metadata: dict | None, catalog: Catalog):
    """The function that makes a submission the work of Gradescope's submitter (see
    :mod:`grader.integrations.platform_identity`). Without metadata the file's own id stands, with a note, except for
    a randomized assignment: whose numbers to use cannot then be told (ConfigError)."""
    people = gradescope_people(metadata) if metadata is not None else None

    def identify(sub):
        if people is not None:
            return vouched(sub, people, platform="Gradescope")
        if sub.assignment in catalog.known_ids() and catalog.assignment(sub.assignment).randomized:
            raise ConfigError(f"no submission_metadata.json: {sub.assignment} gives each student their own numbers, "
                              "and whose they are must come from Gradescope, not from the file")
        return sub, ("the student id is the file's own (no submission_metadata.json to check it against)",)

    return identify


def grade_submission_dir(folder: Path, catalog: Catalog, *, assignment: str | None = None,
                         metadata: dict | None = None, limits: TimeLimits = NONE) -> StudentResult:
    """The graded (or rejected) result for the one answer file under ``folder``, as the work
    of the student(s) ``metadata`` (``submission_metadata.json``) names."""
    try:
        path = find_answer_file(folder)
    except SubmissionError as e:
        result = rejected(e, catalog, assignment)
    else:
        result = grade_path(path, catalog, shown_as=str(path.relative_to(folder)), assignment=assignment,
                            identify=identify_with(metadata, catalog), limits=limits)
    if metadata is not None and result.error is not None:  # a rejected file is still the submitter's
        who = gradescope_people(metadata)[0]
        result = replace(result, student_id=who.student_id, name=who.name, email=who.email)
    return result


def question_test(number: int, q, text: str, *, visibility: str) -> dict:
    """One Gradescope test for one question."""
    test = {
        "name": f"{q.question}: {text}" if text else q.question,
        "number": str(number),
        "score": q.points,
        "max_score": q.max_points,
        "status": "passed" if q.full_marks else "failed",
        "output": question_message(q, caret=True),
        "output_format": "text",
        "visibility": visibility,
        "extra_data": {"question": q.question, "verdict": q.verdict.outcome, "flags": list(q.verdict.flags)},
    }
    if q.verdict.flags:
        test["tags"] = list(q.verdict.flags)
    return test


def results(result: StudentResult, *, catalog: Catalog, elapsed: float = 0.0, visibility: str = VISIBILITY,
            stdout_visibility: str = STDOUT_VISIBILITY) -> dict:
    """Gradescope's results.json for one graded or rejected submission."""
    out = {
        "score": result.points if result.error is None else 0.0,
        "execution_time": max(0, math.ceil(elapsed)),
        "output": summary(result),
        "output_format": "text",
        "visibility": visibility,
        "stdout_visibility": stdout_visibility,
        "extra_data": {"file": result.file, "assignment": result.assignment, "student_id": result.student_id,
                       "notes": list(result.notes),
                       "max_points": result.max_points, "flags": list(result.flags)},
        "tests": [],
    }
    if result.error is not None:
        out["extra_data"]["error"] = result.error.category
        out["tests"] = [{"name": "answer file", "number": "1", "score": 0.0, "max_score": result.max_points,
                         "status": "failed", "output": result.error.describe(caret=True), "output_format": "text",
                         "visibility": visibility}]
        return out
    texts = question_texts(catalog, result.assignment)
    out["tests"] = [question_test(i, q, texts.get(q.question, ""), visibility=visibility)
                    for i, q in enumerate(result.questions, 1)]
    return out


def problem_results(message: str, *, elapsed: float = 0.0, visibility: str = VISIBILITY,
                    stdout_visibility: str = STDOUT_VISIBILITY) -> dict:
    """results.json when the autograder itself failed (our configuration or a bug): score 0 and
    a message telling the student it is not their fault (the instructor sees the details in
    the autograder's stdout and can regrade)."""
    return {"score": 0.0, "execution_time": max(0, math.ceil(elapsed)),
            "output": "The autograder could not grade this submission. This is not your fault: please tell "
                      "your instructor, who can regrade it once it is fixed.\n" + message,
            "output_format": "text", "visibility": visibility, "stdout_visibility": stdout_visibility,
            "tests": []}


def run(submission_dir: Path = SUBMISSION_DIR, results_path: Path = RESULTS_PATH, *, catalog: Catalog,
        assignment: str | None = None, visibility: str = VISIBILITY, stdout_visibility: str = STDOUT_VISIBILITY,
        started: float | None = None, metadata_path: Path | None = None,
        limits: TimeLimits = NONE) -> tuple[StudentResult, dict]:
    """Grade the submission and write results.json. ``metadata_path`` defaults to
    ``submission_metadata.json`` beside ``submission_dir``. A
    :class:`~grader.errors.ConfigError` propagates (the caller writes :func:`problem_results`
    and fails loudly). ``limits``: the :class:`~grader.judge.time_limits.TimeLimits` of the
    grading (default: none)."""
    import time

    started = time.monotonic() if started is None else started
    metadata = read_metadata(metadata_path or Path(submission_dir).parent / METADATA_NAME)
    result = grade_submission_dir(Path(submission_dir), catalog, assignment=assignment, metadata=metadata,
                                  limits=limits)
    data = results(result, catalog=catalog, elapsed=time.monotonic() - started, visibility=visibility,
                   stdout_visibility=stdout_visibility)
    write_json(data, results_path)
    return result, data
