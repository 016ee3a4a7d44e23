"""The salt rule: a randomized assignment is graded or handed out with the course secret, or
without it only on purpose.

Each student's numbers are drawn from SHA-256 of (assignment, student, salt). Grading with no
salt uses the unsalted draws, which are not the numbers a class handed out with a salt got: a
right student then scores as wrong, with nothing said. So a run that draws a randomized
assignment's numbers (``grade FOLDER``, ``grade gradescope``, ``grade prairielearn``, ``grade
handout``, ``grade key --student``) stops with a :class:`ConfigError` (exit 2) unless a salt is
set (``--salt`` or ``$GRADER_SALT``) or the unsalted draws are asked for on purpose
(``--unsalted``, or a class folder's ``grader.yaml`` saying ``unsalted: <why>``, see
:mod:`grader.course.class_settings`). Fixed assignments never need a salt.
"""
from __future__ import annotations

from grader.errors import ConfigError


def require_salt(assignment, *, salt: str, unsalted: bool) -> None:
    """Raise ConfigError when ``assignment`` is randomized, no salt is set and the unsalted
    draws were not asked for on purpose."""
    if getattr(assignment, "randomized", False) and not salt and not unsalted:
        raise ConfigError(
            f"{assignment.id} gives each student their own numbers, drawn from the course secret, but no salt "
            "is set: grading or handing out without it uses other numbers than the students got. Give the "
            "course's --salt SECRET (or set $GRADER_SALT), the same as for grade handout; or --unsalted to "
            "use the unsalted draws on purpose")


def unsalted_note(result) -> str | None:
    """For a run that drew randomized assignments without a salt on purpose, the line that says
    so on stderr (such a run is never silent); None otherwise. ``result`` is a ClassResult."""
    catalog = result.catalog
    if catalog.salt or not catalog.unsalted:
        return None
    known = set(catalog.known_ids())
    drawn = sorted({s.assignment for s in result.students.summaries()
                    if s.assignment in known and catalog.assignment(s.assignment).randomized})
    if not drawn:
        return None
    return (f"note: {', '.join(drawn)} graded with the unsalted draws, on purpose (--unsalted, or the class "
            "folder's grader.yaml); a course that handed out salted numbers must give its --salt")
