r"""The fast paths of symbolic grading agree with the slow ones they replace.

* :class:`~grader.parse.expr_lalr.FastLALR` runs lark's LALR table itself: on every answer of
  the equivalence table and of the parser's tables, and on random token strings, it builds the
  very tree lark builds (types, values and positions of every token), and gives up exactly
  where lark raises (lark's own parser then words the error).
* :mod:`grader.symbolic.closeness` is ``np.allclose``'s rule without ``np.allclose``: it
  agrees with it on NaN, ±inf, values on the tolerance boundary, 1×1 answers against
  matrices and mismatched shapes.
* An entry-wise answer to a whole-matrix question (``ŷ_j − y_j``) reuses the key derived
  for its free indices, and gets the same verdict as the first time.
"""
from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from lark import Token, Tree, UnexpectedInput

from grader.errors import AnswerError
from grader.parse.expression import parsers, prescan, split_lhs
from grader.parse.expr_tokens import tokenize
from grader.symbolic.closeness import ATOL, RTOL, Target, close
from grader.symbolic.equivalence import compare_expression, expression_key, parse_for
from tests.test_equivalence_table import MUST_NOT_PARSE, ROWS
from tests.test_expression_parse import ACCEPTED, MAIN, REJECTED


# -- FastLALR against lark ------------------------------------------------------------------
def _shape(node):
    """Everything about a parse tree that the builder could read."""
    if isinstance(node, Token):
        return (type(node).__name__, node.type, str(node), node.start_pos, node.end_pos)
    assert isinstance(node, Tree), node
    return (type(node.data).__name__, str(node.data), tuple(_shape(c) for c in node.children))


def _agree(tokens) -> str:
    """'tree' or 'error', after checking that both parsers say the same."""
    _PARSER, _FAST = parsers()
    fast = _FAST.parse(tokens)
    try:
        slow = _PARSER.parse(tokens)
    except UnexpectedInput:
        assert fast is None, f"lark refuses {[t.type for t in tokens]}, FastLALR built {fast}"
        return "error"
    assert fast is not None, f"lark parses {[t.type for t in tokens]}, FastLALR refuses it"
    assert _shape(fast) == _shape(slow)
    return "tree"


def _tokens(text: str, table, dims: bool = True):
    try:
        prescan(text)
        _, start = split_lhs(text)
        return tokenize(text, start, table, dims=dims)
    except AnswerError:
        return None  # refused before the parser


@pytest.fixture(scope="module")
def table_inputs(catalog):
    out = []
    for p in ROWS + MUST_NOT_PARSE:
        aid, qid, text, _ = p.values
        assignment = catalog.assignment(aid)
        question = assignment.question(qid)
        key = expression_key(assignment, question, catalog.key(assignment)[qid].exact)
        out.append((text, key.table, question.verb == "shape"))
    return out


def test_fast_parser_builds_lark_trees_on_every_table_answer(table_inputs):
    inputs = table_inputs + [(c[1], c[0], True) for c in ACCEPTED] + [(c[0], MAIN, True) for c in REJECTED]
    seen = {"tree": 0, "error": 0}
    for text, table, dims in inputs:
        tokens = _tokens(text, table, dims)
        if tokens is not None:
            seen[_agree(tokens)] += 1
    assert seen["tree"] >= 500 and seen["error"] >= 5, seen


TERMINALS = ("NAME", "NUMBER", "FUNC", "EXPE", "IND", "SUM", "REALS", "FRAC", "PRIME", "TRANSPOSE",
             "CARET", "PLUS", "MINUS", "STAR", "TIMES", "DIMX", "AT", "HAD", "SLASH", "CMP",
             "_COMMA", "_LPAR", "_RPAR", "_LSQB", "_RSQB", "_LBRACE", "_RBRACE")


