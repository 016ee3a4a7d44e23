"""What each symbol of a question stands for in the network, as far as a repair's catalogue id
depends on it: biases, pre-activations and the activation they feed, activations and inputs,
the prediction and the target; read once per question from the assignment's symbol bindings
and graph.
"""
from __future__ import annotations

from dataclasses import dataclass

from grader.course.graph_places import ELEMENTWISE

LAYER_OUTPUTS = frozenset(ELEMENTWISE) | {"identity", "softmax"}  # ops whose output is a layer's activation


@dataclass(frozen=True)
class Roles:
    symbols: tuple[str, ...] = ()  # canonical names a symbol may be swapped for
    spellings: dict = None  # canonical name -> the assignment's first spelling
    biases: frozenset = frozenset()
    activation_of: dict = None  # pre-activation symbol -> the symbol of its activation
    layer_values: frozenset = frozenset()  # activations and inputs: a layer's output or input
    predictions: frozenset = frozenset()
    targets: frozenset = frozenset()
    loss_op: str = ""


def question_roles(assignment, question) -> Roles:
    """The roles of ``question``'s symbols (see the module doc)."""
    graph = assignment.graphs[assignment.scenarios[question.scenario].network]
    bindings = assignment.symbols.get(question.scenario, {})
    nodes = {n.name: n for n in graph.nodes}
    of_node = {b.quantity: name for name, b in bindings.items() if len(b.quantity.split()) == 1}
    biases = set()
    for n in graph.nodes:
        if n.op == "add" and n.args[1] in graph.params and nodes[n.args[0]].op == "matmul":
            biases.add(n.args[1])
    activation_of, layer_values = {}, set()
    for n in graph.nodes:
        if n.op in LAYER_OUTPUTS and n.name in of_node:
            layer_values.add(of_node[n.name])
            if n.args and n.args[0] in of_node:
                activation_of[of_node[n.args[0]]] = of_node[n.name]
        if n.op == "input" and n.name in of_node and n.name in graph.inputs:
            layer_values.add(of_node[n.name])
    loss = next((n.op for n in graph.nodes if n.name == graph.loss), "")
    return Roles(symbols=tuple(bindings), spellings={name: b.spellings[0] for name, b in bindings.items() if b.spellings},
                 biases=frozenset(of_node[b] for b in biases if b in of_node), activation_of=activation_of,
                 layer_values=frozenset(layer_values),
                 predictions=frozenset(s for q, s in of_node.items() if q == graph.output),
                 targets=frozenset(s for q, s in of_node.items() if q in graph.targets), loss_op=loss)
