"""The write-up corpus with Jacobians (tests/corpora/writeups/cases.py): every step of each
write-up holds, but for the findings listed, each at its line with its status and flags; lines
the reader cannot read (transcription noise) are "not read", never "does not hold"."""
import pytest

from grader.io.writeups.reader import writeup_from_text
from grader.judge.derivation.steps import FAILS, HOLDS, NOT_CHECKED, NOT_READ
from grader.judge.derivation.writeup import judge_writeup
from tests.corpora.writeups.cases import CASES


def _judged(catalog, case):
    return judge_writeup(writeup_from_text(case.text(), file=f"{case.name}.md"), catalog.assignment(case.assignment))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_finding_at_its_line_and_nothing_else(catalog, case):
    judged = _judged(catalog, case)
    steps = [s for c in judged.chains for s in c.steps]
    found = sorted([(s.right.line, s.status, s.flags) for s in steps if s.status in (FAILS, NOT_READ)]
                   + [(n.line, NOT_READ, ()) for n in judged.writeup.not_read])
    assert found == sorted(case.findings)
    assert all(s.status in (HOLDS, NOT_CHECKED, FAILS, NOT_READ) for s in steps)


def test_the_corpus_covers_every_notation_and_mistake():
    text = " ".join(line for c in CASES for line in c.lines)
    for notation in (r"\frac{\partial J}{\partial z", r"\nabla_", r"\partial_{", r"\frac{\partial y_k}{\partial z_{k'}}",
                     r"\left(\frac{\partial z^{[l+1]}}{\partial a^{[l]}}\right)^T", r"\bar{z}_2 \frac{\partial z_2}{\partial h}"):
        assert notation in text, notation
    right = [c for c in CASES if not c.findings]
    wrong = [c for c in CASES if any(status == FAILS for _, status, _ in c.findings)]
    noise = [c for c in CASES if c.findings and all(status == NOT_READ for _, status, _ in c.findings)]
    assert len(right) >= 8 and len(wrong) >= 7 and noise


def test_noise_is_never_wrong(catalog):
    for case in CASES:
        if case.name.startswith("ocr"):
            judged = _judged(catalog, case)
            assert not [s for c in judged.chains for s in c.steps if s.status == FAILS]
