"""Dimension lines answer the shape questions (grader/judge/derivation/dimensions.py): a chain
ending in ``\\in \\mathbb{R}^{…}`` whose term before names a quantity (or its gradient, which
has its shape) answers the question asking that shape, graded as an answer file's shape is."""
import pytest

from grader.batch.writeup_grading import grade_writeup
from grader.results import CORRECT, TRANSPOSED

HEAD = "assignment: softmax-ce, student: s1\n\n"

# line → {question: (line of the answering term, outcome)}
CASES = [
    (r"$b^{(L-1)} \in \mathbb{R}^{C}$", {"task2b.dims": (3, CORRECT)}),
    (r"$$\nabla_{w^{(L-1)}} L \in \mathbb{R}^{C \times d_{L-1}}$$", {"task2a.dims": (3, CORRECT)}),
    (r"$$\frac{\partial L}{\partial w^{(L-1)}} \in \mathbb{R}^{d_{L-1} \times C}$$", {"task2a.dims": (3, TRANSPOSED)}),  # rows and columns swapped
    (r"$$\delta^{(L)} \in \mathbb{R}^{C}$$", {}),  # no question asks the shape of delta
    (r"$$b^{(L-1)} = \hat{y} - y$$", {}),  # a claim, not a shape
]


@pytest.mark.parametrize("line, expected", CASES)
def test_a_dimension_line_answers_the_shape_question(catalog, tmp_path, line, expected):
    path = tmp_path / "w.md"
    path.write_text(HEAD + line + "\n", encoding="utf-8")
    result = grade_writeup(path, tmp_path, catalog)
    got = {q.question: (result.writeup.answers[q.question].line, q.verdict.outcome) for q in result.questions
           if q.question.endswith(".dims") and q.question in result.writeup.answers}
    assert got == expected
