"""Where `grade check` finds what an answer file is checked against, and what only the course has.

For an answer file's assignment ``ID``, :class:`CheckSources` looks, in this order, at

1. ``--sheets DIR`` (``$GRADER_SHEETS``): ``DIR/ID.sheet.json``, a public sheet the course
   handed out (a student's repository holds one; asked for by name, so it comes first);
2. the course folder (``--course DIR``, default the current directory): ``reference/ID.yaml``,
   the assignment file itself (the course's machine);
3. the sheets shipped with the package (the sample assignments' only).

A key, a score or a hand-out needs the assignment file itself: :func:`course_assignment` says
so when only a sheet, or nothing, is found (a ConfigError: exit 2).
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from grader.course.assignment import Assignment
from grader.keys.catalog import Catalog
from grader.errors import ConfigError
from grader.judge.sheet import SUFFIX, Sheet, load_sheet


def shipped_sheets() -> Path:
    """The package's folder of public sheets."""
    return Path(str(files("grader.course.sheets")))


class CheckSources:
    """The assignment (course) or public sheet (student) for each assignment id, found once."""

    def __init__(self, catalog: Catalog, sheets: Path | None = None):
        self.catalog = catalog
        self.dirs = [Path(sheets)] if sheets else []
        self._found: dict[str, Assignment | Sheet | None] = {}

    def sheet_path(self, ident: str, *, shipped: bool = True) -> Path | None:
        if not ident or ident.startswith(".") or "/" in ident or "\\" in ident:
            return None  # an id, never a path (answer files' ids are checked so already)
        for d in [*self.dirs, *([shipped_sheets()] if shipped else [])]:
            if (d / f"{ident}{SUFFIX}").is_file():
                return d / f"{ident}{SUFFIX}"
        return None

    def find(self, ident: str) -> Assignment | Sheet | None:
        """What answers to ``ident`` are checked against (None: an unknown assignment)."""
        if ident not in self._found:
            given = self.sheet_path(ident, shipped=False)
            if given is not None:
                found = load_sheet(given)
            elif ident in self.catalog.known_ids():
                found = self.catalog.assignment(ident)
            else:
                shipped = self.sheet_path(ident)
                found = load_sheet(shipped) if shipped is not None else None
            if isinstance(found, Sheet) and found.id != ident:
                raise ConfigError(f"this sheet is for assignment '{found.id}', not '{ident}'", file=found.path)
            self._found[ident] = found
        return self._found[ident]


def course_assignment(catalog: Catalog, ident: str, *, needed_by: str) -> Assignment:
    """The course's assignment file for ``ident`` (an id, or the path of a file), or a ConfigError
    saying that ``needed_by`` (``grade key``, ``grade check --score``) needs it and where it
    belongs. Never a public sheet: a sheet holds no key."""
    as_path = Path(ident)
    if (as_path.suffix in (".yaml", ".yml", ".json") and as_path.is_file()) or ident in catalog.known_ids():
        return catalog.assignment(ident)
    sheet = CheckSources(catalog).sheet_path(ident)
    found = ("only its public sheet was found, which holds no key" if sheet is not None
             else "no such assignment in the course folder")
    raise ConfigError(f"{needed_by} needs the course's assignment file for '{ident}' ({found}): give the course "
                      f"folder holding reference/{ident}.yaml with --course DIR. Assignment files and keys belong "
                      f"on the course's machine (the autograder, a TA's computer), not a student's: students "
                      f"check their files against the public sheet (grade check).")
