"""Whose work a file is: what the platform vouches for, never what the file claims.

An answer file says ``student: {id: s1004}``, but anyone can type any id. Whose numbers a
randomized assignment is graded with, and whose gradebook row a file fills, must come from
what the platform hands us with the file:

* **Gradescope**: ``submission_metadata.json``'s ``users`` (:func:`gradescope_people`): the
  student is ``sid`` (the student id as the course's roster knows it) when Gradescope has one,
  else Gradescope's own user ``id``; name and email from there too. A group submission has
  several users: the file's claim picks among them when it names one (the group chose whose
  numbers to solve), else the member with the smallest id; the report names the group.
* **PrairieLearn** (:func:`prairielearn_draw`): the variant's numbers are drawn from
  ``params.variant`` (set by the question's ``generate()``) or else from PrairieLearn's
  ``variant_seed`` (``pl-<seed>``), never from the file.
* **a class folder** (``grade FOLDER --ids-from folder``): the folder each file is in
  (:mod:`grader.batch.folder_identity`).

A file whose claim differs is graded as the platform's student, and its notes say so:
``the file names student s1001, but Gradescope's submitter is s1004: graded as s1004``. The
claimed id is shown escaped (:func:`grader.io.answer_files.shown_name`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from grader.errors import ConfigError
from grader.io.answer_files import Submission, shown_name

MAX_TEXT = 200  # a name or email kept from a platform, as from an answer file


@dataclass(frozen=True)
class Person:
    """A student as a platform (or a roster) vouches for them."""

    student_id: str
    name: str = ""
    email: str = ""


def vouched(sub: Submission, people: tuple[Person, ...], *, platform: str) -> tuple[Submission, tuple[str, ...]]:
    """``sub`` as the work of the platform's student (``people``: one, or a group), and the
    notes saying so. The file's claim counts only to pick a member of the group it names."""
    if not people:
        raise ConfigError(f"{platform} names no student for this submission")
    claim = sub.student_id
    chosen = next((p for p in people if p.student_id == claim), None) or min(people, key=lambda p: p.student_id)
    notes = []
    if len(people) > 1:
        members = ", ".join(p.student_id for p in sorted(people, key=lambda p: p.student_id))
        notes.append(f"group submission of {members}: graded as {chosen.student_id}"
                     + ("" if chosen.student_id == claim else " (the member with the smallest id; the file names "
                                                              "none of the group)"))
    if claim and claim != chosen.student_id and len(people) == 1:
        notes.append(f"the file names student {shown_name(claim)}, but {platform}'s submitter is "
                     f"{chosen.student_id}: graded as {chosen.student_id}")
    elif claim and claim != chosen.student_id:
        notes.append(f"the file names student {shown_name(claim)}, who is not in the group")
    return replace(sub, student_id=chosen.student_id, name=chosen.name, email=chosen.email), tuple(notes)


def _text(value) -> str:
    return str(value).strip()[:MAX_TEXT] if isinstance(value, (str, int)) and not isinstance(value, bool) else ""


def gradescope_people(metadata: dict) -> tuple[Person, ...]:
    """The students of a Gradescope submission from ``submission_metadata.json``: per user
    ``sid`` (the course's student id) when set, else Gradescope's user ``id``; ``name``,
    ``email``. Users without either id are left out; a ConfigError when none is left."""
    users = metadata.get("users") if isinstance(metadata, dict) else None
    people = []
    for user in users if isinstance(users, list) else []:
        if not isinstance(user, dict):
            continue
        sid = _text(user.get("sid")) or _text(user.get("id"))
        if sid:
            people.append(Person(sid, _text(user.get("name")), _text(user.get("email"))))
    if not people:
        raise ConfigError("submission_metadata.json names no user (users: [{id, sid, name, email}])")
    return tuple(people)


def prairielearn_draw(data: dict) -> str | None:
    """Whose numbers a PrairieLearn job is graded with: ``params.variant`` (a string the
    question's ``generate()`` set, e.g. to show the student those numbers), else
    ``pl-<variant_seed>``; None when the job gives neither."""
    params = data.get("params") if isinstance(data.get("params"), dict) else {}
    named = _text(params.get("variant"))
    if named:
        return named
    seed = _text(data.get("variant_seed"))
    return f"pl-{seed}" if seed else None
