"""The catalogue of common backprop errors, each an engine variant: the reference engine run
with one rule changed, so a flag applies to every assignment and to numeric and symbolic
answers alike.

A variant is ``rules`` (a change to the ops table or the backward wiring, given the graph) and/or
``after`` (a change to the result: the update's sign, a bias added to ∂L/∂W). A variant that
does not apply to a graph returns None; one whose value for a question equals the key's is
never flagged there (it cannot be told apart).

>>> [m.id for m in CATALOGUE][:3]
['stray-bias', 'relu-derivative-one', 'relu-derivative-nonzero']
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Callable

import numpy as np

from grader.engine.autodiff import Evaluation
from grader.engine.graph import Graph
from grader.engine.ops import LOSSES, OPS, Op, Rules
from grader.course.graph_places import (ELEMENTWISE, bias_pairs, drop_skip, earlier_uses, own_output, penalties,
                                         preactivation, statistics)
from grader.course.rule_changes import AfterChange, LocalChange, OpChange, Rewire, place_text
from grader.engine.ops_conv import unflipped_input_gradient
from grader.engine.optimizers import without_bias_correction


@dataclass(frozen=True)
class Misconception:
    id: str
    description: str
    feedback: str
    rules: Callable[[Graph, Rules], Rules | None] | None = None
    after: Callable[[Graph, dict, Evaluation, object], Evaluation | None] | None = None
    # transposed-answer is judged on the answer itself: no engine run
    answer_level: bool = False
    where: str = ""  # the one place (an equation of the graph) this copy makes the error at; "" everywhere
    # (context, feedback): the feedback in the words of a question whose context (:func:`words_of`'s
    # "contexts", or the op named at the place) is listed; the first that applies wins
    worded: tuple[tuple[str, str], ...] = ()

    def feedback_in(self, words: dict | None, wheres=()) -> str:
        """The feedback for a question of ``words`` (:func:`words_of`), the error made at
        ``wheres`` (places, "" for everywhere): the worded alternative of the first context
        the question has, else the general text."""
        contexts = set((words or {}).get("contexts", ()))
        if wheres and all(wheres):  # made at named places: the ops written there decide
            contexts |= {c for c, _ in self.worded if all(f"{c}(" in w for w in wheres)}
        return next((text for c, text in self.worded if c in contexts), self.feedback)

    @property
    def key(self) -> str:
        """Its variant's name: the id, with ``@place`` for an error made at one place."""
        return f"{self.id}@{self.where}" if self.where else self.id

    def at_places(self, graphs) -> tuple["Misconception", ...]:
        """A copy of this misconception for each place of ``graphs`` it can be made at alone
        (σ' left out at one layer; one transpose missing), when some graph has two places or
        more (with one, the copy would be the misconception itself)."""
        change = next((c for c in (self.rules, self.after) if isinstance(c, LocalChange)), None)
        if change is None:
            return ()
        found: dict[str, str] = {}
        several = False
        for graph in graphs:
            places = change.places(graph)
            several |= len(places) > 1
            for node in places:
                found.setdefault(node, place_text(graph, node))
        if not several:
            return ()
        field_name = "rules" if change is self.rules else "after"
        return tuple(replace(self, **{field_name: change.at(node)}, where=text) for node, text in found.items())


def split_key(key: str) -> tuple[str, str]:
    """A variant's name as (misconception id, place or "").

    >>> split_key("missing-transpose@W2 @ a1")
    ('missing-transpose', 'W2 @ a1')
    """
    mid, _, where = key.partition("@")
    return mid, where


DEFAULT_WORDS = {"prediction": "ŷ", "target": "y",  # an assignment that names neither
                 "asked": "the gradient asked", "node": "the quantity asked about"}


def words_of(assignment, scenario: str, question=None) -> dict:
    """How an assignment's scenario writes the prediction and the target: the first spelling of
    the symbols bound to the network's output and target (``y`` and ``t`` in an assignment
    whose prediction is y), else :data:`DEFAULT_WORDS`; and ``contexts``, what a catalogue
    feedback's worded alternative is chosen by (:func:`grader.course.feedback_contexts.contexts`)."""
    from grader.course.feedback_contexts import contexts, spelled
    s = assignment.scenarios[scenario]
    graph = assignment.graphs[s.network]
    words = dict(DEFAULT_WORDS)
    for binding in assignment.symbols.get(scenario, {}).values():
        if binding.quantity == graph.output and binding.spellings:
            words["prediction"] = binding.spellings[0]
        elif binding.quantity in graph.targets and binding.spellings:
            words["target"] = binding.spellings[0]
    if contexts(graph, question):
        words["contexts"] = contexts(graph, question)
    if question is not None and question.verb in ("grad", "updated") and len(question.nodes) == 1:
        words["asked"] = spelled(assignment, scenario, question.quantity if question.verb == "grad"
                                 else question.nodes[0])
        words["node"] = spelled(assignment, scenario, question.nodes[0])
    return words


