"""``grade gradescope`` and ``grade prairielearn``: the grader as a platform's autograder.

Thin, like :mod:`grader.cli`: click parses options and calls :mod:`grader.integrations`
(imported inside the commands); choices and defaults are the platforms' modules' constants.
Registered on the ``grade`` group in :mod:`grader.cli`.

Both always leave a results file behind. A student's problem (no file, malformed YAML, another
assignment) is reported in it and the command exits 0; when our configuration is wrong (exit
2) or the grader fails (exit 1) the results file says it is not the student's fault.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from grader.cli.options import course_option, salt_option, time_limit_options
from grader.defaults import GRADE_DIR, RESULTS_PATH, STDOUT_VISIBILITY, SUBMISSION_DIR, VISIBILITIES, VISIBILITY

_assignment_option = click.option(
    "--assignment", metavar="ID",
    help="The assignment being graded (an id such as mlp-numeric): a file answering another one is rejected "
         "with a message, and a rejected file scores 0 out of this assignment's maximum.")


@click.command()
@click.option("--submission-dir", type=click.Path(path_type=Path), default=SUBMISSION_DIR,
              show_default=True, help="Folder holding the student's submission (one answer file).")
@click.option("--results", "results_path", type=click.Path(path_type=Path, dir_okay=False),
              default=RESULTS_PATH, show_default=True,
              help="Where to write Gradescope's results.json.")
@_assignment_option
@click.option("--visibility", type=click.Choice(VISIBILITIES), default=VISIBILITY, show_default=True,
              help="When students see the per-question results (Gradescope's test visibility).")
@click.option("--stdout-visibility", type=click.Choice(VISIBILITIES), default=STDOUT_VISIBILITY, show_default=True,
              help="When students see the autograder's printed log (it names the file and the score only).")
@click.option("--metadata", "metadata_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Gradescope's submission_metadata.json: who submitted (default: beside --submission-dir, "
                   "i.e. /autograder/submission_metadata.json). The student graded is its user, never the file's id.")
@time_limit_options
@salt_option
@course_option
def gradescope(submission_dir: Path, results_path: Path, assignment: str | None, visibility: str,
               stdout_visibility: str, metadata_path: Path | None, time_limit: float, file_time_limit: float,
               salt: str, unsalted: bool, course: Path):
    """Grade one Gradescope submission and write Gradescope's results.json.

    Run by integrations/gradescope/run_autograder: one test per question (score, max_score,
    passed/failed, feedback without the key); a malformed or missing file scores 0 with a
    message saying what is wrong. Exit 0 whenever the student's result was written.
    """
    started = time.monotonic()
    from grader.keys.catalog import Catalog
    from grader.errors import ConfigError
    from grader.integrations import gradescope as gs
    from grader.integrations.grade_one import write_json
    from grader.judge.time_limits import TimeLimits

    def problem(message: str) -> dict:
        return gs.problem_results(message, elapsed=time.monotonic() - started, visibility=visibility,
                                  stdout_visibility=stdout_visibility)

    try:
        result, data = gs.run(submission_dir, results_path, catalog=Catalog(root=course, salt=salt, unsalted=unsalted), assignment=assignment,
                              visibility=visibility, stdout_visibility=stdout_visibility, started=started,
                              metadata_path=metadata_path, limits=TimeLimits(time_limit, file_time_limit))
    except ConfigError as e:
        _write_problem(problem, results_path, write_json, e)
        sys.exit(2)
    except Exception as e:  # noqa: BLE001 - the student must still get a results file
        _write_problem(problem, results_path, write_json, e)
        _exit_on_output_error(e)
        raise
    click.echo(_line(result, data["score"], results_path))


@click.command()
@click.option("--grade-dir", type=click.Path(path_type=Path, file_okay=False), default=GRADE_DIR,
              show_default=True,
              help="PrairieLearn's job folder: reads data/data.json and student/, writes results/results.json.")
@click.option("--results", "results_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Where to write results.json instead of GRADE_DIR/results/results.json.")
@_assignment_option
@time_limit_options
@salt_option
@course_option
def prairielearn(grade_dir: Path, results_path: Path | None, assignment: str | None, time_limit: float,
                 file_time_limit: float, salt: str, unsalted: bool, course: Path):
    """Grade one PrairieLearn submission as an external grader and write its results.json.

    Answers come from submitted_answers fields named for question ids, or from the one answer
    file the student submitted. A malformed file is not gradable (no attempt is charged) and
    the message says what is wrong. Exit 0 whenever the student's result was written.
    """
    from grader.keys.catalog import Catalog
    from grader.errors import ConfigError
    from grader.integrations import prairielearn as pl
    from grader.integrations.grade_one import write_json
    from grader.judge.time_limits import TimeLimits

    target = pl.results_path_for(grade_dir, results_path)
    try:
        result, data = pl.run(grade_dir, results_path, catalog=Catalog(root=course, salt=salt, unsalted=unsalted),
                              assignment=assignment, limits=TimeLimits(time_limit, file_time_limit))
    except ConfigError as e:
        _write_problem(pl.problem_results, target, write_json, e)
        sys.exit(2)
    except Exception as e:  # noqa: BLE001 - the student must still get a results file
        _write_problem(pl.problem_results, target, write_json, e)
        _exit_on_output_error(e)
        raise
    click.echo(_line(result, data["score"], target))


def _write_problem(make, path: Path, write_json, error: Exception) -> None:
    """Tell the student (results file) and the instructor (stderr) that the grader failed."""
    from grader.errors import GraderError

    text = error.describe(caret=False) if isinstance(error, GraderError) else f"internal error ({type(error).__name__})"
    click.echo(text, err=True)
    try:
        write_json(make(text), path)
    except (OSError, GraderError) as e:
        if not isinstance(error, GraderError) or error.category != "output":  # (already said)
            click.echo(f"cannot write {path}: {e}", err=True)


def _exit_on_output_error(error: Exception) -> None:
    """The results file itself cannot be written: the line said so; no traceback, exit 3."""
    from grader.errors import OUTPUT_EXIT, OutputError

    if isinstance(error, OutputError):
        sys.exit(OUTPUT_EXIT)


def _line(result, score: float, path: Path) -> str:
    from grader.shown_text import shown

    state = "rejected: " + result.error.describe(caret=False) if result.error is not None else shown(result.status)
    return f"{shown(result.file) or 'submission'}: score {score:g} ({state}); results written to {path}"
