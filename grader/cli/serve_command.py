"""``grade serve``: the grading service (:mod:`grader.service`), ``grade serve tokens`` (a token per
student of a roster, or for an instructor) and ``grade serve regrade`` (after a rubric or key
change: per student the old and new points, applied unless ``--dry-run``). The service's
dependencies are imported only when a command runs."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

from grader.cli.failure import fail
from grader.cli.options import course_option, salt_option, time_limit_options
from grader.errors import GraderError

database_option = click.option(
    "--database", default="", envvar="GRADER_DATABASE", show_envvar=True,
    help="SQLAlchemy URL of the service's database, e.g. postgresql+psycopg://user:pw@host/db for several "
         "replicas (default: one SQLite file, grader-service.sqlite, in the course folder).")


def _settings(course: Path, database: str, **more):
    from grader.service.settings import ServiceSettings
    return ServiceSettings(course=course, database_url=database, **more)


@click.group(invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--jobs", default=2, show_default=True, type=click.IntRange(min=1), help="Grading processes.")
@click.option("--attempts", default=10, show_default=True, type=click.IntRange(min=1),
              help="Submissions allowed per student and assignment.")
@click.option("--cooldown", default=60.0, show_default=True, type=click.FloatRange(min=0),
              help="Seconds a student waits between two submissions to one assignment.")
@click.option("--max-bytes", default=256 * 1024, show_default=True, type=click.IntRange(min=1024),
              help="Largest answer file or write-up accepted, in bytes.")
@click.option("--lease", type=click.FloatRange(min=1), help="Seconds a submission claimed by a grader may stay "
              "ungraded before it is queued again (a server killed mid-grading; default twice --file-time-limit and 30).")
@database_option
@salt_option
@course_option
@time_limit_options
@click.pass_context
def serve(ctx, host, port, jobs, attempts, cooldown, max_bytes, lease, database, salt, unsalted, course, time_limit,
          file_time_limit):
    """Run the grading service: students check and submit, instructors watch the class.

    One SQLite file in the course folder by default (--database for PostgreSQL). Give students
    their tokens with `grade serve tokens`; after a rubric change, `grade serve regrade`.
    """
    if ctx.invoked_subcommand is not None:
        return
    from grader.judge.time_limits import TimeLimits
    from grader.service.app import create_app, run_server

    settings = _settings(course, database, salt=salt, unsalted=unsalted, attempts=attempts, cooldown=cooldown,
                         max_bytes=max_bytes, jobs=jobs, lease=lease, limits=TimeLimits(time_limit, file_time_limit))
    try:
        app = create_app(settings)
    except GraderError as e:
        fail(e)
    click.echo(f"grade serve: http://{host}:{port}/ (database {settings.url.split('@')[-1]})", err=True)
    run_server(app, host=host, port=port)


@serve.command()
@click.option("--roster", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="CSV of students (as for `grade handout`): one token each.")
@click.option("--instructor", "instructors", multiple=True, help="An instructor's id: an instructor token (repeatable).")
@click.option("--id-column", help="The roster column holding the student id.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="CSV written with student_id, name, role, token (the tokens are shown only here).")
@database_option
@course_option
def tokens(roster, instructors, id_column, out, database, course):
    """Issue a token per student of a roster (and per --instructor); the database keeps only their hashes."""
    from grader.io.roster import Student, read_roster
    from grader.service.db import open_database
    from grader.service.tokens import INSTRUCTOR, issue_tokens

    if not roster and not instructors:
        raise click.UsageError("give --roster CSV or --instructor ID")
    try:
        people = read_roster(roster, id_column=id_column) if roster else []
    except GraderError as e:
        fail(e)
    engine = open_database(_settings(course, database).url)
    issued = [(s, t, "student") for s, t in issue_tokens(engine, people)]
    issued += [(s, t, INSTRUCTOR) for s, t in issue_tokens(engine, [Student(i) for i in instructors], role=INSTRUCTOR)]
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")  # (a shell reading it line by line gets no \r)
        w.writerow(["student_id", "name", "role", "token"])
        w.writerows([s.student_id, s.name, role, t] for s, t, role in issued)
    click.echo(f"{len(issued)} token(s) written to {out}: hand each to its owner, then delete the file")


@serve.command()
@click.argument("assignment")
@click.option("--dry-run", is_flag=True, help="Only list per student the old and new points and why they moved.")
@click.option("--jobs", default=2, show_default=True, type=click.IntRange(min=1), help="Grading processes.")
@database_option
@salt_option
@course_option
@time_limit_options
def regrade(assignment, dry_run, jobs, database, salt, unsalted, course, time_limit, file_time_limit):
    """Regrade every student's latest attempt at ASSIGNMENT with the current key and rubric.

    Lists per student the old and new points and the questions that moved; without --dry-run
    the new gradings are stored beside the old ones (nothing is overwritten).
    """
    from grader.judge.time_limits import TimeLimits
    from grader.service.regrade import apply, plan

    settings = _settings(course, database, salt=salt, unsalted=unsalted, jobs=jobs,
                         limits=TimeLimits(time_limit, file_time_limit))
    try:
        changes = plan(settings, assignment)
    except GraderError as e:
        fail(e)
    for c in changes:
        click.echo(c.line())
    moved = [c for c in changes if c.moved]
    if dry_run:
        click.echo(f"{len(changes)} student(s), {len(moved)} would change (dry run: nothing stored)")
        sys.exit(0)
    stored = apply(settings, changes)
    click.echo(f"{len(changes)} student(s), {len(moved)} changed: {stored} new grading(s) stored")
