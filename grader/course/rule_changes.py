"""Rule changes a misconception is made of, each at every place of a graph at once or at one
place alone: σ' left out at every layer, or at layer 1 only; one transpose missing.

A change is called as a variant's ``rules`` (``change(graph, rules) -> Rules | None``: None when
the graph has no place for it); :meth:`LocalChange.places` lists a graph's places (node names)
and :meth:`LocalChange.at` gives the same change made at one of them only.

>>> from grader.engine.graph import build_graph
>>> g = build_graph({"inputs": {"x": [2, 1]}, "targets": {"t": [1, 1]},
...     "params": {"W1": [2, 2], "W2": [1, 2]},
...     "equations": ["z1 = W1 @ x", "a1 = sigmoid(z1)", "z2 = W2 @ a1", "a2 = sigmoid(z2)", "L = sse(a2, t)"],
...     "loss": "L", "output": "a2"})
>>> OpChange("sigmoid", None).places(g)
['a1', 'a2']
>>> place_text(g, "a1"), place_text(g, "z2")
('a1 = sigmoid(z1)', 'z2 = W2 @ a1')
"""
from __future__ import annotations

from dataclasses import replace

from grader.engine.graph import Graph
from grader.engine.ops import Op, Rules

_INFIX = {"matmul": "@", "add": "+", "sub": "-", "mul": "*"}


def _node(graph: Graph, name: str):
    return next(n for n in graph.nodes if n.name == name)


def _render(graph: Graph, n, depth: int = 0) -> str:
    args = [_expr(graph, a, depth + 1) for a in n.args]
    if n.op in _INFIX and len(args) == 2:
        return f"{args[0]} {_INFIX[n.op]} {args[1]}"
    if n.op == "transpose":
        return f"{args[0]}.T"
    if n.op == "const":
        return str(n.value)
    return f"{n.op}({', '.join(args)})"


def _expr(graph: Graph, name: str, depth: int = 0) -> str:
    """A node as the assignment writes it: anonymous nodes (``_1``) spelled out."""
    if not name.startswith("_") or depth > 8:
        return name
    return _render(graph, _node(graph, name), depth)


def place_text(graph: Graph, name: str) -> str:
    """Where an error is made, in the assignment's own equations: ``a1 = sigmoid(z1)``, or an
    anonymous node spelled out (``W2 @ a1``)."""
    if name.startswith("_"):
        return _expr(graph, name)
    n = _node(graph, name)
    if n.op in ("param", "input", "const"):
        return f"∂L/∂{name}"
    return f"{name} = {_render(graph, n)}"


class LocalChange:
    """A change made at every place at once (called) or at one place alone (:meth:`at`)."""

    def places(self, graph: Graph) -> list[str]:
        raise NotImplementedError

    def at(self, node: str):
        raise NotImplementedError


class OpChange(LocalChange):
    """A change to the ops ``names`` the graph uses: a new backward rule, the current backward
    negated, or a whole replacement op. Built on the rules in force (an instance's choice of
    activation stays), so only the one rule changes; at one place only that node's backward
    rule changes (:attr:`grader.engine.ops.Rules.at_node`)."""

    def __init__(self, names, backward=None, *, negate: bool = False, op: Op | None = None):
        self.names = (names,) if isinstance(names, str) else tuple(names)
        self.backward, self.negate, self.op = backward, negate, op

    def _new(self, current: Op) -> Op:
        if self.op is not None:
            return self.op
        if self.negate:
            base = current.backward
            return replace(current, backward=lambda c, g, out, *args, base=base:
                           tuple(None if x is None else -x for x in base(c, g, out, *args)))
        return replace(current, backward=self.backward)

    def places(self, graph: Graph) -> list[str]:
        return [n.name for n in graph.nodes if n.op in self.names]

    def __call__(self, graph: Graph, rules: Rules) -> Rules | None:
        used = [name for name in self.names if any(n.op == name for n in graph.nodes)]
        if not used:
            return None
        for name in used:
            rules = rules.with_op(self._new(rules.op(name)))
        return rules

    def at(self, node: str):
        def change(graph: Graph, rules: Rules) -> Rules | None:
            n = next((n for n in graph.nodes if n.name == node and n.op in self.names), None)
            if n is None:
                return None
            return replace(rules, at_node=rules.at_node + ((node, self._new(rules.op(n.op))),))
        return change


class Rewire(LocalChange):
    """A change of the backward wiring: ``find(graph)`` gives the entries it adds to the
    rules' ``field`` ("substitute": another value seen at a node; "drop": a path left out),
    each at a node; all at once, or one node's alone."""

    def __init__(self, find, field: str):
        self.find, self.field = find, field

    def places(self, graph: Graph) -> list[str]:
        return list(dict.fromkeys(t[0] for t in self.find(graph)))

    def _apply(self, rules: Rules, found) -> Rules | None:
        return replace(rules, **{self.field: getattr(rules, self.field) + tuple(found)}) if found else None

    def __call__(self, graph: Graph, rules: Rules) -> Rules | None:
        return self._apply(rules, self.find(graph))

    def at(self, node: str):
        return lambda graph, rules: self._apply(rules, [t for t in self.find(graph) if t[0] == node])


class AfterChange(LocalChange):
    """A change to the result (``after``): ``apply(graph, params, ev, scenario, only)`` with
    ``only`` the places to change (None: all); ``find(graph)`` lists them."""

    def __init__(self, find, apply):
        self.find, self.apply = find, apply

    def places(self, graph: Graph) -> list[str]:
        return list(self.find(graph))

    def __call__(self, graph, params, ev, scenario):
        return self.apply(graph, params, ev, scenario, None)

    def at(self, node: str):
        return lambda graph, params, ev, scenario: self.apply(graph, params, ev, scenario, (node,))
