"""Screening a randomized draw in floats first (grader.keys.screening.screened_draw) gives exactly
the draws of the previous algorithm, which built every attempt's key: same attempt, same
rejection reasons, bitwise the same key and misconception values.

The previous algorithm is kept below as the reference (copied from grader/keys/screening.py and
grader/keys/misconception_runs.py before the change), so these tests fail if the two ever part.
"""
from dataclasses import replace

import numpy as np
import pytest

from grader.keys import screening as discriminate
from grader.keys.catalog import Catalog
from grader.tolerance import ENGINE_ATOL, ENGINE_RTOL, Tolerance
from grader.keys.screening import Draw, Screening, drawn, problems, profile, screened_draw
from grader.engine.autodiff import EXACT, FLOAT, Evaluation, backward, evaluate
from grader.engine.backends import exact_sign
from grader.errors import ConfigError
from grader.keys.answer_key import KINK_OPS, build_key, initial_params, quantity, run_scenarios, scenario_data
from grader.course.misconceptions import CATALOGUE
from grader.keys.misconception_runs import variant_values
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "random-course"


# ---- the reference: the algorithm before float screening (verbatim but for names) ----------

def _ref_stale(graph, params, data, rules, scenario):
    ev = evaluate(graph, params, data, backend=FLOAT, rules=rules, learning_rate=scenario.learning_rate)
    if not ev.updated:
        return None
    values = dict(ev.values) | {f"{w}@new": ev.updated[w] for w in graph.params}
    subs = tuple((n.name, 0, f"{n.args[0]}@new") for n in graph.nodes if n.op == "matmul" and n.args[0] in graph.params)
    grads = backward(graph, values, backend=FLOAT, rules=replace(rules, substitute=rules.substitute + subs))
    eta = float(scenario.learning_rate)
    return Evaluation(ev.values, grads, {p: params[p] - eta * grads[p] for p in params}, ev.batch)


def _ref_first_example(graph, params, data, rules, scenario, assignment=None):
    if len(scenario.examples) < 2:
        # issue 18: one example answered with the numbers of the batch that starts with it
        for other in assignment.scenarios.values():
            if other.random is None and other.network == scenario.network and len(other.examples) > 1 \
                    and other.examples[0] == scenario.examples[0] and not other.params_from \
                    and not scenario.params_from and other.init == scenario.init and other.params == scenario.params:
                return evaluate(graph, initial_params(assignment, other, FLOAT, {}), scenario_data(other, FLOAT),
                                backend=FLOAT, rules=rules, learning_rate=other.learning_rate)
        return None
    first = {k: v[:, :1] for k, v in data.items()}
    return evaluate(graph, params, first, backend=FLOAT, rules=rules, learning_rate=scenario.learning_rate)


def _ref_run(assignment, m):
    done, carried = {}, {}
    for name in assignment.scenario_order():
        s = assignment.scenarios[name]
        if s.random is not None:
            continue
        graph = assignment.graphs[s.network]
        params = initial_params(assignment, s, FLOAT, carried)
        data = scenario_data(s, FLOAT)
        rules = assignment.rules
        try:
            if m.id == "stale-weights":
                ev = _ref_stale(graph, params, data, rules, s)
            elif m.id == "whole-batch-vs-single":
                ev = _ref_first_example(graph, params, data, rules, s, assignment)
            else:
                variant_rules = m.rules(graph, rules) if m.rules else rules
                ev = None
                if variant_rules is not None:
                    ev = evaluate(graph, params, data, backend=FLOAT, rules=variant_rules, learning_rate=s.learning_rate)
                if m.after and ev is not None:
                    ev = m.after(graph, params, ev, s)
        except (ValueError, KeyError):
            ev = None
        done[name] = ev
        carried[name] = ev if ev is not None and ev.updated else \
            evaluate(graph, params, data, backend=FLOAT, rules=rules, learning_rate=s.learning_rate)
    return done


