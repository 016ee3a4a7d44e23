"""Grade exactly one submission, for a platform that runs the grader once per student.

Gradescope, PrairieLearn and a student's CI each hand us one student's work, not a class
folder. The functions here find that one answer file (or take the answers a web form sent),
grade it with :func:`grader.batch.orchestrator.grade_submission`, and turn every way it can go wrong on
the student's side (no file, several files, malformed YAML, another assignment's file) into a
:class:`~grader.results.StudentResult` whose ``error`` says what is wrong and where. A bug of
ours becomes an ``internal`` error result too; only a :class:`~grader.errors.ConfigError`
(the course's assignment or rubric is wrong) propagates, as everywhere else.

The texts made here for students say the verdict and the feedback, never a reference value.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path

from grader.keys.catalog import Catalog
from grader.results import CORRECT, QuestionResult, StudentResult
from grader.errors import ConfigError, GraderError, SubmissionError, internal_error
from grader.batch.orchestrator import grade_submission
from grader.shown_text import shown
from grader.io.answer_files import ANSWER_SUFFIXES, Submission, discover, read_submission
from grader.batch.limited_run import grade_limited
from grader.batch.writeup_grading import WRITEUP_SUFFIXES, grade_writeup
from grader.judge.time_limits import NONE, TimeLimits


def find_answer_file(folder: Path) -> Path:
    """The one answer file (``*.yaml``, ``*.yml``, ``*.json``) under ``folder``.

    Raises :class:`SubmissionError` with a message a student can act on when there is none
    or more than one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SubmissionError(f"no submission found (the folder {folder} does not exist)", category="file")
    files, skipped = discover(folder)
    if len(files) == 1:
        return files[0]
    kinds = ", ".join(f"*{s}" for s in ANSWER_SUFFIXES[:-1]) + f" or *{ANSWER_SUFFIXES[-1]}"
    if files:
        names = ", ".join(str(p.relative_to(folder)) for p in files[:10])
        raise SubmissionError(f"{len(files)} answer files found ({names}): submit exactly one", category="file")
    others = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    seen = [s.file + f" ({s.reason})" for s in skipped] + others[:10]
    what = f"found only: {', '.join(seen)}" if seen else "the submission is empty"
    raise SubmissionError(f"no answer file found: submit one file named {kinds} ({what})", category="file")


def max_points(catalog: Catalog, assignment: str | None) -> float:
    """The rubric's total for ``assignment`` (0 when no assignment is named)."""
    return catalog.rubric(catalog.assignment(assignment)).max_points if assignment else 0.0


def rejected(error: GraderError, catalog: Catalog, assignment: str | None, *, file: str = "") -> StudentResult:
    """A result that scores 0 out of the assignment's maximum and says why."""
    return StudentResult(file or error.file or "", assignment=assignment or "",
                         max_points=max_points(catalog, assignment), error=error)


def grade_path(path: Path, catalog: Catalog, *, shown_as: str, assignment: str | None = None,
               identify: Callable[[Submission], tuple[Submission, tuple[str, ...]]] | None = None,
               limits: TimeLimits = NONE) -> StudentResult:
    """Read and grade one answer file or write-up; ``shown_as`` is the name messages use for it.
    ``identify`` replaces the file's claimed student by the one the platform vouches for
    (:mod:`grader.integrations.platform_identity`) before grading, and gives the notes the result starts with."""
    if Path(path).suffix.lower() in WRITEUP_SUFFIXES:
        return _grade_writeup(Path(path), catalog, shown_as=shown_as, assignment=assignment, identify=identify,
                              limits=limits)
    try:
        sub = read_submission(Path(path), shown_as=shown_as)
    except SubmissionError as e:
        return rejected(e, catalog, assignment, file=shown_as)
    notes: tuple[str, ...] = ()
    if identify is not None:
        sub, notes = identify(sub)
    result = grade_checked(sub, catalog, assignment=assignment, limits=limits)
    return replace(result, notes=notes + result.notes) if notes else result


class _Vouched:
    """``identify`` as the identity a write-up's grading asks (``resolve(sub) -> (sub, notes)``)."""

    def __init__(self, identify):
        self.resolve = identify


def _grade_writeup(path: Path, catalog: Catalog, *, shown_as: str, assignment: str | None, identify,
                   limits: TimeLimits) -> StudentResult:
    """A write-up graded as ``grade FOLDER`` grades it (every step checked), under ``limits``;
    a write-up for another assignment than ``assignment`` is refused, as an answer file is."""
    run = partial(grade_writeup, path, path.parent, catalog, identity=_Vouched(identify) if identify else None)
    try:
        result = grade_limited(run, limits=limits, name=shown_as) if limits.any else run()
    except ConfigError:
        raise
    except Exception as e:  # noqa: BLE001 - a bug of ours must still give the student a result
        error = internal_error(e, file=shown_as, advice="this is not your fault, please tell your instructor")
        return rejected(error, catalog, assignment, file=shown_as)
    if result.error is not None and not result.assignment:
        return rejected(replace(result.error, file=shown_as), catalog, assignment, file=shown_as)
    if assignment and result.assignment != assignment:
        error = SubmissionError(f"this write-up answers assignment '{result.assignment}', but this is assignment "
                                f"'{assignment}'", file=shown_as, category="assignment")
        return rejected(error, catalog, assignment, file=shown_as)
    return replace(result, file=shown_as)


