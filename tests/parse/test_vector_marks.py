r"""A vector arrow on a name the table knows only without it is that name (as bold is), never
when the assignment itself writes an arrow on that base: there ``\vec{x}`` and ``x`` may be two
of its names (issue 17's last gaps)."""
from __future__ import annotations

import pytest

from grader.errors import AnswerError
from grader.parse.expression import tree as A
from grader.parse.expression.parser import parse_expression
from grader.parse.expression.table import SymbolTable

PLAIN = SymbolTable.build(symbols={"yhat": [r"\hat{y}"], "y": ["y"], "z": ["z^{(L)}"]})
#: an assignment that tells x and \vec{x} apart, and spells another name x^{(L)}
BOTH = SymbolTable.build(symbols={"u": [r"\vec{x}"], "v": ["x^{(L)}"], "w": ["x"]})


@pytest.mark.parametrize("text, names", [
    (r"\vec{\hat{y}} - \vec{y}", ("yhat", "y")),
    (r"\overrightarrow{\hat{y}} - y", ("yhat", "y")),
    (r"\vec{z}^{(L)}", ("z",)),
    (r"\vec{\hat{y}}", ("yhat",)),
    (r"\mathbf{\hat{y}} - \boldsymbol{y}", ("yhat", "y")),
    (r"\underline{y}", ("y",)),
])
def test_an_arrow_on_a_known_name_is_that_name(text, names):
    expr = parse_expression(text, PLAIN, expect="expression").expr
    assert tuple(n.name for n in A.walk(expr) if isinstance(n, A.Sym)) == names


def test_the_ones_vector_keeps_its_arrow():
    expr = parse_expression(r"\vec{1}", PLAIN, expect="expression").expr
    assert isinstance(expr, A.Ones)


@pytest.mark.parametrize("text, name", [(r"\vec{x}", "u"), ("x", "w"), ("x^{(L)}", "v")])
def test_names_declared_both_ways_stay_apart(text, name):
    expr = parse_expression(text, BOTH, expect="expression").expr
    assert isinstance(expr, A.Sym) and expr.name == name


@pytest.mark.parametrize("table, text", [(BOTH, r"\vec{x}^{(L)}"), (PLAIN, r"\vec{q}"), (PLAIN, r"\vec{w}")])
def test_an_arrow_is_not_merged_where_the_assignment_uses_arrows_or_the_name_is_unknown(table, text):
    with pytest.raises(AnswerError) as info:
        parse_expression(text, table, expect="expression")
    assert info.value.category == "unknown-symbol" and info.value.column == 1
