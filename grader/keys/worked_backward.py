r"""The backward pass of a worked solution, written out: each gradient as the rule that makes it,
then its numbers, as an instructor writes it on the board::

    \frac{\partial L}{\partial a^{[2]}} = a^{[2]} - t = …
    \sigma'(z^{[2]}) = a^{[2]} \odot (1 - a^{[2]}) = …
    \delta^{[2]} = \frac{\partial L}{\partial a^{[2]}} \odot \sigma'(z^{[2]}) = …
    \frac{\partial L}{\partial a^{[1]}} = (W^{[2]})^T \delta^{[2]} = …          (the δ recursion)
    \frac{\partial L}{\partial W^{[2]}} = \delta^{[2]} (a^{[1]})^T = …

The rule of a gradient is read off the graph: the sum, over the nodes that use a quantity, of
that op's backward rule (:data:`RULES`, one row per op, the same rules as the engine's op
table) applied to the upstream gradient; anonymous nodes (``W1 @ x``) are inlined. An op
without a row (a new one) is written as the chain rule, ∂L/∂c · ∂c/∂x.
"""
from __future__ import annotations

import re

from grader.engine.graph import Graph

# op -> the TeX of its backward rule for each argument: <g> the upstream gradient, <0> <1> the
# arguments, <out> the op's value, <s> the loss's scale (1/m under a mean), <m> the batch size
RULES: dict[str, tuple[str, ...]] = {
    "matmul": (r"<g> \, (<1>)^T", r"(<0>)^T <g>"),
    "add": ("<g>", "<g>"),
    "sub": ("<g>", "-<g>"),
    "mul": (r"<g> \odot <1>", r"<g> \odot <0>"),
    "neg": ("-<g>",),
    "transpose": ("(<g>)^T",),
    "identity": ("<g>",),
    "softmax": (r"<out> \odot \bigl(<g> - (<out>)^T <g>\bigr)",),
    "sse": ("<s>(<0> - <1>)",),
    "mse": (r"<s>\tfrac{2}{<m>}(<0> - <1>)",),
    "cross_entropy": (r"-<s><1> \oslash <0>",),
    "softmax_cross_entropy": (r"<s>(\operatorname{softmax}(<0>) - <1>)",),
    "bce": (r"<s>(<0> - <1>) \oslash \bigl(<0> \odot (1 - <0>)\bigr)",),
}
# element-wise op -> (the name of its derivative at <0>, what it equals); backward: <g> ⊙ f'(<0>)
DERIVATIVES: dict[str, tuple[str, str]] = {
    "sigmoid": (r"\sigma'(<0>)", r"<out> \odot (1 - <out>)"),
    "tanh": (r"\tanh'(<0>)", r"1 - <out> \odot <out>"),
    "relu": (r"\operatorname{ReLU}'(<0>)", r"\mathbb{1}[<0> > 0]"),
    "leaky_relu": (r"\operatorname{LeakyReLU}'(<0>)", r"\mathbb{1}[<0> > 0] + <1> \, \mathbb{1}[<0> \le 0]"),
    "softplus": (r"\operatorname{softplus}'(<0>)", r"\sigma(<0>)"),
    "exp": (r"\exp'(<0>)", "<out>"),
    "log": (r"\log'(<0>)", r"1 \oslash <0>"),
    "act": (r"g'(<0>)", r"g'(<0>)"),
}
# the formulas above that change when ReLU'(0) = <c> is not 0 (an assignment's convention)
AT_ZERO = {"relu": r"\mathbb{1}[<0> > 0] + <c> \, \mathbb{1}[<0> = 0]",
           "leaky_relu": r"\mathbb{1}[<0> > 0] + <1> \, \mathbb{1}[<0> < 0] + \bigl(<c> + (1 - <c>) <1>\bigr) \, \mathbb{1}[<0> = 0]"}


def fill(template: str, **parts: str) -> str:
    """``fill("<g> \\odot <0>", g="δ", **{"0": "z"})`` → ``δ \\odot z``."""
    return re.sub(r"<(\w+)>", lambda m: parts[m.group(1)], template)


def grad_symbol(tex_name, name: str) -> str:
    """δ^{[l]} for a layer's pre-activation ``z<l>``, else ∂L/∂name."""
    layer = re.fullmatch(r"z(\d+)", name)
    return rf"\delta^{{[{layer.group(1)}]}}" if layer else rf"\frac{{\partial L}}{{\partial {tex_name(name)}}}"


