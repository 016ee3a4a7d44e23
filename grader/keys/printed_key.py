"""``grade key``: an assignment's reference answers, printed in one of the formats of :data:`KEY_FORMATS`.

Each format is one row: its name and the function that prints an answer key in it. The CLI
takes its ``--format`` choices and default from here.
"""
from __future__ import annotations

from collections.abc import Callable

from grader.course.sheet_lookup import course_assignment
from grader.errors import ConfigError
from grader.keys.answer_key import AnswerKey
from grader.keys.catalog import Catalog
from grader.keys.key_text import key_answer_file, key_json, key_text
from grader.keys.worked_solution import worked_solution

# name → how a key prints in it (the student id goes into the yaml answer file only)
KEY_FORMATS: dict[str, Callable[[AnswerKey, str], str]] = {
    "text": lambda key, student_id: key_text(key),  # for people
    "json": lambda key, student_id: key_json(key),  # for tools
    "yaml": lambda key, student_id: key_answer_file(key, student_id=student_id),  # a complete answer file
    "markdown": lambda key, student_id: worked_solution(key),  # a worked solution (LaTeX)
}
DEFAULT_KEY_FORMAT = "text"
KEY_STUDENT = "KEY"  # the student id of the yaml answer file of a key that is nobody's


def printed_key(catalog: Catalog, assignment: str, *, fmt: str = DEFAULT_KEY_FORMAT,
                student_id: str | None = None) -> str:
    """The key of ``assignment`` (an id, or the path of an assignment file) in format ``fmt``.

    A randomized assignment has one key per student: ``student_id`` says whose (a ConfigError
    without it, or when the course folder lacks the assignment: a public sheet holds no key).
    """
    template = course_assignment(catalog, assignment, needed_by="grade key")
    if template.randomized and student_id is None:
        raise ConfigError(f"{template.id} gives each student their own numbers: say whose with --student ID")
    answer_key = catalog.key(catalog.for_student(template, student_id or ""))
    return KEY_FORMATS[fmt](answer_key, student_id or KEY_STUDENT)
