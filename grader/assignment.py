"""Assignments: networks, scenarios (parameters, examples, learning rate) and questions.

An assignment file (``reference/<id>.yaml``, schema ``assignment.schema.json``) is trusted
instructor input, but it is still validated: every mistake in it is a :class:`ConfigError`
that names the file and the place, never a crash halfway through grading.

A question asks for one *quantity* of one *scenario*:

======================  ==========================================================
``z1``                  the forward value of node ``z1``
``grad z2``             ∂L/∂z2 (a δ), ``grad W2`` (a gradient), ``grad x`` (an input's)
``updated W2``          W2 − η ∂L/∂W2 after one gradient-descent step
``class a2``            the predicted class, argmax of ``a2`` per example
``jacobian a3 z3``      ∂a3/∂z3 for one example (e.g. the softmax Jacobian)
``shape W1``            the shape of a node's value, rows × columns
``count params``        the number of parameters (entries of all weights and biases)
======================  ==========================================================
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from grader.engine.graph import Graph, build_graph, expand_mlp
from grader.engine.ops import Rules
from grader.errors import ConfigError
from grader.io.safe_load import load_file
from grader.io.validate import validate

QUANTITY_KINDS = {"": "matrix", "grad": "matrix", "updated": "matrix", "jacobian": "matrix", "count": "matrix",
                  "class": "class", "shape": "shape"}


@dataclass(frozen=True)
class Question:
    id: str
    scenario: str
    quantity: str
    text: str = ""

    @property
    def verb(self) -> str:
        """``grad``, ``updated``, ``class`` or ``""`` (a forward value)."""
        return self.quantity.split()[0] if " " in self.quantity else ""

    @property
    def node(self) -> str:
        """The node asked about (for a Jacobian, the numerator ``of``)."""
        words = self.quantity.split()
        return words[1] if len(words) == 3 else words[-1]

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every node the quantity names (``count params`` names none)."""
        return () if self.verb == "count" else tuple(self.quantity.split()[1:] if self.verb else [self.quantity])

    @property
    def kind(self) -> str:
        """How an answer is read and compared: ``matrix`` (numbers) or ``class`` (an integer)."""
        return QUANTITY_KINDS[self.verb]


@dataclass(frozen=True)
class Scenario:
    name: str
    network: str
    examples: tuple[dict, ...]  # name -> list of Fractions (one column each)
    init: dict = field(default_factory=dict)  # glob -> Fraction
    params: dict = field(default_factory=dict)  # name -> rows of Fractions
    params_from: str | None = None
    learning_rate: Fraction | None = None


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    path: str
    description: str
    source: str
    graphs: dict
    scenarios: dict
    questions: tuple[Question, ...]
    rules: Rules
    class_base: int = 1

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    def scenario_order(self) -> list[str]:
        """Scenarios with every ``params_from`` source before its user."""
        order: list[str] = []
        for name in self.scenarios:
            chain = []
            while name and name not in order and name not in chain:
                chain.append(name)
                name = self.scenarios[name].params_from
            order.extend(reversed(chain))
        return order


def load_assignment(path: Path) -> Assignment:
    """Read, validate and cross-check an assignment file (raises ConfigError)."""
    doc = load_file(Path(path))
    validate(doc, "assignment", error=ConfigError)
    return _build(doc.data, str(path))


def _frac(text: str) -> Fraction:
    return Fraction(text)


def _build(data: dict, source: str) -> Assignment:
    def fail(message: str, where: str):
        raise ConfigError(message, file=source, question=where)

    graphs = {}
    for name, spec in data["networks"].items():
        graphs[name] = build_graph(expand_mlp(spec["mlp"]) if "mlp" in spec else spec, source=f"{source} (network {name})")
    conventions = data.get("conventions", {})
    rules = Rules(relu_grad_at_zero=_frac(conventions.get("relu_grad_at_zero", "0")),
                  reduction=conventions.get("reduction", "sum"))

    scenarios = {}
    for name, s in data["scenarios"].items():
        where = f"scenarios.{name}"
        if s["network"] not in graphs:
            fail(f"unknown network '{s['network']}' (known: {', '.join(graphs)})", where)
        graph = graphs[s["network"]]
        if s.get("params_from") and s["params_from"] not in data["scenarios"]:
            fail(f"params_from names unknown scenario '{s['params_from']}'", where)
        if "learning_rate" in s and not any(t in ex for ex in s["examples"] for t in graph.targets):
            fail("a learning rate needs examples with targets", where)
        examples = tuple({k: [_frac(v) for v in vec] for k, vec in ex.items()} for ex in s["examples"])
        for i, ex in enumerate(examples):
            for k, vec in ex.items():
                if k not in graph.shapes or k in graph.params:
                    fail(f"example {i + 1}: '{k}' is not an input or target of network {s['network']}", where)
                if len(vec) != graph.shapes[k][0]:
                    fail(f"example {i + 1}: '{k}' has {len(vec)} entries, the network expects {graph.shapes[k][0]}", where)
        scenario = Scenario(name, s["network"], examples,
                            init={g: _frac(v) for g, v in (s.get("init") or {}).items()},
                            params={p: [[_frac(v) for v in (row if isinstance(row, list) else [row])] for row in rows]
                                    for p, rows in (s.get("params") or {}).items()},
                            params_from=s.get("params_from"),
                            learning_rate=_frac(s["learning_rate"]) if "learning_rate" in s else None)
        if not scenario.params_from:
            for p in graph.params:
                if p not in scenario.params and not any(fnmatch.fnmatchcase(p, g) for g in scenario.init):
                    fail(f"parameter '{p}' has no initial value (give it in params or init)", where)
        scenarios[name] = scenario

    questions, seen = [], set()
    for i, q in enumerate(data["questions"]):
        question = Question(q["id"], q["scenario"], q["quantity"], q.get("text", ""))
        where = f"questions[{i}] ({question.id})"
        if question.id in seen:
            fail(f"question id '{question.id}' is used twice", where)
        seen.add(question.id)
        if question.scenario not in scenarios:
            fail(f"unknown scenario '{question.scenario}'", where)
        scenario = scenarios[question.scenario]
        graph: Graph = graphs[scenario.network]
        for node in question.nodes:
            if node not in {n.name for n in graph.nodes}:
                fail(f"'{node}' is not a node of network {scenario.network} (nodes: {', '.join(graph.names)})", where)
        if question.verb == "jacobian" and len(scenario.examples) != 1:
            fail("a Jacobian is asked of a scenario with one example", where)
        if question.verb == "updated" and (scenario.learning_rate is None or question.node not in graph.params):
            fail("'updated' needs a parameter and a scenario with a learning rate", where)
        if question.verb == "grad" and not any(t in ex for ex in scenario.examples for t in graph.targets):
            fail("'grad' needs a scenario whose examples have targets", where)
        questions.append(question)

    return Assignment(data["id"], data["title"], source, data.get("description", ""), data.get("source", ""),
                      graphs, scenarios, tuple(questions), rules, int(conventions.get("class_base", "1")))
