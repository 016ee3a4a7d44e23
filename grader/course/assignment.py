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
``derivative a2 z2``    ∂a2/∂z2 entry by entry, for an element-wise a2 = g(z2)
``gradnorm W1``         ‖∂L/∂W1‖; ``gradratio W1 W2`` a ratio of two; ``fdgrad W1`` a central
                        difference (:mod:`grader.engine.graph_quantities`)
``m W2``, ``v W2``      an optimizer's state after a step (Adam's moments; ``v`` is
``velocity W2``         RMSprop's average too; ``velocity`` the momentum buffer)
======================  ==========================================================

A scenario with an ``optimizer`` (:mod:`grader.engine.optimizers`) runs several steps; a
question's ``step`` picks one (forward values and gradients default to step 1, ``updated``
and states to the last step).

A scenario either fixes every number (``examples``, parameters, learning rate) or is
``random``: its sizes are symbols (``d``) and answers are expressions checked on random
instances. ``symbols`` then says, per scenario, which quantity each symbol an answer may use
stands for, and how students spell it; ``sizes``, ``functions`` and ``indices`` likewise.
"""
from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from fractions import Fraction
from pathlib import Path

from grader.engine.graph import Graph, build_graph, expand_mlp
from grader.engine.ops import Rules
from grader.engine.graph_quantities import DERIVED
from grader.engine.optimizers import OPTIMIZERS, STATE_NAMES, Optimizer
from grader.course.kinds import KINDS
from grader.errors import ConfigError
from grader.io.safe_load import load_file
from grader.io.validate import validate

# the kind (a row of grader.course.kinds.KINDS) of a question that declares none, by its quantity's verb
QUANTITY_KINDS = {"": "matrix", "grad": "matrix", "updated": "matrix", "jacobian": "matrix", "count": "matrix",
                  "derivative": "matrix", "class": "class", "shape": "shape"} | {name: "matrix" for name in STATE_NAMES | set(DERIVED)}
PAIR_VERBS = ("jacobian", "derivative", "gradratio")


@dataclass(frozen=True)
class Question:
    id: str
    scenario: str
    quantity: str = ""  # empty for a manual question
    text: str = ""
    declared_kind: str | None = None
    answer: str = ""  # reference answer text (expression and manual questions)
    entries: str = "all"  # which entries an index-notation answer stands for
    indices: tuple[str, ...] = ()
    mistakes: tuple[tuple[str, str], ...] = ()  # (misconception id, an answer that must get that flag)
    step: int = 0  # an optimizer scenario's step asked about (0: the default, see the module)

    @cached_property  # frozen dataclass: cached_property writes __dict__ directly, fields unchanged
    def verb(self) -> str:
        """``grad``, ``updated``, ``class``, ``shape``, … or ``""`` (a forward value)."""
        return self.quantity.split()[0] if " " in self.quantity else ""

    @cached_property
    def node(self) -> str:
        """The node asked about (for a Jacobian, the numerator ``of``)."""
        words = self.quantity.split()
        return words[1] if len(words) == 3 else words[-1] if words else ""

    @cached_property
    def nodes(self) -> tuple[str, ...]:
        """Every node the quantity names (``count params`` names none)."""
        if self.verb == "count" or not self.quantity:
            return ()
        return tuple(self.quantity.split()[1:] if self.verb else [self.quantity])

    @cached_property
    def kind(self) -> str:
        """How an answer is read and compared: ``matrix`` (numbers), ``class`` (an integer),
        ``shape``, ``expression`` (symbolic, checked on random instances) or ``manual``: a row
        of :data:`grader.course.kinds.KINDS`."""
        return self.declared_kind or QUANTITY_KINDS[self.verb]


@dataclass(frozen=True)
class Scenario:
    name: str
    network: str
    examples: tuple[dict, ...]  # name -> list of Fractions (one column each)
    init: dict = field(default_factory=dict)  # glob -> Fraction
    params: dict = field(default_factory=dict)  # name -> rows of Fractions
    params_from: str | None = None
    learning_rate: Fraction | None = None
    sizes: dict = field(default_factory=dict)  # size name -> value, for symbolic shapes
    random: dict | None = None  # {"instances": n, "batch": size or int}: no fixed numbers
    optimizer: Optimizer | None = None  # several steps of an optimizer, in place of one SGD step


@dataclass(frozen=True)
class Binding:
    """A symbol answers may use: the quantity it stands for and how students spell it."""

    quantity: str
    spellings: tuple[str, ...]


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
    sizes: dict = field(default_factory=dict)  # size -> ((low, high), spellings)
    functions: dict = field(default_factory=dict)  # "act" / "cost" -> spellings
    indices: tuple[str, ...] = ()
    symbols: dict = field(default_factory=dict)  # scenario -> {symbol: Binding}
    # A randomized assignment (numbers drawn per student, grader.course.draws): ``draws`` is its
    # file's data with the draws in place, and this object one nominal draw of it (question
    # list, rubric checks) that is never a student's key. A student's own draw has
    # ``draws = None`` and ``variant`` naming the student and attempt.
    draws: dict | None = field(default=None, compare=False, repr=False)
    variant: str = ""
    misconceptions: tuple = ()  # the course's own (grader.course.misconceptions.declared)

    @property
    def randomized(self) -> bool:
        return self.draws is not None

    def question(self, qid: str) -> Question:
        """The question with id ``qid`` (KeyError if none)."""
        return self._questions_by_id[qid]

    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        by_id: dict[str, Question] = {}
        for q in self.questions:
            by_id.setdefault(q.id, q)  # the first, as a scan would find it
        return by_id

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
    from grader.course.draws import has_draws, realise, student_rng
    if not has_draws(doc.data):
        return _build(doc.data, str(path))
    nominal = realise(doc.data, student_rng(doc.data["id"], "", "nominal"), str(path))
    return replace(_build(nominal, str(path)), draws=doc.data, variant="nominal")


def build_drawn(template: Assignment, data: dict, variant: str) -> Assignment:
    """One realised draw of a randomized assignment (``data``: its numbers in place)."""
    return replace(_build(data, template.path), variant=variant)


def _frac(text: str) -> Fraction:
    return Fraction(text)


_GRAPHS: dict[str, Graph] = {}


def _graph(spec: dict, source: str) -> Graph:
    """The network's graph, built once per distinct spec and source: each student's draw of a
    randomized assignment has the same network (unless its layer widths are drawn), and lark
    would parse its equations again for every attempt. Graphs are immutable, so sharing is safe."""
    ident = json.dumps([spec, source], sort_keys=True, default=str)
    if ident not in _GRAPHS:
        if len(_GRAPHS) > 256:
            _GRAPHS.clear()
        _GRAPHS[ident] = build_graph(expand_mlp(spec["mlp"]) if "mlp" in spec else spec, source=source)
    return _GRAPHS[ident]


def _build(data: dict, source: str) -> Assignment:
    def fail(message: str, where: str):
        raise ConfigError(message, file=source, question=where)

    graphs = {name: _graph(spec, f"{source} (network {name})") for name, spec in data["networks"].items()}
    conventions = data.get("conventions", {})
    rules = Rules(relu_grad_at_zero=_frac(conventions.get("relu_grad_at_zero", "0")),
                  reduction=conventions.get("reduction", "sum"), fd_step=_frac(conventions.get("fd_step", "1/10000")))
    sizes = {n: ((int(v["range"][0]), int(v["range"][1])), tuple(v.get("spellings", [n])))
             for n, v in (data.get("sizes") or {}).items()}
    scenarios = {name: _scenario(name, s, graphs, data["scenarios"], sizes, fail) for name, s in data["scenarios"].items()}
    symbols = _symbols(data.get("symbols") or {}, scenarios, graphs, fail)
    from grader.course.misconceptions import BY_ID, declared
    own = declared(data.get("misconceptions") or [], graphs, fail)
    known = set(BY_ID) | {m.id for m in own}
    questions, seen = [], set()
    for i, q in enumerate(data["questions"]):
        question = _question(q, f"questions[{i}] ({q['id']})", scenarios, graphs, seen, fail, known)
        seen.add(question.id)
        questions.append(question)
    return Assignment(data["id"], data["title"], source, data.get("description", ""), data.get("source", ""),
                      graphs, scenarios, tuple(questions), rules, int(conventions.get("class_base", "1")),
                      sizes, {k: tuple(v) for k, v in (data.get("functions") or {}).items()},
                      tuple(data.get("indices") or ()), symbols, misconceptions=own)


def _scenario(name: str, s: dict, graphs: dict, all_scenarios: dict, sizes: dict, fail) -> Scenario:
    where = f"scenarios.{name}"
    if s["network"] not in graphs:
        fail(f"unknown network '{s['network']}' (known: {', '.join(graphs)})", where)
    graph = graphs[s["network"]]
    symbolic = {d for shape in graph.shapes.values() for d in shape if isinstance(d, str)}
    if "random" in s:
        missing = sorted(symbolic - set(sizes))
        if missing:
            fail(f"sizes {', '.join(missing)} need a range in 'sizes'", where)
        return Scenario(name, s["network"], (), random={k: (v if not str(v).isdigit() else int(v))
                                                        for k, v in s["random"].items()})
    fixed = {k: int(v) for k, v in (s.get("sizes") or {}).items()}
    if symbolic - set(fixed):
        fail(f"sizes {', '.join(sorted(symbolic - set(fixed)))} need values in this scenario's 'sizes'", where)
    if s.get("params_from") and s["params_from"] not in all_scenarios:
        fail(f"params_from names unknown scenario '{s['params_from']}'", where)
    if "learning_rate" in s and not any(t in ex for ex in s["examples"] for t in graph.targets):
        fail("a learning rate needs examples with targets", where)
    examples = tuple({k: [_frac(v) for v in vec] for k, vec in ex.items()} for ex in s["examples"])
    for i, ex in enumerate(examples):
        for k, vec in ex.items():
            if k not in graph.shapes or k in graph.params:
                fail(f"example {i + 1}: '{k}' is not an input or target of network {s['network']}", where)
            rows = graph.shapes[k][0]
            rows = fixed[rows] if isinstance(rows, str) else rows
            if len(vec) != rows:
                fail(f"example {i + 1}: '{k}' has {len(vec)} entries, the network expects {rows}", where)
    scenario = Scenario(name, s["network"], examples,
                        init={g: _frac(v) for g, v in (s.get("init") or {}).items()},
                        params={p: [[_frac(v) for v in (row if isinstance(row, list) else [row])] for row in rows]
                                for p, rows in (s.get("params") or {}).items()},
                        params_from=s.get("params_from"),
                        learning_rate=_frac(s["learning_rate"]) if "learning_rate" in s else None, sizes=fixed,
                        optimizer=_optimizer(s["optimizer"], fail, where) if "optimizer" in s else None)
    if scenario.optimizer and not any(t in ex for ex in s["examples"] for t in graph.targets):
        fail("an optimizer needs examples with targets", where)
    if scenario.optimizer and (scenario.learning_rate is not None or scenario.params_from):
        fail("an optimizer scenario gives its learning rate in 'optimizer' and starts from its own parameters", where)
    if not scenario.params_from:
        for p in graph.params:
            if p not in scenario.params and not any(fnmatch.fnmatchcase(p, g) for g in scenario.init):
                fail(f"parameter '{p}' has no initial value (give it in params or init)", where)
    return scenario


def _optimizer(spec: dict, fail, where: str) -> Optimizer:
    """An ``optimizer:`` declaration: name, learning_rate, steps and the optimizer's constants."""
    numbers = {k: _frac(v) for k, v in spec.items() if k in ("learning_rate", "momentum", "beta1", "beta2", "alpha",
                                                             "eps", "weight_decay")}
    optimizer = Optimizer(spec["name"], steps=int(spec.get("steps", 1)), decoupled=spec.get("decoupled") == "true",
                          bias_correction=spec.get("bias_correction") != "false",
                          learning_rates=tuple((g, _frac(v)) for g, v in (spec.get("learning_rates") or {}).items()),
                          **numbers)
    if optimizer.name not in OPTIMIZERS:
        fail(f"unknown optimizer '{optimizer.name}' (known: {', '.join(OPTIMIZERS)})", where + ".optimizer")
    return optimizer


