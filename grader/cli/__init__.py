"""The ``grade`` command. Thin: click parses options and calls one library function.

Exit codes: 0 the run completed (students may have lost points); 1 the run could not proceed
(no answer files), or ``grade check`` found problems; 2 a configuration error (assignment or
rubric) or a usage error; 3 an output cannot be written (a missing or read-only folder, a path
that is a folder, a full disk: checked before the work where it can be, and no output changed).
"""
from __future__ import annotations

import atexit
import gc
import sys
from itertools import chain
from pathlib import Path

import click

from grader.cli.options import course_option, salt_option, time_limit_options
from grader.errors import OUTPUT_EXIT, ConfigError, GraderError, OutputError


class _DefaultToRun(click.Group):
    """``grade submissions/`` means ``grade run submissions/``."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


def _fail(error: GraderError, outputs=None) -> None:
    if outputs is not None:
        outputs.discard()  # (the temp files reserved for a run's outputs)
    click.echo(error.describe(), err=True)
    sys.exit(2 if isinstance(error, ConfigError) else OUTPUT_EXIT if isinstance(error, OutputError) else 1)


@click.group(cls=_DefaultToRun, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="backprop-grader")
def cli():
    """Grade backpropagation homework: `grade FOLDER` grades every answer file under FOLDER."""


@cli.command()
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
@click.option("--format", "fmt", type=click.Choice(["csv", "canvas", "moodle"]), default="csv", show_default=True,
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
@click.option("--ids-from", type=click.Choice(["file", "folder"]), default="file", show_default=True,
              help="Whose work a file is: the id it names, or the top-level folder it is in (GitHub Classroom, "
                   "LMS downloads; matched to --roster rows).")
@click.option("--missing", type=click.Choice(["blank", "zero"]), default="blank", show_default=True,
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
    from grader.keys.catalog import Catalog
    from grader.batch.orchestrator import grade_folder
    from grader.reports.terminal import details_blocks, summary_lines
    from grader.reports.run_outputs import RunOutputs
    from grader.course.salt_rule import unsalted_note

    outputs = RunOutputs(gradebook, fmt=fmt, wide=wide, json=json_path, html=html_path, review=review_path,
                         feedback=feedback_dir)
    staged = None
    try:
        identity = None
        if roster_path or ids_from != "file" or missing != "blank":
            from grader.batch.folder_identity import class_identity
            identity = class_identity(roster_path, ids_from=ids_from, missing=missing)
        staged = outputs.check(folder)  # every output path, before the work
        result = grade_folder(folder, catalog=Catalog(root=course, salt=salt, unsalted=unsalted), jobs=jobs,
                              time_limit=time_limit, file_time_limit=file_time_limit, progress=sys.stderr.isatty(),
                              identity=identity)
        if manual_path:
            _merge_manual_scores(result.students, manual_path)
    except GraderError as e:
        _fail(e, staged)
    _echo_pieces(line + "\n" for line in summary_lines(result))
    if details:
        _echo_pieces(chain(["\n"], (("\n\n" if n else "") + block for n, block in enumerate(details_blocks(result))),
                           ["\n"]))
    try:
        written = outputs.write(result, staged, identity=identity)  # all written, then all put in place
    except GraderError as e:
        _fail(e, staged)
    if identity is not None or fmt != "csv":
        from grader.batch.folder_identity import report_lines
        for line in report_lines(result.students.summaries(), identity, fmt=fmt):
            click.echo(line, err=True)
    click.echo(f"\n{len(result.students)} answer file(s) graded; " + ", ".join(written))
    if note := unsalted_note(result):  # an unsalted run is never silent
        click.echo(note, err=True)


MANUAL_CHUNK = 2000  # results merged per read of the TA's sheet


def _merge_manual_scores(store, path: Path) -> None:
    """A TA's points into the results awaiting review (the only ones they can change), in place,
    a chunk of results at a time so that they are never all unpacked at once (the sheet is read
    again per chunk, and at least once, so a broken sheet is always reported)."""
    from grader.batch.manual_scores import merge_manual_scores

    waiting = [i for i, s in enumerate(store.summaries()) if s.awaiting]
    for start in range(0, max(len(waiting), 1), MANUAL_CHUNK):
        part = waiting[start:start + MANUAL_CHUNK]
        for i, merged in zip(part, merge_manual_scores([store[i] for i in part], path)):
            store[i] = merged


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


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--score", is_flag=True,
              help="Also grade each well-formed file: its points, and per question a verdict word (correct, wrong, "
                   "missing, ...), never a reference value. Needs the course's assignment files (--course): "
                   "for the course's machine, not a student's.")
@click.option("--sheets", type=click.Path(path_type=Path, file_okay=False, exists=True), envvar="GRADER_SHEETS",
              show_envvar=True, help="A folder of public sheets (<id>.sheet.json, from `grade publish`) to check "
              "against; looked at before the course folder and the sheets shipped with the package.")
@course_option
@time_limit_options
def check(files: tuple[Path, ...], score: bool, sheets: Path | None, course: Path, time_limit: float,
          file_time_limit: float):
    """Check answer files are well-formed (schema, every answer parses).

    Prints one line per problem (file, line, question, what is wrong); under GitHub Actions
    ($GITHUB_ACTIONS=true) each is an ::error annotation on the answer's line instead. Exit 0
    when all are well-formed, 1 otherwise. Meant for students' CI and pre-commit: a public
    sheet is enough (--sheets DIR).
    """
    from grader.keys.catalog import Catalog
    from grader.integrations.annotations import annotations, in_github_actions, score_lines
    from grader.batch.orchestrator import check_files
    from grader.judge.time_limits import TimeLimits

    catalog, github = Catalog(root=course), in_github_actions()
    try:
        problems = check_files(list(files), catalog=catalog, sheets=sheets)
        lines = annotations(problems) if github else [p.describe(caret=False) for p in problems]
        if score:
            lines += score_lines(files, catalog, github=github, sheets=sheets,
                                 limits=TimeLimits(time_limit, file_time_limit))
    except ConfigError as e:
        _fail(e)
    for line in lines:
        click.echo(line)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {len(files)} file(s)", err=True)
        sys.exit(1)
    click.echo(f"{len(files)} file(s) well-formed")


@cli.command()
@click.argument("assignment")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "yaml", "markdown"]), default="text",
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
    from functools import partial

    from grader.keys.catalog import Catalog
    from grader.keys.key_text import key_answer_file, key_json, key_text
    from grader.keys.worked_solution import worked_solution

    from grader.judge.sheet_lookup import course_assignment

    catalog = Catalog(root=course, salt=salt, unsalted=unsalted)
    try:
        template = course_assignment(catalog, assignment, needed_by="grade key")
        if template.randomized and student_id is None:
            raise ConfigError(f"{template.id} gives each student their own numbers: say whose with --student ID")
        answer_key = catalog.key(catalog.for_student(template, student_id or ""))
    except GraderError as e:
        _fail(e)
    render = {"text": key_text, "json": key_json, "yaml": partial(key_answer_file, student_id=student_id or "KEY"),
              "markdown": worked_solution}[fmt]
    click.echo(render(answer_key))


@cli.command()
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
        _fail(e)
    click.echo(f"{len(students)} student(s): {len(written)} file(s) written to {out_dir}")


@cli.command()
@click.argument("assignment")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder for the sheet (<id>.sheet.json); commit it to the students' repositories.")
@course_option
def publish(assignment: str, out_dir: Path, course: Path):
    """Write the public sheet of ASSIGNMENT: what `grade check` needs on a student's machine.

    The sheet holds the title, each question's id, text, kind and expected shape in size
    symbols, and the symbols an expression may use; no number, key or rubric.
    """
    from grader.keys.catalog import Catalog
    from grader.judge.sheet import publish as write_sheet
    from grader.judge.sheet_lookup import course_assignment

    try:
        path = write_sheet(course_assignment(Catalog(root=course), assignment, needed_by="grade publish"), out_dir)
    except GraderError as e:
        _fail(e)
    click.echo(f"public sheet written to {path}")


@cli.command()
@click.argument("assignments", nargs=-1)
@course_option
def selftest(assignments: tuple[str, ...], course: Path):
    """Check each assignment's key against itself (every one of the course folder by default).

    The key scores full marks, a blank scores zero, and every misconception variant is flagged
    with its own id. Exit 1 on any failure.
    """
    from grader.keys.catalog import Catalog
    from grader.batch.selftest import run_selftest

    catalog = Catalog(root=course)
    failed = False
    try:
        for ident in assignments or catalog.known_ids():
            result = run_selftest(catalog, ident)
            state = "ok" if not result.failures else f"{len(result.failures)} FAILED"
            click.echo(f"{result.assignment}: {result.checks} checks, {state}")
            for failure in result.failures:
                click.echo(f"  {failure}")
            failed |= bool(result.failures)
    except GraderError as e:
        _fail(e)
    sys.exit(1 if failed else 0)


from grader.cli.integrations import gradescope, prairielearn  # noqa: E402 - registered last, imports click only

cli.add_command(gradescope)
cli.add_command(prairielearn)


def main() -> None:
    # At exit, whatever is still alive (sympy's object graph, the answer keys) is left out of
    # the interpreter's last cyclic collections: 0.15-0.2 s of a graded run's exit, spent
    # proving that memory about to be returned is garbage. Reference counting still frees
    # and closes everything; the outputs are written and closed by then.
    atexit.register(gc.freeze)
    _survive_any_encoding()
    cli(prog_name="grade")


def _survive_any_encoding() -> None:
    """A terminal whose encoding lacks a character we print ("…" in the table, "—" in a key, a
    student's name) shows it as an escape (``\\u2026``) instead of ending the run with a
    UnicodeEncodeError (a latin-1 locale: ``LC_ALL=de_DE.ISO-8859-1``)."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


if __name__ == "__main__":
    main()
