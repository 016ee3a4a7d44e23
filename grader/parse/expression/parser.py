r"""Read a symbolic answer, plain text or LaTeX, into one typed tree, safely.

>>> table = SymbolTable.build(symbols={"yhat": [r"\hat{y}", "y_hat"], "y": ["y"]})
>>> parse_expression(r"\frac{\partial L}{\partial z} = \hat{y} - y", table).expr
Sub(left=Sym(name='yhat', index=()), right=Sym(name='y', index=()))

Student text never reaches ``eval``, ``sympify`` or ``parse_latex``. The stages, each bounded:

1. :func:`prescan`: at most 2,000 characters, brackets balanced and nested at most 40 deep,
   checked by a scan before any parser, so 300 nested parentheses or a 100 kB paste are refused
   in microseconds.
2. :func:`split_lhs`: text left of the last top-level ``=`` is kept as ``Parsed.lhs`` and never
   parsed (``\frac{\partial L}{\partial W} = ...``, ``dL/dW = ...``, ``a = b = c`` keeps c).
3. :func:`~grader.parse.expression.tokens.tokenize`: names, functions and operators read against the
   question's :class:`SymbolTable`; at most 800 tokens; numbers at most 30 digits, finite.
4. lark LALR over ``expression.lark`` (table-driven: no recursion, linear time), run by
   :class:`~grader.parse.expression.lalr.FastLALR` over lark's own table; lark's parser itself only
   for an answer that does not parse, to word the error.
5. :class:`~grader.parse.expression.build.Builder`: at most 400 nodes and 100 levels, exponents whole
   and at most 16, names resolved (unknown ones are errors naming what the student typed).

Errors are :class:`~grader.errors.AnswerError` with a 1-based column into the original text
and a category: ``syntax``, ``unknown-symbol``, ``unknown-function`` or ``limit``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, UnexpectedInput
from lark.lexer import Lexer

from grader.errors import AnswerError
from grader.parse.expression.tree import (Add, Call, Derivative, Div, Hadamard, Indicator,
                                   Entry, Kronecker, MatMul, Neg, Node, Num, Pow, Product, Shape, Size,
                                   Sub, Sum, Sym, Transpose, count_nodes, walk)
from grader.parse.expression.build import Builder, check_size
from grader.parse.expression.lalr import FastLALR
from grader.parse.expression.normalize import brackets, quote
from grader.parse.expression.table import DEFAULT_FUNCTIONS, SymbolTable
from grader.parse.expression.tokens import tokenize

__all__ = ["DEFAULT_FUNCTIONS", "MAX_CHARS", "MAX_DEPTH", "Parsed", "SymbolTable",
           "parse_expression", "Add", "Call", "Derivative", "Div", "Hadamard", "Indicator",
           "Entry", "Kronecker", "MatMul", "Neg", "Node", "Num", "Pow", "Product", "Shape", "Size", "Sub",
           "Sum", "Sym", "Transpose", "count_nodes", "walk"]

MAX_CHARS = 2_000
MAX_DEPTH = 40  # nested (), [], {} (and \{ \}), calls included
EXPECT = ("auto", "expression", "shape")
PAIRS = {"(": ")", "[": "]", "{": "}"}
OPERAND = {"NAME", "NUMBER", "FUNC", "EXPE", "IND", "SUM", "REALS", "FRAC", "_LPAR", "_LSQB",
           "_LBRACE", "MINUS", "PLUS"}
BINARY = {"STAR", "TIMES", "DIMX", "AT", "HAD", "OTIMES", "SLASH"}  # + and - also start an operand
WORDS = {"_RPAR": "')'", "_RSQB": "']'", "_RBRACE": "'}'", "_LPAR": "'('", "_LBRACE": "'{'",
         "_LSQB": "'['", "_COMMA": "','", "CMP": "a comparison such as '>' or '\\neq'",
         "CARET": "'^'", "PRIME": "'''", "TRANSPOSE": "'^T'", "$END": "the end of the answer"}


class _Feed(Lexer):
    """Lark's side of our pre-lexer: the tokens are already made."""

    def __init__(self, lexer_conf):
        pass

    def lex(self, data):
        yield from data


@lru_cache(maxsize=1)
def parsers() -> tuple[Lark, FastLALR]:
    """lark's LALR parser of ``expression.lark`` and our lean driver of its table, built on
    first use (a fifth of a second: ``grade check`` of numeric answers never needs them)."""
    lark = Lark(Path(__file__).with_name("expression.lark").read_text(encoding="utf-8"), parser="lalr", lexer=_Feed)
    return lark, FastLALR(lark)


@dataclass(frozen=True)
class Parsed:
    expr: Node  # the right-hand side
    lhs: str | None  # text left of the last top-level '=', never parsed
    text: str
    #: the answer read the other way where a plain-text a/b c is (grader.parse.expression.division)
    alternative: Node | None = field(default=None, compare=False, repr=False)


