"""The key's arithmetic (issue 19): exact rationals where values stay rational, 60 digits where
they do not, kinks decided there and followed by float64, every printed digit right.

Oracles: mpmath at 100 digits for single values; for whole random networks (every activation
and loss, batch 1-4, ReLU inputs exactly at 0 in half of them) the float cross-check inside
``build_key`` and central finite differences of the loss in 60-digit mpmath (the HIGH backend),
taken with the key's branch at every kink: that is what a ReLU'(0) convention means, the
derivative of the branch the convention picks.
"""
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from grader.engine import mixed_numbers as mx
from grader.engine.autodiff import forward
from grader.engine.backends import HIGH, MIXED
from grader.engine.kinks import KinkDecisions
from grader.keys.answer_key import build_key, initial_params, run_scenarios, scenario_data
from tests.keys.random_networks import LOSSES, load, random_assignment

RATIONALS = [Fraction(n, d) for n, d in [(1, 10), (-7, 10), (3, 1), (-5, 2), (123, 1000), (1, 3), (-40, 1), (25, 1)]]
FUNCTIONS = [  # (ours, the oracle at 100 digits)
    (mx.exp, mpmath.exp), (mx.tanh, mpmath.tanh), (mx.sigmoid, lambda x: 1 / (1 + mpmath.exp(-x))),
    (mx.softplus, lambda x: mpmath.log(1 + mpmath.exp(x))), (lambda x: mx.log(abs(x)), lambda x: mpmath.log(abs(x))),
    (lambda x: mx.sqrt(abs(x)), lambda x: mpmath.sqrt(abs(x))),
]


@pytest.mark.parametrize("x", RATIONALS)
@pytest.mark.parametrize("ours, oracle", FUNCTIONS)
def test_functions_carry_58_digits_and_round_to_the_nearest_float(x, ours, oracle):
    with mpmath.workdps(100):
        want = oracle(mpmath.mpf(x.numerator) / x.denominator)
        got = ours(x)
        assert abs(mpmath.mpf(mx.to_sympy(got)) - want) <= abs(want) * mpmath.mpf(10) ** -58
        assert mx.to_float(got) == float(want)  # the printed float is the nearest one


@pytest.mark.parametrize("expression, value", [
    (lambda: mx.exp(Fraction(0)), Fraction(1)), (lambda: mx.log(Fraction(1)), Fraction(0)),
    (lambda: mx.tanh(Fraction(0)), Fraction(0)), (lambda: mx.sigmoid(Fraction(0)), Fraction(1, 2)),
    (lambda: mx.sqrt(Fraction(9, 4)), Fraction(3, 2)),
    (lambda: Fraction(0) * mx.exp(Fraction(1, 3)), Fraction(0)),  # a structural zero
    (lambda: mx.tanh(Fraction(1, 3)) - mx.tanh(Fraction(1, 3)), Fraction(0)),  # one expression, twice
    (lambda: mx.exp(Fraction(2)) / mx.exp(Fraction(2)), Fraction(1)),
    (lambda: mx.exp(Fraction(2)) + -mx.exp(Fraction(2)), Fraction(0)),
])
def test_exact_where_the_value_is_provably_exact(expression, value):
    got = expression()
    assert type(got) is Fraction and got == value


def test_a_cancellation_the_forms_do_not_see_is_a_zero_sign_and_prints_as_0():
    x = mx.exp(Fraction(1, 7))
    residue = (x + x) - 2 * x  # 0, by a route the forms do not recognise
    assert type(residue) is mx.Approx and mx.sign(residue) == 0 and mx.to_float(residue) == 0.0
    assert mx.sign(x - 1) == 1 and mx.sign(1 - x) == -1


def test_a_sigmoid_of_a_sigmoid_is_not_nested_symbols():
    x = Fraction(1, 10)
    for _ in range(50):  # sympy's exact engine nested exp() 50 deep here
        x = mx.sigmoid(x * 3 - 1)
    assert type(x) is mx.Approx and 0 < mx.to_float(x) < 1


CASES = [(seed, loss) for seed in range(30) for loss in [list(LOSSES)[seed % len(LOSSES)]]]


@pytest.mark.parametrize("seed, loss", CASES)
def test_random_networks_match_central_differences_at_60_digits(tmp_path, seed, loss):
    rng = np.random.default_rng([1919, seed])
    depth = int(rng.integers(2, 7))
    reduction = "mean" if seed % 3 == 0 else "sum"
    data = random_assignment(rng, depth=depth, loss=loss, kinks=seed % 2 == 1, reduction=reduction,
                             widths=[int(rng.integers(1, 6)) for _ in range(depth + 1)])
    a = load(data, tmp_path)
    key = build_key(a)  # the float cross-check (following the key's kinks) passed, or it raised
    run = run_scenarios(a, backend=MIXED)["s"]
    scenario, graph = a.scenarios["s"], a.graphs["net"]
    params, inputs = initial_params(a, scenario, HIGH, {}), scenario_data(scenario, HIGH)
    scale = Fraction(1, run.batch) if reduction == "mean" else Fraction(1)
    h = HIGH.const(Fraction(1, 10**20))
    with mpmath.workdps(60):
        def loss_at(p, d):  # the key's branch at every kink (its decisions, followed)
            return forward(graph, p, d, backend=HIGH, kinks=KinkDecisions(follow=run.kinks))[graph.loss][0, 0]

        for name in [p for p in graph.params] + ["x"]:
            table = inputs if name == "x" else params
            for _ in range(3):
                i, j = (int(rng.integers(0, n)) for n in table[name].shape)
                up, down = dict(table), dict(table)
                up[name], down[name] = table[name].copy(), table[name].copy()
                up[name][i, j] += h
                down[name][i, j] -= h
                numeric = (loss_at(*((up, inputs) if name != "x" else (params, up)))
                           - loss_at(*((down, inputs) if name != "x" else (params, down)))) / (2 * h) * scale
                exact = run.grads[name][i, j]
                assert abs(mx.to_float(exact) - float(numeric)) <= 1e-12 * max(1.0, abs(float(numeric))), (name, i, j)
    if seed % 2 == 1 and any(op in eq for eq in data["networks"]["net"]["equations"][:-2] for op in ("relu(", "leaky_relu(")):
        assert run.kinks.zeros(), "a kinked network has a ReLU input exactly at 0"
    np.testing.assert_array_equal(key["dx"].value, MIXED.to_float(run.grads["x"]))


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
@pytest.mark.parametrize("assignment, said", [
    ("one-kink", "exact rational arithmetic (every value exact)"),  # a ReLU network
    ("mlp-numeric", "exact rationals where values stay rational, 60 significant digits (mpmath) after exp/log/tanh"),
])
def test_grade_key_says_which_arithmetic_it_used(tmp_path, fmt, assignment, said):
    import json

    from click.testing import CliRunner

    from grader.cli import cli
    from tests.conftest import ROOT
    from tests.keys.test_kinks import ONE_KINK

    path = ROOT / "reference" / "mlp-numeric.yaml"
    if assignment == "one-kink":
        path = tmp_path / "one-kink.yaml"
        load(ONE_KINK, tmp_path, "one-kink")
    result = CliRunner().invoke(cli, ["key", str(path), "--format", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        assert json.loads(result.output)["arithmetic"].startswith(said)
    else:
        assert said in result.output