class BackwardText:
    """The rules of one scenario's gradients: ``rule(node)`` is the TeX right-hand side of
    ∂L/∂node in terms of the upstream gradients; ``derivatives(node)`` the element-wise
    derivatives it uses, as (name, formula, (of, wrt)) to evaluate."""

    def __init__(self, graph: Graph, tex_name, tex_expression, *, shapes: dict, scale: str, batch: int,
                 at_zero: str = "0"):
        self.graph, self._tex_name, self._tex_expression = graph, tex_name, tex_expression
        self.shapes, self.scale, self.batch, self.at_zero = shapes, scale, batch, at_zero
        self.users: dict[str, list] = {}
        for node in graph.nodes:
            for index, arg in enumerate(node.args):
                self.users.setdefault(arg, []).append((node, index))

    def _tex(self, name: str) -> str:
        return self._tex_expression(self.graph, name, top=False)

    def _upstream(self, user) -> str:
        if user.name == self.graph.loss:
            return ""
        if not user.name.startswith("_"):
            return grad_symbol(self._tex_name, user.name)
        inner = self.rule(user.name)
        return rf"\left({inner}\right)" if re.search(r" [-+] ", inner) else inner

    def contribution(self, user, index: int) -> str:
        parts = {str(i): self._tex(a) for i, a in enumerate(user.args)}
        parts.update(g=self._upstream(user), out=self._tex(user.name), s=self.scale, m=str(self.batch))
        if user.op in DERIVATIVES:
            return fill(r"<g> \odot " + DERIVATIVES[user.op][0], **parts)
        rules = RULES.get(user.op)
        if rules is None or index >= len(rules):  # an op this table does not know: the chain rule
            return rf"{parts['g'] or '1'} \cdot \frac{{\partial {parts['out']}}}{{\partial {parts[str(index)]}}}"
        text = re.sub(r"\(([^()\s^]+)\)\^T", r"\1^T", fill(rules[index], **parts))  # (x)^T → x^T
        if user.op in ("add", "sub") and self._broadcast(user.args[index], user.name):
            text = rf"\textstyle\sum_{{\text{{examples}}}} {text}"
        return text

    def _broadcast(self, arg: str, out: str) -> bool:
        a, o = self.shapes.get(arg), self.shapes.get(out)
        return a is not None and o is not None and a[1] == 1 and o[1] > 1

    def rule(self, name: str) -> str:
        """∂L/∂name as the sum of its users' backward rules."""
        terms = [self.contribution(user, index) for user, index in self.users.get(name, ())
                 if user.op not in ("input", "param", "const")]
        return " + ".join(terms)

    def one_hot_shortcut(self, name: str) -> tuple[str, str] | None:
        """For ``z`` of ``softmax(z)`` read only by cross-entropy against targets ``t``: the
        classic ``softmax(z) − t`` (what the rule comes to when each column of t sums to 1),
        and the name of t, which the caller checks."""
        users = self.users.get(name, ())
        if len(users) != 1 or users[0][0].op != "softmax":
            return None
        readers = self.users.get(users[0][0].name, ())
        if len(readers) != 1 or readers[0][0].op != "cross_entropy" or readers[0][1] != 0:
            return None
        loss = readers[0][0]
        return fill("<s>(<0> - <1>)", s=self.scale, **{"0": self._tex(loss.args[0]), "1": self._tex(loss.args[1])}), loss.args[1]

    def derivatives(self, name: str) -> list[tuple[str, str, tuple[str, str]]]:
        """The element-wise derivatives in ``rule(name)``: (name, what it equals, (of, wrt))."""
        out = []
        for user, index in self.users.get(name, ()):
            if user.op in DERIVATIVES and index == 0:
                parts = {str(i): self._tex(a) for i, a in enumerate(user.args)}
                parts.update(out=self._tex(user.name), c=self.at_zero)
                symbol, formula = DERIVATIVES[user.op]
                if self.at_zero != "0" and user.op in AT_ZERO:
                    formula = AT_ZERO[user.op]
                symbol, formula = fill(symbol, **parts), fill(formula, **parts)
                out.append((symbol, formula if formula != symbol else "", (user.name, name)))
        return out