def grade_checked(sub: Submission, catalog: Catalog, *, assignment: str | None = None,
                  limits: TimeLimits = NONE) -> StudentResult:
    """Grade a submission, first checking it answers ``assignment`` (when one is required),
    under ``limits`` (:mod:`grader.judge.time_limits`: an answer over its limit scores 0 with a
    ``limit`` error; a file over its limit is rejected). Reading the file is not on the
    clock: its size and structure are bounded before it is read."""
    if limits.any:
        result = grade_limited(partial(_grade_checked, sub, catalog, assignment=assignment), limits=limits,
                               name=sub.file)
        if result.error is not None and not result.assignment:  # stopped by a limit (or a crash) in the worker
            named = assignment or (sub.assignment if sub.assignment in catalog.known_ids() else None)
            return replace(rejected(result.error, catalog, named, file=sub.file),
                           student_id=sub.student_id, name=sub.name, email=sub.email)
        return result
    return _grade_checked(sub, catalog, assignment=assignment)


def _grade_checked(sub: Submission, catalog: Catalog, *, assignment: str | None = None,
                   preset: dict | None = None) -> StudentResult:
    if assignment and sub.assignment != assignment:
        error = SubmissionError(f"this file answers assignment '{sub.assignment}', but this is assignment "
                                f"'{assignment}'", file=sub.file, line=sub.lines.get(("assignment",)),
                                category="assignment")
        result = rejected(error, catalog, assignment, file=sub.file)
        return StudentResult(result.file, sub.student_id, sub.name, sub.email, result.assignment,
                             max_points=result.max_points, error=error)
    try:
        return grade_submission(sub, catalog, **({"preset": preset} if preset else {}))
    except ConfigError:
        raise
    except GraderError as e:
        return rejected(e.at(file=sub.file), catalog, assignment, file=sub.file)
    except Exception as e:  # noqa: BLE001 - a bug of ours must still give the student a result
        error = internal_error(e, file=sub.file, advice="this is not your fault, please tell your instructor")
        return rejected(error, catalog, assignment, file=sub.file)


def answers_for_questions(fields: Mapping, catalog: Catalog, assignment: str) -> dict:
    """The entries of a web form (PrairieLearn's ``submitted_answers``) that answer a question
    of ``assignment``: keyed by the question id itself (``ex1a.z1``) or with its dots written
    as underscores (``ex1a_z1``), since form field names often cannot hold a dot. A field left
    blank is no answer (the question counts as missing, not unreadable)."""
    ids = catalog.assignment(assignment).question_ids
    by_name = {q: q for q in ids}
    for q in ids:
        by_name.setdefault(q.replace(".", "_"), q)
    return {by_name[k]: v for k, v in fields.items()
            if isinstance(k, str) and k in by_name and (v.strip() if isinstance(v, str) else v) not in (None, "")}


def grade_answers(answers: Mapping, catalog: Catalog, *, assignment: str, source: str = "submitted answers",
                  student_id: str = "", limits: TimeLimits = NONE) -> StudentResult:
    """Grade answers that come as a mapping (question id → the text typed), not as a file."""
    sub = Submission(source, assignment, student_id, answers=dict(answers))
    return grade_checked(sub, catalog, assignment=assignment, limits=limits)


def points_text(points: float, maximum: float) -> str:
    return f"{points:g}/{maximum:g}"


def question_message(q: QuestionResult, *, caret: bool = False) -> str:
    """The verdict word and the feedback for one question, e.g. ``wrong: 1 of 3 entries is off:
    entry 2 (within relative tolerance 0.001)``; an unreadable answer shows where it could not
    be read (with a caret under the column when ``caret``)."""
    verdict = q.verdict
    feedback = verdict.feedback
    if verdict.error is not None:
        feedback = error_text(verdict.error, caret=caret)
    if verdict.outcome == CORRECT or not feedback:
        return verdict.outcome
    return f"{verdict.outcome}: {feedback}"


def error_text(error: GraderError, *, caret: bool = False) -> str:
    """An error without its file and question (the caller shows those): ``line 6: column 1:
    expected a number, got 'about'``, with the answer and a caret under the column when asked."""
    text = replace(error, file=None, question=None).describe(caret=caret)
    return f"line {error.line}: {text}" if error.line else text


def summary(result: StudentResult) -> str:
    """What the whole submission got: points, percent, the status line and any notes."""
    if result.error is not None:
        return ("Your answer file could not be graded (0 points); fix it and submit again.\n"
                + result.error.describe(caret=True))
    who = f" (student {shown(result.student_id)})" if result.student_id else ""
    percent = f" ({result.percent:g} %)" if result.percent is not None else ""
    lines = [f"{shown(result.file)}{who}, assignment {shown(result.assignment)}: "
             f"{points_text(result.points, result.max_points)} points{percent}", shown(result.status)]
    return "\n".join(lines + [f"note: {shown(n)}" for n in result.notes])


def question_texts(catalog: Catalog, assignment: str) -> dict:
    """Question id → the question's text (empty when the assignment is unknown)."""
    try:
        return {q.id: q.text for q in catalog.assignment(assignment).questions} if assignment else {}
    except GraderError:
        return {}


def write_json(data: dict, path: Path) -> None:
    """Write a results file (its folder created if needed: PrairieLearn does not make
    ``/grade/results``), whole or not at all."""
    import json

    from grader.io.outputs import write_atomic

    from grader.errors import OutputError

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot make its folder: {e.strerror}", file=str(path)) from None
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