def _worded(text: str, words: dict | None) -> str:
    """A feedback text in an assignment's words (plain replacement: a course's own feedback may
    hold braces)."""
    for name, word in (DEFAULT_WORDS | (words or {})).items():
        if not isinstance(word, str):
            continue
        text = text.replace("{" + name + "}", word)
    return text


def advice(keys, words: dict | None = None) -> tuple[tuple[str, ...], str]:
    """The flags (ids, each once, in order) and the feedback for the variants an answer
    matches: one misconception's feedback in the assignment's ``words`` (:func:`words_of`),
    saying where when it was made at one place only; several that coincide are reported
    together.

    >>> advice(["missing-activation-derivative@a1 = sigmoid(z1)"])[1]
    "[missing-activation-derivative] δ = (∂L/∂a) ⊙ f'(z): multiply by the activation's derivative at every layer. (Made at a1 = sigmoid(z1) only.)"
    """
    places: dict[str, list[str]] = {}
    for key in keys:
        mid, where = split_key(key)
        places.setdefault(mid, []).append(where)
    ids = tuple(places)

    def at(mid: str) -> str:
        wheres = places[mid]
        if "" in wheres:  # everywhere, or one place that is every place the error can be made at
            return ""
        return f" (Made at {' or at '.join(wheres)} only.)" if len(ids) == 1 else f" (at {' or at '.join(wheres)})"
    if len(ids) == 1:
        return ids, f"[{ids[0]}] {_worded(lookup(ids[0]).feedback_in(words, places[ids[0]]), words)}{at(ids[0])}"
    def said(mid: str) -> str:  # its description, or its feedback where worded for this question
        m = lookup(mid)
        text = m.feedback_in(words, places[mid])
        return m.description if text == m.feedback else _worded(text, words).rstrip(".")
    return ids, ("your answer matches several common errors, which give the same value here: "
                 + "; ".join(f"[{m}] {said(m)}{at(m)}" for m in ids))


_with = OpChange


RECTIFIERS = ("relu", "leaky_relu")  # the ReLU misconceptions apply to leaky ReLU too


def _rectifier_backward(derivative):
    """A ReLU-family backward rule: g times ``derivative(c, x, off)``, with ``off`` the value
    the true derivative takes for z < 0 (0 for ReLU, the slope α for leaky ReLU); the slope
    itself gets no gradient."""
    def backward(c, g, out, x, *slope):
        off = slope[0] if slope else c.backend.const(0)
        return (g * derivative(c, x, off),) + (None,) * len(slope)
    return backward


def _nonzero_step(c, x, off):
    """1{x ≠ 0}: 1 for negative x too, the off value (0; α for leaky ReLU) only at x = 0."""
    s = c.backend.sign(x)
    return np.where(s != 0, c.backend.const(1), off)


def _mse_sum(c, yhat, y):
    return ((y - yhat) ** 2).sum(axis=(0, 1), keepdims=True)


def _batch_flip(graph: Graph, rules: Rules) -> Rules | None:
    if any(n.op == "mse" for n in graph.nodes):  # mse holds its own 1/m: the variant sums instead
        return rules.with_op(Op("mse", 2, _mse_sum, lambda c, g, out, yhat, y: (g * 2 * (yhat - y), g * 2 * (y - yhat))))
    return replace(rules, reduction="mean" if rules.reduction == "sum" else "sum")


def _missing_transpose_matmul() -> Op:
    def backward(c, g, out, a, b):
        ga = g @ b if g.shape[1] == b.shape[0] else None
        gb = a @ g if a.shape[1] == g.shape[0] else None
        if ga is None or gb is None or ga.shape != a.shape or gb.shape != b.shape:
            raise ValueError("shapes do not allow the untransposed product")
        return ga, gb
    return replace(OPS["matmul"], backward=backward)


def _update_sign(graph: Graph, params: dict, ev: Evaluation, scenario) -> Evaluation | None:
    if not ev.updated:
        return None
    eta = float(scenario.learning_rate)
    return replace(ev, updated={p: params[p] + eta * ev.grads[p] for p in params})


