"""Numeric write-ups (mlp-numeric, seed 004's kind), each step checked with its exercise's own
numbers (grader/judge/derivation/numeric_steps.py): right chains hold however far the student
rounds, as long as the digits written are right; each classic arithmetic or update mistake is
found at its line with the flag it must carry; transcription noise is not read, never wrong.
The files are named for what they hold (``<mistake>_line<N>.md``)."""
from pathlib import Path

import pytest

from grader.judge.derivation.steps import FAILS, HOLDS, NOT_READ
from tests.judge.writeup_judging import judge_folder

CORPUS = Path(__file__).parent / "writeups" / "numeric"

# file → every step that does not hold: (line, flags, the entry the reason names or None)
FINDINGS = {
    "right_ex1_rounded.md": [],  # 0.55 and 0.1139 for 0.549834 and -0.113937: rounded, right
    "right_ex2_batch_aligned.tex": [],  # LaTeX align and \[ \], part (b)'s batch, b - 0.1 [..] = [..]
    "arithmetic_slip_line3.md": [(3, (), "(2, 1)")],  # 0.3 where w x + b is 0.2
    "rounding_beyond_digits_line4.md": [(4, (), "(1, 1)")],  # 0.541900 for 0.541144 (0.5498 on line 3 holds)
    "update_sign_line4.md": [(4, ("loss-gradient-sign", "update-sign"), "(1, 1)")],  # w + eta g (the same numbers)
    "eta_forgotten_line4.md": [(4, ("learning-rate",), "(1, 1)")],  # part (b), eta = 0.1: w - g
    "gradient_transposed_line3.md": [(3, ("shape", "transposed-answer"), None)],  # dE/dw^{[2]} written 3×2
    "batch_mean_line3.md": [(3, ("batch-sum-vs-mean",), "(1, 1)")],  # the batch averaged where it is summed
    "delta_sign_line3.md": [(3, ("loss-gradient-sign",), "(1, 1)")],  # z - x^{[2]} for x^{[2]} - z
    "ocr_noise.md": [],
}


@pytest.fixture(scope="module")
def judged(catalog):
    return judge_folder(catalog, CORPUS)


def test_the_corpus_is_all_listed():
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(FINDINGS)


@pytest.mark.parametrize("name", sorted(FINDINGS))
def test_each_mistake_at_its_line_with_its_flags(judged, name):
    fails = [s for c in judged[name].chains for s in c.steps if s.status == FAILS]
    assert [(s.right.line, s.flags) for s in fails] == [(line, flags) for line, flags, _ in FINDINGS[name]]
    for s, (_, _, entry) in zip(fails, FINDINGS[name]):
        assert entry is None or entry in s.reason


@pytest.mark.parametrize("name, count", [("right_ex1_rounded.md", 12), ("right_ex2_batch_aligned.tex", 9)])
def test_a_right_numeric_writeup_holds_at_every_step(judged, name, count):
    steps = [s for c in judged[name].chains for s in c.steps]
    assert len(steps) == count and all(s.status == HOLDS for s in steps)


def test_the_update_reads_the_old_parameter_on_the_right(judged):
    chain = next(c for c in judged["update_sign_line4.md"].chains if c.chain.line == 4)
    assert [s.status for s in chain.steps] == [HOLDS, FAILS]  # w = w - eta g holds: it is the update


def test_noise_is_not_read_never_wrong(judged):
    j = judged["ocr_noise.md"]
    assert {n.line for n in j.not_read} >= {4, 5, 6}
    assert all(s.status in (HOLDS, NOT_READ) for c in j.chains for s in c.steps)