def ref_variant_values(assignment, key, *, keep_equal=False):
    out = {}
    for m in CATALOGUE:
        if m.answer_level:
            continue
        runs = _ref_run(assignment, m)
        values = {}
        for q in assignment.questions:
            if q.kind != "matrix" or assignment.scenarios[q.scenario].random is not None:
                continue
            ev = runs.get(q.scenario)
            if ev is None:
                continue
            graph = assignment.graphs[assignment.scenarios[q.scenario].network]
            try:
                v = np.asarray(quantity(ev, q, graph, backend=FLOAT, rules=assignment.rules), dtype=float)
            except (KeyError, ValueError):
                continue
            k = key[q.id].value
            if keep_equal or v.shape != k.shape or not np.allclose(v, k, rtol=ENGINE_RTOL, atol=ENGINE_ATOL):
                values[q.id] = v
        if values:
            out[m.id] = values
    return out


def _ref_same(a, b, tol):
    return a.shape == b.shape and bool(tol.close(a, b).all() or tol.close(b, a).all())


def _ref_forward_problems(a, screening):
    found = []
    kinks = any(n.op in KINK_OPS for g in a.graphs.values() for n in g.nodes)
    runs = run_scenarios(a, backend=FLOAT)
    exact = run_scenarios(a, backend=EXACT) if kinks and not screening.allow_kinks else {}
    low = 1 - screening.saturation
    for name, ev in runs.items():
        graph = a.graphs[a.scenarios[name].network]
        for node in graph.nodes:
            if node.op == "sigmoid":
                out = np.asarray(ev.values[node.name], dtype=float)
                if (out > screening.saturation).any() or (out < low).any():
                    found.append(f"{name}: sigmoid {node.name} is saturated (outside [{low:g}, {screening.saturation:g}])")
            if node.op in KINK_OPS and name in exact:
                if any(exact_sign(v) == 0 for v in np.asarray(exact[name].values[node.args[0]]).ravel()):
                    found.append(f"{name}: a pre-activation {node.args[0]} of {node.op} is exactly 0")
    return found


def ref_problems(a, key, values, rubric, prof, screening):
    found = []
    for q in a.questions:
        entry = key[q.id]
        if q.verb == "grad" and entry.value is not None and not entry.value.any():
            found.append(f"{q.id}: the gradient is all zeros")
        if q.kind == "class" and any(len(t) > 1 for t in entry.tied):
            found.append(f"{q.id}: a tie for the predicted class")
    found += _ref_forward_problems(a, screening)
    for q in a.questions:
        tol = rubric[q.id].tolerance
        mine = {m: v[q.id] for m, v in values.items() if q.id in v}
        for m in sorted(prof.applies.get(q.id, ())):
            if m in mine and _ref_same(mine[m], key[q.id].value, tol):
                found.append(f"{q.id}: misconception {m} gives the key's answer")
        for pair in sorted(prof.separable.get(q.id, ()), key=sorted):
            m1, m2 = sorted(pair)
            if m1 in mine and m2 in mine and _ref_same(mine[m1], mine[m2], tol):
                found.append(f"{q.id}: misconceptions {m1} and {m2} give the same answer")
    return found


def _ref_differing(values, key):
    out = {}
    for m, per_question in values.items():
        kept = {q: v for q, v in per_question.items()
                if v.shape != key[q].shape or not np.allclose(v, key[q].value, rtol=ENGINE_RTOL, atol=ENGINE_ATOL)}
        if kept:
            out[m] = kept
    return out


def ref_screened_draw(template, student_id, salt, rubric, prof):
    screening = Screening.of(template)
    rejected = []
    for attempt in range(screening.max_attempts):
        a = drawn(template, student_id, salt, attempt)
        key = build_key(a)
        values = ref_variant_values(a, key, keep_equal=True)
        found = ref_problems(a, key, values, rubric, prof, screening)
        if not found:
            return Draw(a, key, _ref_differing(values, key), attempt, tuple(rejected))
        rejected.append((attempt, tuple(found)))
    raise ConfigError(f"no usable draw for student '{student_id}' in {screening.max_attempts} attempts; the last was "
                      f"rejected for: {'; '.join(rejected[-1][1][:3])}", file=template.path)


# ---- comparing ---------------------------------------------------------------------------

