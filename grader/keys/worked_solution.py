r"""Worked solutions: the key as an instructor would write it up by hand (Markdown + LaTeX).

For every scenario: the forward pass (each equation with its numbers, the loss with its 1/m
under a batch mean), the backward pass written out (each δ by its rule, the g'(z) values, the
δ aᵀ products: :mod:`grader.keys.worked_backward`), the gradients and the update, each step
a display equation such as

    $$z^{[1]} = W^{[1]} x + b^{[1]} = \begin{bmatrix} 0.2 \\ 0.2 \\ 0.2 \end{bmatrix}$$

with the question ids it answers, so a student can find the step they got wrong.
"""
from __future__ import annotations

import re

import numpy as np

from grader.course.kinds import KINDS
from grader.engine.optimizers import Training
from grader.engine.graph import Graph
from grader.engine.autodiff import elementwise_derivative
from grader.keys.answer_key import AnswerKey, key_backend, run_scenarios
from grader.keys.key_text import conventions_text, kink_conventions
from grader.keys.worked_backward import BackwardText, grad_symbol

_FUNCTIONS = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\operatorname{ReLU}", "softplus": r"\operatorname{softplus}",
              "softmax": r"\operatorname{softmax}", "exp": r"\exp", "log": r"\log", "identity": "",
              "leaky_relu": r"\operatorname{LeakyReLU}"}
_LOSSES = {"sse": r"\tfrac12 \textstyle\sum ({0} - {1})^2", "mse": r"\tfrac1m \textstyle\sum \lVert {1} - {0} \rVert^2",
           "cross_entropy": r"-\textstyle\sum {1} \log {0}", "bce": r"-\textstyle\sum [{1} \log {0} + (1 - {1}) \log(1 - {0})]",
           "softmax_cross_entropy": r"-\textstyle\sum {1} \log \operatorname{{softmax}}({0})"}
DIGITS = 6


def tex_name(name: str) -> str:
    """``W1`` → ``W^{[1]}``, ``x_new`` → ``x_{new}``, ``L`` → ``L``."""
    m = re.fullmatch(r"([A-Za-z]+?)(\d+)", name)
    if m:
        return f"{m.group(1)}^{{[{m.group(2)}]}}"
    if "_" in name:
        head, tail = name.split("_", 1)
        return f"{head}_{{{tail}}}"
    return name


def tex_number(x: float) -> str:
    text = f"{x:.{DIGITS}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def tex_matrix(value: np.ndarray) -> str:
    v = np.asarray(value, dtype=float)
    if v.shape == (1, 1):
        return tex_number(v[0, 0])
    rows = [" & ".join(tex_number(x) for x in row) for row in v]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def tex_expression(graph: Graph, name: str, *, top: bool = True) -> str:
    """The right-hand side of a node's equation; anonymous sub-expressions are inlined."""
    node = graph.node(name)
    if not top and not name.startswith("_"):
        return tex_name(name)
    if node.op == "const":
        return tex_number(float(node.value))
    if node.op in ("input", "param"):
        return tex_name(name)
    args = [tex_expression(graph, a, top=False) for a in node.args]
    if node.op == "matmul":
        return f"{args[0]} {args[1]}"
    if node.op in ("add", "sub"):
        return f"{args[0]} {'+' if node.op == 'add' else '-'} {args[1]}"
    if node.op == "mul":
        return rf"{args[0]} \odot {args[1]}"
    if node.op == "neg":
        return f"-{args[0]}"
    if node.op == "transpose":
        return f"({args[0]})^T"
    if node.op in _LOSSES:
        return _LOSSES[node.op].format(*args)
    fn = _FUNCTIONS.get(node.op, rf"\operatorname{{{node.op}}}")
    return f"{fn}({', '.join(args)})" if fn else args[0]


def _eq(lhs: str, rhs: str, value, qids: list[str]) -> str:
    tag = f"  *(question {', '.join(qids)})*" if qids else ""
    middle = f" = {rhs}" if rhs and rhs != lhs else ""
    return f"$${lhs}{middle} = {tex_matrix(value)}$${tag}\n"


