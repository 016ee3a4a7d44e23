"""Any text a student hands in is read and judged without an exception of ours: random mixes of
the delimiters, relations, brackets and commands a write-up is made of."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.errors import SubmissionError
from grader.io.writeups.reader import writeup_from_text
from grader.judge.derivation.steps import FAILS, HOLDS, NOT_CHECKED, NOT_READ
from grader.judge.derivation.writeup import judge_writeup
from grader.keys.catalog import Catalog

PIECES = ["$$", "$", "\\[", "\\]", "\\begin{aligned}", "\\end{aligned}", "\\begin{align}", "\\end{align}", "&=", "=",
          ":=", "\\\\", "\\Rightarrow", "\\quad", "\\text{Let }", "{", "}", "(", ")", "[", "]", "\\left(", "\\right)",
          "\\hat{y}", "y", "\\delta^{(L)}", "\\frac{\\partial L}{\\partial w^{(L-1)}}", "\\bar{x}", "x", "_j", "^T",
          "+", "-", "\\sum_{i=1}^C", "\\phi'(x)", "\\mathbb{1}\\{x \\neq 0\\}", "<", "\\in", "\\mathbb{R}^C", "\n",
          "\n\n", "# Task 1\n", "% answer: task1.delta_L\n", "Show that", ".", "\\tag{task2a.grad_W}", "\r\n",
          "\u202e", "\x00", "```\n", "0.5", "\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}"]


@pytest.fixture(scope="module")
def assignment():
    return Catalog().assignment("softmax-ce")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_any_writeup_is_read_and_judged(assignment, pieces):
    text = "assignment: softmax-ce, student: s1\n" + "".join(pieces)
    try:
        w = writeup_from_text(text, file="w.md")
    except SubmissionError:
        return
    lines = len(w.lines)
    assert all(1 <= n.line <= lines for n in w.not_read)
    assert all(1 <= t.line <= lines and t.text for c in w.chains for t in c.terms)
    j = judge_writeup(w, assignment)
    assert {s.status for c in j.chains for s in c.steps} <= {HOLDS, FAILS, NOT_READ, NOT_CHECKED}
