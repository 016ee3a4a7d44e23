"""A class folder's own settings: ``grader.yaml`` at the top of the folder given to ``grade``.

It is not an answer file (discovery skips it, :func:`grader.io.answer_files.discover`). One key so
far::

    unsalted: "demo class: the sample files were drawn without a salt"

states that the folder's randomized files are graded with the unsalted draws on purpose (see
:mod:`grader.course.salt_rule`); the reason must be a non-empty text. A real course sets its salt
instead and has no such line. Any other key, or a file that is not a mapping, is a
ConfigError: a setting we do not know must not be ignored in silence.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.errors import ConfigError, SubmissionError
from grader.io.safe_load import load_file
from grader.io.answer_files import SETTINGS_FILE
KEYS = ("unsalted",)


@dataclass(frozen=True)
class ClassSettings:
    unsalted: str = ""  # why the folder is graded without a salt on purpose ("" = it is not)


def read_class_settings(folder: Path) -> ClassSettings:
    """The settings in ``folder/grader.yaml`` (defaults when there is none)."""
    path = Path(folder) / SETTINGS_FILE
    if not path.is_file() or path.is_symlink():
        return ClassSettings()
    try:
        data = load_file(path).data
    except SubmissionError as e:
        raise ConfigError(f"class settings: {e.message}", file=str(path), line=e.line) from None
    if not isinstance(data, dict):
        raise ConfigError("class settings must be a mapping (e.g. unsalted: \"why\")", file=str(path))
    unknown = sorted(str(k) for k in data if k not in KEYS)
    if unknown:
        raise ConfigError(f"unknown class setting(s) {', '.join(unknown)} (known: {', '.join(KEYS)})", file=str(path))
    unsalted = data.get("unsalted", "")
    if not isinstance(unsalted, str) or ("unsalted" in data and not unsalted.strip()):
        raise ConfigError("unsalted: give the reason as a text, e.g. unsalted: \"demo class\"", file=str(path))
    return ClassSettings(unsalted=unsalted.strip())
