"""An assignment's optimizer, its questions on the state and steps, and gradient-check
conventions: read as declared, and every mistake in them a ConfigError naming the place."""
from __future__ import annotations

from fractions import Fraction

import pytest

from grader.course.assignment import load_assignment
from grader.errors import ConfigError
from grader.keys.answer_key import build_key

BASE = """
id: opt
title: t
conventions: {fd_step: "0.01"}
networks:
  net:
    mlp: {sizes: [2, 1], activation: identity, loss: sse}
scenarios:
  s:
    network: net
    params: {W1: [[0.5, -1]], b1: [0]}
    examples:
      - {x: [1, 2], t: [1]}
    optimizer: {name: adam, learning_rate: 0.1, steps: "3", beta1: 0.5, learning_rates: {"b*": 0}}
questions:
  - {id: q1, scenario: s, quantity: "QUANTITY"STEP}
"""


def _load(tmp_path, quantity="updated W1", step="", edit=("", "")):
    text = BASE.replace("QUANTITY", quantity).replace("STEP", f", step: \"{step}\"" if step else "")
    path = tmp_path / "opt.yaml"
    path.write_text(text.replace(*edit))
    return load_assignment(path)


def test_the_declaration_is_read(tmp_path):
    a = _load(tmp_path)
    o = a.scenarios["s"].optimizer
    assert (o.name, o.learning_rate, o.steps, o.beta1, o.beta2, o.learning_rates) == \
        ("adam", Fraction(1, 10), 3, Fraction(1, 2), Fraction(999, 1000), (("b*", Fraction(0)),))
    assert a.rules.fd_step == Fraction(1, 100)


@pytest.mark.parametrize("quantity, step", [("m W1", "2"), ("v b1", ""), ("updated W1", "3"), ("grad W1", "2"),
                                            ("fdgrad W1", ""), ("gradnorm W1", "")])
def test_questions_on_states_steps_and_checks_have_keys(tmp_path, quantity, step):
    key = build_key(_load(tmp_path, quantity, step))
    assert key["q1"].value.shape == ((1, 1) if quantity.startswith(("v b1", "gradnorm")) else (1, 2))


@pytest.mark.parametrize("quantity, step, edit, message", [
    ("velocity W1", "", ("", ""), "'velocity' is the state of an optimizer that keeps it"),
    ("m x", "", ("", ""), "'m' is the state of an optimizer that keeps it, of a parameter"),
    ("updated W1", "4", ("", ""), "step 4 needs a scenario whose optimizer runs that many steps"),
    ("updated W1", "", ("    optimizer:", "    learning_rate: 1\n    optimizer:"), "gives its learning rate in 'optimizer'"),
    ("updated W1", "", ("name: adam", "name: adagrad"), "adagrad"),
    ("updated W1", "", ("      - {x: [1, 2], t: [1]}", "      - {x: [1, 2]}"), "an optimizer needs examples with targets"),
])
def test_mistakes_are_config_errors(tmp_path, quantity, step, edit, message):
    with pytest.raises(ConfigError) as e:
        _load(tmp_path, quantity, step, edit)
    assert message in str(e.value)
