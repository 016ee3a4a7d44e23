"""Random instances of the symbolic assignments: deterministic, varied, and exercising ReLU's kink."""
import numpy as np
import pytest
import sympy

from grader.keys.instances import scenario_instances, symbolic_parameter_count, symbolic_shape
from grader.keys.answer_key import build_key

SYMBOLIC = ["softmax-ce", "backprop-general", "residual-softmax"]


@pytest.mark.parametrize("assignment_id", SYMBOLIC + ["mlp-numeric"])
def test_every_shipped_assignment_loads_and_has_a_key(catalog, assignment_id):
    a = catalog.assignment(assignment_id)
    key = build_key(a)
    assert set(key.entries) == set(a.question_ids)
    assert catalog.rubric(a).max_points > 0


@pytest.mark.parametrize("assignment_id", SYMBOLIC)
def test_instances_are_deterministic(catalog, assignment_id):
    a = catalog.assignment(assignment_id)
    for scenario in (s for s, spec in a.scenarios.items() if spec.random is not None):
        first, again = scenario_instances(a, scenario), scenario_instances(a, scenario)
        for x, y in zip(first, again):
            assert x.sizes == y.sizes
            for name in x.params:
                np.testing.assert_array_equal(x.params[name], y.params[name])


def test_instances_vary_sizes_and_values(catalog):
    a = catalog.assignment("residual-softmax")
    insts = scenario_instances(a, "q1", count=6)
    assert len({i.sizes["d"] for i in insts}) > 1


def test_kinked_instances_put_relu_preactivations_at_zero_and_below(catalog):
    a = catalog.assignment("softmax-ce")
    kinked = scenario_instances(a, "generic")[1]
    zt = kinked.evaluation.values["zt_prev"]
    assert (zt == 0).any() and (zt < 0).any()


def test_generic_activation_rotates(catalog):
    a = catalog.assignment("residual-softmax")
    insts = scenario_instances(a, "q1", count=3, sizes={"d": 3, "K": 2})
    # same sizes, different phi: h = phi(z1) differs in kind (tanh can be negative, sigmoid cannot)
    hs = [i.evaluation.values["h"] for i in insts]
    assert (hs[0] < 0).any() or (hs[1] > 0).all()
    assert not np.allclose(hs[0], hs[1])


def test_batch_is_a_size(catalog):
    a = catalog.assignment("backprop-general")
    for inst in scenario_instances(a, "task2"):
        assert inst.data["X"].shape[1] == inst.sizes["m"]


def test_symbolic_shapes_and_counts(catalog):
    a = catalog.assignment("residual-softmax")
    d = sympy.Symbol("d")
    assert symbolic_shape(a, "q1", "W1") == (d, d)
    assert symbolic_shape(a, "q1", "z2") == (d, 1)
    assert symbolic_parameter_count(a, "q1") == d**2 + d
    b = catalog.assignment("softmax-ce")
    assert symbolic_shape(b, "generic", "W_out") == (sympy.Symbol("C"), sympy.Symbol("d_prev"))


def test_residual_instance_gradient_keeps_the_skip_path(catalog):
    a = catalog.assignment("residual-softmax")
    inst = scenario_instances(a, "q1")[0]
    g, v = inst.evaluation.grads, inst.params
    np.testing.assert_allclose(g["x"], v["W1"].T @ g["z1"] + g["z2"], rtol=1e-12)