def worked_solution(key: AnswerKey) -> str:
    """The whole assignment worked out, scenario by scenario, as Markdown with LaTeX."""
    a = key.assignment
    backend = key_backend(a)
    evaluations = run_scenarios(a, backend=backend)
    asked: dict[tuple[str, str], list[str]] = {}
    for q in a.questions:
        asked.setdefault((q.scenario, q.quantity), []).append(q.id)
    out = [f"# {a.title}\n", f"*Assignment `{a.id}`{' — ' + a.source if a.source else ''}. Worked solution; "
           f"numbers to {DIGITS} significant figures"
           + (f", computed in {key.arithmetic}" if key.arithmetic else "") + ".*\n"]
    if a.description:
        out.append(a.description.strip() + "\n")
    out.append(conventions_text(a, graphs=()) + "\n")  # ReLU'(0): with each network that has one
    for name in a.scenario_order():
        if name not in evaluations:  # symbolic (random sizes): its answers are expressions
            out.append(_symbolic_section(a, name, key))
            continue
        s, ev = a.scenarios[name], evaluations[name]
        graph = a.graphs[s.network]
        out.append(f"\n## Scenario `{name}`\n")
        start = f"the updated parameters of `{s.params_from}`" if s.params_from else "the initial parameters"
        count = "1 example" if len(s.examples) == 1 else f"{len(s.examples)} examples as columns"
        out.append(f"Network `{s.network}`, {count}, {start}"
                   + (f", learning rate η = {tex_number(float(s.learning_rate))}" if s.learning_rate is not None else "")
                   + "." + _kink_convention(a, graph) + "\n")
        named = [n for n in graph.nodes if not n.name.startswith("_")]
        out.append("\n### Forward pass\n")
        for n in named:
            if n.op == "input" and n.name in ev.values:
                out.append(_eq(tex_name(n.name), "", backend.to_float(ev.values[n.name]), asked.get((name, n.name), [])))
        for n in named:
            if n.op not in ("input", "param") and n.name in ev.values:
                out.append(_eq(tex_name(n.name), _loss_scale(a, ev, n.name == graph.loss) + tex_expression(graph, n.name),
                               backend.to_float(ev.values[n.name]), asked.get((name, n.name), [])))
        if graph.output in ev.values and (name, f"class {graph.output}") in asked:
            classes = key[asked[(name, f"class {graph.output}")][0]].value.ravel().tolist()
            out.append(f"Predicted class: {', '.join(map(str, classes))} (the largest entry of "
                       f"${tex_name(graph.output)}$, counting from {a.class_base}).  "
                       f"*(question {', '.join(asked[(name, f'class {graph.output}')])})*\n")
        if ev.grads:
            out += _backward_section(a, name, graph, ev, backend, asked)
        if isinstance(ev, Training):
            out += _optimizer_steps(a, name, graph, ev, backend)
        if ev.updated:
            out.append("\n### Update\n")
            eta = tex_number(float(s.learning_rate))
            for p in reversed(graph.params):
                out.append(_eq(f"{tex_name(p)}_{{new}}", rf"{tex_name(p)} - {eta} \, \frac{{\partial L}}{{\partial {tex_name(p)}}}",
                               backend.to_float(ev.updated[p]), asked.get((name, f"updated {p}"), [])))
    return "\n".join(out)


# each optimizer's update of p with gradient g, as the worked solution writes it (torch.optim's)
UPDATE_TEXT = {
    "sgd": r"p \leftarrow p - \eta g",
    "momentum": r"v \leftarrow \mu v + g, \quad p \leftarrow p - \eta v",
    "nesterov": r"v \leftarrow \mu v + g, \quad p \leftarrow p - \eta (g + \mu v)",
    "rmsprop": r"v \leftarrow \alpha v + (1 - \alpha) g^2, \quad p \leftarrow p - \eta g / (\sqrt{v} + \epsilon)",
    "adam": r"m \leftarrow \beta_1 m + (1 - \beta_1) g, \quad v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \quad "
            r"p \leftarrow p - \eta \hat{m} / (\sqrt{\hat{v}} + \epsilon)",
}


def _optimizer_steps(a, name: str, graph, training: Training, backend) -> list[str]:
    """Every step of an optimizer scenario: the gradient at the parameters before it, the state
    and the parameters after it, each with the questions (and their ``step``) it answers."""
    o = training.optimizer
    rule = UPDATE_TEXT[o.name] + (r", \quad \hat{m} = m / (1 - \beta_1^t), \ \hat{v} = v / (1 - \beta_2^t)"
                                  if o.name == "adam" and o.bias_correction else "")
    out = [f"\n### Optimizer `{o.name}`, {len(training.steps)} step(s)\n", f"$${rule}$$\n"]
    if o.weight_decay:
        out.append(f"Weight decay λ = {tex_number(float(o.weight_decay))}, "
                   + ("decoupled (p ← p − ηλp before the step).\n" if o.decoupled else "coupled (g ← g + λp).\n"))
    last = len(training.steps)

    def ids(verb: str, p: str, t: int) -> list[str]:
        return [q.id for q in a.questions if q.scenario == name and q.quantity == f"{verb} {p}".strip()
                and (q.step or (1 if verb == "grad" else last)) == t]
    for t, step in enumerate(training.steps, start=1):
        out.append(f"\n#### Step {t}\n")
        for p in reversed(graph.params):
            if p in step.evaluation.grads:
                out.append(_eq(f"{{{grad_symbol(tex_name, p)}}}^{{({t})}}", "", backend.to_float(step.evaluation.grads[p]),
                               ids("grad", p, t)))
            for state, values in step.state.items():
                out.append(_eq(rf"\text{{{state}}}_{{{tex_name(p)}}}^{{({t})}}", "", backend.to_float(values[p]),
                               ids(state, p, t)))
            out.append(_eq(f"{{{tex_name(p)}}}^{{({t})}}", "", backend.to_float(step.updated[p]), ids("updated", p, t)))
    return out


