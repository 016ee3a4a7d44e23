"""The CLI's choices and defaults are the library's constants, written once."""
from __future__ import annotations

import click
import pytest

from grader.batch.folder_identity import IDS_FROM, MISSING
from grader.cli import cli
from grader.integrations.gradescope import STDOUT_VISIBILITY, VISIBILITIES, VISIBILITY
from grader.judge.time_limits import ANSWER_SECONDS, FILE_SECONDS
from grader.defaults import DEFAULT_KEY_FORMAT, KEY_FORMATS
from grader.reports.printed_key import PRINTERS
from grader.reports.gradebooks import FORMATS


def option(command: str, name: str) -> click.Option:
    return next(p for p in cli.commands[command].params if p.name == name)


@pytest.mark.parametrize("command, name, choices, default", [
    ("run", "fmt", FORMATS, FORMATS[0]),
    ("run", "ids_from", IDS_FROM, IDS_FROM[0]),
    ("run", "missing", MISSING, MISSING[0]),
    ("key", "fmt", tuple(KEY_FORMATS), DEFAULT_KEY_FORMAT),
    ("gradescope", "visibility", VISIBILITIES, VISIBILITY),
    ("gradescope", "stdout_visibility", VISIBILITIES, STDOUT_VISIBILITY),
])
def test_choices_and_defaults_come_from_the_library(command, name, choices, default):
    got = option(command, name)
    assert tuple(got.type.choices) == tuple(choices)
    assert got.default == default


@pytest.mark.parametrize("command", ["run", "check", "gradescope", "prairielearn"])
def test_time_limit_defaults_come_from_the_library(command):
    assert option(command, "time_limit").default == ANSWER_SECONDS
    assert option(command, "file_time_limit").default == FILE_SECONDS


def test_every_key_format_has_its_printer():
    assert tuple(PRINTERS) == KEY_FORMATS


def test_grade_help_loads_no_numeric_library():
    """The choices shown by --help come from grader.defaults, which imports nothing heavy."""
    import subprocess
    import sys

    code = ("import sys; from grader.cli import cli; "
            "print(sorted(m for m in ('numpy', 'sympy', 'lark', 'pandas', 'jsonschema') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_every_key_format_prints_a_key(catalog):
    from grader.reports.printed_key import printed_key

    for fmt in KEY_FORMATS:
        assert "ex1a" in printed_key(catalog, "mlp-numeric", fmt=fmt), fmt