def _no_learning_rate(graph: Graph, params: dict, ev: Evaluation, scenario) -> Evaluation | None:
    if not ev.updated or scenario.learning_rate == 1:
        return None  # with η = 1 the error cannot be seen
    return replace(ev, updated={p: params[p] - ev.grads[p] for p in params})


def _stray_bias(graph: Graph, params: dict, ev: Evaluation, scenario, only) -> Evaluation | None:
    pairs = [(w, b) for w, b in bias_pairs(graph).items() if only is None or w in only]
    if not pairs:
        return None
    grads = dict(ev.grads)
    for w, b in pairs:
        grads[w] = grads[w] + params[b] * np.ones((1, grads[w].shape[1]))
    updated = {p: params[p] - float(scenario.learning_rate) * grads[p] for p in params} \
        if ev.updated and scenario.learning_rate is not None else ev.updated
    return replace(ev, grads=grads, updated=updated)


def _unflipped(graph: Graph, rules: Rules) -> Rules | None:
    used = [name for name in ("xcorr2d", "conv2d") if any(n.op == name for n in graph.nodes)]
    for name in used:
        rules = rules.with_op(unflipped_input_gradient(rules.op(name)))
    return rules if used else None


CATALOGUE: tuple[Misconception, ...] = (
    Misconception("stray-bias", "a bias added to the weight gradient: ∂L/∂W = δ aᵀ + b",
                  "∂L/∂W is δ aᵀ only: the bias does not depend on W, so it does not appear in ∂L/∂W.",
                  after=AfterChange(bias_pairs, _stray_bias),
                  worded=(("asks-weight-gradient", "The bias does not depend on {node}, so it does not "
                                                   "appear in {asked}."),
                          ("asks-parameter-gradient", "A parameter's value is not added to a gradient: "
                                                      "the bias appears in {asked} only through δ."),
                          ("asks-signal", "No bias is added to a gradient: {asked} holds none."),
                          ("asks-update", "The bias does not depend on {node}, so it does not appear "
                                          "in the gradient of the step."))),
    Misconception("relu-derivative-one", "ReLU'(z) taken as 1 everywhere",
                  "ReLU'(z) is 1 for z > 0 and 0 for z < 0: units that are off pass no gradient back.",
                  rules=_with(RECTIFIERS, _rectifier_backward(lambda c, x, off: c.backend.const(1))),
                  worded=(("leaky_relu", "Leaky ReLU'(z) is 1 for z > 0 and the slope α for z < 0: "
                                         "a negative input passes only α times the gradient back."),)),
    Misconception("relu-derivative-nonzero", "ReLU'(z) = 1{z ≠ 0}: 1 for negative z",
                  "ReLU'(z) is 0 for z < 0: only z > 0 passes the gradient.",
                  rules=_with(RECTIFIERS, _rectifier_backward(_nonzero_step)),
                  worded=(("leaky_relu", "Leaky ReLU'(z) is the slope α for z < 0, not 1: only z > 0 "
                                         "passes the whole gradient."),)),
    Misconception("relu-derivative-is-relu", "ReLU(z) used where ReLU'(z) belongs",
                  "The derivative of max(0, z) is the step 1{z > 0}, not max(0, z) itself.",
                  rules=_with(RECTIFIERS, lambda c, g, out, x, *slope: (g * out,) + (None,) * len(slope)),
                  worded=(("leaky_relu", "The derivative of leaky ReLU is 1 for z > 0 and the slope α for "
                                         "z < 0, not leaky ReLU(z) itself."),)),
    Misconception("sigmoid-derivative-of-z", "σ'(z) written as z(1 − z)",
                  "σ'(z) = σ(z)(1 − σ(z)): apply the formula to the activation σ(z), not to z.",
                  rules=_with("sigmoid", lambda c, g, out, x: (g * x * (1 - x),))),
    Misconception("tanh-derivative-no-square", "tanh'(z) written as 1 − tanh z",
                  "tanh'(z) = 1 − tanh²(z): the tanh is squared.",
                  rules=_with("tanh", lambda c, g, out, x: (g * (1 - out),))),
    Misconception("missing-activation-derivative", "the activation's derivative left out of δ",
                  "δ = (∂L/∂a) ⊙ f'(z): multiply by the activation's derivative at every layer.",
                  rules=_with(ELEMENTWISE, lambda c, g, out, *args: (g,) + (None,) * (len(args) - 1))),
    Misconception("loss-gradient-sign", "the loss gradient's sign flipped: y − ŷ for ŷ − y",
                  "∂L/∂{prediction} points towards larger loss: it is {prediction} − {target} (prediction minus target).",
                  rules=_with(sorted(LOSSES), negate=True)),
    Misconception("update-sign", "the update goes uphill: w + η∇",
                  "Gradient descent subtracts: w ← w − η ∂L/∂w.", after=_update_sign),
    Misconception("learning-rate", "the learning rate not applied: w − ∇",
                  "Scale the gradient by the learning rate: w ← w − η ∂L/∂w.", after=_no_learning_rate),
    Misconception("missing-half", "the ½ of the squared error dropped: a factor 2 too many",
                  "With E = ½Σ({prediction} − {target})², ∂E/∂{prediction} = {prediction} − {target}: the ½ cancels the 2.",
                  rules=_with("sse", lambda c, g, out, a, t: (2 * g * (a - t), 2 * g * (t - a)))),
    Misconception("missing-transpose", "a transpose missing: W δ for Wᵀ δ, δ a for δ aᵀ",
                  "Check the shapes: δ^(l) = (W^(l+1))ᵀ δ^(l+1) and ∂L/∂W = δ aᵀ.",
                  rules=_with("matmul", op=_missing_transpose_matmul()),
                  worded=(("asks-weight-gradient", "Check the shapes: {asked} has the shape of {node}, "
                                                   "which takes the layer's input transposed."),
                          ("asks-signal", "Check the shapes: {asked} has the shape of {node}; the gradient "
                                          "comes back through the transposed weight matrix."),
                          ("asks-update", "Check the shapes: the step's gradient has the shape of {node}, "
                                          "which takes the layer's input transposed."))),
    Misconception("transposed-answer", "the right values in the transposed layout",
                  "Your matrix is the transpose of the expected one: write it in the layout asked (∂L/∂W has the shape of W).",
                  answer_level=True),
    Misconception("delta-shape", "a layer's δ not shaped as its pre-activation z: one row per unit, one column per example",
                  "δ^(l) = ∂E/∂z^(l) has the shape of z^(l): one row per unit of layer l, one column per example. "
                  "(W^(l+1))ᵀ δ^(l+1) has layer l's units as rows: check its shape before the ⊙ f'(z^(l)).", answer_level=True),
    Misconception("preactivation-for-activation", "z used where a belongs in ∂L/∂W = δ aᵀ",
                  "∂L/∂W^(l) uses the previous layer's activations a^(l−1) = f(z^(l−1)), not z^(l−1).",
                  rules=Rewire(preactivation, "substitute"),
                  worded=(("asks-weight-gradient", "{asked} uses the activations {node} multiplies, a = f(z), "
                                                   "not the pre-activations z."),)),
    Misconception("wrong-layer-input", "a^(l) used where a^(l−1) belongs in ∂L/∂W^(l)",
                  "∂L/∂W^(l) = δ^(l) (a^(l−1))ᵀ: the input of the layer, not its output.",
                  rules=Rewire(own_output, "substitute"),
                  worded=(("asks-weight-gradient", "{asked} uses the input {node} multiplies, not the "
                                                   "layer's output."),)),
    Misconception("softmax-jacobian-diagonal", "the softmax Jacobian taken as its diagonal p(1 − p)",
                  "∂p_i/∂z_j = p_i(δ_ij − p_j): the off-diagonal terms −p_i p_j count too.",
                  rules=_with("softmax", lambda c, g, p, z: (g * p * (1 - p),))),
    Misconception("missing-skip-path", "the residual (skip) path left out of the gradient",
                  "With z = h + x, x receives z̄ directly as well as through h's branch: add both paths.",
                  rules=Rewire(drop_skip, "drop")),
    Misconception("stale-weights", "updated weights used in the backward pass",
                  "Backpropagate with the weights of the forward pass; update all layers afterwards.",
                  rules=None),  # built by grader.keys.misconception_runs from the updated weights
    Misconception("batch-sum-vs-mean", "the batch summed where it is averaged, or the reverse",
                  "Check the loss: a mean over m examples puts 1/m in every gradient, a sum does not.",
                  rules=_batch_flip),
    Misconception("whole-batch-vs-single", "the whole batch used where one example was asked, or the reverse",
                  "Use exactly the examples the question names.", rules=None),  # built by grader.keys.misconception_runs
    Misconception("adam-no-bias-correction", "Adam's moments used without bias correction: m for m̂, v for v̂",
                  "Adam divides by 1 − βᵗ: m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ); early steps differ most.",
                  after=lambda graph, params, ev, scenario: without_bias_correction(ev)),
    Misconception("penalty-gradient-missing", "the regularization penalty left out of the gradient",
                  "The penalty is part of the loss: λΣw² adds 2λw to ∂L/∂w (λΣ|w| adds λ·sign(w)).",
                  rules=Rewire(penalties, "drop")),
    Misconception("shared-weight-last-use-only", "a shared weight given the gradient of its last use only",
                  "A weight used at several places (an RNN's W at every time step) gets the sum of the "
                  "gradients of every use: backpropagate through all the steps.", rules=Rewire(earlier_uses, "drop")),
    Misconception("conv-gradient-not-flipped", "∂L/∂x of a convolution layer with the kernel not flipped",
                  "∂L/∂x is the upstream gradient, zero-padded, fully convolved with K: as a correlation "
                  "the kernel is rotated by 180°.", rules=_unflipped),
    Misconception("normalization-statistics-constant", "batch-norm backward treating μ and σ² as constants",
                  "μ and σ² are computed from the batch, so they depend on every x: ∂L/∂x has the terms "
                  "−(1/m)Σ∂L/∂x̂ and −x̂·(1/m)Σ(∂L/∂x̂·x̂) besides γ/σ·∂L/∂y.",
                  rules=Rewire(statistics, "drop")),
)

