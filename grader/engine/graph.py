"""A network is a small computation graph of named equations.

    z1 = W1 @ x + b1
    a1 = sigmoid(z1)
    z2 = a1 + x            # a skip connection is just another equation
    L  = sse(a2, t)

:func:`build_graph` turns such equations (or the layered-MLP shorthand, see
:func:`expand_mlp`) into a :class:`Graph`: nodes in evaluation order, each an op applied to
earlier nodes. Anonymous sub-expressions (``W1 @ x``) become nodes named ``_1``, ``_2``, …
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from importlib.resources import files

from lark import Lark, Token
from lark.exceptions import LarkError

from grader.engine.ops import OPS
from grader.errors import ConfigError


@dataclass(frozen=True)
class Node:
    name: str
    op: str  # "input", "param", "const", or a key of OPS
    args: tuple[str, ...] = ()
    value: Fraction | None = None  # for "const"


@dataclass(frozen=True)
class Graph:
    """Nodes in evaluation order, plus which of them are data, parameters and the loss.

    ``shapes`` maps inputs, targets and parameters to (rows, cols), each an int or a size
    name such as ``"d"``; for data, cols is the per-example width (1) and the batch size is
    set by the data given.
    """

    nodes: tuple[Node, ...]
    inputs: tuple[str, ...]
    targets: tuple[str, ...]
    params: tuple[str, ...]
    shapes: dict
    loss: str
    output: str  # the network's prediction (used for predicted classes)

    def node(self, name: str) -> Node:
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        """Every named (non-anonymous) node."""
        return tuple(n.name for n in self.nodes if not n.name.startswith("_"))


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = files("grader.engine").joinpath("equations.lark").read_text()
    return Lark(grammar, start="equation", parser="lalr")


_BINARY = {"add", "sub", "matmul", "mul", "div"}  # written as operators, not called by name


def build_graph(spec: dict, *, source: str = "network") -> Graph:
    """Build a graph from ``inputs``/``targets``/``params`` shapes, ``constants`` (name → number,
    such as a penalty's ``lam``), ``equations``, ``loss``.

    >>> g = build_graph({"inputs": {"x": [2, 1]}, "targets": {"t": [1, 1]},
    ...                  "params": {"W": [1, 2]}, "equations": ["y = W @ x", "L = sse(y, t)"],
    ...                  "loss": "L", "output": "y"})
    >>> [n.op for n in g.nodes]
    ['input', 'input', 'param', 'matmul', 'sse']
    """
    nodes: list[Node] = []
    shapes: dict[str, tuple[int, int]] = {}
    for role, op in (("inputs", "input"), ("targets", "input"), ("params", "param")):
        for name, shape in (spec.get(role) or {}).items():
            nodes.append(Node(name, op))
            # a size is a number or a name (``d``) that an instance or scenario fixes
            shapes[name] = tuple(int(s) if str(s).isdigit() else str(s) for s in shape)
    for name, value in (spec.get("constants") or {}).items():
        nodes.append(Node(name, "const", value=Fraction(str(value))))
        shapes[name] = (1, 1)
    defined = {n.name for n in nodes}
    counter = [0]

    def constant(text: str) -> str:
        counter[0] += 1
        nodes.append(Node(f"_{counter[0]}", "const", value=Fraction(text)))
        return f"_{counter[0]}"

    def emit(tree, where: str) -> str:
        if isinstance(tree, Token):
            raise ConfigError(f"unexpected token {tree!r}", file=source, question=where)
        kind = tree.data
        if kind == "number":
            return constant(str(tree.children[0]))
        if kind == "name":
            ref = str(tree.children[0])
            if ref not in defined:
                raise ConfigError(f"'{ref}' is used before it is defined", file=source, question=where)
            return ref
        if kind == "call":
            fn, *arg_trees = tree.children
            fn = str(fn)
            if fn not in OPS or fn in _BINARY:
                raise ConfigError(f"unknown function '{fn}' (known: {', '.join(sorted(set(OPS) - _BINARY))})",
                                  file=source, question=where)
            op, args = fn, tuple(emit(a, where) for a in arg_trees)
            missing = OPS[op].arity - len(args)
            if 0 < missing <= len(OPS[op].defaults):  # elu(z) is elu(z, 1)
                args += tuple(constant(d) for d in OPS[op].defaults[-missing:])
        else:
            op, args = str(kind), tuple(emit(a, where) for a in tree.children)
        if len(args) != OPS[op].arity:
            raise ConfigError(f"{op} takes {OPS[op].arity} argument(s), got {len(args)}", file=source, question=where)
        counter[0] += 1
        name = f"_{counter[0]}"
        nodes.append(Node(name, op, args))
        return name

    for i, text in enumerate(spec.get("equations") or []):
        where = f"equations[{i}]"
        try:
            tree = _parser().parse(text)
        except LarkError as e:
            raise ConfigError(f"cannot parse equation {text!r}: {str(e).splitlines()[0]}", file=source, question=where) from None
        target, expr = str(tree.children[0]), tree.children[1]
        if target in defined:
            raise ConfigError(f"'{target}' is defined twice", file=source, question=where)
        inner = emit(expr, where)
        last = nodes.pop() if nodes[-1].name == inner and inner.startswith("_") else None
        nodes.append(Node(target, last.op, last.args, last.value) if last else Node(target, "identity", (inner,)))
        defined.add(target)

    for role in ("loss", "output"):
        if spec.get(role) not in defined:
            raise ConfigError(f"{role} '{spec.get(role)}' is not a node of the network", file=source, question=role)
    return Graph(tuple(nodes), tuple(spec.get("inputs") or {}), tuple(spec.get("targets") or {}),
                 tuple(spec.get("params") or {}), shapes, spec["loss"], spec["output"])


def expand_mlp(mlp: dict) -> dict:
    """The layered-MLP shorthand as equations: sizes [5, 3, 2] → W1, b1, z1, a1, W2, b2, z2, a2.

    Keys: ``sizes``, ``activation`` (hidden layers), ``output`` (output activation, default the
    hidden one), ``loss``, ``bias`` (default true), ``input``/``target`` names (``x``, ``t``).

    >>> expand_mlp({"sizes": [2, 1], "activation": "tanh", "loss": "sse"})["equations"]
    ['z1 = W1 @ x + b1', 'a1 = tanh(z1)', 'L = sse(a1, t)']
    """
    sizes = [int(s) for s in mlp["sizes"]]
    hidden = mlp.get("activation", "sigmoid")
    output = mlp.get("output", hidden)
    bias = mlp.get("bias", True) not in (False, "false")
    x, t = mlp.get("input", "x"), mlp.get("target", "t")
    params: dict[str, list[int]] = {}
    equations, prev = [], x
    for layer in range(1, len(sizes)):
        params[f"W{layer}"] = [sizes[layer], sizes[layer - 1]]
        affine = f"W{layer} @ {prev}"
        if bias:
            params[f"b{layer}"] = [sizes[layer], 1]
            affine += f" + b{layer}"
        act = output if layer == len(sizes) - 1 else hidden
        equations += [f"z{layer} = {affine}", f"a{layer} = {act}(z{layer})"]
        prev = f"a{layer}"
    equations.append(f"L = {mlp.get('loss', 'sse')}({prev}, {t})")
    return {"inputs": {x: [sizes[0], 1]}, "targets": {t: [sizes[-1], 1]}, "params": params,
            "equations": equations, "loss": "L", "output": prev}
