r"""General formulas in layer letters (grader/judge/derivation/layers.py) on mlp-numeric, whose
scenarios declare numbered layers only: checked at each layer of each exercise's network."""
from pathlib import Path

import pytest

from grader.io.writeups.reader import writeup_from_text
from grader.judge.derivation.layers import at_layer, layers
from grader.judge.derivation.numeric_values import numeric_scenarios
from grader.judge.derivation.steps import FAILS, HOLDS, NOT_READ
from grader.judge.derivation.writeup import judge_writeup
from grader.keys.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]

CASES = [  # (the general formula, its status, the start of its reason)
    (r"z^{[\ell]} = w^{[\ell]} x^{[\ell-1]} + b^{[\ell]}", HOLDS, "a general formula: holds at layers 1, 2 of ex1a"),
    (r"z^{[l]} = w^{[l]} x^{[l-1]} + b^{[l]}", HOLDS, "a general formula: holds at layers 1, 2 of ex1a"),
    (r"\delta^{[L]} = (x^{[L]} - z) \circ x^{[L]} \circ (1 - x^{[L]})", HOLDS,
     "a general formula: holds at layer 2 of ex1a"),  # sigmoid output, squared error
    (r"\delta_{l \neq L}^{[l]} = (w^{[l+1]})^T \delta^{[l+1]} \circ (1 - \tanh^2(z^{[l]}))", HOLDS,
     "a general formula: holds at layers 1, 2 of ex2a"),  # l = L skipped: no delta^{[L+1]}
    # wrong at every layer of every network: never marked wrong on this reading, the layer named
    (r"z^{[\ell]} = w^{[\ell]} x^{[\ell]} + b^{[\ell]}", NOT_READ, "a general formula that holds in no exercise's network (at layer "),
    (r"\delta^{[L]} = (z - x^{[L]}) \circ x^{[L]} \circ (1 - x^{[L]})", NOT_READ,
     "a general formula that holds in no exercise's network (at layer "),
]


@pytest.fixture(scope="module")
def catalog():
    return Catalog(root=ROOT)


@pytest.mark.parametrize("formula, status, reason", CASES)
def test_a_general_formula_at_each_layer(catalog, formula, status, reason):
    w = writeup_from_text(f"assignment: mlp-numeric, student: s\n\n$${formula}$$\n", file="s.md")
    steps = [s for c in judge_writeup(w, catalog.assignment("mlp-numeric")).chains for s in c.steps]
    assert [(s.status, s.reason[:len(reason)]) for s in steps] == [(status, reason)]
    assert not any(s.status == FAILS for s in steps)


def test_the_last_layer_of_each_network(catalog):
    found = {s.scenario.name: layers(s.scenario) for s in numeric_scenarios(catalog.assignment("mlp-numeric"))}
    assert {found[n] for n in ("ex1a", "ex1b")} == {2} and {found[n] for n in ("ex2a", "ex2b", "ex3a", "ex3b")} == {3}


@pytest.mark.parametrize("text, layer, last, expected", [
    (r"z^{[\ell]} = w^{[\ell]} x^{[\ell-1]}", 1, 3, r"z^{[1]} = w^{[1]} x^{[0]}"),
    (r"\delta^{[l]} = W^{(l+1)T} \delta^{(l+1)}", 2, 3, r"\delta^{[2]} = W^{(3)T} \delta^{(3)}"),
    (r"\delta^{[l]} = W^{(l+1)T} \delta^{(l+1)}", 3, 3, None),  # no layer 4
    (r"\delta^{[L]} = x^{[L]} - z", 1, 3, r"\delta^{[3]} = x^{[3]} - z"),
    (r"\delta_{\ell \neq L}^{[\ell]}", 3, 3, None),
    (r"z^{[2]} = w^{[2]} x^{[1]}", 1, 3, r"z^{[2]} = w^{[2]} x^{[1]}"),
])
def test_letters_at_a_layer(text, layer, last, expected):
    assert at_layer(text, layer, last) == expected
