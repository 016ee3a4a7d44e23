"""The orchestrator: read → parse → compare → score → (report, done by the caller).

Reads top to bottom in pipeline order. The library works without click; the CLI only
parses options and calls :func:`grade_folder`, :func:`check_files` or the key functions.
"""
from __future__ import annotations

import os
import re
import stat
from collections import Counter
from dataclasses import replace
from functools import partial
from pathlib import Path

from grader.course.kinds import KINDS
from grader.judge.budget import checkpoint
from grader.keys.catalog import Catalog
from grader.course.class_settings import read_class_settings
from grader.results import REVIEW, ClassResult, StudentResult
from grader.batch.copied_answers import mark_other_variants, variant_check
from grader.errors import AnswerError, GraderError, SubmissionError, internal_error
from grader.batch.unmatched import require_some_match
from grader.judge.answers import compare_answers, parse_answer, parse_answers, score_answers
from grader.batch.progress import Progress
from grader.result_store import ResultStore
from grader.io.answer_files import ANSWER_SUFFIXES, Submission, discover, read_submission, recovered_student
from grader.batch.writeup_grading import WRITEUP_SUFFIXES, grade_writeup
from grader.judge.time_limits import ANSWER_SECONDS, FILE_SECONDS


def grade_folder(folder: Path, *, catalog: Catalog | None = None, jobs: int = 1,
                 time_limit: float | None = ANSWER_SECONDS, file_time_limit: float | None = FILE_SECONDS,
                 progress: bool = False, identity=None) -> ClassResult:
    """Grade every answer file under ``folder``. Raises GraderError only when the run itself
    cannot proceed (no answer files, a configuration error); a bad file is a rejected row.

    Files are graded in ``jobs`` worker processes (:mod:`grader.batch.workers`); an answer that takes
    more than ``time_limit`` seconds of grading is stopped (its worker is killed) and scores 0
    with a ``limit`` error; a file whose answers together take more than ``file_time_limit`` is
    rejected (:mod:`grader.judge.time_limits`). Even one job uses one worker process, since only a
    process can be stopped whatever it is doing; ``time_limit=None`` with one job grades in this
    process, with no limit at all (for debugging and tests). The result is the same whatever
    ``jobs`` and the order of the files.
    ``progress`` shows a progress bar on stderr (if it is a terminal) for runs over a second.
    ``identity`` (:class:`grader.batch.folder_identity.ClassIdentity`) says whose work each file is."""
    folder = Path(folder)
    catalog = catalog or Catalog()
    if not folder.is_dir():
        raise GraderError(f"{folder}: not a folder")
    if read_class_settings(folder).unsalted and not catalog.unsalted:  # a demo class, unsalted on purpose
        catalog = replace(catalog, unsalted=True)
    files, skipped = discover(folder, suffixes=ANSWER_SUFFIXES + WRITEUP_SUFFIXES)
    if not files and not skipped:
        raise GraderError(f"{folder}: no answer files (*.yaml, *.yml, *.json) or write-ups found")
    with Progress(len(files), enabled=progress) as bar:
        if time_limit is None and jobs <= 1:
            results = ResultStore()
            for path in files:
                results.append(_grade_file_safely(path, folder, catalog, identity=identity))
                bar.advance()
        else:
            from grader.batch.workers import grade_in_workers
            warm_up(catalog, files)  # before the fork: workers inherit the keys instead of each building them
            results = grade_in_workers(files, partial(_grade_file_safely, folder=folder, catalog=catalog,
                                                      identity=identity), jobs=jobs,
                                       time_limit=time_limit, shown=lambda p: str(p.relative_to(folder)), progress=bar,
                                       file_time_limit=file_time_limit)
    for s in skipped:
        results.append(StudentResult(s.file, error=SubmissionError(s.reason, file=s.file, category=s.category)))
    _attribute_rejected(results, catalog, folder)  # these three change the few results they concern, in place
    require_some_match(folder, results.summaries(), catalog)
    mark_other_variants(results, catalog)
    _mark_duplicates(results)
    if identity is not None:
        identity.review(results)  # whose: files rejected before their student was known; senders not merged
    return ClassResult(str(folder), results, catalog)


WARM_UP_FOLDERS = 50
WARM_UP_TRIES = 10  # files looked at per folder (the first may be broken)
ASSIGNMENT_FIELD = re.compile(rb'''(?:^|[{,])\s*"?assignment"?\s*:\s*["']?([A-Za-z0-9_.-]+)''', re.M)


