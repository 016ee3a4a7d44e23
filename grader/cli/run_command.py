"""``grade run FOLDER`` (what ``grade FOLDER`` runs): grade a class folder, print the table,
write the gradebook and the reports asked for.

Choices and defaults are the library's: gradebook formats from :mod:`grader.reports.gradebooks`,
``--ids-from`` and ``--missing`` from :mod:`grader.batch.folder_identity`, time limits from
:mod:`grader.judge.time_limits`.
"""
from __future__ import annotations

import sys
from itertools import chain
from pathlib import Path

import click

from grader.batch.folder_identity import IDS_FROM, MISSING
from grader.cli.failure import fail
from grader.cli.options import course_option, salt_option, time_limit_options
from grader.errors import GraderError
from grader.reports.gradebooks import FORMATS


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--gradebook", type=click.Path(path_type=Path), default=Path("gradebook.csv"), show_default=True,
              help="Where to write the CSV gradebook.")
@click.option("--details", is_flag=True, help="Also print, per student, each question that lost points and why.")
@click.option("--json", "json_path", type=click.Path(path_type=Path),
              help="Also write a JSON report: per student, per question points, verdict, flags, feedback.")
@click.option("--html", "html_path", type=click.Path(path_type=Path),
              help="Also write a self-contained HTML class report (charts, misconceptions, per-student details).")
@click.option("--review", "review_path", type=click.Path(path_type=Path),
              help="Also write a CSV of the answers a TA must grade by hand, with empty points to fill.")
@click.option("--manual-scores", "manual_path", type=click.Path(path_type=Path, exists=True),
              help="Merge a TA's points from a filled --review CSV (columns file, question, points[, comment]).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=FORMATS[0], show_default=True,
              help="Gradebook layout: our CSV, or a CSV that Canvas or Moodle imports.")
@click.option("--wide", is_flag=True, help="One gradebook row per student, every assignment side by side.")
@click.option("--feedback", "feedback_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Also write one Markdown feedback file per student into this folder.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Grade in this many parallel processes (the output is identical whatever the number).")
@time_limit_options
@click.option("--roster", "roster_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="CSV of the class (as for grade handout): LMS rows take names and emails from it, list every "
                   "student on it, and leave out ids it does not know.")
@click.option("--ids-from", type=click.Choice(IDS_FROM), default=IDS_FROM[0], show_default=True,
              help="Whose work a file is: the id it names, or the top-level folder it is in (GitHub Classroom, "
                   "LMS downloads; matched to --roster rows).")
@click.option("--missing", type=click.Choice(MISSING), default=MISSING[0], show_default=True,
              help="Canvas/Moodle cell of a student who sent nothing for an assignment.")
@salt_option
@course_option
def run(folder: Path, gradebook: Path, details: bool, json_path: Path | None, html_path: Path | None,
        review_path: Path | None, manual_path: Path | None, fmt: str, wide: bool, feedback_dir: Path | None,
        jobs: int, time_limit: float, file_time_limit: float, roster_path: Path | None, ids_from: str,
        missing: str, salt: str, unsalted: bool, course: Path):
    """Grade every answer file under FOLDER; print a table and write the gradebook.

    This is what `grade FOLDER` runs. Exit 0 when the run completes, whatever the scores.
    """
    from grader.batch.folder_identity import run_identity, run_report_lines
    from grader.batch.manual_scores import merge_into_store
    from grader.batch.orchestrator import grade_folder
    from grader.course.salt_rule import unsalted_note
    from grader.keys.catalog import Catalog
    from grader.reports.run_outputs import RunOutputs
    from grader.reports.terminal import details_blocks, summary_lines

    outputs = RunOutputs(gradebook, fmt=fmt, wide=wide, json=json_path, html=html_path, review=review_path,
                         feedback=feedback_dir)
    staged = None
    try:
        identity = run_identity(roster_path, ids_from=ids_from, missing=missing)
        staged = outputs.check(folder)  # every output path, before the work
        result = grade_folder(folder, catalog=Catalog(root=course, salt=salt, unsalted=unsalted), jobs=jobs,
                              time_limit=time_limit, file_time_limit=file_time_limit, progress=sys.stderr.isatty(),
                              identity=identity)
        if manual_path:
            merge_into_store(result.students, manual_path)
    except GraderError as e:
        fail(e, staged)
    _echo_pieces(line + "\n" for line in summary_lines(result))
    if details:
        _echo_pieces(chain(["\n"], (("\n\n" if n else "") + block for n, block in enumerate(details_blocks(result))),
                           ["\n"]))
    try:
        written = outputs.write(result, staged, identity=identity)  # all written, then all put in place
    except GraderError as e:
        fail(e, staged)
    for line in run_report_lines(result.students.summaries, identity, fmt=fmt):
        click.echo(line, err=True)
    click.echo(f"\n{len(result.students)} answer file(s) graded; " + ", ".join(written))
    if note := unsalted_note(result):  # an unsalted run is never silent
        click.echo(note, err=True)


def _echo_pieces(pieces) -> None:
    """Print text pieces (rows, blocks) about 64 KB at a time: one write per batch, not per row,
    and never the whole table as one string."""
    batch, size = [], 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= 65536:
            click.echo("".join(batch), nl=False)
            batch, size = [], 0
    if batch:
        click.echo("".join(batch), nl=False)
