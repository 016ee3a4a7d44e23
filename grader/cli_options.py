"""Options several ``grade`` commands share, declared once."""
from pathlib import Path

import click

_salt = click.option(
    "--salt", envvar="GRADER_SALT", default="", show_envvar=True,
    help="The course secret that seeds per-student random variants (also from $GRADER_SALT).")
_unsalted = click.option(
    "--unsalted", is_flag=True,
    help="Use a randomized assignment's unsalted draws on purpose (without it, no salt is an error: exit 2).")


def salt_option(f):
    """``--salt`` and ``--unsalted`` (see grader.salt_rule): the command gets ``salt`` and ``unsalted``."""
    return _salt(_unsalted(f))


course_option = click.option(
    "--course", "course", type=click.Path(path_type=Path, file_okay=False, exists=True), default=Path("."),
    envvar="GRADER_COURSE", show_envvar=True, show_default=True,
    help="The course folder: its reference/ holds the assignment files and rubrics/ the rubrics (the course's "
         "machine only; students get public sheets, see `grade publish`).")
