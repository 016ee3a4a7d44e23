"""``grade check WRITEUP``: which line answers which question, what is not read and why; no
verdicts (check must not be an oracle)."""
from pathlib import Path

from click.testing import CliRunner

from grader.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return CliRunner().invoke(cli, ["check", "--course", str(ROOT), *args])


def test_lists_answering_lines_and_what_is_not_read(tmp_path):
    w = tmp_path / "w.md"
    w.write_text("assignment: softmax-ce, student: s1\n\n$$\\delta^{(L)} = y - \\hat{y}$$\n"
                 "$$\\frac{\\partial L}{\\partial \\tilde{z}^{(L)}} = \\hat{y} - y$$\n$$a = (b$$\n", encoding="utf-8")
    result = run(str(w))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert f"{w}:4: task1.delta_L: answered by \\hat{{y}} - y" in lines
    assert any(line.startswith(f"{w}:5: not read (brackets that do not pair up") for line in lines)
    assert not any("holds" in line or "wrong" in line or "does not" in line for line in lines)
    assert lines[-1] == "1 file(s) well-formed"


def test_a_writeup_without_identity_is_a_problem(tmp_path):
    w = tmp_path / "w.tex"
    w.write_text("$$a = b$$", encoding="utf-8")
    result = run(str(w))
    assert result.exit_code == 1
    assert f"{w}:1: the write-up names no assignment and no student" in result.output


def test_seed_writeup_and_answer_file_together():
    result = run(str(ROOT / "submissions" / "writeups" / "seed003_residual-softmax.md"),
                 str(ROOT / "submissions" / "s1001_all_correct.yaml"))
    assert result.exit_code == 0
    assert any(":50: q1c.xbar: answered by" in line for line in result.output.splitlines())


def test_numbers_are_listed_for_every_part_their_shape_fits_never_by_value():
    """Seed 004: which part the numbers are right for is a verdict, so check lists every part of
    the exercise whose shape they have (x_new's x^{[1]} at line 68 as well as the training one's)."""
    seed = ROOT / "submissions" / "writeups" / "seed004_mlp-numeric.md"
    result = run(str(seed))
    assert result.exit_code == 0
    lines = [line.split(": answered by")[0] for line in result.output.splitlines() if ": answered by" in line]
    for line in (34, 68):
        assert f"{seed}:{line}: ex1a.x1 or ex1b.x1 (the part its numbers are for)" in lines
    assert f"{seed}:143: ex3b.x3 (the part its numbers are for)" in lines  # one column per example: (b)'s shape
    assert f"{seed}:157: ex3a.W3_new or ex3b.W3_new (the part its numbers are for)" in lines
    assert not any("holds" in line or "wrong" in line or "correct" in line for line in result.output.splitlines())
