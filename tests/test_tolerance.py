"""Tolerance: the accepted deviation per entry, remembered for small float keys, always the
formula's value."""
from __future__ import annotations

import numpy as np
import pytest

import grader.tolerance as tolerance
from grader.tolerance import Tolerance


def formula(tol: Tolerance, key: np.ndarray) -> np.ndarray:
    """The rule as the docstring states it, written out entry by entry."""
    out = np.empty(key.shape)
    for ix, k in np.ndenumerate(key):
        if tol.sigfigs is None:
            out[ix] = tol.atol + tol.rtol * abs(k)
        else:
            half_unit = tol.atol if k == 0 else 0.5 * 10.0 ** (np.floor(np.log10(abs(k))) - tol.sigfigs + 1)
            out[ix] = half_unit * (1 + 1e-9)  # (a hair over: a rounded value exactly at the edge counts)
    return out


@pytest.mark.parametrize("tol", [Tolerance(), Tolerance(rtol=1e-2, atol=0.0), Tolerance(sigfigs=3)],
                         ids=["default", "rtol-1e-2", "sigfigs-3"])
def test_allowed_is_the_formula_first_time_and_remembered(tol):
    rng = np.random.default_rng(1)
    for shape in [(1, 1), (3, 1), (2, 5), (8, 8), (9, 9)]:
        key = rng.normal(size=shape) * 10.0 ** rng.integers(-4, 4, size=shape)
        key.flat[0] = 0.0
        first = tol.allowed(key)
        np.testing.assert_allclose(first, formula(tol, key), rtol=1e-15, atol=0)
        again = tol.allowed(key.copy())
        np.testing.assert_array_equal(again, first)
        assert (again is first) == (key.size <= tolerance._ALLOWED_SIZE)  # 81 entries: not remembered
        if again is first:
            assert not first.flags.writeable  # shared: nobody may change it


def test_close_on_the_tolerance_edges():
    tol = Tolerance(rtol=1e-3, atol=1e-6)
    key = np.array([[1.0], [0.0], [-2.0]])
    got = np.array([[1.001], [1e-6], [-2.0041]])
    assert tol.close(got, key).ravel().tolist() == [True, True, False]
    assert Tolerance(sigfigs=2).close(np.array([[1.04], [0.0], [-2.04]]), key).ravel().tolist() == [True, True, True]
    assert bool(tol.close(np.array(1.0), np.array(1.0)))  # 0-d arrays too


def test_keys_equal_as_bytes_but_not_as_numbers_are_kept_apart():
    tol = Tolerance()
    as_float = np.array([[1.0]])
    as_int = as_float.view(np.int64)  # the same 8 bytes, another number (not a float key: computed afresh)
    assert tol.allowed(as_float)[0, 0] == pytest.approx(1e-6 + 1e-3)
    assert tol.allowed(as_int)[0, 0] == pytest.approx(1e-6 + 1e-3 * as_int[0, 0])
    exact = np.array([[1.0]], dtype=object)  # an object array's bytes are pointers: never remembered
    before = len(tolerance._ALLOWED)
    tol.allowed(exact)
    assert len(tolerance._ALLOWED) == before
