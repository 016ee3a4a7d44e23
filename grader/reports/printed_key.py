"""``grade key``: an assignment's reference answers, printed in one of the formats
:data:`grader.defaults.KEY_FORMATS` names.

Each format is one row of :data:`PRINTERS`: its name and the function that prints an answer key
in it (the printers are imported when a key is printed, so the CLI's ``--help`` stays light).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from grader.defaults import DEFAULT_KEY_FORMAT
from grader.errors import ConfigError

if TYPE_CHECKING:
    from grader.keys.answer_key import AnswerKey
    from grader.keys.catalog import Catalog

KEY_STUDENT = "KEY"  # the student id of the yaml answer file of a key that is nobody's


def _text(key: AnswerKey, student_id: str) -> str:  # for people
    from grader.keys.key_text import key_text
    return key_text(key)


def _json(key: AnswerKey, student_id: str) -> str:  # for tools
    from grader.keys.key_text import key_json
    return key_json(key)


def _yaml(key: AnswerKey, student_id: str) -> str:  # a complete answer file (the student id goes in it)
    from grader.keys.key_text import key_answer_file
    return key_answer_file(key, student_id=student_id)


def _markdown(key: AnswerKey, student_id: str) -> str:  # a worked solution (LaTeX)
    from grader.keys.worked_solution import worked_solution
    return worked_solution(key)


PRINTERS: dict[str, Callable[[AnswerKey, str], str]] = {"text": _text, "json": _json, "yaml": _yaml,
                                                        "markdown": _markdown}


def printed_key(catalog: Catalog, assignment: str, *, fmt: str = DEFAULT_KEY_FORMAT,
                student_id: str | None = None) -> str:
    """The key of ``assignment`` (an id, or the path of an assignment file) in format ``fmt``.

    A randomized assignment has one key per student: ``student_id`` says whose (a ConfigError
    without it, or when the course folder lacks the assignment: a public sheet holds no key).
    """
    from grader.judge.sheet_lookup import course_assignment

    template = course_assignment(catalog, assignment, needed_by="grade key")
    if template.randomized and student_id is None:
        raise ConfigError(f"{template.id} gives each student their own numbers: say whose with --student ID")
    answer_key = catalog.key(catalog.for_student(template, student_id or ""))
    return PRINTERS[fmt](answer_key, student_id or KEY_STUDENT)
