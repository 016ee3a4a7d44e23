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
    """``--salt`` and ``--unsalted`` (see grader.course.salt_rule): the command gets ``salt`` and ``unsalted``."""
    return _salt(_unsalted(f))


course_option = click.option(
    "--course", "course", type=click.Path(path_type=Path, file_okay=False, exists=True), default=Path("."),
    envvar="GRADER_COURSE", show_envvar=True, show_default=True,
    help="The course folder: its reference/ holds the assignment files and rubrics/ the rubrics (the course's "
         "machine only; students get public sheets, see `grade publish`).")


def time_limit_options(command):
    """``--time-limit`` (per answer) and ``--file-time-limit`` (per file), defaults from
    :mod:`grader.judge.time_limits`; the command gets ``time_limit`` and ``file_time_limit``."""
    from grader.judge.time_limits import ANSWER_SECONDS, FILE_SECONDS

    command = click.option(
        "--file-time-limit", type=click.FloatRange(min=0.1), default=FILE_SECONDS, show_default=True,
        help="Seconds of work allowed for one answer file, all its answers together; a file over it is "
             "stopped and rejected (category limit).")(command)
    return click.option(
        "--time-limit", type=click.FloatRange(min=0.1), default=ANSWER_SECONDS, show_default=True,
        help="Seconds of work allowed for one answer; an answer over it is stopped and gets 0 "
             "(category limit), the file's other answers are still graded.")(command)
