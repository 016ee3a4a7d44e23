"""The engine against every number seed 004 prints, to the digits it prints.

The printed numbers live in ``submissions/s1003_seed004_transcription.yaml`` (the student's
own write-up, transcribed); each is compared with the key rounded to as many significant
digits as the student printed.
"""
import re
from fractions import Fraction

import numpy as np
import pytest

from grader.io.safe_load import load_file
from tests.conftest import SUBMISSIONS

TRANSCRIPTION = load_file(SUBMISSIONS / "s1003_seed004_transcription.yaml").data["answers"]
# The student wrote Ex 3's hidden deltas as 2x2 matrices: wrong shape, checked separately.
PRINTED = {q: v for q, v in TRANSCRIPTION.items() if q not in ("ex3b.delta2", "ex3b.delta1", "ex1b.class")}
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _literals(raw) -> list[str]:
    text = raw if isinstance(raw, str) else str(raw)
    return NUMBER.findall(text.replace("bmatrix", ""))


def _significant(literal: str) -> int:
    digits = literal.lstrip("-").replace(".", "").lstrip("0")
    return max(len(digits), 1)


@pytest.mark.parametrize("qid", sorted(PRINTED))
def test_key_reproduces_seed004_printed_value(mlp_key, qid):
    literals = _literals(PRINTED[qid])
    key = mlp_key[qid].value.ravel()  # row-major, as the seed writes matrices
    assert len(literals) == key.size, f"{qid}: {len(literals)} printed numbers, key has {key.size}"
    for lit, k in zip(literals, key):
        n = _significant(lit)
        assert float(f"{k:.{n}g}") == pytest.approx(float(lit), abs=1e-15), f"{qid}: key {k!r} vs printed {lit}"


@pytest.mark.parametrize("qid, expected", [
    ("ex1a.W2_new", [[0.162647] * 3, [0.0261188] * 3]),
    ("ex1a.b2_new", [[0.113937], [-0.13437]]),
    ("ex1b.x2", [[0.59438], [0.477189]]),
])
def test_issue_examples(mlp_key, qid, expected):
    np.testing.assert_allclose(mlp_key[qid].value, expected, rtol=5e-6)


def test_class_of_x_new_is_the_first(mlp_key):
    assert mlp_key["ex1b.class"].value.tolist() == [[1]]
    assert mlp_key["ex1b.class"].tied == ((1,),)


@pytest.mark.parametrize("qid", ["ex3a.delta2", "ex3a.delta1", "ex3b.delta2", "ex3b.delta1",
                                 "ex3b.dW2", "ex3b.db1", "ex3a.dW1"])
def test_softmax_hidden_deltas_are_exactly_zero(mlp_key, qid):
    entry = mlp_key[qid]
    # the key's own values: exact rationals (a sympy number before issue 19 made the key fast)
    assert all(x == 0 and isinstance(x, Fraction) for x in entry.exact.ravel())
    assert not entry.value.any()


def test_softmax_of_equal_inputs_is_exactly_one_third(mlp_key):
    assert set(mlp_key["ex3a.x3"].exact.ravel()) == {Fraction(1, 3)}
    assert {type(x) for x in mlp_key["ex3a.x3"].exact.ravel()} == {Fraction}


def test_ex3b_update_matches_the_seed_batch_version(mlp_key):
    # the seed: "these calculations were performed for both samples" with eta = 0.1
    np.testing.assert_allclose(mlp_key["ex3b.W3_new"].value[:, 0], [0.0796566, 0.100977, 0.119366], rtol=5e-6)
    np.testing.assert_allclose(mlp_key["ex3b.b3_new"].value.ravel(), [1 / 30, 2 / 15, 2 / 15], rtol=1e-15)
