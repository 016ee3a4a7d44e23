"""Numbers as written (grader/judge/derivation/written_numbers.py) and the steps they decide
(numeric_steps.py): each entry good to its digits, a matrix's entries sharing its most
significant digits, zeros and integers exact; a step holds within that and fails beyond it."""
import numpy as np
import pytest

from grader.io.writeups.model import EQUALS, Term
from grader.judge.derivation.numeric_steps import check_numeric_step
from grader.judge.derivation.numeric_values import numeric_scenarios
from grader.judge.derivation.steps import FAILS, HOLDS
from grader.judge.derivation.written_numbers import ROUNDING, written

M = r"\begin{{bmatrix}} {} \end{{bmatrix}}"

# text → (value, one unit in each entry's last place)
UNITS = [
    ("0.549834", [[0.549834]], [[1e-6]]),
    ("-0.13437", [[-0.13437]], [[1e-5]]),
    (M.format(r"-0.113937 \\ 0.13437"), [[-0.113937], [0.13437]], [[1e-6], [1e-6]]),  # numpy dropped a 0
    (M.format(r"0.0994943 & 0.1 & 0"), [[0.0994943, 0.1, 0.0]], [[1e-7, 1e-6, 0.0]]),  # 0.1 is 0.100000, 0 exact
    (M.format(r"1 & 0 \\ 10 & 0"), [[1, 0], [10, 0]], [[0, 0], [0, 0]]),  # integers: exact
    (M.format(r"0.3 & 1.1") + "^T", [[0.3], [1.1]], [[0.01], [0.1]]),  # transposed; 0.3 beside 1.1 is 0.30
    ("1.5e-3", [[0.0015]], [[1e-4]]),
]


@pytest.mark.parametrize("text, value, unit", UNITS)
def test_each_entry_is_good_to_its_digits(text, value, unit):
    w = written(text)
    assert w.value.tolist() == value
    np.testing.assert_allclose(w.unit, unit, rtol=1e-9, atol=0)
    np.testing.assert_allclose(w.allowed, ROUNDING * np.array(unit), rtol=1e-9, atol=0)


def test_words_are_not_numbers():
    assert written(r"x^{[1]}") is None and written(r"\sigma(z^{[1]})") is None


# x^{[1]} of Exercise 1 (a) is 0.5498339973 in each entry: (what the student wrote, the outcome)
X1 = [("0.549834", HOLDS), ("0.5498", HOLDS), ("0.55", HOLDS), ("0.5", HOLDS), ("0.549900", FAILS),
      ("0.5499", FAILS), ("0.54", FAILS), ("0.7", FAILS), ("0.549835", FAILS)]


@pytest.mark.parametrize("entry, outcome", X1)
def test_a_step_holds_within_the_digits_and_fails_beyond(catalog, entry, outcome):
    ex1a = next(s for s in numeric_scenarios(catalog.assignment("mlp-numeric"), "1") if s.scenario.name == "ex1a")
    right = Term(M.format(r" \\ ".join([entry] * 3)), 3, 1)
    step, _ = check_numeric_step(Term(r"\sigma(z^{[1]})", 3, 1), EQUALS, right, ex1a)
    assert step.status == outcome
