"""The float misconception runs follow the key's kink decisions (issue 18): a ReLU whose input is
exactly 0 for the key (0.1 + 0.2 − 0.3) and 5.6e-17 in float64 takes the key's branch in every
variant, so each variant's value is the one the key's own arithmetic gives under the variant's
rules (the course fixture tests/fixtures/leaky-relu/reference/relu-kink.yaml)."""
import numpy as np
import pytest

from grader.engine.autodiff import FLOAT, evaluate
from grader.keys.answer_key import key_backend, quantity, run_scenarios, scenario_data
from grader.keys.catalog import Catalog
from grader.keys.misconception_runs import key_runs_at_kinks, misconceptions, variant_values
from tests.corpora.diagnosis.leaky_relu import COURSE


@pytest.fixture(scope="module")
def kink():
    return Catalog(root=COURSE).assignment("relu-kink")


def _by_rules(a, m, backend):
    """Each question's value under ``m``'s rules, run with ``backend`` on its own (no follow)."""
    s = a.scenarios["s"]
    graph = a.graphs[s.network]
    rules = m.rules(graph, a.rules) if m.rules else a.rules
    if rules is None:
        return None
    params = {p: backend.array(np.asarray(v, dtype=object).tolist()) for p, v in s.params.items()}
    try:
        ev = evaluate(graph, params, scenario_data(s, backend), backend=backend, rules=rules,
                      learning_rate=s.learning_rate)
    except ValueError:  # the variant's rule does not fit these shapes (as for variant_values)
        return None
    return {q.id: np.asarray(backend.to_float(quantity(ev, q, graph, backend=backend, rules=a.rules)), dtype=float)
            for q in a.questions}


def _rules_only(a):
    return [m for m in misconceptions(a, places=True) if m.rules is not None and m.after is None and not m.answer_level]


def test_the_fixture_is_at_a_kink_float64_decides_otherwise(kink):
    runs = run_scenarios(kink, backend=FLOAT)
    assert 0 < runs["s"].values["z1"][0, 0] < 1e-15  # the key's exact 0
    assert key_runs_at_kinks(kink, runs) is not None


def test_every_variant_is_the_keys_arithmetic_under_its_rules(kink):
    got = variant_values(kink, None, keep_equal=True, places=True)
    exact_backend = key_backend(kink)
    checked = 0
    for m in _rules_only(kink):
        want = _by_rules(kink, m, exact_backend)
        if want is None or m.key not in got:
            continue
        for qid, value in want.items():
            assert np.allclose(got[m.key][qid], value, rtol=1e-9, atol=1e-12), (m.key, qid)
            checked += 1
    assert checked >= 20


def test_without_following_some_variant_would_take_the_other_branch(kink):
    # the property above is not vacuous: float64 on its own differs from the key's arithmetic
    exact_backend = key_backend(kink)
    differs = [m.key for m in _rules_only(kink)
               if (f := _by_rules(kink, m, FLOAT)) is not None and (e := _by_rules(kink, m, exact_backend)) is not None
               and any(not np.allclose(f[q], e[q], rtol=1e-9, atol=1e-12) for q in e)]
    assert differs


def test_no_kink_no_exact_run():
    a = Catalog(root=COURSE).assignment("leaky-net")
    assert key_runs_at_kinks(a, run_scenarios(a, backend=FLOAT)) is None