def _operand(rng, depth: int, juxtaposed: bool = False) -> list[str]:
    pick = rng.randrange(1 if juxtaposed else 0, 10 if depth < 2 else 3)
    if pick == 0:  # a number may start a juxtaposition, never continue one
        return ["NUMBER"]
    if pick in (1, 2, 3, 4):
        return ["NAME"] + rng.choice([[], [], ["TRANSPOSE"], ["CARET", "NUMBER"]])
    if pick == 5:
        return ["_LPAR", *_expr(rng, depth + 1), "_RPAR"] + rng.choice([[], ["TRANSPOSE"]])
    if pick == 6:
        return ["FUNC", "_LPAR", *_expr(rng, depth + 1), "_RPAR"]
    if pick == 7:
        return ["FUNC", "PRIME", "_LPAR", *_expr(rng, depth + 1), "_RPAR"]
    if pick == 8:
        return ["FRAC", "_LBRACE", *_expr(rng, depth + 1), "_RBRACE", "_LBRACE", *_expr(rng, depth + 1), "_RBRACE"]
    return ["IND", "_LBRACE", *_expr(rng, depth + 1), "CMP", *_expr(rng, depth + 1), "_RBRACE"]


def _expr(rng, depth: int = 0) -> list[str]:
    out = rng.choice([[], [], [], ["MINUS"], ["SUM"]]) + _operand(rng, depth)
    for _ in range(rng.randrange(3)):
        op = rng.choice(["PLUS", "MINUS", "STAR", "AT", "HAD", "SLASH", "TIMES", None])
        out += ([op] if op else []) + _operand(rng, depth, juxtaposed=op is None)
    return out


def test_fast_parser_agrees_with_lark_on_random_token_strings():
    """Token strings made from a sketch of the grammar, half of them then damaged (a token
    dropped, doubled or replaced), and some of pure noise."""
    rng = random.Random(20261121)
    seen = {"tree": 0, "error": 0}
    for n in range(3000):
        kinds = _expr(rng) if n % 5 else [rng.choice(TERMINALS) for _ in range(rng.randint(0, 8))]
        if n % 2 and kinds:
            k = rng.randrange(len(kinds))
            kinds[k:k + 1] = rng.choice([[], [kinds[k]] * 2, [rng.choice(TERMINALS)]])
        tokens = [Token(k, "1" if k == "NUMBER" else "x", start_pos=i, end_pos=i + 1) for i, k in enumerate(kinds)]
        seen[_agree(tokens)] += 1
    assert seen["tree"] >= 1000 and seen["error"] >= 1000, seen


# -- closeness against np.allclose ------------------------------------------------------------
def _allclose(a: np.ndarray, b: np.ndarray) -> bool:
    """The rule as it was written before: np.allclose, the 1×1 answer broadcast."""
    if a.shape == (1, 1) and b.shape != (1, 1):
        a = np.broadcast_to(a, b.shape)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL * max(1.0, float(np.abs(b).max(initial=0)))))


SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, 1e-10, -3e-11, 1e6, -2.5e8, 1e300, np.nan, np.inf, -np.inf]


def _near(b: float, rng) -> list[float]:
    """Values at, just inside and just outside b's tolerance."""
    if not np.isfinite(b):
        return [b]
    tol = ATOL * max(1.0, abs(b)) + RTOL * abs(b)
    edge = [b + tol, b - tol, np.nextafter(b + tol, np.inf), np.nextafter(b - tol, -np.inf)]
    return edge + [b + s * tol * rng.uniform(0.5, 2.0) for s in (-1, 1)]


def _pairs():
    rng = np.random.default_rng(7)
    prng = random.Random(7)
    for b in SPECIAL:  # 1×1 against 1×1: the plain-float path of close()
        for a in SPECIAL + _near(b, prng):
            yield np.array([[a]]), np.array([[b]])
    for shape in ((2, 1), (1, 3), (2, 2), (3, 2)):
        for _ in range(150):
            b = rng.choice(SPECIAL, size=shape) * rng.uniform(0.5, 2.0, size=shape)
            a = b.copy()
            flat = a.reshape(-1)
            for k in rng.choice(flat.size, size=rng.integers(0, flat.size + 1), replace=False):
                flat[k] = prng.choice(_near(float(b.reshape(-1)[k]), prng) + SPECIAL)
            yield a, b
            yield a.T.copy(), b  # a shape mismatch unless square
            yield np.array([[b.reshape(-1)[0]]]), b  # a 1×1 answer stands for a constant matrix
            yield np.full((1, 1), prng.choice(SPECIAL)), np.full(shape, prng.choice(SPECIAL))


