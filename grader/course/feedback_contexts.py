"""What a catalogue feedback's worded alternative is chosen by: the network's ops (leaky ReLU in
place of ReLU) and what the question asks (a weight gradient ∂L/∂W, a backpropagated signal δ,
an updated parameter), so a feedback speaks of the question's own quantities only.

>>> from grader.engine.graph import build_graph
>>> g = build_graph({"inputs": {"x": [2, 1]}, "targets": {"t": [1, 1]},
...     "params": {"W1": [2, 2], "W2": [1, 2]},
...     "equations": ["z1 = W1 @ x", "h = leaky_relu(z1, 0.1)", "y = W2 @ h", "L = sse(y, t)"],
...     "loss": "L", "output": "y"})
>>> sorted(contexts(g, None))
['leaky_relu']
>>> from grader.course.assignment import Question
>>> sorted(contexts(g, Question("q", "s", "grad W1"))), sorted(contexts(g, Question("q", "s", "grad z1")))
(['asks-weight-gradient', 'leaky_relu'], ['asks-signal', 'leaky_relu'])
"""
from __future__ import annotations

from grader.engine.graph import Graph

# an op whose misconceptions are worded for it where the network has it in place of the usual op
OP_IN_PLACE_OF = {"leaky_relu": "relu"}


def _uses(graph: Graph, op: str) -> bool:
    return any(n.op == op for n in graph.nodes)


def _asks(graph: Graph, question) -> str | None:
    """What the question asks, as a context: the gradient of a weight (a parameter multiplied
    into a matrix product), of an intermediate node (δ), or an updated parameter."""
    verb = getattr(question, "verb", "")
    nodes = getattr(question, "nodes", ())
    if verb == "updated":
        return "asks-update"
    if verb != "grad" or len(nodes) != 1:
        return None
    node = nodes[0]
    if node in graph.params:
        weight = any(n.op == "matmul" and n.args[0] == node for n in graph.nodes)
        return "asks-weight-gradient" if weight else "asks-parameter-gradient"
    if node in graph.inputs or node in graph.targets:
        return None
    return "asks-signal"


def spelled(assignment, scenario: str, quantity: str) -> str:
    """How the assignment writes a quantity (a node, ``grad NODE``): a bound symbol's first
    spelling; a gradient whose node is bound, ∂L/∂ and that spelling; else the node's name."""
    table = assignment.symbols.get(scenario, {})
    for b in table.values():
        if b.quantity == quantity and b.spellings:
            return b.spellings[0]
    verb, _, node = quantity.rpartition(" ")
    if verb == "grad":
        return f"∂L/∂{spelled(assignment, scenario, node)}"
    return quantity


def contexts(graph: Graph, question=None) -> frozenset[str]:
    """The contexts of ``question`` (None: the network's alone) on ``graph``."""
    found = {op for op, usual in OP_IN_PLACE_OF.items() if _uses(graph, op) and not _uses(graph, usual)}
    asks = _asks(graph, question) if question is not None else None
    return frozenset(found | ({asks} if asks else set()))
