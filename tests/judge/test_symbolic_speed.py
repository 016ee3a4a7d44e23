r"""The fast paths of symbolic grading agree with the slow ones they replace.

* :class:`~grader.parse.expression.lalr.FastLALR` runs lark's LALR table itself: on every answer of
  the equivalence table and of the parser's tables, and on random token strings, it builds the
  very tree lark builds (types, values and positions of every token), and gives up exactly
  where lark raises (lark's own parser then words the error).
* :mod:`grader.judge.symbolic.closeness` is ``np.allclose``'s rule without ``np.allclose``: it
  agrees with it on NaN, ±inf, values on the tolerance boundary, 1×1 answers against
  matrices and mismatched shapes.
* An entry-wise answer to a whole-matrix question (``ŷ_j − y_j``) reuses the key derived
  for its free indices, and gets the same verdict as the first time.
* The tokenizer (:mod:`grader.parse.expression.tokens`, over :mod:`grader.parse.expression.normalize`)
  gives the very tokens, or the very error, of the slower one it replaced, kept frozen in
  :mod:`tests.frozen_oracles`: on every answer of the tables, the hostile corpus, the seed
  write-ups, and thousands of mutated and generated strings (its speed is measured by
  bench/bench_symbolic.py, not here). The name
  reader alone, and the whole parse (tree with positions, or error), agree with theirs too.
"""
from __future__ import annotations

import dataclasses
import itertools
import random
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Token, Tree, UnexpectedInput

from grader.errors import AnswerError
from grader.parse.expression import tokens as expr_tokens
from grader.parse.expression.parser import parse_expression, parsers, prescan, split_lhs
from grader.parse.expression.tokens import tokenize
from grader.judge.symbolic.closeness import ATOL, RTOL, Target, close
from grader.judge.symbolic.equivalence import compare_expression, expression_key, parse_for
from tests.frozen_oracles import expr_tokens as reference
from tests.frozen_oracles import pipeline
from tests.judge.test_equivalence_table import MUST_NOT_PARSE, ROWS
from tests.parse.test_expression_parse import (ACCEPTED, LAYER, MAIN, REJECTED, SEED_SNIPPETS,
                                         SEED_TABLE, SEEDS)


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
    finite = np.abs(b)[np.isfinite(b)]  # an infinite entry does not scale the others' tolerance
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL * max(1.0, float(finite.max(initial=0)))))


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


def test_an_infinite_key_entry_does_not_make_the_tolerance_infinite():
    key = np.array([[-np.inf], [-4.15882134e8]])
    with np.errstate(all="ignore"):
        assert not Target(key).close(np.array([[-np.inf]]))
        assert not Target(key).close(np.array([[-np.inf], [-4e8]]))
        assert Target(key).close(key.copy())


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
    from grader.judge.symbolic import equivalence
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


# -- the tokenizer against the one it replaced ------------------------------------------------
#: Notation whose reading changed on purpose after the reference was frozen (issue 17: gradients,
#: |z|, numpy, cases, ones vectors, masks, local sum indices and bounds, more functions); where it
#: appears the two may differ, and tests/parse/test_notation.py says what the new reading is.
#: Everywhere else the tokens, trees and errors must still be the reference's, exactly.
NEW_NOTATION = re.compile(
    r"\\partial|\\nabla|\||\\[lr]?vert|\\mid|np\s*\.|numpy|\.\s*dot|&|\\begin|\\end|"
    r"\\(?:mathbf|bm|boldsymbol|vec|mathbb|mathbbm|mathds)\s*\{?\s*1|𝟙|sum|∑|axis|keepdims|log\s*_|"
    r"max|min|cosh|sinh|sech|sign|sgn|sqrt|abs|diag|[<>≥≤≠]|!=|\\(?:geq?|leq?|neq?|gt|lt)|"
    r"[\])][^A-Za-z0-9({\[]*_|"  # issue 17b: [W^T d]_i (spacing such as ~ or \, before the _)
    r"_\s*\{[^}]*:|\[[^\]]*[:,]|"  # slices _{:,i}, A[:, i], A[i, j] (slices.py)
    r"\^\s*\{?\s*[(\[][^)\]]*[)\]]\s*(?:\(|\\?\{)|\^\s*\{?\s*[(\[]\s*[a-km-z]'*\s*[)\]]|"  # examples ^{[L](i)}, ^{(i)}
    r"/[^\s+\-*/]+(?:\s|~|\\[,;:! ])|"  # a denominator ends at a space: 2/m (Y - Z) (division.py)
    r"\([^()]*,|\\[dt]?frac\s*\{\s*(?:d|\\(?:mathrm|text|textrm|operatorname|mathit))|\\left\\\{|\\otimes|⊗|\\vec|\\overrightarrow|\\Theta|"  # last gaps: outer product, arrows, the step
    r"(?<![A-Za-z\\])(?:H|u|step|[Hh]eaviside)(?![A-Za-z])")
