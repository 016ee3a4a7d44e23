"""``grade FOLDER`` from start to end: whose files they are, every output checked, the class
graded, a TA's manual scores merged, the table printed, every output written together.

:func:`run_class` yields what the command prints, in order, as :class:`Printed` pieces (the
table about 64 KB at a time: one write per batch of rows, never the whole table as one
string), so that the table is on the screen before the outputs are written, as it always was.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from grader.batch.folder_identity import IDS_FROM, MISSING, run_identity, run_report_lines
from grader.batch.orchestrator import grade_folder
from grader.course.salt_rule import unsalted_note
from grader.judge.time_limits import TimeLimits
from grader.keys.catalog import Catalog
from grader.reports.run_outputs import RunOutputs
from grader.reports.terminal import details_blocks, summary_lines

PIECE_CHARS = 65536  # the table and details are printed in batches of about this many characters


@dataclass(frozen=True)
class Printed:
    text: str  # printed as it is (its line ends included)
    err: bool = False  # on stderr (notes about the run), not stdout (the table, what was written)


def run_class(folder: Path, outputs: RunOutputs, *, catalog: Catalog, jobs: int = 1,
              limits: TimeLimits = TimeLimits(), roster: Path | None = None, ids_from: str = IDS_FROM[0],
              missing: str = MISSING[0], manual_scores: Path | None = None, details: bool = False,
              progress: bool = False) -> Iterator[Printed]:
    """Grade the answer files under ``folder`` and write ``outputs``; yields what to print.

    Raises GraderError (a configuration error, nothing to grade, an output that cannot be
    written) with every temp file of the outputs discarded and no output changed. ``roster``,
    ``ids_from`` and ``missing``: whose row each file fills (:mod:`grader.batch.folder_identity`);
    ``manual_scores``: a TA's filled review sheet (:mod:`grader.batch.manual_scores`)."""
    from grader.batch.manual_scores import merge_into_store

    staged = None
    try:
        identity = run_identity(roster, ids_from=ids_from, missing=missing)
        staged = outputs.check(folder)  # every output path, before the work
        result = grade_folder(folder, catalog=catalog, jobs=jobs, time_limit=limits.answer,
                              file_time_limit=limits.file, progress=progress, identity=identity)
        if manual_scores:
            merge_into_store(result.students, manual_scores)
        yield from _batched(line + "\n" for line in summary_lines(result))
        if details:
            yield from _batched(chain(["\n"], (("\n\n" if n else "") + block
                                               for n, block in enumerate(details_blocks(result))), ["\n"]))
        written = outputs.write(result, staged, identity=identity)  # all written, then all put in place
    except BaseException:
        if staged is not None:
            staged.discard()  # (the temp files reserved for the outputs)
        raise
    for line in run_report_lines(result.students.summaries, identity, fmt=outputs.fmt):
        yield Printed(line + "\n", err=True)
    yield Printed(f"\n{len(result.students)} answer file(s) graded; " + ", ".join(written) + "\n")
    if note := unsalted_note(result):  # an unsalted run is never silent
        yield Printed(note + "\n", err=True)


def _batched(pieces: Iterable[str]) -> Iterator[Printed]:
    batch, size = [], 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= PIECE_CHARS:
            yield Printed("".join(batch))
            batch, size = [], 0
    if batch:
        yield Printed("".join(batch))
