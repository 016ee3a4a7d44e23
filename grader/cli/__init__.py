"""The ``grade`` command. Thin: click parses options and calls one library function.

Each command lives with its kin: :mod:`grader.cli.run_command` (``grade FOLDER``),
:mod:`grader.cli.course_commands` (``check``, ``key``, ``handout``, ``publish``, ``selftest``),
:mod:`grader.cli.integrations` (``gradescope``, ``prairielearn``), :mod:`grader.cli.serve_command`
(``serve``, ``serve tokens``, ``serve regrade``); options several share are in
:mod:`grader.cli.options`, and how a command ends on an error in :mod:`grader.cli.failure`.
Choices and defaults (formats, visibilities, time limits, ...) are the library's constants.
This package is the only importer of click.

Exit codes: 0 the run completed (students may have lost points); 1 the run could not proceed
(no answer files), or ``grade check`` found problems; 2 a configuration error (assignment or
rubric) or a usage error; 3 an output cannot be written (a missing or read-only folder, a path
that is a folder, a full disk: checked before the work where it can be, and no output changed).
"""
from __future__ import annotations

import atexit
import gc
import sys

import click

from grader.cli.course_commands import check, handout, key, publish, selftest
from grader.cli.integrations import gradescope, prairielearn
from grader.cli.run_command import run
from grader.cli.serve_command import serve

PACKAGE = "backprop-grader"  # the distribution whose metadata holds the version


class _DefaultToRun(click.Group):
    """``grade submissions/`` means ``grade run submissions/``."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultToRun, context_settings={"help_option_names": ["-h", "--help"]},
             commands=[run, check, key, handout, publish, selftest, gradescope, prairielearn, serve])
@click.version_option(package_name=PACKAGE)
def cli():
    """Grade backpropagation homework: `grade FOLDER` grades every answer file under FOLDER."""


def main() -> None:
    """The ``grade`` console script (and ``python -m grader``)."""
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
