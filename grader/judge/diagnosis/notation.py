r"""A subterm of an answer written back in the student's own notation: each symbol and
function as the student spelled it (read from the answer's text at the node's position), the
operators as LaTeX.

>>> from grader.parse.expression import tree as A
>>> text = r"\delta^{(L)} z^{(L-1)}"
>>> in_their_words(A.Transpose(A.Sym("z_prev", pos=13)), text)
'(z^{(L-1)})^T'
"""
from __future__ import annotations

import re
from fractions import Fraction

from grader.parse.expression import tree as A

# a name as typed: a LaTeX command or letters, with its braces and sub/superscripts
_NAME = re.compile(r"(\\[A-Za-z]+(\{(?:[^{}]|\{[^{}]*\})*\})?|[A-Za-z]+)"
                   r"(\s*[_^](\{(?:[^{}]|\{[^{}]*\})*\}|\w))*")
_OPS = {A.Add: " + ", A.Sub: " - ", A.MatMul: " @ ", A.Hadamard: r" \odot ", A.Product: " "}


def _spelled(node, text: str, fallback: str) -> str:
    m = _NAME.match(text, node.pos) if 0 <= node.pos < len(text) else None
    if not m:
        return fallback
    # a transpose typed inside the script (W^{[l+1]T}) is a node of its own: shown by it
    return re.sub(r"(T\}|\^T|\^\\top)$", lambda t: "}" if t.group(0) == "T}" else "", m.group(0))


def _grouped(node, text: str) -> str:
    shown = in_their_words(node, text)
    return f"({shown})" if isinstance(node, (A.Add, A.Sub, A.Neg, A.Product, A.MatMul, A.Hadamard)) else shown


def in_their_words(node: A.Node, text: str) -> str:
    """``node`` of the answer ``text`` written as the student would (see the module doc)."""
    if isinstance(node, A.Num):
        v = Fraction(node.value)
        return str(v.numerator) if v.denominator == 1 else rf"\frac{{{v.numerator}}}{{{v.denominator}}}"
    if isinstance(node, (A.Sym, A.Size)):
        return _spelled(node, text, node.name)
    if isinstance(node, A.Neg):
        return f"-{_grouped(node.arg, text)}"
    if type(node) in _OPS:
        left = in_their_words(node.left, text) if isinstance(node, (A.Add, A.Sub)) else _grouped(node.left, text)
        return f"{left}{_OPS[type(node)]}{_grouped(node.right, text)}"
    if isinstance(node, A.Div):
        return rf"\frac{{{in_their_words(node.left, text)}}}{{{in_their_words(node.right, text)}}}"
    if isinstance(node, A.Pow):
        return f"{_grouped(node.base, text)}^{{{node.exponent}}}"
    if isinstance(node, A.Transpose):
        inner = in_their_words(node.arg, text)
        return f"{inner}^T" if isinstance(node.arg, A.Sym) and not inner.count("^") else f"({inner})^T"
    if isinstance(node, A.Call):
        return f"{_spelled(node, text, node.fn)}({', '.join(in_their_words(a, text) for a in node.args)})"
    if isinstance(node, A.Derivative):
        name = _spelled(node, text, node.fn).rstrip("'")
        return f"{name}'({in_their_words(node.arg, text)})"
    if isinstance(node, A.Indicator):
        return rf"\mathbb{{1}}\{{{in_their_words(node.left, text)} {node.op} {in_their_words(node.right, text)}\}}"
    if isinstance(node, A.Sum):
        return rf"\sum_{{{node.index}}} {_grouped(node.body, text)}"
    if isinstance(node, A.Kronecker):
        return rf"\delta_{{{node.i}{node.j}}}"
    return text
