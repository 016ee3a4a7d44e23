"""Options several ``grade`` commands share, declared once."""
from pathlib import Path

import click

salt_option = click.option(
    "--salt", envvar="GRADER_SALT", default="", show_envvar=True,
    help="The course secret that seeds per-student random variants (also from $GRADER_SALT).")

course_option = click.option(
    "--course", "course", type=click.Path(path_type=Path, file_okay=False, exists=True), default=Path("."),
    envvar="GRADER_COURSE", show_envvar=True, show_default=True,
    help="The course folder: its reference/ holds the assignment files and rubrics/ the rubrics (the course's "
         "machine only; students get public sheets, see `grade publish`).")