def warm_up(catalog: Catalog, files: list[Path]) -> None:
    """Build, in this process, the keys, variants, expression keys of the assignments the class
    probably uses: in each folder, the one named by its first file that names a known one
    (read as bytes, not parsed; only a speed-up, so a wrong guess or a broken file costs
    nothing but the time)."""
    by_folder: dict[Path, list[Path]] = {}
    for p in files:
        by_folder.setdefault(p.parent, []).append(p)
    known = set(catalog.known_ids())
    wanted: set[str] = set()
    for folder_files in list(by_folder.values())[:WARM_UP_FOLDERS]:
        for p in folder_files[:WARM_UP_TRIES]:
            found = _sniff(p)
            if found and found.group(1).decode() in known:
                wanted.add(found.group(1).decode())
                break
    for ident in sorted(wanted):
        try:
            assignment = catalog.assignment(ident)
            if assignment.randomized:
                catalog.profile(assignment)
            else:
                catalog.variants(assignment)  # builds the key too
                _warm_expressions(assignment, catalog.key(assignment))
        except GraderError:
            pass  # a configuration error: the worker grading a file of it reports it


def _warm_expressions(assignment, key) -> None:
    """The expression questions' keys (random instances, variants) and the expression parser:
    ~0.3 s that every worker would otherwise spend on its own."""
    from grader.parse.expression.parser import parsers
    from grader.judge.symbolic.equivalence import expression_key

    for question in assignment.questions:
        if KINDS[question.kind].symbolic:
            parsers()
            expression_key(assignment, question, key[question.id].exact)


