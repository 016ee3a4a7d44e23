"""One instance of a key as an answer sees it (:class:`Env`), and what can go wrong evaluating an
answer on it (:class:`ShapeError` and its kinds): shared by :mod:`grader.judge.symbolic.evaluate`
and the modules it calls on (slices, Jacobians, sums)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from grader.engine.backends import FLOAT


class ShapeError(ValueError):
    """Operands whose shapes do not fit; ``pos`` is the operator's offset in the answer."""

    def __init__(self, message: str, pos: int = 0):
        super().__init__(message)
        self.pos = pos


class UnboundIndex(ShapeError):
    """A sum whose index nothing in its body carries, and no bounds: its range is unknown."""

    pass


class DomainError(ShapeError):
    """A function applied where it has no value in this instance (J' away from the output)."""


@dataclass(frozen=True)
class Env:
    """One instance as seen by an answer: symbol values, sizes, index values, conventions."""

    symbols: dict
    sizes: dict = field(default_factory=dict)
    indices: dict = field(default_factory=dict)  # free index -> 0-based value
    act: str = "tanh"  # what the generic activation is in this instance
    relu_grad_at_zero: float = 0.0
    cost_grad: np.ndarray | None = None  # J'(A^{[L]}): ∂cost/∂output
    cost_at: np.ndarray | None = None  # the output A^{[L]}, the only point J' is known at
    batch: int = 1  # the examples of this instance: a column added to an n×batch matrix is a bias
    backend: object = FLOAT  # the number system of the values (HIGH: mpmath in object arrays)
