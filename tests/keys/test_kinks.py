"""Kinks are decided by the key's arithmetic and the float cross-check follows (issue 19).

A ReLU input that is exactly 0 (0.1·1 + 0.2·1 − 0.3) is 5.6e-17 in float64: the float run
took ReLU'(z) = 1 there, the key ReLU'(0) = 0, and ``grade key`` stopped with "exact and
float engines disagree". Now the float run takes the key's branch at every kink.
"""
from fractions import Fraction

import numpy as np
import pytest

from grader.engine.autodiff import FLOAT
from grader.keys.answer_key import build_key, key_backend, run_scenarios
from tests.keys.random_networks import KINKED, load, random_assignment

ONE_KINK = {  # z1[0] = 0.1 + 0.2 - 0.3 = 0 exactly, 5.55e-17 in float64
    "id": "one-kink", "title": "a ReLU input at exactly 0",
    "networks": {"net": {"inputs": {"x": [2, 1]}, "targets": {"t": [1, 1]},
                         "params": {"W1": [2, 2], "b1": [2, 1], "W2": [1, 2], "b2": [1, 1]},
                         "equations": ["z1 = W1 @ x + b1", "a1 = relu(z1)", "z2 = W2 @ a1 + b2", "L = sse(z2, t)"],
                         "loss": "L", "output": "z2"}},
    "scenarios": {"s": {"network": "net", "examples": [{"x": ["1", "1"], "t": ["1"]}], "learning_rate": "1",
                        "params": {"W1": [["0.1", "0.2"], ["0.5", "-0.4"]], "b1": [["-0.3"], ["0.1"]],
                                   "W2": [["0.7", "0.3"]], "b2": [["0"]]}}},
    "questions": [{"id": q, "scenario": "s", "quantity": quantity} for q, quantity in
                  [("z1", "z1"), ("delta1", "grad z1"), ("dW1", "grad W1"), ("W1_new", "updated W1"),
                   ("relu_prime", "derivative a1 z1")]],
}


@pytest.fixture(scope="module")
def one_kink(tmp_path_factory):
    return load(ONE_KINK, tmp_path_factory.mktemp("one-kink"), "one-kink")


def test_float64_alone_sees_the_kink_on_the_other_side(one_kink):
    # the trap this file is about: float64's own z1[0] is positive, so its ReLU'(z1[0]) is 1
    ev = run_scenarios(one_kink, backend=FLOAT)["s"]
    assert ev.values["z1"][0, 0] > 0
    assert ev.grads["z1"][0, 0] != 0


@pytest.mark.parametrize("qid, expected", [
    ("z1", [[0], [Fraction(1, 5)]]),
    ("delta1", [[0], [Fraction(3, 10) * Fraction(-47, 50)]]),  # δ2 = 0.3·0.2 − 1 = −0.94; ReLU'(0) = 0
    ("dW1", [[0, 0], [Fraction(-141, 500)] * 2]),
    ("W1_new", [[Fraction(1, 10), Fraction(1, 5)], [Fraction(1, 2) + Fraction(141, 500), Fraction(-2, 5) + Fraction(141, 500)]]),
    ("relu_prime", [[0], [1]]),
])
def test_the_key_decides_the_kink_exactly(one_kink, qid, expected):
    entry = build_key(one_kink)[qid]
    assert entry.exact.tolist() == [[Fraction(v) for v in row] for row in expected]
    assert all(type(x) is Fraction for x in entry.exact.ravel())  # a ReLU net is keyed in exact rationals
    np.testing.assert_array_equal(entry.value, np.vectorize(float)(np.array(expected, dtype=object)))


def test_the_float_run_follows_the_keys_decision(one_kink):
    key_run = run_scenarios(one_kink, backend=key_backend(one_kink))["s"]
    followed = run_scenarios(one_kink, backend=FLOAT, follow={"s": key_run})["s"]
    assert followed.values["a1"][0, 0] == 0.0  # ReLU(5.6e-17) on the key's side of the kink: 0
    assert followed.grads["z1"][0, 0] == 0.0
    assert key_run.kinks.zeros() >= 2  # forward and backward both decided z1[0] as exactly 0


@pytest.mark.parametrize("convention", ["0", "1", "1/2"])
def test_every_convention_holds_at_the_kink(tmp_path, convention):
    data = dict(ONE_KINK, conventions={"relu_grad_at_zero": convention})
    key = build_key(load(data, tmp_path, "one-kink"))
    assert key["relu_prime"].exact[0, 0] == Fraction(convention)


@pytest.mark.parametrize("seed", range(16))
def test_random_kinked_mlps_get_a_key(tmp_path, seed):
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(2, 5))
    hidden = [str(rng.choice(KINKED)) if i == 0 else str(rng.choice(["relu", "leaky_relu", "identity", "tanh"]))
              for i in range(depth - 1)]
    data = random_assignment(rng, depth=depth, hidden=hidden, kinks=True, widths=[int(rng.integers(2, 6)) for _ in range(depth + 1)])
    a = load(data, tmp_path)
    key = build_key(a)  # raised "exact and float engines disagree" before
    # the first layer's kinked unit: its input is exactly 0 on example 1, and with ReLU'(0) = 0
    # (leaky: the slope 0.1) its δ is the upstream gradient times that, exactly
    z1 = key["delta1"].exact  # δ1 = ∂L/∂z1
    values = run_scenarios(a, backend=key_backend(a))["s"]
    at_zero = [i for i in range(values.values["z1"].shape[0]) if values.values["z1"][i, 0] == 0]
    assert at_zero, "the generator placed an exact zero in layer 1"
    upstream = values.grads["a1"]
    slope = Fraction(1, 10) if hidden[0] == "leaky_relu" else 0
    for i in at_zero:
        assert z1[i, 0] == upstream[i, 0] * slope
