r"""A write-up's own definitions: ``\text{Let } g = e^{z_k} \text{ and } h = \sum_j e^{z_j}``.

Students name pieces of an expression and use the names: seed 003 writes the softmax as ``g/h``,
then ``\frac{\partial y_k}{\partial z_{k'}} = \frac{g'h - h'g}{h^2}``. A definition chain (the
reader's DEFINITION kind: ``Let``, ``where``, ``:=``) of a bare name a scenario does not declare
is a *local* of the write-up from its line on; it is never a claim. A later step is read with the
locals in the scenario's table and each local replaced by its definition's tree, so it holds or
fails on its merits. Derivatives of a local, ``\frac{\partial g}{\partial z_{k'}}`` and ``g'``,
are the definition's expression differentiated symbolically (:func:`derivative`: sums, products,
quotients, powers, ``exp``/``log``, an entry ``z_i`` by ``z_{k'}`` giving ``\delta_{ik'}``),
into a tree the evaluator already computes; tests check it against finite differences. ``g'``
means the derivative by the variable the write-up names for it (``g' = \frac{\partial g}{\partial
z_{k'}}``, a naming line anywhere in it, itself not checked); without one, ``g'`` is not read.
A name the scenario declares (``h`` is residual-softmax's hidden layer in Q1) stays declared.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from grader.errors import AnswerError
from grader.io.writeups.model import DEFINITION, Chain
from grader.judge.derivation.context import Scenario
from grader.judge.derivation.layout import readable
from grader.parse.expression import tree as A
from grader.parse.expression.parser import parse_expression

_NAME = r"[A-Za-z]"  # a one-letter name: what students call a piece (g, h, u, s)
_PARTIAL = re.compile(r"^\\[dt]?frac\s*\{\s*\\partial\s*(?P<f>[A-Za-z]|\((?P<expr>.*)\))\s*\}\s*"
                      r"\{\s*\\partial\s*(?P<v>[^{}]*(?:\{[^{}]*\}[^{}]*)*)\}$", re.S)
_LOSSES = frozenset("LJEC")  # the loss's letters: ∂L/∂W reads the assignment's loss, never a local L
_PRIMED = "_{primed}"  # the spelling ``g'`` is read as (the grammar reads a prime as g's derivative or a transpose)
LOCAL = "local "  # prefix of a local's symbol name


@dataclass(frozen=True)
class Definition:
    """``name = body`` at ``line`` (the body as typed)."""

    name: str
    line: int
    body: str


def is_definition(chain: Chain, declared) -> bool:
    """A chain that defines a one-letter name: the reader's DEFINITION (``Let g = …``), or
    ``g = …`` / ``g := …`` (``where``, ``with`` before it are prose) of a name no scenario
    declares (``declared``: every spelling and index the assignment binds). A loss letter is
    never one.

    >>> from grader.io.writeups.model import Term
    >>> is_definition(Chain((Term("g", 3, 1), Term("e^{z_k}", 3, 5)), ("=",)), {"z", "y"})
    True
    >>> is_definition(Chain((Term("y", 3, 1), Term("e^{z_k}", 3, 5)), ("=",)), {"z", "y"})
    False
    """
    first = chain.terms[0].text.strip()
    return len(chain.terms) == 2 and bool(re.fullmatch(_NAME, first)) and first not in _LOSSES and \
        (chain.kind == DEFINITION or (not chain.kind and first not in declared))


def definitions(chains: tuple[Chain, ...], declared=frozenset()) -> tuple[tuple[Definition, ...], dict]:
    """The write-up's definitions of one-letter names (:func:`is_definition`), in order, and
    name → the variable text its prime is taken by (from ``g' = \\frac{\\partial g}{\\partial v}``).

    >>> from grader.io.writeups.model import Term
    >>> let = Chain((Term("g", 3, 1), Term("e^{z_k}", 3, 5)), ("=",), kind=DEFINITION)
    >>> prime = Chain((Term("g'", 5, 1), Term(r"\\frac{\\partial g}{\\partial z_{k'}}", 5, 6)), ("=",))
    >>> definitions((let, prime))
    ((Definition(name='g', line=3, body='e^{z_k}'),), {'g': "z_{k'}"})
    """
    defs, primes = [], {}
    for chain in chains:
        if is_definition(chain, declared):
            defs.append(Definition(chain.terms[0].text.strip(), chain.line, chain.terms[1].text))
        for left, _, right in chain.steps:
            named = prime_naming(left.text, right.text)
            if named:
                primes.setdefault(*named)
    return tuple(defs), primes


def prime_naming(left: str, right: str) -> tuple[str, str] | None:
    """``g' = \\frac{\\partial g}{\\partial v}``: (g, v), the student naming a derivative."""
    m = re.fullmatch(rf"\s*({_NAME})\s*'\s*", left)
    d = _PARTIAL.match(readable(right).strip())
    if m and d and d.group("f") == m.group(1):
        return m.group(1), d.group("v").strip()
    return None


def in_scope(scenarios: tuple[Scenario, ...], defs: tuple[Definition, ...], primes: dict,
             line: int) -> tuple[Scenario, ...]:
    """Each scenario with the definitions made before ``line`` of names it does not declare (a
    body it cannot read: that local is left out)."""
    active = tuple(d for d in defs if d.line < line)
    if not active:
        return scenarios
    return tuple(_with_locals(s, active, tuple(sorted(primes.items()))) for s in scenarios)


def _with_locals(scenario: Scenario, active, primes) -> Scenario:
    key = (id(scenario), tuple((d.name, d.body) for d in active), primes)  # not the lines: a class shares tables
    hit = _SCOPED.get(key)
    if hit is not None and hit[1] is scenario:
        return hit[0]
    bodies = {}
    for d in active:  # a later definition of the same name replaces an earlier one
        if d.name in scenario.table.symbols:
            continue
        tree = _parse(d.body, scenario)
        if tree is not None:
            bodies[d.name] = tree
    symbols = dict(scenario.table.symbols)
    for name, body in bodies.items():
        symbols[name] = LOCAL + name
        var = _parse(dict(primes).get(name, ""), scenario)
        if isinstance(var, A.Sym) and derivative(body, var) is not None:
            symbols[name + _PRIMED] = LOCAL + name + "'"
    out = replace(scenario, table=replace(scenario.table, symbols=symbols),
                  locals={**bodies, **{n + "'": (b, _parse(dict(primes)[n], scenario)) for n, b in bodies.items()
                                       if n + _PRIMED in symbols}})
    if len(_SCOPED) > 256:
        _SCOPED.clear()
    _SCOPED[key] = (out, scenario)
    return out


_SCOPED: dict = {}


def primed_text(text: str, scenario: Scenario) -> str:
    """``g'`` of a local spelled as the symbol the scoped table binds."""
    for name in scenario.locals:
        if name.endswith("'"):
            text = re.sub(rf"(?<![A-Za-z\\]){name[0]}\s*'", name[0] + _PRIMED + " ", text)
    return text


def uses_local(text: str, scenario: Scenario) -> bool:
    """``text`` (one side) names a local of the write-up: a step about it is a claim, whatever its form."""
    if not scenario.locals:
        return False
    m = _PARTIAL.match(readable(text).strip())
    if m and m.group("f") in scenario.locals:
        return True
    tree = _parse(primed_text(text, scenario), scenario)
    return tree is not None and any(isinstance(n, A.Sym) and n.name.startswith(LOCAL) for n in A.walk(tree))


def expand(tree, scenario: Scenario):
    """``tree`` with each local replaced by its definition (a primed one by the derivative)."""
    if not scenario.locals:
        return tree
    if isinstance(tree, A.Sym) and tree.name.startswith(LOCAL) and not tree.index:
        local = scenario.locals.get(tree.name[len(LOCAL):])
        if isinstance(local, tuple):
            return derivative(*local)
        return local if local is not None else tree
    if not A.is_node(tree):
        return tree
    changes = {}
    for f in A.node_fields(type(tree)):
        value = getattr(tree, f)
        if A.is_node(value):
            changes[f] = expand(value, scenario)
        elif isinstance(value, tuple) and any(A.is_node(v) for v in value):
            changes[f] = tuple(expand(v, scenario) if A.is_node(v) else v for v in value)
    return replace(tree, **changes) if changes else tree


def derivative_tree(text: str, scenario: Scenario):
    """``\\frac{\\partial g}{\\partial v}`` of a local ``g`` (or of a bracketed expression), the
    derivative's tree; None when it is not one."""
    m = _PARTIAL.match(readable(text).strip())
    if not m or not scenario.locals:
        return None
    body = scenario.locals.get(m.group("f")) if m.group("expr") is None else \
        expand(_parse(m.group("expr"), scenario), scenario)
    var = _parse(m.group("v"), scenario)
    if isinstance(body, tuple) or body is None or not isinstance(var, A.Sym):
        return None
    return derivative(body, var)


def derivative(node, var: A.Sym):
    """The tree of ``∂node/∂var`` (``var`` one entry ``z_{k'}``: ``z_i`` gives ``δ_{ik'}``), or
    None for a node outside the rules.

    >>> z = lambda i: A.Sym("z", (i,))
    >>> derivative(A.Call("exp", (z("k"),)), z("k'"))
    Product(left=Call(fn='exp', args=(Sym(name='z', index=('k',)),)), right=Kronecker(i='k', j="k'"))
    """
    rule = _RULES.get(type(node))
    return rule(node, var) if rule is not None else None


def _sym(node, var):
    if node.name != var.name:
        return A.Num(0)
    if len(node.index) == 1 and len(var.index) == 1:
        return A.Kronecker(node.index[0], var.index[0])
    return None


def _both(make):
    def rule(node, var):
        da, db = derivative(node.left, var), derivative(node.right, var)
        return None if da is None or db is None else make(node.left, node.right, da, db)
    return rule


def _call(node, var):
    if len(node.args) != 1:
        return None
    inner = derivative(node.args[0], var)
    outer = {"exp": lambda x: A.Call("exp", (x,)), "log": lambda x: A.Div(A.Num(1), x)}.get(node.fn)
    return None if inner is None or outer is None else A.Product(outer(node.args[0]), inner)


def _pow(node, var):
    inner = derivative(node.base, var)
    if inner is None:
        return None
    return A.Product(A.Product(A.Num(node.exponent), A.Pow(node.base, node.exponent - 1)), inner)


def _sum(node, var):
    body = derivative(node.body, var)
    return None if body is None else replace(node, body=body)


def _neg(node, var):
    inner = derivative(node.arg, var)
    return None if inner is None else A.Neg(inner)


_RULES = {
    A.Num: lambda node, var: A.Num(0), A.Size: lambda node, var: A.Num(0), A.Sym: _sym, A.Neg: _neg,
    A.Add: _both(lambda a, b, da, db: A.Add(da, db)), A.Sub: _both(lambda a, b, da, db: A.Sub(da, db)),
    A.Product: _both(lambda a, b, da, db: A.Add(A.Product(da, b), A.Product(a, db))),
    A.Div: _both(lambda a, b, da, db: A.Div(A.Sub(A.Product(da, b), A.Product(a, db)), A.Pow(b, 2))),
    A.Pow: _pow, A.Call: _call, A.Sum: _sum,
}


def _parse(text: str, scenario: Scenario):
    if not text:
        return None
    try:
        return parse_expression(readable(text), scenario.table, expect="expression").expr
    except AnswerError:
        return None
