"""A write-up's own definitions (grader/judge/derivation/definitions.py): the symbolic
derivative of a definition against central finite differences, scoping from the definition's
line on, and seed 003's quotient rule through its g and h."""
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from grader.io.writeups.reader import read_writeup, writeup_from_text
from grader.judge.derivation.context import _with, scenarios
from grader.judge.derivation.definitions import derivative, definitions, in_scope
from grader.judge.derivation.layout import readable
from grader.judge.derivation.steps import FAILS, HOLDS, NOT_CHECKED, NOT_READ
from grader.judge.derivation.writeup import judge_writeup
from grader.judge.symbolic.evaluate import evaluate, with_indices
from grader.keys.catalog import Catalog
from grader.parse.expression import tree as A
from grader.parse.expression.parser import parse_expression

ROOT = Path(__file__).resolve().parents[2]
BODIES = [r"e^{z_k}", r"\sum_{j} e^{z_j}", r"\frac{e^{z_k}}{\sum_j e^{z_j}}", r"\log(\sum_j e^{z_j}) - z_k",
          r"(z_k + 2)^3 z_k - \frac{1}{z_k^2 + 1}", r"-\sum_j z_j^2 + e^{-z_k}"]


@pytest.fixture(scope="module")
def catalog():
    return Catalog(root=ROOT)


@pytest.fixture(scope="module")
def softmax(catalog):
    return scenarios(catalog.assignment("residual-softmax"))[1]  # q2: y = softmax(z), z entry-wise


@pytest.mark.parametrize("body", BODIES)
def test_a_definitions_derivative_matches_finite_differences(softmax, body):
    tree = parse_expression(readable(body), softmax.table, expect="expression").expr
    d = derivative(tree, A.Sym("z", ("k'",)))
    assert d is not None
    h = 1e-6
    for env in softmax.envs[:3]:
        z = np.asarray(env.symbols["z"], dtype=float)
        for k in range(z.shape[0]):
            for k2 in range(z.shape[0]):
                step = np.zeros_like(z)
                step[k2, 0] = h
                at = {"k": k, "k'": k2}
                up = evaluate(tree, with_indices(replace(env, symbols=_with(env.symbols, {"z": z + step})), at))
                down = evaluate(tree, with_indices(replace(env, symbols=_with(env.symbols, {"z": z - step})), at))
                exact = evaluate(d, with_indices(env, at))
                assert exact.item() == pytest.approx(((up - down) / (2 * h)).item(), rel=1e-5, abs=1e-7)


def test_outside_the_rules_there_is_no_derivative():
    assert derivative(A.Call("tanh", (A.Sym("z", ("k",)),)), A.Sym("z", ("k'",))) is None  # not in the table
    assert derivative(A.MatMul(A.Sym("W"), A.Sym("z")), A.Sym("z", ("k'",))) is None


def test_a_definition_is_in_scope_from_its_line_on_and_a_declared_name_stays_declared(catalog):
    w = writeup_from_text("assignment: residual-softmax, student: s\n\n$$y_k = \\frac{g}{h}$$\n\n"
                          "$$\\text{Let } g = e^{z_k} \\text{ and } h = \\sum_j e^{z_j}$$\n\n$$y_k = \\frac{g}{h}$$\n",
                          file="s.md")
    defs, primes = definitions(w.chains)
    assert [(d.name, d.line) for d in defs] == [("g", 5), ("h", 5)] and primes == {}
    q1, q2 = scenarios(catalog.assignment("residual-softmax"))
    before, after = in_scope((q1, q2), defs, primes, 3), in_scope((q1, q2), defs, primes, 7)
    assert before == (q1, q2)
    assert set(after[1].locals) == {"g", "h"}  # q2 declares neither
    assert set(after[0].locals) == set()  # q1: h is its hidden layer; g's e^{z_k} reads no z there
    judged = judge_writeup(w, catalog.assignment("residual-softmax"))
    by_line = {c.chain.line: [s.status for s in c.steps] for c in judged.chains}
    assert by_line == {3: [NOT_READ], 5: [NOT_CHECKED], 7: [HOLDS]}


def test_seed003_q2_quotient_rule_through_its_own_g_and_h(catalog):
    w = read_writeup(ROOT / "submissions" / "writeups" / "seed003_residual-softmax.md")
    judged = judge_writeup(w, catalog.assignment(w.assignment))
    steps = [(s.right.line, s.left.text, s.status) for c in judged.chains for s in c.steps if 57 <= s.right.line <= 63]
    assert steps == [
        (57, "g", NOT_CHECKED), (57, "h", NOT_CHECKED),  # \text{Let } g = e^{z_k} and h = \sum_j e^{z_j}
        (59, r"\frac{\partial y_k}{\partial z_{k'}}", HOLDS),  # = (g'h - h'g) / h^2
        (61, "g'", NOT_CHECKED),  # g' = \partial g / \partial z_{k'}: names the derivative
        (61, r"\frac{\partial g}{\partial z_{k'}}", NOT_READ),  # its cases "if k = k'": an index condition
        (63, "h'", NOT_CHECKED), (63, r"\frac{\partial h}{\partial z_{k'}}", NOT_READ),  # through \dots
        (63, r"\frac{\partial (e^{z_1} + \dots + e^{z_N})}{\partial z_{k'}}", NOT_READ),
        (63, "h'", HOLDS)]  # h' = e^{z_{k'}}: first term to last
    assert not any(s.status == FAILS for c in judged.chains for s in c.steps if 52 <= s.right.line <= 90)


def test_where_and_a_bare_name_define_but_a_declared_name_or_an_index_is_a_claim(catalog):
    text = ("assignment: residual-softmax, student: s\n\n$$\\text{where } g := e^{z_k}$$\n\n$$q = \\sum_j e^{z_j}$$\n\n"
            "$$h = e^{z}$$\n\n$$k = k'$$\n\n$$L = 5$$\n")
    judged = judge_writeup(writeup_from_text(text, file="s.md"), catalog.assignment("residual-softmax"))
    kinds = {c.chain.line: (c.chain.kind, [s.status for s in c.steps]) for c in judged.chains}
    assert kinds[3] == ("definition", [NOT_CHECKED]) and kinds[5] == ("definition", [NOT_CHECKED])
    assert kinds[7][0] == ""  # h is declared (Q1's hidden layer): a claim, never a local
    assert kinds[9][0] == "" and kinds[11][0] == ""  # an index, the loss's letter: never a local
