"""`python -m grader` and `python -m grader.cli` run `grade`; `--version` prints the version
of the installed package's metadata (pyproject.toml's, the one place it is written)."""
from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import pytest
from click.testing import CliRunner

import grader
from grader.cli import cli

VERSION = version("backprop-grader")


def test_the_package_version_is_the_metadata_version():
    assert grader.__version__ == VERSION


def test_version_option_prints_the_metadata_version():
    result = CliRunner().invoke(cli, ["--version"], prog_name="grade")
    assert result.exit_code == 0
    assert result.output == f"grade, version {VERSION}\n"


@pytest.mark.parametrize("module", ["grader", "grader.cli"])
def test_python_dash_m_runs_grade(module):
    done = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"grade, version {VERSION}\n"
    helped = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "grade FOLDER" in helped.stdout and "selftest" in helped.stdout