def test_closeness_is_allclose():
    counts = {True: 0, False: 0}
    with np.errstate(all="ignore"):
        for a, b in _pairs():
            want = _allclose(a, b)
            assert Target(b).close(a) == want, (a, b)
            assert close(a, b) == want, (a, b)
            counts[want] += 1
    assert min(counts.values()) >= 200, counts


def test_target_works_out_its_tolerance_once():
    b = np.array([[1.0, 2.0], [3.0, -4.0]])
    t = Target(b)
    assert t.finite and t.shape == (2, 2) and t.tol.shape == (2, 2)
    with np.errstate(all="ignore"):
        assert t.close(b.copy()) and t.close(b * (1 + 5e-8)) and not t.close(b + 1e-3)
        assert not t.close(np.ones((1, 2))) and not t.close(b.T.copy())
        assert Target(np.full((2, 3), 0.5)).close(np.array([[0.5]]))  # 1×1: a constant matrix
        nan = Target(np.array([[np.nan]]))
        assert not nan.finite and not nan.close(np.array([[np.nan]]))  # as np.allclose


# -- the key for an entry-wise answer, derived once per tuple of free indices -----------------
def test_entry_wise_answer_reuses_its_derived_key(catalog):
    assignment = catalog.assignment("softmax-ce")
    question = assignment.question("task1.delta_L")
    key = expression_key(assignment, question, catalog.key(assignment)[question.id].exact)
    texts = (r"\hat{y}_j - y_j", r"\hat{y}_i - y_i", r"\hat{y}_j - y_j", r"\hat{y}_j + y_j")
    verdicts = [compare_expression(parse_for(question, t, key), key) for t in texts]
    assert [v.outcome for v in verdicts] == ["correct", "correct", "correct", "wrong"]
    assert {("j",), ("i",)} <= set(key.entry_wise)
    derived = key.for_indices(("j",))
    assert derived is key.entry_wise[("j",)] and derived.question.indices == ("j",)
    assert all(c.entries for c in derived.cases) and not any(c.entries for c in key.cases)


@pytest.mark.parametrize("assignment_id", ["softmax-ce", "backprop-general", "residual-softmax"])
def test_deferred_transpose_check_gives_the_eager_verdict(catalog, monkeypatch, assignment_id):
    """The transposed comparison waits until an answer fails as written. Fed every mix of
    right, transposed and wrong values over the instances, the verdict is the one that checking
    both ways on every instance gives (np.allclose): correct, transposed, or else not."""
    from grader.symbolic import equivalence
    assignment = catalog.assignment(assignment_id)
    answers = catalog.key(assignment)
    checked, seen = 0, set()
    for question in assignment.questions:
        if question.kind != "expression" or question.indices or question.verb in ("shape", "count"):
            continue
        key = expression_key(assignment, question, answers[question.id].exact)
        parsed = parse_for(question, question.answer, key)
        for pattern in itertools.product(("right", "flipped", "off"), repeat=len(key.cases)):
            values = {id(c.env): {"right": c.key, "flipped": c.key.T, "off": c.key + 1.0}[p]
                      for c, p in zip(key.cases, pattern)}
            monkeypatch.setattr(equivalence, "evaluate", lambda node, env, values=values: values[id(env)])
            verdict = compare_expression(parsed, key)
            direct = all(_allclose(v, c.key) for c, v in zip(key.cases, values.values()))
            transposed = all(_allclose(v.T, c.key) for c, v in zip(key.cases, values.values()))
            want = {"correct"} if direct else {"transposed"} if transposed else {"wrong", "wrong shape"}
            assert verdict.outcome in want, (question.id, pattern, verdict)
            checked += 1
            seen.add(verdict.outcome)
    assert checked >= 3 ** 4 and {"correct", "transposed", "wrong"} <= seen, seen
