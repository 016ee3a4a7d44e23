r"""Node-by-node derivatives an answer may name: ``\frac{\partial z^{[l+1]}}{\partial a^{[l]}}``,
``\partial y/\partial z``, ``\frac{\partial y_k}{\partial z_j}``.

The gradient of the loss by a quantity is :mod:`grader.judge.symbolic.gradients`'; this is its
node-by-node counterpart. For two symbols bound to nodes ``Y`` and ``Z`` of the graph, the
derivative is a symbol of its own whose value on each instance is the engine's:

* ``derivative Y Z`` when ``Y = g(Z)`` is an element-wise op: the Jacobian is diagonal, and its
  value is the vector (or, for a batch, matrix) of derivatives g'(Z), what students mean by
  ``\frac{\partial g^{[2]}}{\partial z^{[2]}} \odot (...)`` and ``g^{[l]'}(Z^{[l]})``. The
  evaluator multiplies it as the diagonal matrix it stands for: diag(v) M = v ⊙ M and
  M diag(v) = M ⊙ vᵀ (:func:`grader.judge.symbolic.evaluate.diagonal_product`);
* ``jacobian Y Z`` otherwise: the matrix J[i, j] = ∂Y_i/∂Z_j of one example (numerator layout).
  For a batch it is the examples' common Jacobian (``∂Z/∂A = W`` for ``Z = W A + b``, ``∂Z/∂b = I``);
  a Jacobian that differs per example, or is taken by a matrix (a tensor), has no value here.

Values are worked out on first use (:class:`DerivedValues`): an instance knows hundreds of
pairs, an answer names one or two.
"""
from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

from grader.engine.autodiff import backward
from grader.engine.ops import ACTIVATIONS, FUNCTIONS
from grader.parse.expression.notation import DIAGONAL, is_diagonal
from grader.parse.expression.tree import Sym, Transpose

JACOBIAN = "jacobian "
#: ops whose Jacobian is diagonal (each output entry depends on its own input entry only)
__all__ = ["DIAGONAL", "JACOBIAN", "is_diagonal", "jacobian_symbols", "derived_values"]
ELEMENTWISE = (ACTIVATIONS - {"softmax"}) | (FUNCTIONS & {"exp", "log"})


def node_bindings(bindings: Mapping) -> dict[str, str]:
    """Symbol → the graph node it is bound to (``Z_l`` → ``Z2``), for symbols bound to one node."""
    out = {}
    for name, b in bindings.items():
        words = getattr(b, "quantity", "").split()
        if len(words) == 1 and words[0] != "ones":
            out[name] = words[0]
    return out


def jacobian_symbols(bindings: Mapping, graph) -> dict[tuple[str, str], str]:
    """(numerator symbol, denominator symbol) → the symbol of ∂Y/∂Z, for every two symbols
    bound to distinct nodes: ``derivative A2 Z2`` for an element-wise ``A2 = g(Z2)``, else
    ``jacobian Z3 A2``.

    >>> from types import SimpleNamespace as B
    >>> from grader.engine.graph import build_graph
    >>> g = build_graph({"inputs": {"x": [2, 1]}, "targets": {"t": [2, 1]}, "params": {"W": [2, 2]},
    ...                  "equations": ["z = W @ x", "a = sigmoid(z)", "L = sse(a, t)"], "loss": "L", "output": "a"})
    >>> jacobian_symbols({"a": B(quantity="a"), "z": B(quantity="z")}, g)
    {('a', 'z'): 'derivative a z', ('z', 'a'): 'jacobian z a'}
    """
    nodes = node_bindings(bindings)
    ops = {n.name: n for n in graph.nodes} if graph is not None else {}
    out = {}
    for y, ynode in nodes.items():
        for z, znode in nodes.items():
            if ynode == znode:
                continue
            node = ops.get(ynode)
            diagonal = node is not None and node.op in ELEMENTWISE and node.args[:1] == (znode,)
            out[(y, z)] = (DIAGONAL if diagonal else JACOBIAN) + f"{ynode} {znode}"
    return out


class NoJacobian(ValueError):
    """A Jacobian with no matrix value on this instance (by a matrix; differing per example)."""


def _direct(graph, of: str, wrt: str) -> bool:
    """Whether ``of`` is computed from ``wrt`` through unnamed steps only (``z = W @ a + b``: z of a)."""
    nodes = {n.name: n for n in graph.nodes}
    todo = list(nodes[of].args) if of in nodes else []
    while todo:
        arg = todo.pop()
        if arg == wrt:
            return True
        if arg.startswith("_") and arg in nodes:
            todo.extend(nodes[arg].args)
    return False


def _local(graph, values: dict, of: str, wrt: str, backend) -> dict:
    r"""Pins that make a backward pass the local partial ∂of/∂wrt when ``of`` is computed from
    ``wrt`` directly: every other named node's gradient held at 0, so a path through another
    quantity (the skip path's h in z_2 = h + x, for ∂z_2/∂x) is not counted, as in the chain rule
    ``\bar{x} = \bar{z}_1 \frac{\partial z_1}{\partial x} + \bar{z}_2 \frac{\partial z_2}{\partial x}``. Between
    quantities further apart (∂z^{[L]}/∂z^{[l]}) the Jacobian is the total one: no pins."""
    if not _direct(graph, of, wrt):
        return {}
    return {n.name: 0 * values[n.name] for n in graph.nodes
            if not n.name.startswith("_") and n.name not in (of, wrt) and n.name in values}


