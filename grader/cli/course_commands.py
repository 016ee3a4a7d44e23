"""The commands of the course's own work besides grading a folder: ``grade check``, ``key``,
``handout``, ``publish`` and ``selftest``. Each parses its options and calls one library
function; choices and defaults are the library's (key formats: :mod:`grader.reports.printed_key`)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.cli.failure import fail
from grader.cli.options import course_option, salt_option, time_limit_options
from grader.errors import ConfigError, GraderError
from grader.defaults import DEFAULT_KEY_FORMAT, KEY_FORMATS


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--score", is_flag=True,
              help="Also grade each well-formed file: its points, and per question a verdict word (correct, wrong, "
                   "missing, ...), never a reference value. Needs the course's assignment files (--course): "
                   "for the course's machine, not a student's.")
@click.option("--sheets", type=click.Path(path_type=Path, file_okay=False, exists=True), envvar="GRADER_SHEETS",
              show_envvar=True, help="A folder of public sheets (<id>.sheet.json, from `grade publish`) to check "
              "against; looked at before the course folder and the sheets shipped with the package.")
@click.option("--remote", metavar="URL", help="Check with a running `grade serve` at URL instead (needs --token).")
@click.option("--token", envvar="GRADER_TOKEN", show_envvar=True, help="Your token for --remote.")
@click.option("--submit", is_flag=True, help="With --remote: also submit each file (an attempt) and print its feedback.")
@course_option
@time_limit_options
def check(files: tuple[Path, ...], score: bool, sheets: Path | None, remote: str | None, token: str | None,
          submit: bool, course: Path, time_limit: float, file_time_limit: float):
    """Check answer files are well-formed (schema, every answer parses).

    Prints one line per problem (file, line, question, what is wrong); under GitHub Actions
    ($GITHUB_ACTIONS=true) each is an ::error annotation on the answer's line instead. Exit 0
    when all are well-formed, 1 otherwise. Meant for students' CI and pre-commit: a public
    sheet is enough (--sheets DIR).
    """
    from grader.integrations.check_report import check_report
    from grader.judge.time_limits import TimeLimits
    from grader.keys.catalog import Catalog

    if remote or submit:
        _check_remote(files, remote, token, submit)
    try:
        report = check_report(files, Catalog(root=course), sheets=sheets, score=score,
                              limits=TimeLimits(time_limit, file_time_limit))
    except ConfigError as e:
        fail(e)
    for line in report.lines:
        click.echo(line)
    if report.problems:
        click.echo(f"{len(report.problems)} problem(s) in {len(files)} file(s)", err=True)
        sys.exit(1)
    click.echo(f"{len(files)} file(s) well-formed")


def _check_remote(files: tuple[Path, ...], remote: str | None, token: str | None, submit: bool):
    """``grade check --remote``: the service checks (and with ``--submit`` grades) each file."""
    from grader.service.client import remote_check, remote_submit

    if not remote or not token:
        raise click.UsageError("--remote URL needs --token (or $GRADER_TOKEN); --submit needs --remote")
    failed = 0
    try:
        for path in files:
            problems = remote_check(remote, token, path)
            for line in problems:
                click.echo(line)
            ok = not problems
            if ok and submit:
                ok, lines = remote_submit(remote, token, path)
                for line in lines:
                    click.echo(line)
            failed += not ok
    except GraderError as e:
        fail(e)
    click.echo(f"{len(files) - failed} of {len(files)} file(s) " + ("submitted and graded" if submit else "well-formed"),
               err=bool(failed))
    sys.exit(1 if failed else 0)


@click.command()
@click.argument("assignment")
@click.option("--format", "fmt", type=click.Choice(tuple(KEY_FORMATS)), default=DEFAULT_KEY_FORMAT,
              show_default=True, help="text for people; json for tools; yaml is a complete answer file holding "
              "the key; markdown is a worked solution (LaTeX) to publish after the deadline.")
@click.option("--student", "student_id", help="For a randomized assignment: the student whose numbers to use.")
@salt_option
@course_option
def key(assignment: str, fmt: str, student_id: str | None, salt: str, unsalted: bool, course: Path):
    """Print the reference answers of ASSIGNMENT (an id such as mlp-numeric, or a file path).

    A randomized assignment has one key per student: give --student ID (and the course's --salt).
    Needs the course's assignment file (--course): for the course's machine, not a student's.
    """
    from grader.keys.catalog import Catalog
    from grader.reports.printed_key import printed_key

    try:
        text = printed_key(Catalog(root=course, salt=salt, unsalted=unsalted), assignment, fmt=fmt,
                           student_id=student_id)
    except GraderError as e:
        fail(e)
    click.echo(text)


@click.command()
@click.argument("assignment")
@click.option("--roster", type=click.Path(path_type=Path, exists=True, dir_okay=False), required=True,
              help="CSV of students: a student id column and a name column (a Canvas or Moodle export works).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder for the sheets (<id>.md) and answer files (<id>.answers.yaml).")
@click.option("--id-column", help="The roster column holding the student id (default: the first of student_id, "
              "SIS User ID, ID number, ID, username).")
@salt_option
@course_option
def handout(assignment: str, roster: Path, out_dir: Path, id_column: str | None, salt: str, unsalted: bool, course: Path):
    """Write one problem sheet and one answer file per student of ROSTER for ASSIGNMENT.

    Each sheet (Markdown with LaTeX) holds the student's own numbers, drawn exactly as grading
    will draw them, and the questions with their ids.
    """
    from grader.keys.catalog import Catalog
    from grader.io.roster import read_roster
    from grader.reports.handouts import write_handouts

    try:
        students = read_roster(roster, id_column=id_column)
        written = write_handouts(Catalog(root=course, salt=salt, unsalted=unsalted), assignment, students, out_dir)
    except GraderError as e:
        fail(e)
    click.echo(f"{len(students)} student(s): {len(written)} file(s) written to {out_dir}")


@click.command()
@click.argument("assignment")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder for the sheet (<id>.sheet.json); commit it to the students' repositories.")
@course_option
def publish(assignment: str, out_dir: Path, course: Path):
    """Write the public sheet of ASSIGNMENT: what `grade check` needs on a student's machine.

    The sheet holds the title, each question's id, text, kind and expected shape in size
    symbols, and the symbols an expression may use; no number, key or rubric.
    """
    from grader.judge.sheet import publish as write_sheet
    from grader.judge.sheet_lookup import course_assignment
    from grader.keys.catalog import Catalog

    try:
        path = write_sheet(course_assignment(Catalog(root=course), assignment, needed_by="grade publish"), out_dir)
    except GraderError as e:
        fail(e)
    click.echo(f"public sheet written to {path}")


@click.command()
@click.argument("assignments", nargs=-1)
@course_option
def selftest(assignments: tuple[str, ...], course: Path):
    """Check each assignment's key against itself (every one of the course folder by default).

    The key scores full marks, a blank scores zero, and every misconception variant is flagged
    with its own id. Exit 1 on any failure.
    """
    from grader.batch.selftest import run_selftests
    from grader.keys.catalog import Catalog

    failed = False
    try:
        for result in run_selftests(Catalog(root=course), assignments):
            for line in result.lines():
                click.echo(line)
            failed |= bool(result.failures)
    except GraderError as e:
        fail(e)
    sys.exit(1 if failed else 0)