def _bitwise(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype == object:
        return all(type(x) is type(y) and x == y for x, y in zip(a.ravel(), b.ravel()))
    return a.tobytes() == b.tobytes()  # -0.0 and 0.0, NaN payloads: bit for bit


def _same_values(got: dict, want: dict) -> bool:
    return list(got) == list(want) and all(
        list(got[m]) == list(want[m]) and all(_bitwise(got[m][q], want[m][q]) for q in want[m]) for m in want)


def assert_same_draw(got: Draw, want: Draw):
    assert got.attempt == want.attempt
    assert got.rejected == want.rejected
    assert got.assignment == want.assignment
    assert list(got.key.entries) == list(want.key.entries)
    for qid, w in want.key.entries.items():
        g = got.key[qid]
        assert g.question == w.question and g.tied == w.tied and g.expression == w.expression, qid
        assert (g.value is None) == (w.value is None) and (w.value is None or _bitwise(g.value, w.value)), qid
        if isinstance(w.exact, np.ndarray):
            assert _bitwise(g.exact, w.exact), qid
        else:
            assert g.exact == w.exact, qid
    assert _same_values(got.values, want.values)


def same_draw(got: Draw, want: Draw) -> bool:
    """assert_same_draw as a yes or no (for bench/bench_draws.py)."""
    try:
        assert_same_draw(got, want)
    except AssertionError:
        return False
    return True


# ---- the tests ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped():
    catalog = Catalog(root=ROOT)
    template = catalog.assignment("mlp-random")
    rubric = catalog.rubric(template)
    return template, rubric, profile(template, rubric)


@pytest.mark.parametrize("salt, students", [("course-secret", 60), ("other-salt", 30)])
def test_mlp_random_draws_are_those_of_the_reference(shipped, salt, students):
    template, rubric, prof = shipped
    redrawn = 0
    for i in range(students):
        want = ref_screened_draw(template, f"s{i}", salt, rubric, prof)
        assert_same_draw(screened_draw(template, f"s{i}", salt, rubric, prof), want)
        redrawn += want.attempt > 0
    assert redrawn >= students // 5  # rejections were exercised, not only first attempts


def test_tiny_random_draws_with_zero_gradients_are_those_of_the_reference():
    # x = [0, 0] a quarter of the time: all-zero gradients, which floats leave to the key
    catalog = Catalog(root=FIXTURES)
    template = catalog.assignment("tiny-random")
    rubric = catalog.rubric(template)
    prof = profile(template, rubric)
    reasons = set()
    for i in range(25):
        want = ref_screened_draw(template, f"p{i}", "course-secret", rubric, prof)
        assert_same_draw(screened_draw(template, f"p{i}", "course-secret", rubric, prof), want)
        reasons |= {r.split(": ", 1)[1].split(" ")[0] for _, rs in want.rejected for r in rs}
    assert {"the", "misconception", "misconceptions"} <= reasons


def test_when_every_float_verdict_is_too_close_to_call_the_key_decides_alike(shipped, monkeypatch):
    # A margin this wide leaves every decision to the key: the fallback path gives the same draws.
    monkeypatch.setattr(discriminate, "MARGIN", 10.0)
    template, rubric, prof = shipped
    for i in range(8):
        want = ref_screened_draw(template, f"s{i}", "course-secret", rubric, prof)
        assert_same_draw(screened_draw(template, f"s{i}", "course-secret", rubric, prof), want)


def test_a_significant_figures_rubric_is_judged_with_the_key_alike(tmp_path):
    # No margin argument is made for sigfigs: every attempt with a misconception is keyed.
    (tmp_path / "reference").mkdir()
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "reference" / "tiny-random.yaml").write_text((FIXTURES / "reference" / "tiny-random.yaml").read_text())
    (tmp_path / "rubrics" / "tiny-random.yaml").write_text(
        "assignment: tiny-random\ndefaults: {points: 1, tolerance: {sigfigs: 2}}\n")
    catalog = Catalog(root=tmp_path)
    template = catalog.assignment("tiny-random")
    rubric = catalog.rubric(template)
    assert rubric["dW1"].tolerance.sigfigs == 2
    prof = profile(template, rubric)
    for i in range(10):
        want = ref_screened_draw(template, f"p{i}", "course-secret", rubric, prof)
        assert_same_draw(screened_draw(template, f"p{i}", "course-secret", rubric, prof), want)


