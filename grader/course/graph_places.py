"""Where in a graph a misconception's rule applies: the places each catalogue change is made at
(every ``W @ a``, each residual add, each penalty term, each shared weight's uses).

Each finder takes a :class:`~grader.engine.graph.Graph` and returns the places, so a change can
be made at all of them or at one alone (:mod:`grader.course.rule_changes`).
"""
from __future__ import annotations

from grader.engine.graph import Graph

ELEMENTWISE = ("sigmoid", "tanh", "relu", "softplus", "leaky_relu", "act")


def weight_matmuls(graph: Graph):
    """(matmul node, weight, input) for every ``W @ a`` with W a parameter."""
    return [(n, n.args[0], n.args[1]) for n in graph.nodes if n.op == "matmul" and n.args[0] in graph.params]


def producer(graph: Graph, name: str):
    return next(n for n in graph.nodes if n.name == name)


def preactivation(graph: Graph) -> list:
    """z where a belongs: each ``W @ a``'s backward sees the pre-activation of a."""
    subs = []
    for node, _, a in weight_matmuls(graph):
        prod = producer(graph, a)
        if prod.op in ELEMENTWISE:
            subs.append((node.name, 1, prod.args[0]))
    return subs


def own_output(graph: Graph) -> list:
    """a^(l) where a^(l-1) belongs: the activation this layer produces, in place of its input."""
    subs = []
    for node, _, _ in weight_matmuls(graph):
        current = node.name
        for later in graph.nodes:  # climb through "+ b" to z, then to the activation of z
            if current in later.args and later.op == "add":
                current = later.name
            elif current in later.args and later.op in ELEMENTWISE:
                subs.append((node.name, 1, later.name))
                break
    return subs


def data_free(graph: Graph, name: str) -> bool:
    """Whether a node's value depends on parameters and constants only (a penalty), not on data."""
    node = graph.node(name)
    if node.op == "input":
        return False
    return all(data_free(graph, a) for a in node.args)


def penalties(graph: Graph) -> list[tuple[str, int]]:
    """(node, arg index) of every penalty added to a loss term: ``L = data + lam * sum(W * W)``."""
    return [(n.name, i) for n in graph.nodes if n.op == "add" for i, a in enumerate(n.args)
            if data_free(graph, a) and a not in graph.params and not data_free(graph, n.args[1 - i])]


def earlier_uses(graph: Graph) -> list[tuple[str, int]]:
    """A weight used at several places (an RNN's W at every step): every use but the last."""
    drops = []
    for p in graph.params:
        uses = [(n.name, i) for n in graph.nodes for i, a in enumerate(n.args) if a == p and not data_free(graph, n.name)]
        drops += uses[:-1]
    return drops


def statistics(graph: Graph) -> list[tuple[str, int]]:
    """The batch (or layer) statistics' inputs: μ and σ² treated as constants when dropped."""
    return [(n.name, 0) for n in graph.nodes if n.op in ("mean_batch", "mean_features")]


def drop_skip(graph: Graph) -> list:
    """The skip path of each residual ``z = h + x`` (no parameter added)."""
    order = {n.name: i for i, n in enumerate(graph.nodes)}
    penalty_adds = {name for name, _ in penalties(graph)}
    drops = []
    for n in graph.nodes:
        if n.op == "add" and n.name not in penalty_adds and not any(a in graph.params or a.startswith("_") for a in n.args):
            earlier = min(range(2), key=lambda i: order[n.args[i]])  # the skip comes from further back
            drops.append((n.name, earlier))
    return drops


def bias_pairs(graph: Graph) -> dict:
    """weight → its layer's bias, for every ``W @ a + b``."""
    pairs = {}
    for n in graph.nodes:
        if n.op == "add":
            left = producer(graph, n.args[0])
            if left.op == "matmul" and left.args[0] in graph.params and n.args[1] in graph.params:
                pairs[left.args[0]] = n.args[1]
    return pairs
