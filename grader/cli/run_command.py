"""``grade run FOLDER`` (what ``grade FOLDER`` runs): grade a class folder, print the table,
write the gradebook and the reports asked for (:func:`grader.integrations.class_run.run_class`).

Choices and defaults are the library's: gradebook formats from :mod:`grader.reports.gradebooks`,
``--ids-from`` and ``--missing`` from :mod:`grader.batch.folder_identity`, time limits from
:mod:`grader.judge.time_limits`.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.cli.failure import fail
from grader.cli.options import course_option, salt_option, time_limit_options
from grader.errors import GraderError
from grader.defaults import GRADEBOOK_FORMATS as FORMATS, IDS_FROM, MISSING


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
    from grader.judge.time_limits import TimeLimits
    from grader.keys.catalog import Catalog
    from grader.integrations.class_run import run_class
    from grader.reports.run_outputs import RunOutputs

    outputs = RunOutputs(gradebook, fmt=fmt, wide=wide, json=json_path, html=html_path, review=review_path,
                         feedback=feedback_dir)
    try:
        for printed in run_class(folder, outputs, catalog=Catalog(root=course, salt=salt, unsalted=unsalted),
                                 jobs=jobs, limits=TimeLimits(time_limit, file_time_limit), roster=roster_path,
                                 ids_from=ids_from, missing=missing, manual_scores=manual_path, details=details,
                                 progress=sys.stderr.isatty()):
            click.echo(printed.text, nl=False, err=printed.err)
    except GraderError as e:
        fail(e)  # (the outputs' temp files are discarded already)
