"""Backprop grader: grades neural-network backpropagation homework.

Pipeline (see :mod:`grader.batch.orchestrator`): read answer files → parse answers → compare with the
reference engine's key → score with the rubric → report.
"""
from importlib.metadata import PackageNotFoundError, version

try:  # one place for the version: pyproject.toml, read back from the installed package's metadata
    __version__ = version("backprop-grader")
except PackageNotFoundError:  # a source tree run without installing it (PYTHONPATH=.)
    __version__ = "unknown"
