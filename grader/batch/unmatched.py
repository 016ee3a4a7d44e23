"""A run in which no answer file could be matched to a known assignment stops (exit 1).

Run from a folder without the course's ``reference/``, every file names an assignment we do
not know: each would be a rejected row, Canvas and Moodle files would have no column, and
the run would look complete. When not one file of the folder can be matched to a known
assignment, :func:`require_some_match` raises a :class:`GraderError` (exit 1, like "nothing
to grade") naming what the files asked for and where assignments were looked for, with the
hint to run from the course folder or give ``--course DIR``. No gradebook is written then, so
an earlier one is left as it was. One file matched is enough: the others are rejected rows
as before.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from grader.errors import GraderError
from grader.io.answer_files import shown_name

SHOWN_NAMES = 3  # unknown assignment names quoted in the message
NAME_CHARS = 40


def require_some_match(folder: Path, summaries, catalog) -> None:
    """Raise GraderError when no result belongs to an assignment the catalog knows."""
    known = set(catalog.known_ids())
    if not summaries or any(s.assignment in known for s in summaries):
        return
    asked = Counter(s.assignment for s in summaries if s.assignment)
    unread = sum(1 for s in summaries if not s.assignment)
    parts = []
    if asked:
        names = ", ".join(f"'{_shown(a)}'" for a, _ in asked.most_common(SHOWN_NAMES))
        parts.append(f"{sum(asked.values())} name an assignment not found ({names}"
                     f"{', ...' if len(asked) > SHOWN_NAMES else ''})")
    if unread:
        parts.append(f"{unread} could not be read")
    here = Path(catalog.root) / "reference"
    looked = f"{shown_name(str(here))}{'' if here.is_dir() else ' (no such folder)'}"
    raise GraderError(
        f"{folder}: no answer file could be matched to a known assignment ({'; '.join(parts)}); "
        f"known: {', '.join(sorted(known)) or 'none'} (looked in {looked}). Run grade from the course folder "
        "(the one holding reference/ and rubrics/) or give --course DIR; no gradebook written",
        category="assignment")


def _shown(name: str) -> str:
    text = shown_name(str(name))
    return text if len(text) <= NAME_CHARS else text[:NAME_CHARS] + "..."
