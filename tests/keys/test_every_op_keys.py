"""Keys of random networks using every activation and loss the engine has (issue 19): the key
builds (its float cross-check following the key's kinks passes), inputs placed exactly at the
kinks are decided exactly, and off the kinks every gradient is 60-digit central differences."""
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from grader.engine.autodiff import forward
from grader.engine.backends import HIGH, MIXED
from grader.engine.kinks import at_kinks
from grader.keys.answer_key import build_key, initial_params, run_scenarios, scenario_data
from tests.keys.random_networks import ALL_LOSSES, ZERO_KINKS, load, random_assignment

LOSS_NAMES = list(ALL_LOSSES)


def _network(seed: int, kinks: bool) -> dict:
    rng = np.random.default_rng([2019, seed])
    depth = int(rng.integers(2, 6))
    return random_assignment(rng, depth=depth, loss=LOSS_NAMES[seed % len(LOSS_NAMES)], kinks=kinks, every_op=True,
                             widths=[int(rng.integers(1, 6)) for _ in range(depth + 1)],
                             reduction="mean" if seed % 3 == 0 else "sum")


@pytest.mark.parametrize("seed", range(20))
def test_kinked_networks_of_every_op_get_a_key_decided_at_their_kinks(tmp_path, seed):
    data = _network(seed, kinks=True)
    a = load(data, tmp_path)
    key = build_key(a)  # raises if the float run, following the key's kinks, disagreed
    assert key["dx"].value.shape == (data["networks"]["net"]["inputs"]["x"][0], len(data["scenarios"]["s"]["examples"]))
    run = run_scenarios(a, backend=MIXED)["s"]
    hidden = [e.split(" = ")[1].split("(")[0] for e in data["networks"]["net"]["equations"][1:-1:2]][:-1]
    kinked = [n.name for n in at_kinks(a.graphs["net"], run.values, MIXED)]
    for layer, act in enumerate(hidden, start=1):  # every kinked hidden layer has a unit exactly at its kink
        assert (f"a{layer}" in kinked) == (act in ZERO_KINKS or act == "hardtanh"), (hidden, kinked)


@pytest.mark.parametrize("seed", range(20))
def test_networks_of_every_op_match_central_differences_at_60_digits(tmp_path, seed):
    data = _network(seed, kinks=False)
    a = load(data, tmp_path)
    build_key(a)
    run = run_scenarios(a, backend=MIXED)["s"]
    scenario, graph = a.scenarios["s"], a.graphs["net"]
    if at_kinks(graph, run.values, MIXED):
        pytest.skip("a draw of one-decimal numbers hit a kink: the other test's business")
    rng = np.random.default_rng(seed)
    scale = Fraction(1, run.batch) if data["conventions"]["reduction"] == "mean" else Fraction(1)
    with mpmath.workdps(60):
        params, inputs = initial_params(a, scenario, HIGH, {}), scenario_data(scenario, HIGH)
        h = HIGH.const(Fraction(1, 10**20))
        for name in graph.params:
            for _ in range(3):
                i, j = (int(rng.integers(0, n)) for n in params[name].shape)
                up, down = dict(params), dict(params)
                up[name], down[name] = params[name].copy(), params[name].copy()
                up[name][i, j] += h
                down[name][i, j] -= h
                numeric = (forward(graph, up, inputs, backend=HIGH)[graph.loss][0, 0]
                           - forward(graph, down, inputs, backend=HIGH)[graph.loss][0, 0]) / (2 * h) * scale
                got = MIXED.to_float(run.grads[name])[i, j]
                assert abs(got - float(numeric)) <= 1e-12 * max(1.0, abs(float(numeric))), (name, i, j)


def test_rationals_too_long_to_carry_become_60_digit_values_that_agree_with_mpmath(tmp_path):
    """Six softsign layers square the denominators at every layer (a minute per key in exact
    rationals): past MAX_EXACT_BITS the key carries them as 60-digit values, still right to
    every digit asked for."""
    from grader.engine import mixed_numbers as mx
    rng = np.random.default_rng(6)
    data = random_assignment(rng, depth=6, widths=[6] * 7, hidden=["softsign"] * 5, loss="mse", output="identity",
                             batch=2, kinks=True, every_op=True)
    a = load(data, tmp_path)
    build_key(a)
    run = run_scenarios(a, backend=MIXED)["s"]
    deep = run.values["a5"].ravel()
    assert any(not mx.is_exact(v) for v in deep)  # carried as 60 digits
    assert all(mx.is_exact(v) or v.raw is not None for v in deep)
    with mpmath.workdps(60):
        scenario = a.scenarios["s"]
        high = forward(a.graphs["net"], initial_params(a, scenario, HIGH, {}), scenario_data(scenario, HIGH), backend=HIGH)
        for v, w in zip(deep, high["a5"].ravel()):
            assert abs(mpmath.mpf(v.raw if not mx.is_exact(v) else 0) + (mpmath.mpf(v.numerator) / v.denominator
                       if mx.is_exact(v) else 0) - w) < mpmath.mpf("1e-50")
