"""Numbers in a write-up answer the numeric questions of their exercise (grader/judge/derivation/numbers.py):
the section picks the exercise, the name the quantity, the numbers the part."""
from pathlib import Path

import pytest

from grader.io.writeups.reader import writeup_from_text
from grader.judge.derivation.numbers import exercise_of
from grader.judge.derivation.writeup import judge_writeup
from grader.keys.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
HEAD = "assignment: mlp-numeric, student: s1\n"
W2_NEW_EX1 = r"\begin{bmatrix} 0.162647 & 0.162647 & 0.162647 \\ 0.0261188 & 0.0261188 & 0.0261188 \end{bmatrix}"
X1_EX1A = r"\begin{bmatrix} 0.549834 \\ 0.549834 \\ 0.549834 \end{bmatrix}"
X1_EX1B = r"\begin{bmatrix} 0.549584 \\ 0.549584 \\ 0.549584 \end{bmatrix}"
X3_BATCH = r"\begin{bmatrix} 0.3333 & 0.3333 \\ 0.3333 & 0.3333 \\ 0.3333 & 0.3333 \end{bmatrix}"

# write-up body → {question: line of the answering chain}, and questions that must stay unanswered
CASES = [
    # a parameter's name with its new value answers "after the update"; the section is a heading
    (f"# Exercise 1\n$$w^{{[2]}} = w^{{[2]}} - \\eta \\frac{{\\partial E}}{{\\partial w^{{[2]}}}} = {W2_NEW_EX1}$$",
     {"ex1a.W2_new": 3}, ["ex2a.W2_new"]),
    # the nearer part wins where both are within tolerance (x_new's x^{[1]} is 0.05% from the training one's)
    (f"1. train\n$$x^{{[1]}} = \\sigma(z^{{[1]}}) = {X1_EX1A}$$\n\n$$x^{{[1]}} = {X1_EX1B}$$",
     {"ex1a.x1": 3, "ex1b.x1": 5}, []),
    # \text{softmax}(z) is a function, not prose; "Ex. 3" picks exercise 3, the 3×2 shape part (b)
    (f"## Ex. 3\n$$x^{{[3]}} = \\text{{softmax}}(z^{{[3]}}) = {X3_BATCH}$$", {"ex3b.x3": 3}, ["ex3a.x3", "ex2b.x3"]),
    # a symbolic chain answers no numeric question
    ("# Exercise 1\n$$x^{[1]} = \\sigma(z^{[1]})$$", {}, ["ex1a.x1"]),
]


@pytest.fixture(scope="module")
def numeric():
    catalog = Catalog(root=ROOT)
    assignment = catalog.assignment("mlp-numeric")
    return assignment, catalog.key(assignment)


@pytest.mark.parametrize("body, answered, unanswered", CASES)
def test_numbers_answer_the_question_their_section_name_and_values_pick(numeric, body, answered, unanswered):
    assignment, key = numeric
    judged = judge_writeup(writeup_from_text(HEAD + body, file="w.md"), assignment, key=key)
    got = {q: t.line for q, t in judged.answers.items()}
    assert {q: got.get(q) for q in answered} == answered
    assert not set(unanswered) & set(got)
    if not answered:
        assert got == {}


def test_a_part_answered_by_another_parts_numbers_carries_the_batch_flag(numeric):
    assignment, key = numeric
    w3 = r"\begin{bmatrix} 0.0796566 & 0.0796566 & 0.0796566 \\ 0.100977 & 0.100977 & 0.100977 \\ 0.119366 & 0.119366 & 0.119366 \end{bmatrix}"
    judged = judge_writeup(writeup_from_text(HEAD + f"3. Repeat\n$$w^{{[3]}} = {w3}$$", file="w.md"), assignment, key=key)
    assert {q: t.line for q, t in judged.answers.items()} == {"ex3a.W3_new": 3, "ex3b.W3_new": 3}
    assert judged.number_flags == {"ex3a.W3_new": ("whole-batch-vs-single",)}


@pytest.mark.parametrize("qid, number", [("ex3a.W3_new", "3"), ("task12b.x", "12"), ("final.x", "")])
def test_exercise_of(qid, number):
    assert exercise_of(qid) == number


@pytest.mark.parametrize("text, exercises", [
    ("1. Consider\n$$a = 1$$\n2. Next\n$$b = 2$$", ["1", "2"]),
    ("# Exercise 3 (b)\n$$a = 1$$\n## Ex. 2\n$$b = 2$$", ["3", "2"]),
    # under a heading that names no exercise, numbered items are its list: no exercise
    ("1. Consider\n$$a = 1$$\n## Additional derivatives\n2. Let's\n$$b = 2$$", ["1", ""]),
])
def test_the_exercise_a_chain_sits_in(text, exercises):
    assert [c.exercise for c in writeup_from_text(HEAD + text, file="w.md").chains] == exercises


@pytest.mark.parametrize("numbers", [r"\begin{bmatrix} 1e999999 \\ 0 \\ 0 \end{bmatrix}",
                                     r"\begin{bmatrix} nan \\ inf \\ 0 \end{bmatrix}",
                                     r"\begin{bmatrix} 0.1 & \\ 0.2 \end{bmatrix}",
                                     "[" + " ".join(["9" * 400] * 3) + "]^T"])
def test_numbers_the_answer_reader_refuses_answer_nothing(numeric, numbers):
    assignment, key = numeric
    judged = judge_writeup(writeup_from_text(HEAD + f"# Exercise 1\n$$x^{{[1]}} = {numbers}$$", file="w.md"),
                           assignment, key=key)
    assert judged.answers == {}  # the line is not read as numbers: no question is answered by it
    assert [c.question for c in judged.chains] == [None]
