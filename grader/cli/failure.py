"""How a ``grade`` command ends on a :class:`~grader.errors.GraderError`: its text on stderr and
the exit code of its kind (2 configuration, 3 output, 1 otherwise)."""
from __future__ import annotations

import sys

import click

from grader.errors import OUTPUT_EXIT, ConfigError, GraderError, OutputError


def fail(error: GraderError) -> None:
    """Print ``error`` and exit with its code."""
    click.echo(error.describe(), err=True)
    sys.exit(2 if isinstance(error, ConfigError) else OUTPUT_EXIT if isinstance(error, OutputError) else 1)