def node_jacobian(graph, values: dict, of: str, wrt: str, *, backend, rules) -> np.ndarray:
    """∂of/∂wrt as one matrix: J[i, j] = ∂of_i/∂wrt_j, the same for every example of a batch."""
    out, inp = values[of], values[wrt]
    pins = _local(graph, values, of, wrt, backend)
    batch = out.shape[1]
    if inp.shape[1] not in (1, batch) or wrt in graph.params and inp.shape[1] != 1:
        raise NoJacobian(f"∂{of}/∂{wrt} is taken by a matrix: it is not a matrix")
    common = None
    for example in range(batch):
        rows = []
        for i in range(out.shape[0]):
            seed = np.zeros(out.shape, dtype=object)
            seed[i, example] = 1
            g = backward(graph, values, backend=backend, rules=rules, seed=(of, backend.array(seed.tolist())),
                         until=wrt, pins=pins).get(wrt)
            g = 0 * inp if g is None else g
            rows.append(g[:, example if inp.shape[1] == batch else 0].reshape(1, -1))
        jac = np.vstack(rows)
        if common is None:
            common = jac
        elif not np.allclose(np.asarray(common, dtype=float), np.asarray(jac, dtype=float), rtol=1e-12, atol=1e-15):
            raise NoJacobian(f"∂{of}/∂{wrt} differs from one example of the batch to another: write it per example")
    return common


def elementwise_derivatives(graph, values: dict, of: str, wrt: str, *, backend, rules) -> np.ndarray:
    """g'(wrt) entry by entry for an element-wise ``of = g(wrt)``: the backward pass seeded with ones."""
    ones = backend.array(np.ones(values[of].shape, dtype=int).tolist())
    g = backward(graph, values, backend=backend, rules=rules, seed=(of, ones), until=wrt,
                 pins=_local(graph, values, of, wrt, backend)).get(wrt)
    return 0 * values[wrt] if g is None else g


class DerivedValues(dict):
    """An instance's symbol values, with each Jacobian symbol (``jacobian Y Z``,
    ``derivative Y Z``) worked out from the instance's forward values on first lookup; a
    Jacobian with no value (:class:`NoJacobian`) looks up as None (the evaluator then says
    it has no value here)."""

    def __init__(self, values: Mapping, compute: Callable[[str, str, str], np.ndarray]):
        super().__init__(values)
        self._compute = compute
        self.why: dict[str, str] = {}  # a Jacobian with no value → why (the evaluator's message)

    def get(self, name, default=None):
        if name in self:
            return self[name]
        if not isinstance(name, str) or not name.startswith((JACOBIAN, DIAGONAL)):
            return default
        verb, of, wrt = name.split()
        try:
            value = self._compute(verb, of, wrt)
        except NoJacobian as e:
            value, self.why[name] = None, str(e)
        self[name] = value
        return default if value is None else value

    def __missing__(self, name):
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __reduce__(self):
        """Pickled (to a worker, into a cache) as the values worked out so far, a plain dict."""
        return dict, (dict(self),)

    def with_values(self, extra: Mapping) -> "DerivedValues":
        """A copy with more values (a derivation's own), still working out Jacobians."""
        return DerivedValues({**self, **extra}, self._compute)


def derived_values(values: Mapping, graph, forward: dict, *, backend, rules) -> DerivedValues:
    """``values`` (an instance's symbol values) with every Jacobian symbol of ``graph``
    available on lookup, computed from the instance's forward values ``forward``."""
    def compute(verb: str, of: str, wrt: str):
        if of not in forward or wrt not in forward:
            raise NoJacobian(f"{of} or {wrt} has no value here")
        how = elementwise_derivatives if verb + " " == DIAGONAL else node_jacobian
        return np.asarray(how(graph, forward, of, wrt, backend=backend, rules=rules))
    return DerivedValues(values, compute)


def diagonal_side(node) -> bool:
    """Whether an operand is a diagonal Jacobian (or its transpose, the same matrix)."""
    node = node.arg if type(node) is Transpose else node
    return type(node) is Sym and not node.index and is_diagonal(node.name)


def diagonal_product(left: np.ndarray, right: np.ndarray, left_diagonal: bool, right_diagonal: bool):
    """A product with a diagonal Jacobian held as its diagonal ``v`` (one column per example):
    diag(v) M = v ⊙ M (M of v's shape, or M's columns scaled by a single example's v) and
    M diag(v) = M ⊙ vᵀ (rows: the numerator layout's row gradients); two diagonals multiply
    entry by entry. None when the shapes fit neither (the caller reports a shape error)."""
    if left_diagonal and right_diagonal:
        return left * right if left.shape == right.shape else None
    if left_diagonal:
        fits = right.shape == left.shape or left.shape[1] == 1 and right.shape[0] == left.shape[0]
        return left * right if fits else None
    fits = left.shape == right.T.shape or right.shape[1] == 1 and left.shape[1] == right.shape[0]
    return left * right.T if fits else None
