"""An answer parsed as it was before the tokenizer and builder were sped up (Nov 2026): the
grader's own prescan, left-hand-side split and LALR table, with the frozen tokenizer
(:mod:`tests.reference.expr_tokens`) and builder (:mod:`tests.reference.expr_build`)."""
from __future__ import annotations

from lark import UnexpectedInput

from grader.errors import AnswerError
from grader.parse.expression import EXPECT, Parsed, _syntax_error, parsers, prescan, split_lhs
from grader.parse.expr_table import SymbolTable
from tests.reference.expr_build import Builder, check_size
from tests.reference.expr_tokens import tokenize


def parse_expression(text: str, table: SymbolTable, *, expect: str = "auto") -> Parsed:
    """:func:`grader.parse.expression.parse_expression`, step for step."""
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
    if tree is None:
        try:
            tree = lark.parse(tokens)
        except UnexpectedInput as e:
            raise _syntax_error(e, text, tokens) from None
    check_size(tree, text)
    return Parsed(Builder(text, table, tokens, expect).build(tree), lhs, text)