def _resolved(value):
    if value is expr_tokens.UNRESOLVED or value is reference.UNRESOLVED:
        return "unresolved"  # each module has its own marker
    return (type(value).__name__, repr(value), getattr(value, "pos", None))


def _token_fields(tok) -> tuple:
    """Everything a token carries: lark's slots and, for a name, the unit it was read from
    (field by field: the reference NameUnit is a class of its own) and what it resolved to."""
    out = (type(tok).__name__, isinstance(tok, Token), str(tok),
           *(getattr(tok, slot) for slot in Token.__slots__))
    if hasattr(tok, "unit"):
        u = tok.unit
        out += ((u.start, u.end, u.base, u.sub, u.tag, u.trail, u.spelling, u.tag_part,
                 repr(u), hash(u)), _resolved(tok.resolved))
    return out


def _lexed(tokenizer, text: str, start: int, table, dims: bool):
    """The tokens of one tokenizer, or the error it raises (any exception, compared whole)."""
    try:
        tokens = tokenizer(text, start, table, dims=dims)
    except AnswerError as e:
        return ("AnswerError", e.message, e.column, e.text, e.category, e.file, e.line)
    except Exception as e:  # noqa: BLE001 - the same crash, if there ever is one
        return (type(e).__name__, str(e))
    return [_token_fields(t) for t in tokens]


def _same_lexing(text: str, table, dims: bool = True) -> str:
    """Both tokenizers over the answer as the parser sees it (after its left-hand side) and
    over the whole text; 'tokens' or 'error' for the former."""
    starts = {0}
    try:
        prescan(text)
        starts.add(split_lhs(text)[1])
    except AnswerError:
        pass
    got = None
    for start in sorted(starts, reverse=True):
        new = _lexed(tokenize, text, start, table, dims)
        old = _lexed(reference.tokenize, text, start, table, dims)
        assert new == old or NEW_NOTATION.search(text), (text, start)
        got = got or ("tokens" if isinstance(new, list) else "error")
    return got


def _hostile_inputs(catalog):
    """Every string of the hostile corpus (a long answer cut to 4,000 characters), with its
    question's symbol table (MAIN for a question that is not an expression)."""
    from tests.hostile.corpus import ENTRIES, strings
    out = []
    for e in ENTRIES:
        if "text" in e.spec:
            raw = "".join(piece * min(int(times), 4000) for piece, times in e.spec["text"])[:4000]
        elif e.small():
            raw = e.raw()
        else:
            continue
        assignment = catalog.assignment(e.assignment)
        question = assignment.question(e.question)
        table = MAIN
        if question.kind == "expression":
            key = catalog.key(assignment)[question.id].exact
            table = expression_key(assignment, question, key).table
        out += [(s, table) for s in strings(raw) if len(s) <= 4000]
    return out


