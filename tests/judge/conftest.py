import pytest

from tests.judge.expression_grading import grade_one


@pytest.fixture(scope="module")
def grade(catalog):
    """``grade(assignment_id, question_id, text)``: one expression answer's verdict."""
    return lambda assignment_id, question_id, text: grade_one(catalog, assignment_id, question_id, text)
