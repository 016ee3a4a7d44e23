"""Kinks decided once, by the key's arithmetic, and followed by every other run of the same pass.

A ReLU, leaky ReLU, |x|, max or indicator branches on the sign of its input. At an exact 0
(a ReLU input 0.1 + 0.2 − 0.3) float64 sees 5.6e-17 and takes the other branch, so a float
run cross-checking the key would get ReLU'(0) = 1 where the key says 0. Ops decide a branch
only through ``backend.sign``; :class:`KinkDecisions` records every sign the key's run saw,
by (pass, node, call number), and a run made with ``follow=`` those decisions uses them
instead of its own: the float engine follows the exact one, never the reverse.

>>> import numpy as np
>>> from grader.engine.backends import FLOAT
>>> key = KinkDecisions()
>>> key.at(FLOAT, ("forward", "a1")).sign(np.array([[0.0], [2.0]])).ravel().tolist()
[0, 1]
>>> follower = KinkDecisions(follow=key)
>>> follower.at(FLOAT, ("forward", "a1")).sign(np.array([[5.6e-17], [2.0]])).ravel().tolist()
[0, 1]
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from grader.engine.op_kit import Ctx
from grader.engine.ops_conv import maxpool_ties


def _one(c: Ctx):
    return c.backend.const(Fraction(1))


# op -> where its kinks are: arrays of its forward inputs that are exactly 0 at a kink (x for a
# ReLU, x ∓ 1 for hard-tanh, a − b for max, r² − δ² for Huber, ties of a max-pooling window).
# The one table of kinked ops: screening of draws, random instances placed at kinks and the
# property tests read it.
KINK_GAPS = {
    "relu": lambda c, x: [x],
    "leaky_relu": lambda c, x, slope: [x],
    "elu": lambda c, x, alpha: [x],
    "selu": lambda c, x: [x],
    "abs": lambda c, x: [x],
    "hardtanh": lambda c, x: [x - _one(c), x + _one(c)],
    "max": lambda c, a, b: [a - b],
    "min": lambda c, a, b: [a - b],
    "l1": lambda c, y, t: [y - t],
    "huber": lambda c, y, t, delta: [(y - t) * (y - t) - delta * delta],
    "maxpool2d": maxpool_ties,
}


def at_kinks(graph, values: dict, backend) -> list:
    """The nodes of ``graph`` whose inputs (``values``, of ``backend``) sit exactly at one of
    their op's kinks, in graph order: decided by the backend's ``sign`` (exactly, in the key's
    arithmetic)."""
    found = []
    for node in graph.nodes:
        gaps = KINK_GAPS.get(node.op)
        if gaps is None or any(a not in values for a in node.args):
            continue
        arrays = gaps(Ctx(backend, None), *(values[a] for a in node.args))
        if any((np.asarray(backend.sign(np.asarray(g)), dtype=int) == 0).any() for g in arrays):
            found.append(node)
    return found


class KinkDecisions:
    """The sign arrays one run's ops branched on, by (pass, node, call number); ``follow``:
    another run's decisions, used in place of this run's own wherever the same place has one."""

    def __init__(self, follow: KinkDecisions | None = None):
        self.signs: dict[tuple, np.ndarray] = {}
        self.follow = follow

    def at(self, backend, place: tuple) -> _Deciding:
        """``backend`` as the ops at ``place`` (e.g. ``("backward", "a1")``) should see it."""
        return _Deciding(backend, self, place)

    def zeros(self) -> int:
        """How many decisions were "exactly at the kink" (sign 0)."""
        return sum(int((s == 0).sum()) for s in self.signs.values())


class _Deciding:
    """A backend whose ``sign`` records (or follows) decisions; everything else is the backend's."""

    def __init__(self, backend, decisions: KinkDecisions, place: tuple):
        self._backend, self._decisions, self._place, self._calls = backend, decisions, place, 0

    def __getattr__(self, name):
        return getattr(self._backend, name)

    def sign(self, a) -> np.ndarray:
        key = (*self._place, self._calls)
        self._calls += 1
        followed = self._decisions.follow.signs.get(key) if self._decisions.follow is not None else None
        if followed is not None and followed.shape == np.shape(a):
            decided = followed
        else:
            decided = self._backend.sign(a)
        self._decisions.signs[key] = decided
        return decided
