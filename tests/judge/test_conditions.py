"""Conditions on indices a write-up's prose sets ("Case 1: if $k = k'$", "\\text{ when } k \\neq k'"),
found on the chain's own line or earlier in its section, and applied only to the indices a step has."""
import pytest

from grader.io.writeups.model import Chain, Term
from grader.judge.derivation.conditions import EQ, NE, index_condition, meets, prose_conditions

INDICES = {"k", "k'", "j"}

# (the lines of a write-up, the line of the chain, the condition its steps meet)
CASES = [
    (["Case ① :- If $k = k'$", "", "$$a = b$$"], 3, ("k", EQ, "k'")),
    (["Case (2) :- If $k \\neq k'$", "Using the quotient rule again :-", "$$a = b$$"], 3, ("k", NE, "k'")),
    (["$$a = b \\text{ when } k = k'$$"], 1, ("k", EQ, "k'")),
    (["If $k = k'$:", "# Task 2", "$$a = b$$"], 3, None),  # a heading ends the case
    (["If $k = k'$:", "If $k \\ne k'$:", "$$a = b$$"], 3, ("k", NE, "k'")),  # the nearest
    (["Separating $j=k$ term from the sum"], 1, None),  # no "if"/"when"/"case": not a condition
    (["If $x = y$:", "$$a = b$$"], 2, None),  # not declared indices
]


@pytest.mark.parametrize("lines, line, condition", CASES, ids=[c[0][0][:30] for c in CASES])
def test_the_condition_a_chain_meets(lines, line, condition):
    chain = Chain((Term("a", line, 3), Term("b", line, 7)), ("=",))
    assert index_condition(tuple(lines), chain, INDICES) == condition
    assert index_condition(tuple(lines), chain, INDICES, prose_conditions(tuple(lines), INDICES)) == condition


@pytest.mark.parametrize("condition, at, meets_it", [
    (("k", EQ, "k'"), {"k": 1, "k'": 1}, True), (("k", EQ, "k'"), {"k": 1, "k'": 0}, False),
    (("k", NE, "k'"), {"k": 1, "k'": 0}, True), (("k", NE, "k'"), {"k": 2, "k'": 2}, False),
    (("k", EQ, "k'"), {"k": 1}, True),  # a condition on an index the step does not have: every entry
    (None, {"k": 0}, True),
])
def test_meets(condition, at, meets_it):
    assert meets(condition, at) is meets_it