BY_ID = {m.id: m for m in CATALOGUE}


# --- misconceptions a course declares in an assignment file (``misconceptions:``) -------------
_DECLARED: dict[str, Misconception] = {}  # id -> the course's own, as its assignments declared it


def lookup(mid: str) -> Misconception:
    """A misconception by id: the catalogue's, or one a loaded assignment declared."""
    return BY_ID[mid] if mid in BY_ID else _DECLARED[mid]


def _backward_of(op_name: str, as_name: str):
    """``op_name``'s backward rule taken as ``as_name``'s (leaky ReLU' as ReLU'): the inputs
    the other op lacks (leaky ReLU's slope) get no gradient."""
    other = OPS[as_name]

    def backward(c, g, out, *args):
        got = other.backward(c, g, out, *args[:other.arity])
        return tuple(got) + (None,) * (len(args) - other.arity)
    return backward


def declared(specs: list, graphs: dict, fail) -> tuple[Misconception, ...]:
    """The course's own misconceptions from an assignment's ``misconceptions`` list, each a rule
    of the catalogue's kinds: ``backward_as`` (an op's derivative taken as another op's),
    ``scale`` (an op's derivative multiplied by a factor) or ``rewire`` (a node's backward
    seeing another node in place of one input). Each is also made at one place alone, like the
    catalogue's. ``fail(message, where)`` raises the configuration error."""
    out = []
    nodes = {n.name: n for g in graphs.values() for n in g.nodes}
    for i, spec in enumerate(specs):
        where = f"misconceptions[{i}] ({spec['id']})"
        if spec["id"] in BY_ID:
            fail(f"'{spec['id']}' is a catalogue misconception: a course's own needs another id", where)
        rule = spec["rule"]
        kind, args = next(iter(rule.items()))
        op = args.get("op")
        if op is not None and op not in OPS:
            fail(f"unknown op '{op}' (known: {', '.join(sorted(OPS))})", where)
        if op is not None and not any(n.op == op for n in nodes.values()):
            fail(f"no network of the assignment uses op '{op}'", where)
        if kind == "backward_as":
            if args["as"] not in OPS:
                fail(f"unknown op '{args['as']}'", where)
            change = OpChange(op, _backward_of(op, args["as"]))
        elif kind == "scale":
            factor = Fraction(str(args["by"]))
            change = OpChange(op, _times(OPS[op].backward, factor))
        else:  # rewire
            node, sees, index = args["node"], args["sees"], int(args["input"])
            if node not in nodes or sees not in nodes:
                fail(f"rewire names a node no network has ('{node}' or '{sees}')", where)
            if not index < len(nodes[node].args):
                fail(f"node '{node}' has no input {index}", where)
            change = Rewire(lambda graph, t=(node, index, sees): [t] if any(n.name == t[0] for n in graph.nodes)
                            else [], "substitute")
        m = Misconception(spec["id"], spec.get("description", spec["id"]), spec["feedback"], rules=change)
        _DECLARED[m.id] = m
        out.append(m)
    return tuple(out)


def _times(base, factor):
    def backward(c, g, out, *args):
        scale = c.backend.const(factor)
        return tuple(None if x is None else x * scale for x in base(c, g, out, *args))
    return backward
