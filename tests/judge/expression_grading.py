"""Grade one expression answer as the pipeline does: parse with the question's table, then
compare with the question's key (shared by the tables of expression answers)."""
from __future__ import annotations

from grader.judge.answers import parse_answer
from grader.judge.symbolic.equivalence import compare_expression, expression_key


def grade_one(catalog, assignment_id: str, question_id: str, text: str):
    """The verdict of ``text`` as the answer to ``question_id`` (raises AnswerError when unread)."""
    assignment = catalog.assignment(assignment_id)
    key = catalog.key(assignment)
    question = assignment.question(question_id)
    return compare_expression(parse_answer(question, text, key), expression_key(assignment, question, key[question.id].exact))