@pytest.mark.parametrize("assignment", ["hopeless-random", "saturated-random"])
def test_an_assignment_with_no_usable_draw_fails_alike(assignment):
    catalog = Catalog(root=FIXTURES)
    template = catalog.assignment(assignment)
    rubric = catalog.rubric(template)
    prof = profile(template, rubric)
    with pytest.raises(ConfigError) as want:
        ref_screened_draw(template, "s1", "k", rubric, prof)
    with pytest.raises(ConfigError) as got:
        screened_draw(template, "s1", "k", rubric, prof)
    assert got.value.message == want.value.message


@pytest.mark.parametrize("assignment", ["mlp-numeric", "softmax-ce", "residual-softmax", "backprop-general"])
def test_fixed_assignments_variants_are_bitwise_those_of_the_reference(catalog, assignment):
    a = catalog.assignment(assignment)
    key = catalog.key(a)
    for keep_equal in (False, True):
        assert _same_values(variant_values(a, key, keep_equal=keep_equal),
                            ref_variant_values(a, key, keep_equal=keep_equal))


def test_problems_is_the_reference_on_rejected_and_accepted_attempts(shipped):
    template, rubric, prof = shipped
    screening = Screening.of(template)
    seen_rejected = 0
    for i in range(6):
        for attempt in range(3):
            a = drawn(template, f"s{i}", "course-secret", attempt)
            key = build_key(a)
            values = variant_values(a, key, keep_equal=True)
            want = ref_problems(a, key, values, rubric, prof, screening)
            assert problems(a, key, values, rubric, prof, screening) == want
            seen_rejected += bool(want)
    assert seen_rejected


TOL = Tolerance(rtol=1e-3, atol=1e-6)


@pytest.mark.parametrize("value, key, expected", [
    (1.0, 1.0, [True]),                    # the same: clearly within
    (1.5, 1.0, [False]),                   # clearly apart
    (1.0 + 1.0e-3, 1.0, [True]),           # within: |v - k| <= atol + rtol |k|
    (1.0 + 1.001e-3 / 0.999, 1.0, None),   # at the edge of |k - v| <= atol + rtol |v|: the key decides
    (1.0 + 1.0021e-3, 1.0, [False]),       # past both edges by more than the margin
    (0.0, 0.0, [True]),                    # zeros: within atol
])
def test_float_key_comparisons_defer_near_the_tolerance_edge(value, key, expected):
    batch = discriminate._Batch()
    batch.add(TOL, [np.array([[2.0, value]])], [np.array([[2.0, key]])])
    assert batch.decide(margin=True) == expected
    assert batch.decide() == [TOL.close(np.array(value), np.array(key)) or TOL.close(np.array(key), np.array(value))]


def test_batched_comparisons_are_one_call_per_pair():
    rng = np.random.default_rng(0)
    tols = [TOL, Tolerance(rtol=1e-2, atol=0.0), TOL, Tolerance(sigfigs=3)]
    batch, want = discriminate._Batch(), []
    for block in range(40):  # blocks of one tolerance each; shapes mixed within a block
        tol, vs, ks = tols[block % len(tols)], [], []
        for _ in range(rng.integers(0, 9)):
            shape = [(1, 1), (2, 3), (3, 2), (0, 2)][rng.integers(4)]
            v = rng.normal(size=shape)
            k = v * (1 + rng.choice([0, 1e-4, 1e-3, 1.2e-3, 1e-2, 0.5])) if rng.random() < 0.8 \
                else rng.normal(size=shape[::-1])
            vs.append(v)
            ks.append(k)
            want.append(discriminate._same(v, k, tol))
        batch.add(tol, vs, ks)
    assert batch.decide() == want and sum(want) > 20 and len(want) - sum(want) > 20


def test_ties_and_zero_gradients_are_never_decided_in_floats():
    assert not discriminate._clearly_untied(np.array([[0.5], [0.5]]))
    assert not discriminate._clearly_untied(np.array([[0.5], [0.5 + 1e-11]]))
    assert discriminate._clearly_untied(np.array([[0.5], [0.6]]))