def _loss_scale(a, ev, is_loss: bool) -> str:
    """The batch mean's 1/m in front of the loss (m = the examples in the scenario)."""
    return rf"\tfrac{{1}}{{{ev.batch}}} \, " if is_loss and a.rules.reduction == "mean" else ""


def _kink_convention(a, graph) -> str:
    """`` ReLU'(0) = 0.`` for a network with a ReLU or leaky ReLU, else nothing."""
    text = kink_conventions(a, graph)
    return f" {text}." if text else ""


def _backward_section(a, name: str, graph, ev, backend, asked: dict) -> list[str]:
    """Each gradient as its rule (the δ recursion, g'(z) values, δ aᵀ), then its numbers."""
    shapes = {n: v.shape for n, v in ev.values.items()}
    rules = BackwardText(graph, tex_name, tex_expression, shapes=shapes, batch=ev.batch,
                         at_zero=tex_number(float(a.rules.relu_grad_at_zero)),
                         scale=rf"\tfrac{{1}}{{{ev.batch}}}" if a.rules.reduction == "mean" else "")
    out = ["\n### Backward pass\n"]
    if a.rules.reduction == "mean":
        out.append(f"The loss is the mean over the m = {ev.batch} examples: every gradient carries its 1/m.\n")
    named = [n for n in graph.nodes if not n.name.startswith("_")]
    for n in reversed(named):
        if n.op in ("input", "param") or n.name == graph.loss or n.name not in ev.grads:
            continue
        for symbol, formula, (of, wrt) in rules.derivatives(n.name):
            value = elementwise_derivative(graph, ev.values, of, wrt, backend=backend, rules=a.rules)
            out.append(_eq(symbol, formula, backend.to_float(value), []))
        symbol = grad_symbol(tex_name, n.name)
        plain = rf"\frac{{\partial L}}{{\partial {tex_name(n.name)}}}"
        middle = " = ".join(part for part in (plain if symbol != plain else "", rules.rule(n.name),
                                              _one_hot(rules, n.name, ev)) if part)
        out.append(_eq(symbol, middle, backend.to_float(ev.grads[n.name]), asked.get((name, f"grad {n.name}"), [])))
    out.append("\n### Gradients\n")
    wanted = [p for p in reversed(graph.params)] + [x for x in graph.inputs if (name, f"grad {x}") in asked]
    for p in wanted:
        if p in ev.grads:
            out.append(_eq(grad_symbol(tex_name, p), rules.rule(p), backend.to_float(ev.grads[p]),
                           asked.get((name, f"grad {p}"), [])))
    return out


def _one_hot(rules: BackwardText, name: str, ev) -> str:
    """``a − t`` after a softmax/cross-entropy δ, when every column of t sums to 1 (one-hot)."""
    shortcut = rules.one_hot_shortcut(name)
    if shortcut is None or shortcut[1] not in ev.values:
        return ""
    sums = np.asarray(ev.values[shortcut[1]], dtype=object).sum(axis=0)
    return shortcut[0] if all(total == 1 for total in sums) else ""


def _symbolic_section(a, name: str, key: AnswerKey) -> str:
    """A scenario with symbolic sizes: each question's reference expression, as LaTeX."""
    lines = [f"\n## Scenario `{name}` (symbolic sizes)\n"]
    convention = _kink_convention(a, a.graphs[a.scenarios[name].network])
    if convention:
        lines.append(f"Network `{a.scenarios[name].network}`.{convention}\n")
    for q in a.questions:
        if q.scenario == name:
            answer = key[q.id].expression or q.answer
            shown = f"$${answer}$$" if KINDS[q.kind].symbolic else answer
            lines.append(f"{q.text or q.quantity}  *(question {q.id})*\n\n{shown}\n")
    return "\n".join(lines)
