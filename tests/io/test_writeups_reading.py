"""Reading write-ups into chains: each notation of a chain, the lines and columns of its terms,
what is not read and why, identity, formats, hostile files."""
import json

import pytest

from grader.errors import SubmissionError
from grader.io.writeups.reader import MAX_WRITEUP_BYTES, read_writeup, writeup_from_text

HEAD = "assignment: softmax-ce, student: s1\n"


def chains_of(body: str):
    w = writeup_from_text(HEAD + body, file="w.md")
    return [[(t.text, t.line, t.column) for t in c.terms] for c in w.chains], w


# (write-up body after the identity line, chains as [(term, line, column)...])
CHAINS = [
    ("$$a = b = c$$", [[("a", 2, 3), ("b", 2, 7), ("c", 2, 11)]]),
    (r"\[ a := b \]", [[("a", 2, 4), ("b", 2, 9)]]),
    (r"$$a \coloneqq b$$", [[("a", 2, 3), ("b", 2, 15)]]),
    ("text $x = 1$ more", [[("x", 2, 7), ("1", 2, 11)]]),
    ("inline $x$ without relation", []),
    (r"$$L = c \Rightarrow d = e$$", [[("L", 2, 3), ("c", 2, 7)], [("d", 2, 21), ("e", 2, 25)]]),
    (r"$$a = b \therefore c = d$$", [[("a", 2, 3), ("b", 2, 7)], [("c", 2, 20), ("d", 2, 24)]]),
    ("$$\\begin{aligned} a &= b \\\\\n &= c \\end{aligned}$$", [[("a", 2, 19), ("b", 2, 24), ("c", 3, 5)]]),
    ("\\begin{align}\n x &= y \\\\\n z &= w\n\\end{align}", [[("x", 3, 2), ("y", 3, 7)], [("z", 4, 2), ("w", 4, 7)]]),
    ("$$a = b$$\n\n$$= c$$", [[("a", 2, 3), ("b", 2, 7), ("c", 4, 5)]]),
    ("$$a$$\n$$= c$$", [[("a", 2, 3), ("c", 3, 5)]]),
    (r"$$W = \begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}$$",
     [[("W", 2, 3), (r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}", 2, 7)]]),
    (r"$$\underbrace{x}_{=1} = y$$", [[(r"\underbrace{x}_{=1}", 2, 3), ("y", 2, 25)]]),
    (r"$$b) \quad f = g$$", [[("f", 2, 12), ("g", 2, 16)]]),
    (r"$$(ii) \quad f = g,$$", [[("f", 2, 14), ("g", 2, 18)]]),
    (r"$$\text{Task 3 } d = e$$", [[("d", 2, 18), ("e", 2, 22)]]),
    (r"$$a = b \quad (\text{chain rule})$$", [[("a", 2, 3), ("b", 2, 7)]]),
    (r"$$\delta \in \mathbb{R}^C$$", [[(r"\delta", 2, 3), (r"\mathbb{R}^C", 2, 14)]]),
    (r"$$\phi'(x) = \begin{cases} 1 & x > 0 \\ 0 & \text{else} \end{cases}$$",
     [[("\\phi'(x)", 2, 3), (r"\begin{cases} 1 & x > 0 \\ 0 & \text{else} \end{cases}", 2, 14)]]),
    ("```\n$$a = b$$\n```\n$$c = d$$", [[("c", 5, 3), ("d", 5, 7)]]),
    (r"price \$5 = \$5", []),
]


@pytest.mark.parametrize("body, expected", CHAINS, ids=[c[0][:30] for c in CHAINS])
def test_chains_and_where_their_terms_are(body, expected):
    got, _ = chains_of(body)
    assert got == expected


# (body, [(line, reason fragment)]) : what is not read, at which line, why
NOT_READ = [
    ("$$a = b\n\nmore text", [(2, "$$ is never closed")]),
    ("$a = b\n\n$c = d$", [(2, "$ is never closed")]),
    (r"$$a = (b$$", [(2, "brackets that do not pair up")]),
    ("$$" + "{" * 50 + "x" + "}" * 50 + " = 1$$", [(2, "brackets that do not pair up (or nest more than 40")]),
    (r"$$x < 0$$", [(2, "an inequality (<)")]),
    ("$$\\begin{aligned} a &= b \\\\\n &= [(c) \\\\\n &= d \\\\\n &= e\\end{aligned}$$",
     [(3, "brackets that do not pair up")]),
    ("$$a = = b$$", [(2, "nothing on one side")]),
    ("$$" + "x + " * 6000 + "x = 1$$", [(2, "characters (limit 20000)")]),
]


@pytest.mark.parametrize("body, expected", NOT_READ, ids=[c[0][:30] for c in NOT_READ])
def test_not_read_with_line_and_reason(body, expected):
    _, w = chains_of(body)
    assert [(n.line, r if r in n.reason else n.reason) for n, (_, r) in zip(w.not_read, expected)] == expected
    assert len(w.not_read) == len(expected)


def test_rows_after_an_unreadable_row_chain_on_their_own():
    got, _ = chains_of("$$\\begin{aligned} a &= b \\\\\n &= [(c) \\\\\n &= d \\\\\n &= e\\end{aligned}$$")
    assert got == [[("a", 2, 19), ("b", 2, 24)], [("d", 4, 5), ("e", 5, 5)]]


def test_labels_tags_and_headings():
    body = ("# Task 1\n$$a = b \\tag{task1.delta_L}$$\n$$c = d$$\n## Task 2\n% answer: task2b.grad_b\n"
            "$$e = f$$\n<!-- answer: task3.delta_prev -->\n$$g = h$$\n")
    w = writeup_from_text(HEAD + body, file="w.md")
    assert [(c.label, c.heading) for c in w.chains] == [
        ("task1.delta_L", "Task 1"), (None, "Task 1"), ("task2b.grad_b", "Task 2"), ("task3.delta_prev", "Task 2")]


@pytest.mark.parametrize("text, expected", [
    ("---\nassignment: softmax-ce\nstudent: s9\n---\n$$a=b$$", ("softmax-ce", "s9")),
    ("% assignment: residual-softmax; student: s2\n", ("residual-softmax", "s2")),
    ("<!-- assignment: mlp-numeric student: x.y -->", ("mlp-numeric", "x.y")),
])
def test_identity_from_front_matter_or_first_line(text, expected):
    w = writeup_from_text(text, file="w.md")
    assert (w.assignment, w.student) == expected


def test_identity_from_the_path(tmp_path):
    (tmp_path / "softmax-ce").mkdir()
    (tmp_path / "softmax-ce" / "s7.md").write_text("$$a = b$$")
    (tmp_path / "s8_softmax-ce.tex").write_text("$$a = b$$")
    known = ("softmax-ce", "mlp-numeric")
    assert read_writeup(tmp_path / "softmax-ce" / "s7.md", known_assignments=known).student == "s7"
    w = read_writeup(tmp_path / "s8_softmax-ce.tex", known_assignments=known)
    assert (w.assignment, w.student) == ("softmax-ce", "s8")


def test_no_identity_is_an_error_naming_what_is_missing(tmp_path):
    (tmp_path / "w.md").write_text("student: s1\n$$a = b$$")
    with pytest.raises(SubmissionError) as e:
        read_writeup(tmp_path / "w.md")
    assert (e.value.category, e.value.line, e.value.file) == ("assignment", 1, str(tmp_path / "w.md"))
    (tmp_path / "v.md").write_text("$$a = b$$")
    with pytest.raises(SubmissionError) as e:
        read_writeup(tmp_path / "v.md")
    assert "no assignment and no student" in e.value.message


def test_bom_and_crlf_keep_lines(tmp_path):
    (tmp_path / "w.md").write_bytes(b"\xef\xbb\xbf" + (HEAD + "\r\n$$a = b$$\r\n$$c = d$$").encode())
    w = read_writeup(tmp_path / "w.md")
    assert [(c.line, c.terms[1].text) for c in w.chains] == [(3, "b"), (4, "d")]


@pytest.mark.parametrize("content, category", [
    (b"\xff\xfea\x00", "encoding"), (b"assignment: a, student: b\n\xc3(", "encoding"),
    (b"x" * (MAX_WRITEUP_BYTES + 1), "size"),
])
def test_hostile_bytes_are_refused(tmp_path, content, category):
    (tmp_path / "w.md").write_bytes(content)
    with pytest.raises(SubmissionError) as e:
        read_writeup(tmp_path / "w.md")
    assert e.value.category == category


def test_a_link_is_never_followed(tmp_path):
    (tmp_path / "real.md").write_text(HEAD + "$$a = b$$")
    (tmp_path / "link.md").symlink_to(tmp_path / "real.md")
    with pytest.raises(SubmissionError) as e:
        read_writeup(tmp_path / "link.md")
    assert e.value.category == "file"


def test_notebook_markdown_cells(tmp_path):
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "id": "a", "source": HEAD + "$$a = b$$"},
        {"cell_type": "code", "metadata": {}, "id": "b", "source": "x = 1", "outputs": [], "execution_count": None},
        {"cell_type": "markdown", "metadata": {}, "id": "c", "source": "$$c = d$$"}]}
    (tmp_path / "w.ipynb").write_text(json.dumps(nb))
    w = read_writeup(tmp_path / "w.ipynb")
    assert [[t.text for t in c.terms] for c in w.chains] == [["a", "b"], ["c", "d"]]
    assert w.lines[w.chains[1].line - 1] == "$$c = d$$"
    (tmp_path / "bad.ipynb").write_text("{not json")
    with pytest.raises(SubmissionError) as e:
        read_writeup(tmp_path / "bad.ipynb")
    assert e.value.category == "json"


def test_many_blocks_and_deep_text_read_quickly():
    body = "\n".join(f"$$a_{n} = b_{n} = c_{n}$$" for n in range(3000)) + "\n$$" + "(" * 5000 + "$$"
    got, w = chains_of(body)
    assert len(got) == 3000 and w.not_read[0].line == 3002