def parse_expression(text: str, table: SymbolTable, *, expect: str = "auto") -> Parsed:
    """Parse one answer. ``expect`` is ``auto`` (a shape when the answer reads as one),
    ``expression`` (never a shape; ``x`` is always a name) or ``shape``."""
    if expect not in EXPECT:
        raise ValueError(f"expect must be one of {EXPECT}")
    if not isinstance(text, str):
        raise AnswerError(f"expected text, got {type(text).__name__}", category="syntax")
    prescan(text)
    lhs, start = split_lhs(text)
    tokens = tokenize(text, start, table, dims=expect != "expression")
    if not tokens:
        if lhs is None:
            raise AnswerError("empty answer", text=text, category="syntax")
        raise AnswerError("nothing after '='", column=start, text=text, category="syntax")
    lark, fast = parsers()
    tree = fast.parse(tokens)
    if tree is None:  # lark's parser fails on the same token, with the error we word
        try:
            tree = lark.parse(tokens)
        except UnexpectedInput as e:
            raise _syntax_error(e, text, tokens) from None
    check_size(tree, text)
    builder = Builder(text, table, tokens, expect)
    return Parsed(builder.build(tree), lhs, text, builder.alternative)


def prescan(text: str) -> None:
    """Length, then bracket balance and depth: before any parser sees the text."""
    if len(text) > MAX_CHARS:
        raise AnswerError(f"answer is too long ({len(text)} characters, limit {MAX_CHARS})",
                          text=text, category="limit")
    stack: list[tuple[int, str]] = []
    for i, ch in brackets(text):
        if ch in PAIRS:
            stack.append((i, ch))
            if len(stack) > MAX_DEPTH:
                raise AnswerError(f"brackets are nested too deeply (limit {MAX_DEPTH} levels)",
                                  column=i + 1, text=text, category="limit")
        elif not stack:
            raise AnswerError(f"unbalanced {quote(ch)}", column=i + 1, text=text)
        else:
            j, opener = stack.pop()
            if PAIRS[opener] != ch:
                raise AnswerError(f"{quote(opener)} at column {j + 1} is closed by {quote(ch)}",
                                  column=i + 1, text=text)
    if stack:
        j, opener = stack[-1]
        raise AnswerError(f"{quote(opener)} is never closed", column=j + 1, text=text)


def split_lhs(text: str) -> tuple[str | None, int]:
    r"""The text left of the last ``=`` (or ``\in``, ``∈``: ``W \in \mathbb{R}^{d \times d}``)
    outside brackets (None if there is none; ``<=``, ``>=``, ``!=``, ``==`` do not count) and
    the offset where the answer proper starts."""
    if "=" not in text and "∈" not in text and "\\in" not in text:
        return None, 0
    depth, last, width = 0, -1, 1
    marks = {i: ch for i, ch in brackets(text)}
    for i, ch in enumerate(text):
        if i in marks:
            depth += 1 if marks[i] in PAIRS else -1
        elif depth:
            continue
        elif ch == "=" and text[i - 1:i] not in ("<", ">", "!", "=") and text[i + 1:i + 2] != "=":
            last, width = i, 1
        elif ch == "∈":
            last, width = i, 1
        elif text.startswith("\\in", i) and not text[i + 3:i + 4].isalpha():
            last, width = i, 3
    if last < 0:
        return None, 0
    return text[:last].strip().rstrip(":&").strip(), last + width


def _syntax_error(e: UnexpectedInput, text: str, tokens: list[Token]) -> AnswerError:
    """Word lark's 'unexpected token, expected one of {...}' for a student."""
    tok = getattr(e, "token", None)
    expected = set(getattr(e, "expected", None) or ())
    at_end = tok is None or tok.type == "$END"
    k = len(tokens) if at_end else next((n for n, t in enumerate(tokens) if t is tok), 0)
    prev = tokens[k - 1] if k else None
    pos = len(text) if at_end else tok.start_pos
    got = "the answer ends too early" if at_end else \
        f"unexpected {quote(text[tok.start_pos:tok.end_pos])}"
    if prev is not None and prev.type == "FUNC" and "_LPAR" in expected:
        want = f"an argument in parentheses after {quote(text[prev.start_pos:prev.end_pos])}"
    elif prev is not None and prev.type == "IND":
        want = "a condition in brackets after the indicator, as in 1{z > 0}"
    elif prev is not None and prev.type == "FRAC" or expected == {"_LBRACE"}:
        want = "'{': \\frac takes two arguments in braces, as in \\frac{1}{2}"
    elif "CMP" in expected and not at_end and tok.type in ("_RPAR", "_RSQB", "_RBRACE"):
        want = WORDS["CMP"]
    elif not at_end and tok.type == "NUMBER" and expected & BINARY:
        want = "an operator such as '*' before a number"
    elif expected & BINARY:
        want = "an operator such as '+' or '*'" + \
            "".join(f" or {WORDS[c]}" for c in ("_RPAR", "_RSQB", "_RBRACE", "CMP")
                    if c in expected)
    elif expected & OPERAND:
        want = "an operand or '('"
    else:
        want = " or ".join(sorted(WORDS.get(c, c) for c in expected)) or "something else"
    return AnswerError(f"{got}: expected {want}", column=pos + 1, text=text, category="syntax")
