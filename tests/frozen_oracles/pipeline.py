"""An answer parsed as it was before the tokenizer and builder were sped up (Nov 2026): the
grader's own prescan, left-hand-side split and LALR table, with the frozen tokenizer
(:mod:`tests.frozen_oracles.expr_tokens`) and builder (:mod:`tests.frozen_oracles.expr_build`)."""
from __future__ import annotations

from lark import UnexpectedInput

from grader.errors import AnswerError
from grader.parse.expression.parser import EXPECT, Parsed, _syntax_error, parsers, prescan, split_lhs
from grader.parse.expression.table import SymbolTable
from tests.frozen_oracles.expr_build import Builder, check_size
from tests.frozen_oracles.expr_tokens import tokenize


def parse_expression(text: str, table: SymbolTable, *, expect: str = "auto") -> Parsed:
    """:func:`grader.parse.expression.parser.parse_expression`, step for step."""
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