def _symbols(data: dict, scenarios: dict, graphs: dict, fail) -> dict:
    """Per scenario, each symbol's binding; its quantity must be a node, ``grad NODE`` or ``ones``."""
    out = {}
    for scenario, table in data.items():
        if scenario not in scenarios:
            fail(f"unknown scenario '{scenario}'", f"symbols.{scenario}")
        nodes = {n.name for n in graphs[scenarios[scenario].network].nodes}
        for symbol, b in table.items():
            words = b["quantity"].split()
            if not (words == ["ones"] or (len(words) == 1 and words[0] in nodes)
                    or (len(words) == 2 and words[0] == "grad" and words[1] in nodes)):
                fail(f"symbol '{symbol}' stands for '{b['quantity']}', which is not a node, 'grad NODE' or 'ones'",
                     f"symbols.{scenario}.{symbol}")
        out[scenario] = {symbol: Binding(b["quantity"], tuple(b.get("spellings") or [symbol])) for symbol, b in table.items()}
    return out


def _question(q: dict, where: str, scenarios: dict, graphs: dict, seen: set, fail, known: set) -> Question:
    question = Question(q["id"], q["scenario"], q.get("quantity", ""), q.get("text", ""), q.get("kind"),
                        q.get("answer", ""), q.get("entries", "all"), tuple(q.get("indices") or ()),
                        tuple((q.get("mistakes") or {}).items()), int(q.get("step", 0)))
    for flag, _ in question.mistakes:
        if flag not in known:
            fail(f"mistakes: unknown misconception id '{flag}'", where)
    if question.id in seen:
        fail(f"question id '{question.id}' is used twice", where)
    if question.scenario not in scenarios:
        fail(f"unknown scenario '{question.scenario}'", where)
    scenario = scenarios[question.scenario]
    graph: Graph = graphs[scenario.network]
    names = {n.name for n in graph.nodes}
    for node in question.nodes + tuple(question.entries.split()[1:]):
        if node not in names:
            fail(f"'{node}' is not a node of network {scenario.network} (nodes: {', '.join(graph.names)})", where)
    kind = KINDS[question.kind]
    if kind.reference_text:
        if not question.answer:
            fail(f"{kind.a} question needs its reference 'answer'", where)
        return question
    if scenario.random is not None:
        fail(f"{kind.a} question needs a scenario with fixed numbers, not a random one", where)
    if question.verb == "jacobian" and len(scenario.examples) != 1:
        fail("a Jacobian is asked of a scenario with one example", where)
    stepped = scenario.learning_rate is not None or scenario.optimizer is not None
    if question.verb == "updated" and (not stepped or question.node not in graph.params):
        fail("'updated' needs a parameter and a scenario with a learning rate or an optimizer", where)
    if question.verb in STATE_NAMES and (scenario.optimizer is None or question.node not in graph.params
                                         or question.verb not in OPTIMIZERS[scenario.optimizer.name].state):
        fail(f"'{question.verb}' is the state of an optimizer that keeps it, of a parameter", where)
    if question.step and (scenario.optimizer is None or question.step > scenario.optimizer.steps):
        fail(f"step {question.step} needs a scenario whose optimizer runs that many steps", where)
    if question.verb in ("grad",) + tuple(DERIVED) and not any(t in ex for ex in scenario.examples for t in graph.targets):
        fail("'grad' needs a scenario whose examples have targets", where)
    return question