def _seed_lines():
    """Lines of the seed write-ups (real students' notation, prose around it included)."""
    if not SEEDS.is_dir():
        return []
    return [line.strip() for path in sorted(SEEDS.glob("*.txt"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][:3000]


@pytest.fixture(scope="module")
def lexer_inputs(table_inputs, catalog):
    """(text, table, dims): the tables' answers, the hostile corpus and the seed write-ups."""
    out = [(text, table, dims) for text, table, _ in table_inputs for dims in (True, False)]
    out += [(c[1], c[0], True) for c in ACCEPTED] + [(c[0], MAIN, True) for c in REJECTED]
    out += [(s, SEED_TABLE, True) for _, s in SEED_SNIPPETS]
    out += [(s, SEED_TABLE, True) for s in _seed_lines()]
    out += [(s, t, True) for s, t in _hostile_inputs(catalog)]
    return out


def test_tokenizer_matches_the_reference_on_every_known_answer(lexer_inputs):
    seen = {"tokens": 0, "error": 0}
    for text, table, dims in lexer_inputs:
        seen[_same_lexing(text, table, dims)] += 1
    assert seen["tokens"] >= 1000 and seen["error"] >= 300, seen


# pieces a student (or an attacker) types: LaTeX commands, decorations, look-alike characters
PIECES = [
    "W", "x", "X", "y", "z", "e", "R", "d", "C", "t", "h", "a", "T", "sum", "relu", "sigma",
    "0", "1", "2", "3", "10", "1.5", ".5", "1e-3", "2E+4", "9" * 31, "1e999", " ", "  ", "\t",
    "\n", "~", "$", "\u00a0", "_", "__", "^", "**", "*", "'", "′", "(", ")", "[", "]", "{", "}",
    "+", "-", "−", "/", "@", ",", ".", ".T", ".*", "<", ">", "<=", ">=", "!=", "!", "=", "|",
    "×", "·", "⊙", "∘", "ᵀ", "²", "⁻", "¹", "∑", "ℝ", "𝟙", "δ", "σ", "ŷ", "ℓ", "\u0302", "а",
    "Α", "٣", "\\", "\\\\", "\\{", "\\}", "\\(", "\\)", "\\,", "\\;", "\\!", "\\ ", "\\quad",
    "\\left(", "\\right)", "\\right.", "\\left", "\\big", "\\delta", "\\sigma", "\\phi",
    "\\varphi", "\\ell", "\\hat", "\\hat{", "\\hat{y}", "\\hat y", "\\bar{z}", "\\vec{y}",
    "\\mathbf{W}", "\\mathbf{1}", "\\mathbf{I}", "\\mathbb{1}", "\\mathbbm1", "\\mathbb{R}",
    "\\mathbbR", "\\bmI", "\\R", "\\mathcal{L}", "\\mathcal L", "\\operatorname{ReLU}",
    "\\text{T}", "\\text{ReLU }", "\\tanh", "\\exp", "\\log", "\\max", "\\frac", "\\frac12",
    "\\dfrac", "\\sum", "\\sum_k", "\\sum_{j=1}^{C}", "\\sum_{i}^N", "\\cdot", "\\times",
    "\\odot", "\\circ", "\\ast", "\\star", "\\div", "\\top", "\\intercal", "\\prime", "\\geq",
    "\\neq", "\\le", "\\lbrace", "\\foo", "\\deltax", "_j", "_{ij}", "_{L-1}", "_{kk'}",
    "_{ i }", "_2", "_k'", "_{}", "^T", "^{T}", "^{ T }", "^2", "^{-1}", "^{(L)}", "^{(L-1)T}",
    "^{[l+1]}", "^{[l]'}", "^(l)", "^{L-1}", "^l", "^*", "^{*}", "^{(2)}", "^{(L)x}", "^\\top",
    "^'", "^{\\prime}", "^{(l)}^{(l)}", "1{", "1(", "1_", "z>0", "x 3", "3x5", "d x C",
]


def _mutations(bases, count: int, seed: int):
    """``count`` strings made from ``bases`` by a few insertions, deletions, replacements
    (of typed pieces) and reversed stretches."""
    rng = random.Random(seed)
    for _ in range(count):
        text, table = rng.choice(bases)
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(len(text) + 1)
            op = rng.randrange(4)
            if op == 0:
                text = text[:k] + rng.choice(PIECES) + text[k:]
            elif op == 1:
                text = text[:k] + text[k + rng.randint(1, 3):]
            elif op == 2:
                text = text[:k] + rng.choice(PIECES) + text[k + rng.randint(1, 3):]
            else:
                lo, hi = sorted((k, rng.randrange(len(text) + 1)))
                text = text[:lo] + text[lo:hi][::-1] + text[hi:]
        yield text, table


def test_tokenizer_matches_the_reference_on_mutated_answers(lexer_inputs):
    bases = [(text, table) for text, table, _ in lexer_inputs if len(text) <= 300]
    seen = {"tokens": 0, "error": 0}
    for n, (text, table) in enumerate(_mutations(bases, 4000, seed=20261121)):
        seen[_same_lexing(text, table, dims=n % 3 != 0)] += 1
    assert seen["tokens"] >= 500 and seen["error"] >= 500, seen


@settings(derandomize=True, max_examples=1500, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=12),
       table=st.sampled_from([MAIN, LAYER, SEED_TABLE]), dims=st.booleans())
def test_tokenizer_matches_the_reference_on_generated_strings(pieces, table, dims):
    _same_lexing("".join(pieces), table, dims)


def _unit(read, text: str, i: int, end):
    try:
        u = read(text, i, end)
    except AnswerError as e:
        return ("AnswerError", e.message, e.column, e.text, e.category)
    return None if u is None else (u.start, u.end, u.base, u.sub, u.tag, u.trail, u.spelling)


NAME_PIECES = ["y", "W", "z", "delta", "T", "l", "L", "2", "-", "+", ",", "'", "′", " ", "_",
               "^", "{", "}", "(", ")", "[", "]", "\\", "\\delta", "\\ell", "\\hat", "\\mathbf",
               "\\mathcal", "\\text", "\\top", "\\prime", "\\tanh", "δ", "ℓ", "\u0302", "*",
               "_{L-1}", "^{(L-1)}", "^{[l]T}", "^{(l)'}", "^{T}", "^{-1}", "^2", "^l", "^(l)"]


def test_name_reader_matches_the_reference():
    """scan_name, which reads the common names with one regex, reads every name (or refuses
    it) as the reader it replaced, from any start and to any end; spelling_of as well."""
    from grader.parse.expression.normalize import scan_name, spelling_of
    from tests.frozen_oracles import expr_normalize as old

    def spelled(spell, text):
        try:
            return spell(text)
        except ValueError as e:
            return ("ValueError", str(e))

    rng = random.Random(1121)
    seen = {"name": 0, "none": 0, "error": 0}
    for _ in range(20_000):
        text = "".join(rng.choice(NAME_PIECES) for _ in range(rng.randint(1, 8)))
        i = rng.randint(0, len(text))
        end = rng.choice([None, rng.randint(i, len(text))])
        got = _unit(scan_name, text, i, end)
        assert got == _unit(old.scan_name, text, i, end), (text, i, end)
        seen["none" if got is None else "error" if got[0] == "AnswerError" else "name"] += 1
        assert spelled(spelling_of, text) == spelled(old.spelling_of, text), text
    assert min(seen.values()) >= 100, seen


def _tree(value):
    """A parsed answer down to every node's position (``==`` on nodes ignores positions)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,
                tuple((f.name, _tree(getattr(value, f.name))) for f in dataclasses.fields(value)))
    if isinstance(value, tuple):
        return tuple(_tree(v) for v in value)
    return repr(value)


def _parsed(parse, text: str, table, expect: str):
    try:
        parsed = parse(text, table, expect=expect)
        if getattr(parsed, "alternative", None) is not None:  # the other reading of a/b c (issue 17):
            parsed = dataclasses.replace(parsed, alternative=None)  # new, checked in test_division
        return _tree(parsed)
    except AnswerError as e:
        return ("AnswerError", e.message, e.column, e.text, e.category, e.file, e.line)
    except Exception as e:  # noqa: BLE001 - the same crash, if there ever is one
        return (type(e).__name__, str(e))


def test_parse_matches_the_reference_pipeline(lexer_inputs):
    """The whole parse (tokenizer, LALR, size check, builder): the same tree, positions
    included, or the same error, for every known answer and 2,000 mutated ones, read as an
    expression, as a shape and as either."""
    seen = {"tree": 0, "error": 0}
    texts = list({(text, id(table)): (text, table) for text, table, _ in lexer_inputs}.values())
    bases = [(text, table) for text, table in texts if len(text) <= 300]
    for n, (text, table) in enumerate(texts + list(_mutations(bases, 2000, seed=7))):
        for expect in ("expression", "shape", "auto") if n % 4 == 0 else ("expression",):
            new = _parsed(parse_expression, text, table, expect)
            assert new == _parsed(pipeline.parse_expression, text, table, expect) \
                or NEW_NOTATION.search(text), (text, expect)
            seen["error" if new[0] == "AnswerError" else "tree"] += 1
    assert seen["tree"] >= 1000 and seen["error"] >= 1000, seen
