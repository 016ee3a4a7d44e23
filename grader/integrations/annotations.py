"""``grade check`` in a student's CI: GitHub Actions annotations and a score summary.

Under GitHub Actions (``GITHUB_ACTIONS=true``) each problem is printed as a workflow command,
``::error file=F,line=L,col=C,title=T::MESSAGE``, which GitHub shows as an annotation on that
line of the answer file (in the run's summary and on a pull request's diff). Per GitHub's
workflow-command rules the message escapes ``%`` → ``%25``, CR → ``%0D`` and LF → ``%0A``; a
property value escapes those and also ``:`` → ``%3A`` and ``,`` → ``%2C``.

``col`` is a column of the file. A YAML error carries one; an answer that does not parse
carries the column in the answer's text, which is mapped onto the file's line when the text
appears there literally, and otherwise stated in the message.

:func:`score_lines` grades well-formed files for ``grade check --score``: the points per file
and, per question, a verdict word (correct, wrong, missing, ...), never a reference value.
Scoring needs the course's assignment files (a public sheet holds no key), so it belongs on
the course's machine: with only a sheet it is a configuration error (exit 2) that says so.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from grader.keys.catalog import Catalog
from grader.errors import GraderError, SubmissionError
from grader.shown_text import shown
from grader.io.answer_files import read_submission


def in_github_actions(environ=None) -> bool:
    """True inside a GitHub Actions job (GitHub sets ``GITHUB_ACTIONS=true``)."""
    return (os.environ if environ is None else environ).get("GITHUB_ACTIONS") == "true"


def escape_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as a message, and ``:`` and ``,`` too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str, **properties) -> str:
    """``::command k=v,...::message`` with every part escaped; ``None`` properties left out.
    Each part is first :func:`~grader.shown_text.shown` (a tab, ESC or bidi override a student
    typed becomes a visible escape), then escaped by the workflow-command rules."""
    props = ",".join(f"{k}={escape_property(shown(v))}" for k, v in properties.items() if v is not None)
    return f"::{command}{' ' + props if props else ''}::{escape_data(shown(message))}"


def file_column(error: GraderError, line_text: str | None) -> int | None:
    """The 1-based column of ``error`` in its file's line, when it can be known.

    A file-level error (bad YAML) has a file column already. An answer error's column counts
    in the answer's text: it is moved onto the line when that text appears there after the
    question id (a quoted or multi-line answer whose text is not on the line gives None)."""
    if error.column is None:
        return None
    if error.text is None:
        return error.column if error.question is None else None
    if not line_text or not error.text:
        return None
    start = line_text.find(error.question) + len(error.question) if error.question and error.question in line_text else 0
    at = line_text.find(error.text, start)
    return at + error.column if at >= 0 else None


def error_annotation(error: GraderError, line_text: str | None = None) -> str:
    """One ``::error`` line for a problem found by :func:`grader.batch.orchestrator.check_files`."""
    col = file_column(error, line_text)
    message = error.message
    if error.column is not None and col is None and error.text is not None:
        message = f"column {error.column} of the answer: {message}"
    title = f"question {error.question}" if error.question else "answer file"
    return workflow_command("error", message, file=error.file, line=error.line, col=col, title=title)


class LineReader:
    """The text of a line of a file, each file read once (``None`` when it cannot be read)."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str] | None] = {}

    def __call__(self, file: str | None, line: int | None) -> str | None:
        if not file or not line:
            return None
        if file not in self._lines:
            try:
                self._lines[file] = Path(file).read_text(encoding="utf-8-sig", errors="replace").splitlines()
            except OSError:
                self._lines[file] = None
        lines = self._lines[file]
        return lines[line - 1] if lines and 0 < line <= len(lines) else None


def annotations(problems: Iterable[GraderError]) -> list[str]:
    """An ``::error`` line per problem, with file columns where they can be found."""
    line_of = LineReader()
    return [error_annotation(p, line_of(p.file, p.line)) for p in problems]


def score_lines(paths: Iterable[Path], catalog: Catalog, *, github: bool = False,
                sheets: Path | None = None, limits=None) -> list[str]:
    """``grade check --score``: per file ``FILE: P/MAX points (X %)`` and per question
    ``  QUESTION: VERDICT (p/max)``; a file that cannot be graded says so in one line. Under
    GitHub Actions each file's score is also a ``::notice`` annotation. ``limits``: the
    :class:`~grader.judge.time_limits.TimeLimits` of each file's grading (default: none).

    Raises ConfigError when a file's assignment has a public sheet (in ``sheets`` or the
    package) but the course folder lacks its assignment file: scores are the course's to give."""
    from grader.integrations.grade_one import grade_checked, points_text
    from grader.judge.sheet_lookup import CheckSources, course_assignment

    out: list[str] = []
    for path in paths:
        try:
            sub = read_submission(Path(path))
        except SubmissionError:
            out.append(f"{shown(path)}: not graded (see the problem above)")
            continue
        if sub.assignment not in catalog.known_ids():
            if CheckSources(catalog, sheets).find(sub.assignment) is not None:
                course_assignment(catalog, sub.assignment, needed_by="grade check --score")  # raises
            out.append(f"{shown(path)}: not graded (see the problem above)")  # an unknown assignment
            continue
        if catalog.assignment(sub.assignment).randomized and not catalog.salt:
            # Per-student numbers are drawn with the course's secret salt, which stays on the
            # course's machine: a score without it would be against someone else's numbers.
            out.append(f"{shown(path)}: not scored ({shown(sub.assignment)} gives each student their own numbers, drawn with "
                       f"the course's secret salt; scores for it come from the course's grader)")
            continue
        result = grade_checked(sub, catalog, **({"limits": limits} if limits else {}))
        if result.error is not None:
            out.append(f"{shown(path)}: not graded ({shown(result.error.message)})")
            continue
        total = f"{points_text(result.points, result.max_points)} points"
        percent = f" ({result.percent:g} %)" if result.percent is not None else ""
        out.append(f"{shown(path)}: {total}{percent}")
        out += [f"  {shown(q.question)}: {q.verdict.outcome} ({points_text(q.points, q.max_points)})"
                for q in result.questions]
        if github:
            out.append(workflow_command("notice", f"{shown(result.assignment)}: {total}{percent}", file=str(path),
                                        title="score"))
    return out