def _plain_file(path: Path) -> bool:
    """A regular file, not a link, a FIFO or a device (opening a FIFO would wait forever)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _sniff(path: Path):
    try:
        with open(path, "rb") as f:
            return ASSIGNMENT_FIELD.search(f.read(4096))
    except OSError:
        return None


def _grade_file_safely(path: Path, folder: Path, catalog: Catalog, preset: dict | None = None, *,
                       identity=None) -> StudentResult:
    """A bug of ours on one file must not cost the class its grades: that row says so."""
    try:
        return grade_file(path, folder, catalog, preset=preset, identity=identity)
    except GraderError:
        raise
    except Exception as e:  # noqa: BLE001 - reported in the row, the batch goes on
        name = str(path.relative_to(folder))
        return StudentResult(name, error=internal_error(e, file=name))


def grade_file(path: Path, folder: Path, catalog: Catalog, *, preset: dict | None = None,
               identity=None) -> StudentResult:
    """Read and grade one file. ``preset`` (question id → AnswerError) stands for answers not
    to grade again: they ran out of time in an earlier attempt (see :mod:`grader.batch.workers`).
    ``identity`` may give the file to another student than the one it names (ids from folder)."""
    if path.suffix.lower() in WRITEUP_SUFFIXES:  # a derivation, not an answer file
        return grade_writeup(path, folder, catalog, identity=identity, preset=preset)
    shown = str(path.relative_to(folder))
    notes: tuple[str, ...] = ()
    try:
        sub = read_submission(path, shown_as=shown)  # read
        if identity is not None:
            sub, notes = identity.resolve(sub)  # whose work it is
    except SubmissionError as e:
        # a broken file's student, from its lines, so it is not left out of LMS files; but where
        # the folder says whose a file is, a claim typed in the file counts for nothing
        found = None if identity is not None and identity.ids_from == "folder" else recovered_student(path, e)
        if found is None:
            return StudentResult(shown, error=e)
        return StudentResult(shown, found.student_id, found.name, found.email, error=e, notes=(found.note,))
    checkpoint(None)  # the file is read; what follows until the first answer is ours (keys, variants)
    result = grade_submission(sub, catalog, preset=preset)
    return replace(result, notes=notes + result.notes) if notes else result


def grade_submission(sub: Submission, catalog: Catalog, *, preset: dict | None = None) -> StudentResult:
    """Parse, compare and score one submission (a ConfigError here stops the run: it is ours)."""
    if sub.assignment not in catalog.known_ids():
        error = SubmissionError(f"unknown assignment '{sub.assignment}' (known: {', '.join(catalog.known_ids())})",
                                file=sub.file, line=sub.lines.get(("assignment",)), category="assignment")
        return StudentResult(sub.file, sub.student_id, sub.name, sub.email, sub.assignment, error=error)
    assignment = catalog.assignment(sub.assignment)
    if assignment.randomized and not sub.student_id.strip():
        error = SubmissionError(f"{assignment.id} gives each student their own numbers: the file needs student.id",
                                file=sub.file, line=sub.lines.get(("student",)), category="student")
        return StudentResult(sub.file, sub.student_id, sub.name, sub.email, assignment.id, error=error,
                             max_points=catalog.rubric(assignment).max_points)
    randomized = assignment.randomized
    assignment = catalog.for_student(assignment, sub.student_id)  # the student's own numbers, if drawn
    key, rubric = catalog.key(assignment), catalog.rubric(assignment)  # engine, rubric
    parsed, notes = parse_answers(sub, assignment, key, preset=preset)  # parse
    verdicts = compare_answers(parsed, key, rubric, catalog.variants(assignment))  # compare
    questions = score_answers(verdicts, rubric)  # score
    review = tuple((q.question, str(sub.answers.get(q.question, ""))) for q in questions if q.verdict.outcome == REVIEW)
    check = variant_check(key, parsed, verdicts) if randomized else ()
    return StudentResult(sub.file, sub.student_id, sub.name, sub.email, assignment.id, questions,
                         rubric.max_points, notes=tuple(notes), review_text=review, variant_check=check)


def _attribute_rejected(results: ResultStore, catalog: Catalog, folder: Path) -> ResultStore:
    """A file rejected before its assignment was known (too broken to parse, stopped by the
    time limit) counts against the assignment a line of it names (``assignment: mlp-numeric``,
    read as bytes), else against the assignment of the other files in its folder when they all
    agree (its 0 then shows as 0 % of that maximum, as a TA would record it); otherwise it
    stays unattributed."""
    summaries = results.summaries()
    known = set(catalog.known_ids())
    by_folder: dict[str, set] = {}
    for s in summaries:
        if s.graded:
            by_folder.setdefault(str(Path(s.file).parent), set()).add(s.assignment)
    for i, s in enumerate(summaries):
        if s.rejected and not s.assignment:
            named = _sniff(folder / s.file) if _plain_file(folder / s.file) else None
            ids = {named.group(1).decode()} & known if named else set()
            ids = ids or by_folder.get(str(Path(s.file).parent), set())
            if len(ids) == 1:
                only = next(iter(ids))
                results[i] = replace(results[i], assignment=only,
                                     max_points=catalog.rubric(catalog.assignment(only)).max_points)
    return results


def _mark_duplicates(results: ResultStore) -> ResultStore:
    summaries = results.summaries()
    counts = Counter((s.student_id, s.assignment) for s in summaries if s.student_id)
    for i, s in enumerate(summaries):
        n = counts[(s.student_id, s.assignment)] if s.student_id else 0
        if n > 1:
            r = results[i]
            results[i] = replace(r, notes=r.notes + (f"student {r.student_id} has {n} files for {r.assignment}",))
    return results


def check_files(paths: list[Path], *, catalog: Catalog | None = None, sheets: Path | None = None) -> list[GraderError]:
    """Every problem in the given answer files: schema, unknown assignment, unknown question
    ids, answers that do not parse. An answer left blank is not a problem (it is unanswered, as
    grading reads it). An empty list means all are well-formed.

    Each file is checked against its assignment's public sheet or the course's assignment file,
    whichever :class:`grader.judge.sheet_lookup.CheckSources` finds first (``sheets``: a folder of
    sheets, looked at first); both give the same problems."""
    from grader.judge.sheet import Sheet
    from grader.judge.sheet_lookup import CheckSources

    sources = CheckSources(catalog or Catalog(), sheets)
    problems: list[GraderError] = []
    for path in paths:
        try:
            sub = read_submission(Path(path))
        except SubmissionError as e:
            problems.append(e)
            continue
        spec = sources.find(sub.assignment)
        if spec is None:
            problems.append(SubmissionError(f"unknown assignment '{sub.assignment}' (no public sheet or assignment "
                                            f"file for it: --sheets DIR names the course's sheets)", file=sub.file,
                                            line=sub.lines.get(("assignment",)), category="assignment"))
            continue
        if isinstance(spec, Sheet):
            parse = spec.parse
        else:
            symbolic = {q.id for q in spec.questions if KINDS[q.kind].symbolic}
            # only an expression answer needs the key (its symbols); numbers parse without it
            key = sources.catalog.key(spec) if any(qid in symbolic for qid in sub.answers) else None
            parse = partial(_parse_with_key, key=key)
        for qid, raw in sub.answers.items():
            try:
                question = spec.question(qid)
            except KeyError:
                problems.append(AnswerError(f"unknown question id (not in {spec.id})", file=sub.file,
                                            question=qid, line=sub.line_of(qid), category="question"))
                continue
            if isinstance(raw, str) and not raw.strip():
                continue  # left blank (a handed-out template): not answered yet, as grading reads it
            try:
                parse(question, raw)
            except AnswerError as e:
                problems.append(e.at(file=sub.file, question=qid, line=sub.line_of(qid)))
    return problems


def _parse_with_key(question, raw, *, key):
    return parse_answer(question, raw, key)
