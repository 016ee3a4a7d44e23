r"""The fast path (:mod:`grader.parse.numeric.fast`) against the full parser, differentially.

Every input goes through ``parse_numeric(raw)`` and ``parse_numeric(raw, fast=False)`` (and, for
strings, ``parse_number`` both ways), and the outcomes must be identical: the same array bits
(signed zeros included), shape, ``flat`` and ``text``; or the same AnswerError (message,
category, column, text). Inputs: (a) every answer of the hostile corpus and the tables of
``tests/parse/test_numeric_parse.py``, (b) the tricky literals below, (c) hypothesis strings from a
small grammar of numbers, brackets and separators, mutated, and lists of such strings and
JSON numbers. A second group checks the fast path is really taken for the common answers, so
the comparison is not of the parser with itself.

The default runs are derandomized (the same examples every time); ``pytest -m fuzz_long``
runs the properties with random examples, 25 times as many.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.errors import AnswerError
from grader.parse.numeric import fast as numeric_fast
from grader.parse.numeric.reader import parse_integer, parse_number, parse_numeric
from tests.hostile.corpus import ENTRIES
from tests.parse.test_numeric_parse import ACCEPTED, REJECTED

BM = r"\begin{bmatrix} %s \end{bmatrix}"


def outcome(fn, raw):
    """What a parse did, comparably: the answer's bits, or the error's data."""
    try:
        got = fn(raw)
    except AnswerError as e:
        return ("error", type(e), e.message, e.category, e.column, e.text, e.file, e.line)
    if isinstance(got, Fraction):
        return ("fraction", type(got), got.numerator, got.denominator)
    if isinstance(got, int):  # parse_integer
        return ("int", type(got), got)
    v = got.values
    return ("answer", v.dtype.str, v.shape, v.strides, v.tobytes(), v.flags.writeable, got.flat,
            got.text)


def assert_same(raw):
    fast, slow = outcome(parse_numeric, raw), outcome(lambda r: parse_numeric(r, fast=False), raw)
    assert fast == slow, raw if not isinstance(raw, str) or len(raw) < 300 else raw[:300]
    if isinstance(raw, str):
        assert outcome(parse_number, raw) == outcome(lambda r: parse_number(r, fast=False), raw)
    return fast


def cached_again(raw):
    """Parsed twice (the second time from the cache, for short strings): both as the parser."""
    first = assert_same(raw)
    assert assert_same(raw) == first


# --- (a) the hostile corpus and the parser's own tables -----------------------------------

@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_hostile_corpus(entry):
    cached_again(entry.raw())


@pytest.mark.parametrize("raw", [row[0] for row in ACCEPTED + REJECTED], ids=lambda v: repr(v)[:40])
def test_parser_tables(raw):
    cached_again(raw)


# --- (b) tricky literals -------------------------------------------------------------------

TRICKY = [
    # signs and zeros: the parser's zero is +0.0 whatever the sign
    "-0", "+0", "-0.0", "-.0", "-0.", "0e0", "-0e-5", "-0/5", "-0.0/2.5", "[-0, 0, -0.0]", "-00",
    # exponents at and past the fast range (99) and the lexer's (300), leading zeros
    "0e99", "0e100", "0e300", "0e301", "-0e999", "1e99", "1e-99", "1e100", "1e-100", "1e300",
    "1e-300", "1e301", "1e-301", "1e308", "1e309", "1e-320", "1e-330", "4.9e-324", "2.5e-324",
    "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
    "2.2250738585072014e-308", "2.2250738585072011e-308", "1e0000000000000000000000005",
    "1e-0000099", "1e+099", "1e0100", "1E+3", "1e+", "1e", "1e-", "e5", ".e5", "1.e5", "1.E-5",
    "0.1e-99/1e99", "1e99/1e-99", "99e99", "9" * 30 + "e99", "9" * 30 + "e-99",
    # digit counts around MAX_DIGITS (30), with and without the point
    "1" * 30, "1" * 31, "0" * 30, "0" * 31, "0." + "0" * 28 + "1", "0." + "0" * 29 + "1",
    "1" * 15 + "." + "1" * 15, "1" * 15 + "." + "1" * 16, "." + "1" * 30, "." + "1" * 31,
    "[1, " + "2" * 31 + "]", "[" + "1" * 30 + "/" + "3" * 30 + "]",
    # double rounding traps: the exact decimal, not the nearest float, must be rounded
    "0.1", "0.3", "2.675", "9007199254740993", "9007199254740993.0", "8.98846567431158e307",
    "0.1000000000000000055511151231257827", "0.10000000000000000555111512312578270",
    "1.00000000000000011102230246251565404236316680908203125", "123456789012345678901234567890",
    "0.1/0.3", "1/3", "2/3", "-1/3", "+1/3", "10/3", "1/10", "22/7", "1.5/3", ".5/.25", "5./2.",
    "1e5/3", "1/3e5", "123456789012345678901234567890/7",
    # not numbers, or not plain: all the parser's
    ".", "..5", "1..", "1.2.3", "1_000", "1__0", "0x10", "0b1", "1j", "1/-3", "1/+3", "1/0",
    "0/0", "1/0.0", "1/0e5", "1/3/3", "1 /3", "1/ 3", "- 1", "+ 1", "+-1", "--1", "1-", "1+",
    "1 2", "1,5", "10^3", "10^{3}", "10^-3", r"1 \times 10^3", "2 * 3", "nan", "inf", "-inf",
    "1e999999", "١", "１", "\u22121", "1\u00a0", "\u00a01", "1\x0b", "\x0c1", "\x1c1", "1\x00",
    "$1$", "$$1$$", r"\(1\)", r"\frac{1}{3}", "true", "no", "~", "", "   ", "\n",
    # whitespace the fast path takes, and the parser's wider \s
    " \n1\t", "\r\n1\r\n", "[1\t2\r\n3]", "[\n1\n]", "\t[1, 2]\t",
    # brackets
    "[1-2]", "[1 - 2]", "[1 -2]", "[1, -2]", "[1 +2]", "[,1]", "[1,]", "[1 ,]", "[1,,2]",
    "[1, ,2]", "[1;;2]", "[;1]", "[1;]", "[1; ]", "[1;,2]", "[1,;2]", "[1 2;3 4]", "[1 2;3]",
    "[]", "[ ]", "[[]]", "[[1],[]]", "[[],[1]]", "[[1],[2,3]]", "[[1] [2]]", "[[1],,[2]]",
    "[[1],]", "[[1],[2],]", "[[1;2]]", "[[[1]]]", "[[1], 2]", "[1, [2]]", "[1 2", "1 2]",
    "[1 2 3 ...]", "[1.2.3]", "[1/2/3]", "[1 /2]", "[1e5 1E-5 .5 5. -0]", "[1] [2]",
    "[[1, 2]\n [3, 4]]", "[ [1,2] , [3,4] ]", "[0.1 ... 0.9]",
    # transposes and wrappers
    "[1 2]'", "[1 2]''", "[1 2] '", "[1 2]^T", "[1 2]^{T}", "[1 2]^ { T }", "[1 2]^\\top",
    "[1 2]^{\\top}", "[1 2]^\\topx", "[1 2]^Tx", "[1 2]^T'", "[1 2].T", "[1 2].Tx",
    "[1 2] .T", "[1 2]^", "[1 2]^{T", "[[1, 2], [3, 4]]^T", "[1; 2]'", "[1 2]^\\intercal",
    "array([1, 2])", "array ( [1, 2] )", "np.array([1,2])", "numpy.array([[1,2]]).T",
    "np.array([[1, 2]]) .T", "xarray([1])", "arrays([1])", "array([1, 2]", "array[1, 2]",
    "array(1)", "array(([1]))", "array([])", "np .array([1])", "np.array([1 2; 3 4])",
    # LaTeX environments
    BM % "1 & 2", BM % r"1 & 2 \\ 3 & 4", BM % r"1 & 2 \\ 3 & 4 \\", BM % r"\\ 1",
    BM % r"1 \\ \\ 2", BM % "", BM % "1 2", BM % "1 & -2", BM % "1 & - 2", BM % "1/2 & 3",
    BM % r"1 & 2 \\ 3", BM % "1,2", BM % r"1\\2", BM % r"1 \\\\ 2", BM % r"1 \\\ 2",
    BM % r"1 \, 2", BM % "-0 & 0", BM % r"1 \\[2pt] 2",
    r"\begin{pmatrix}1\end{pmatrix}", r"\begin{Bmatrix}1\end{Bmatrix}",
    r"\begin{matrix}1\end{matrix}", r"\begin{vmatrix}1\end{vmatrix}",
    r"\begin{bmatrix}1\end{pmatrix}", r"\begin {bmatrix}1\end{bmatrix}",
    r"\begin{ bmatrix }1\end{bmatrix}", r"\begin{bmatrix}1\end{bmatrix}^T",
    r"\begin{bmatrix}1 & 2\end{bmatrix}'", r"$\begin{bmatrix}1\end{bmatrix}$",
    r"\left[ 1, 2 \right]",
    # limits on size
    "1" * 20_001, "[" + "1 " * 10_001 + "]", "[" + "1 " * 9_999 + "]", "[" + "1," * 10_000 + "]",
    " " * 19_999 + "1", " " * 20_000 + "1", "[" + " " * 19_990 + "1]",
]
LISTS = [
    ["0.1"], ["-0"], ["-0", -0.0, 0], [["1", "2"], ["3", "4"]], [["1", "2"], ["3"]], [[]], [],
    [[], []], ["1", ["2"]], [["1"], "2"], ["0.5", "1/3", r"\frac{1}{3}"], [True], [None], [1, 2.5],
    [-0.0], [float("nan")], [float("inf")], [2 ** 53], [2 ** 53 + 1], [-(2 ** 53) - 1], [10 ** 400],
    [np.float64(0.5)], [np.int64(3)], ("1", "2"), [("1", "2"), ("3", "4")], (("1",),), [["1", 2.5]],
    [["1e400"]], ["1"] * 10_001, ["1"] * 10_000, [["1"] * 100] * 101, [["1"] * 100] * 100,
    [["1"]] * 10_001, [[["1"]]], [1e308], [1e-320], [5e-324], ["1", "abc"], [["1", "no"]],
    ["1", "1,5"], ["1 2"], ["[1]"], [" 1 "], ["\u22121"], [["1", None]], [{"a": 1}],
    [Fraction(1, 3)],
    [1.5, "1.5"], [[1, "2"], (3, "4")], [["1", "2"], "3"], [b"1"],
    # strings are read in bulk, joined by '|'
    ["1|2"], ["1", "2|3"], ["|"], ["1", "|2"], [" 1 ", "\t2\n"], ["1/3", "2"], ["-0", "1"],
    ["1", "-0.0", "-1/3"], [" "], ["1", ""], [["1", "2"], ["3", "-0"]], [["1/2", "x"]],
    ["0.123456789"] * 3000, [" " * 19_999 + "1"], [" " * 20_000 + "1"], ["1", " " * 20_001],
    ["1e99", "1e100"], ["1" * 30, "1" * 31], ["1", "1e5|"], ["1", "\u22122"],
]
SCALARS = [0.5, -0.0, 0.0, 3, -3, 2 ** 53, 2 ** 60, 10 ** 400, 1e308, 5e-324, float("nan"),
           float("inf"), True, False, None, Fraction(1, 3), np.float64(0.25), np.int64(7), {"a": 1},
           b"1", 1 + 2j]


@pytest.mark.parametrize("raw", TRICKY + LISTS + SCALARS, ids=lambda v: repr(v)[:40])
def test_tricky(raw):
    cached_again(raw)


@pytest.mark.parametrize("raw", [t for t in TRICKY if len(t) < 100] + ["007", " +3 ", "1e0"],
                         ids=repr)
def test_parse_integer_unchanged(raw, monkeypatch):
    fast = outcome(parse_integer, raw)
    monkeypatch.setattr(numeric_fast, "ENABLED", False)
    assert outcome(parse_integer, raw) == fast


# --- (c) generated answers -------------------------------------------------------------------

DIGITS = "0123456789"
MUTATIONS = list("0123456789 .,;[]()&\\^'T+-/eE\t\n\r_$x{}") + [
    "\x0b", "\u2212", "\uff11", "\xa0", "nan", "10^", r"\\", r"\frac", "array(", ".T", "..."]


@st.composite
def numbers(draw):
    """Mostly plain literals; now and then one at or past a limit, or not quite a number."""
    sign = draw(st.sampled_from(["", "", "", "-", "+"]))
    odd = draw(st.integers(0, 9)) == 0  # lengths, exponents and shapes near the limits
    zeros = st.sampled_from(["", "", "", "0", "00"])
    whole = (draw(st.text(DIGITS, max_size=32)) if odd else
             draw(zeros) + str(draw(st.integers(0, 999))))
    point = draw(st.sampled_from(["", "", "."]))
    frac = ""
    if point:
        frac = (draw(st.text(DIGITS, max_size=30)) if odd else
                draw(st.sampled_from(["", "0", "00"])) + str(draw(st.integers(0, 9999))))
    exp = ""
    if draw(st.integers(0, 3)) == 0:
        power = draw(st.sampled_from(["99", "100", "300", "301", "0099", "0300", "308", "320",
                                      "323", "324", "325", "00", "", "999"]) if odd else
                     st.integers(0, 99).map(str))
        exp = draw(st.sampled_from("eE")) + draw(st.sampled_from(["", "-", "+"])) + power
    return sign + whole + point + frac + exp


@st.composite
def entries(draw):
    a = draw(numbers())
    return a + "/" + draw(numbers()).lstrip("+-") if draw(st.integers(0, 5)) == 0 else a


def row(draw, width: int, seps=(",", " ", ", ", " ,", "  ", "\n", "\t", ",\n", ",,")) -> str:
    items = [draw(entries()) for _ in range(width)]
    text = "".join(item + draw(st.sampled_from(seps[:-1] if draw(st.integers(0, 9)) else seps))
                   for item in items)
    return text.rstrip(" \t\n") if draw(st.booleans()) else text


@st.composite
def answers(draw):
    form = draw(st.sampled_from(["scalar", "flat", "rows", "nested", "array", "env"]))
    ws = st.sampled_from(["", "", " ", "\n", "  "])
    n, width = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    widths = [width if draw(st.integers(0, 7)) else draw(st.integers(0, 4)) for _ in range(n)]
    if form == "scalar":
        text = draw(ws) + draw(entries()) + draw(ws)
    elif form in ("flat", "rows", "array"):
        widths = widths[:1] if form == "flat" else widths
        text = "[" + draw(ws) + draw(st.sampled_from([";", " ; ", ";\n"])).join(
            row(draw, w) for w in widths) + draw(st.sampled_from(["", "", ";", " ;"])) + "]"
    elif form == "nested":
        after = st.sampled_from(["", ",", ", ", " ", ",\n "])
        text = "[" + "".join("[" + row(draw, w) + "]" + draw(after) for w in widths) + "]"
    else:
        body = r" \\ ".join(" & ".join(draw(entries()) for _ in range(max(w, 1))) for w in widths)
        name = draw(st.sampled_from(["bmatrix", "pmatrix", "Bmatrix", "matrix"]))
        trail = draw(st.sampled_from(["", r" \\"]))
        text = rf"\begin{{{name}}} {body}{trail} \end{{{name}}}"
    if form == "array" or (form in ("flat", "nested") and draw(st.integers(0, 4)) == 0):
        prefix = draw(st.sampled_from(["array(", "np.array(", "numpy.array(", "array ( "]))
        text = prefix + text + ")"
    if form != "scalar" and draw(st.integers(0, 3)) == 0:
        text += draw(st.sampled_from(["'", "^T", "^{T}", r"^\top", ".T", " '", "^ {T}"]))
    return draw(ws) + text + draw(ws)


@st.composite
def mutated(draw):
    text = draw(answers())
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
        i = draw(st.integers(0, len(text)))
        piece = draw(st.sampled_from(MUTATIONS))
        how = draw(st.sampled_from(["insert", "delete", "replace"]))
        if how == "insert":
            text = text[:i] + piece + text[i:]
        elif how == "delete":
            text = text[:i] + text[i + 1:]
        else:
            text = text[:i] + piece + text[i + 1:]
    return text


cells = st.one_of(entries(), mutated(), st.floats(), st.integers(-(2 ** 60), 2 ** 60),
                  st.sampled_from([True, None, -0.0, 10 ** 400, "1/0", "-0", ""]))
square = st.integers(1, 3).flatmap(
    lambda n: st.lists(st.lists(cells, min_size=n, max_size=n), min_size=1, max_size=3))
ragged = st.lists(st.lists(cells, max_size=3), max_size=3)
lists = st.one_of(st.lists(cells, max_size=5), square, ragged)


def differential(body, examples: int, **strategies):
    """Two tests of one property, as in tests/hostile/test_fuzz.py: short and derandomized, and behind
    the ``fuzz_long`` marker with random examples, 25 times as many."""
    quick = settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(HealthCheck))(given(**strategies)(body))
    long = settings(max_examples=examples * 25, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))(given(**strategies)(body))
    return quick, pytest.mark.fuzz_long(long)


def _same_text(text):
    assert_same(text)


def _same_list(raw):
    assert_same(raw)


test_generated_answers, test_generated_answers_long = differential(_same_text, 800, text=answers())
test_mutated_answers, test_mutated_answers_long = differential(_same_text, 800, text=mutated())
test_generated_lists, test_generated_lists_long = differential(_same_list, 300, raw=lists)


def test_generators_reach_the_fast_path():
    """Most generated answers are taken by the fast path, and many mutated ones are not."""
    taken = {"answers": 0, "mutated": 0}

    @settings(max_examples=200, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(a=answers(), m=mutated())
    def count(a, m):
        taken["answers"] += numeric_fast.fast_numeric(a) is not None
        taken["mutated"] += numeric_fast.fast_numeric(m) is not None

    count()
    assert taken["answers"] > 100 and 20 < taken["mutated"] < 180, taken


# --- the fast path is taken where it should be -------------------------------------------------

COMMON = [
    "0.1234", "-0.5", "+2", "1e-05", "-1.5E+3", "1/3", "-22/7", " 0.25 \n", ".5", "5.",
    "[0.1, -0.2; 0.3 0.4]", "[1 2 3]", "[1, 2, 3]", "[ 1.  -2.5]", "[1.e-03 2.e+00]",
    "[0.1 0.2\n 0.3]", "[1; 2; 3]", "[1 2; 3 4;]", "[1/3, 2/3]", "[[1, 2], [3, 4]]",
    "[[0.1626 0.1626]\n [0.0261 0.0261]]", "[[1, 2],\n [3, 4],]",
    "array([[1., 2.],\n       [3., 4.]])",
    "np.array([1, 2])", "numpy.array([[1, 2]]).T", "[1 2 3]'", "[1 2 3]^T", "[1 2 3]^{T}",
    r"[1 2 3]^\top", BM % "1 & 2", BM % r"1 & 2 \\ 3 & 4", BM % r"0.5 & -1/3 \\ 3 & 4 \\",
    r"\begin{pmatrix} 1 \\ 2 \end{pmatrix}", (BM % "1 & 2") + "^T",
    ["0.5", "0.25"], [["1", "2"], ["3", "4"]], ["1/3", "-0.1"], [0.5, 2], [[1, 2.5]], 0.25, 3,
    ("1", "2"), [" 0.5 ", "+1e-3"],
]


@pytest.mark.parametrize("raw", COMMON, ids=lambda v: repr(v)[:40])
def test_common_answers_take_the_fast_path(raw):
    hit = numeric_fast.fast_numeric(raw)
    assert hit is not None, "the fast path must take this common answer"
    values, flat = hit
    slow = parse_numeric(raw, fast=False)
    assert values.tobytes() == slow.values.tobytes() and values.shape == slow.values.shape
    assert flat is slow.flat and not values.flags.writeable
    if isinstance(raw, str) and "[" not in raw and "begin" not in raw:
        assert numeric_fast.fast_fraction(raw) == parse_number(raw, fast=False)


@pytest.mark.parametrize("raw", [row[0] for row in REJECTED] + ["1/0", "[1 2", "0e999", "1e-400"],
                         ids=lambda v: repr(v)[:40])
def test_errors_are_never_taken(raw):
    assert numeric_fast.fast_numeric(raw) is None
    if isinstance(raw, str):
        assert numeric_fast.fast_fraction(raw) is None


def test_cached_arrays_cannot_be_written():
    numeric_fast.cache_clear()
    first, second = parse_numeric("[1, 2]"), parse_numeric("[1, 2]")
    assert first.values is not second.values  # a fresh view each time, of one cached array
    for values in (first.values, second.values):
        with pytest.raises(ValueError):
            values[0, 0] = 5
        with pytest.raises(ValueError):
            values.flags.writeable = True
    assert parse_numeric("[1, 2]").values.tolist() == [[1.0], [2.0]]


def test_errors_are_fresh_objects():
    """Errors are never memoised: each call gets its own (callers fill in the location)."""
    errors = []
    for _ in range(2):
        with pytest.raises(AnswerError) as info:
            parse_numeric("[1, 2")
        errors.append(info.value)
    assert errors[0] is not errors[1] and errors[0] == errors[1]


def test_caches_are_bounded():
    numeric_fast.cache_clear()
    for i in range(5000):
        parse_numeric(f"[{i}, 0.5]")
        parse_numeric([f"{i}.25"])
    info = numeric_fast._text_cached.cache_info()
    assert info.currsize <= info.maxsize
    long = "[" + "0.5, " * 100 + "1]"
    numeric_fast.cache_clear()
    parse_numeric(long)
    assert numeric_fast._text_cached.cache_info().currsize == 0  # too long to keep
