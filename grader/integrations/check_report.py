"""``grade check``: what it prints for a list of answer files, as lines.

One line per problem (``file:line: question id: what is wrong``), or under GitHub Actions an
``::error`` annotation on the answer's line (:mod:`grader.integrations.annotations`); with
``score``, each well-formed file's points and verdict words (:func:`~grader.integrations.annotations.score_lines`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.batch.orchestrator import check_files
from grader.errors import GraderError
from grader.integrations.annotations import annotations, in_github_actions, score_lines
from grader.integrations.writeup_check import writeup_check
from grader.io.writeups.reader import is_writeup
from grader.judge.time_limits import TimeLimits
from grader.keys.catalog import Catalog


@dataclass(frozen=True)
class CheckReport:
    lines: list[str]  # what to print, in order
    problems: list[GraderError]  # one per malformed answer or file (none: all well-formed)


def check_report(files: Sequence[Path], catalog: Catalog, *, sheets: Path | None = None, score: bool = False,
                 limits: TimeLimits | None = None, github: bool | None = None) -> CheckReport:
    """Check ``files`` against their sheets (``sheets``, the course folder, the shipped sheets)
    and, with ``score``, grade the well-formed ones under ``limits``. ``github``: annotations
    instead of plain lines (default: when running under GitHub Actions). Raises ConfigError."""
    github = in_github_actions() if github is None else github
    writeups = [f for f in files if is_writeup(f)]
    problems = check_files([f for f in files if not is_writeup(f)], catalog=catalog, sheets=sheets)
    recognised = []
    for path in writeups:  # what the grader read in each write-up (grader.integrations.writeup_check)
        found, trouble = writeup_check(path, catalog)
        recognised += found
        problems += trouble
    lines = annotations(problems) if github else [p.describe(caret=False) for p in problems]
    lines += recognised
    if score:
        lines += score_lines([f for f in files if not is_writeup(f)], catalog, github=github, sheets=sheets, limits=limits)
    return CheckReport(lines, problems)
