r"""Parse a student's numeric answer (scalar, vector or matrix) into a 2-D float64 array.

Raw text never reaches eval/sympify: a regex tokenizer and a small recursive-descent
:class:`_Parser` accept a fixed set of notations (decimals, ``1/3``, ``\frac{1}{3}``,
``1.5 \times 10^{-3}``, Python/numpy/MATLAB brackets, LaTeX matrices, a ``^T`` suffix) and
reject the rest with an :class:`~grader.errors.AnswerError` whose ``column`` points at the
problem. Literals are read exactly as :class:`~fractions.Fraction`, made float at the end.
Newlines are plain spaces (numpy wraps long 1-D arrays); rows come from ``;``, ``\\`` or
inner brackets, and only they make an answer non-``flat``. Plain answers first try
:mod:`~grader.parse.numeric.fast` (the same result without the parser; ``fast=False`` skips it).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from grader.errors import AnswerError
from grader.parse.expression.lexer import (ENV, ENVS, FRACS, INT, JSON_NAMES, MAX_CHARS, MAX_DIGITS,  # noqa: F401
                                 MAX_ENTRIES, MAX_EXPONENT, TIMES, Tok, precheck, quote, ragged,
                                 range_error, show, tokenize, why_not_a_number)
from grader.parse.numeric.decimal_comma import DECIMAL_COMMA, ambiguous_comma
from grader.parse.numeric.fast import fast_fraction, fast_numeric


@dataclass(frozen=True, eq=False)  # eq=False: ndarray fields make a generated __eq__ ambiguous
class NumericAnswer:
    values: np.ndarray  # always 2-D float64, read-only
    flat: bool  # orientation not stated: scalar, flat list, or "[1, 2, 3]"
    text: str | None  # the original string when the answer was a string


class _Parser:
    """Recursive descent over one answer string; brackets nest at most twice, \\frac once."""

    def __init__(self, raw: str):
        precheck(raw)
        self.raw, self.i = raw, 0
        self.toks = tokenize(raw.replace("\u2212", "-"), raw)  # same length: columns hold
        self.end = Tok("end", "", len(raw))
        comma = ambiguous_comma(raw)
        if comma is not None:
            raise AnswerError(DECIMAL_COMMA, column=comma + 1, text=raw, category="syntax")

    def fail(self, msg: str, t: Tok, category: str = "syntax") -> AnswerError:
        return AnswerError(msg, column=t.pos + 1, text=self.raw, category=category)

    def peek(self) -> Tok:
        return self.toks[self.i] if self.i < len(self.toks) else self.end

    def next(self) -> Tok:
        t = self.peek()
        self.i += 1
        return t

    def skip_ws(self) -> bool:
        start = self.i
        while self.peek().kind == "ws":
            self.i += 1
        return self.i > start

    def sig(self) -> Tok:
        """The next significant (non-space) token, consuming the spaces before it."""
        self.skip_ws()
        return self.peek()

    def accept(self, texts) -> Tok | None:
        """Consume and return the next significant token if its text is in ``texts``."""
        save = self.i
        if self.sig().text in texts:
            return self.next()
        self.i = save
        return None

    def expect(self, text: str, where: str = "") -> Tok:
        t = self.accept({text})
        if t is None:
            raise self.fail(f"expected {text!r}{where}, got {show(self.sig())}", self.peek())
        return t

    # -- whole answers ---------------------------------------------------------------
    def answer(self) -> tuple[list[list[Fraction]], bool]:
        t = self.sig()
        if t.kind == "end":
            raise self.fail("empty answer", t, "value")
        if t.kind == "array":  # array(...), np.array(...), numpy.array(...)
            self.next()
            self.expect("(", f" after {t.text}")
            rows, flat = self.brackets(self.expect("["))
            self.expect(")", f" to close {t.text}(")
        elif t.text == "[":
            rows, flat = self.brackets(self.next())
        elif t.kind == "env":
            rows, flat = self.environment(self.next())
        else:
            return [[self.number()]], True
        if self.transpose():  # rows are rectangular by now, so zip loses nothing
            rows, flat = [list(c) for c in zip(*rows)], False
        if self.sig().kind != "end":
            raise self.fail(f"unexpected {show(self.peek())} after the matrix", self.peek())
        return rows, flat

    def number(self) -> Fraction:
        """A whole answer that is one scalar: nothing may follow it."""
        self.skip_ws()
        value = self.scalar(loose=True)
        spaced, t = self.skip_ws(), self.peek()
        if t.text == ",":
            raise self.fail("unexpected ','; use '.' as the decimal point (1.5), or write a "
                            "list in brackets like [1, 2]", t)
        if t.kind != "end":
            hint = "; write several numbers as a list in brackets like [1, 2]" if spaced else ""
            raise self.fail(f"unexpected {show(t)} after the number{hint}", t)
        return value

    def brackets(self, open_: Tok) -> tuple[list[list[Fraction]], bool]:
        """After '[': numpy/Python rows ``[[1, 2], [3, 4]]`` or MATLAB ``[1 2; 3 4]``."""
        rows, starts = [], []
        if self.sig().text == "[":  # every row in its own brackets: orientation is explicit
            while not self.accept({"]"}):
                t = self.sig()
                if t.text != "[":
                    mixed = t.kind in ("num", "sign")
                    raise self.fail(f"expected '[' starting row {len(rows) + 1}, got {show(t)}"
                                    + ("; rows and single numbers are mixed" if mixed else ""),
                                    t, "shape" if mixed else "syntax")
                starts.append(self.next())
                rows.append(self.entries({"]"}, t))
                self.next()  # the row's ']'
                self.accept({","})
            return self.rect(rows, starts, open_), False
        semis = False  # flat unless the student wrote rows with ';'
        while True:
            start = self.sig()
            row, t = self.entries({";", "]"}, open_), self.next()
            if row:
                rows.append(row)
                starts.append(start)
            elif t.text == ";":  # a trailing ';' is fine, an empty row in the middle is not
                raise self.fail("empty row before ';'", t)
            if t.text == "]":
                return self.rect(rows, starts, open_), not semis
            semis = True

    def entries(self, stops: set[str], opener: Tok) -> list[Fraction]:
        """Numbers split by ',' and/or spaces, up to (not including) a token in ``stops``."""
        row, ready = [], True  # ready: a separator was just seen, so an entry may start
        while True:
            spaced, t = self.skip_ws(), self.peek()
            if t.kind == "p" and t.text in stops:
                return row
            if t.kind == "end":
                raise self.fail(f"missing ']' for the '[' at column {opener.pos + 1}", t)
            if t.text == ",":
                if ready:
                    raise self.fail("expected a number before ','", t)
                self.next()
                ready = True
            elif ready or spaced:
                row.append(self.scalar(loose=False))
                ready = False
            else:  # "[1-2]": an entry glued to the previous one
                raise self.fail(f"expected ',' or a space before {show(t)}", t)

    def environment(self, begin: Tok) -> tuple[list[list[Fraction]], bool]:
        r"""After ``\begin{bmatrix}``: ``1 & 2 \\ 3 & 4 \end{bmatrix}``, never flat."""
        kind, name = ENV.fullmatch(begin.text).groups()
        if kind != "begin" or name not in ENVS:
            raise self.fail(f"unsupported {quote(begin.text)}; use bmatrix, pmatrix, Bmatrix or "
                            "matrix", begin)
        rows, starts = [], []
        while self.sig().kind != "env":  # stops at \end, also after a trailing '\\'
            starts.append(self.peek())
            row = [self.scalar(loose=True)]
            while self.accept({"&"}):
                self.skip_ws()
                row.append(self.scalar(loose=True))
            rows.append(row)
            if self.sig().kind != "env" and not self.accept({"\\\\"}):
                raise self.fail(f"expected '&', '\\\\' or \\end{{{name}}}, got "
                                f"{show(self.peek())}", self.peek())
        end = self.next()
        if ENV.fullmatch(end.text).groups() != ("end", name):
            raise self.fail(f"expected \\end{{{name}}}, got {quote(end.text)}", end)
        return self.rect(rows, starts, begin), False

    def rect(self, rows, starts, opener: Tok) -> list[list[Fraction]]:
        if not any(rows):
            raise self.fail("empty answer", opener, "value")
        if sum(map(len, rows)) > MAX_ENTRIES:
            raise self.fail(f"more than {MAX_ENTRIES} entries", opener, "limit")
        for k, row in enumerate(rows[1:], 2):
            if len(row) != len(rows[0]):
                raise self.fail(ragged(k, len(row), len(rows[0])), starts[k - 1], "shape")
        return rows

    def transpose(self) -> bool:
        """An optional ``^T``, ``^{T}``, ``^\\top``, ``^{\\top}``, ``'`` or ``.T`` suffix."""
        if self.accept({"'", ".T"}):
            return True
        if not self.accept({"^"}):
            return False
        braced = self.accept({"{"})
        if not self.accept({"T", r"\top", r"\intercal"}):
            raise self.fail(f"expected T after '^' (transpose), got {show(self.sig())}",
                            self.peek())
        if braced:
            self.expect("}")
        return True

    # -- one number ------------------------------------------------------------------
    def scalar(self, loose: bool, inner: bool = False) -> Fraction:
        """``[sign] unsigned``; ``loose`` allows a space after the sign (not inside rows)."""
        t, sign = self.peek(), 1
        if t.kind == "sign":
            self.next()
            sign = -1 if t.text == "-" else 1
            if self.skip_ws() and not loose:  # "[1 - 2]" would read as arithmetic
                raise self.fail(f"put the sign right before its number ('{t.text}2'); "
                                "arithmetic such as '1 - 2' is not allowed in a matrix", t)
        value = sign * self.unsigned(inner)
        problem = range_error(value)
        if problem:
            raise self.fail(problem, t, "limit")
        return value

    def unsigned(self, inner: bool) -> Fraction:
        r"""``\frac{a}{b}`` | ``10^{k}`` | ``x[/y]``, then optionally ``\times 10^{k}``."""
        t = self.next()
        if t.text in FRACS:
            if inner:  # bounds the recursion; no answer needs a fraction of fractions
                raise self.fail(f"nested {t.text} is not supported", t)
            num, den = self.braced(t), self.braced(t)
            return self.divide(num, den, t)
        if t.kind != "num":
            raise self.not_a_number(t)
        if t.text == "10" and self.peek().text == "^":
            self.next()
            value = Fraction(10) ** self.exponent()
        else:
            value = self.literal(t)
            slash = self.accept({"/"})
            if slash:
                d = self.sig()
                if d.kind != "num":
                    raise self.fail(f"expected a number after '/', got {show(d)}", d)
                value = self.divide(value, self.literal(self.next()), slash)
        op = self.accept(TIMES)
        if op:
            if self.sig().text != "10":
                raise self.fail(f"expected 10^... after {quote(op.text)}: only scientific notation "
                                "such as 1.5 \\times 10^{-3} is allowed", self.peek())
            self.next()
            self.expect("^")
            value *= Fraction(10) ** self.exponent()
        return value

    def braced(self, cmd: Tok) -> Fraction:
        self.expect("{", f" after {cmd.text}")
        self.skip_ws()
        value = self.scalar(loose=True, inner=True)
        self.expect("}")
        return value

    def divide(self, num: Fraction, den: Fraction, t: Tok) -> Fraction:
        if den == 0:
            raise self.fail("division by zero", t, "value")
        return num / den

    def exponent(self) -> int:
        """The k of ``10^k``: ``{-3}``, ``-3`` or ``3``."""
        braced = self.accept({"{"})
        sign = self.accept({"-", "+"})
        n = self.sig()
        self.next()
        if n.kind != "num" or not n.text.isdigit():
            raise self.fail(f"expected a whole-number exponent, got {show(n)}", n)
        if braced:
            self.expect("}")
        return (-1 if sign and sign.text == "-" else 1) * self.check_exponent(n.text, n)

    def check_exponent(self, digits: str, t: Tok) -> int:
        digits = digits.lstrip("0") or "0"  # never int() a huge digit string
        if len(digits) > 3 or int(digits) > MAX_EXPONENT:
            raise self.fail(f"exponent out of range (at most {MAX_EXPONENT} in size)", t, "limit")
        return int(digits)

    def literal(self, t: Tok) -> Fraction:
        mantissa, _, exp = t.text.lower().partition("e")
        if sum(c.isdigit() for c in mantissa) > MAX_DIGITS:
            raise self.fail(f"number has more than {MAX_DIGITS} digits", t, "limit")
        if exp:
            self.check_exponent(exp.lstrip("+-"), t)
        return Fraction(t.text)  # exact; the tokenizer already validated the syntax

    def not_a_number(self, t: Tok) -> AnswerError:
        message, category = why_not_a_number(t)
        return self.fail(message, t, category)


def _from_value(x, where: str = "") -> Fraction:
    """One non-list value: a string, or a number from JSON or a library caller."""
    if isinstance(x, str):
        try:
            return _Parser(x).number()  # parse_number's own check is done; its fast path is not
        except AnswerError as e:
            if not where:
                raise
            # the position is the entry, named in the message; a column into one entry would mislead
            raise replace(e, message=where + e.message, column=None, text=None) from None
    if isinstance(x, bool) or x is None:  # bool before numbers: True is an int
        raise AnswerError(f"{where}expected a number, got {JSON_NAMES[x]}", category="value")
    if isinstance(x, numbers.Real):
        if not isinstance(x, numbers.Rational) and not math.isfinite(x):  # big ints overflow
            raise AnswerError(f"{where}not a finite number: {x!r}", category="value")
        value = Fraction(x)
        problem = range_error(value)
        if problem:
            raise AnswerError(where + problem, category="limit")
        return value
    got = "a mapping" if isinstance(x, dict) else f"a {type(x).__name__}"
    raise AnswerError(f"{where}expected a number, got {got}", category="value")


def _from_list(raw) -> tuple[list[list[Fraction]], bool]:
    """A YAML/JSON list: n numbers (flat) or a list of rows (2-D)."""
    if len(raw) > MAX_ENTRIES:  # before any pass over the entries: a 10^6-item list costs O(1)
        raise AnswerError(f"more than {MAX_ENTRIES} entries", category="limit")
    nested = [isinstance(x, (list, tuple)) for x in raw]
    if any(nested) and not all(nested):
        raise AnswerError(f"entry {nested.index(False) + 1} is a single number but others are "
                          "rows (lists); give every row as a list", category="shape")
    flat = not any(nested)
    rows = [raw] if flat else raw
    if sum(map(len, rows)) > MAX_ENTRIES:
        raise AnswerError(f"more than {MAX_ENTRIES} entries", category="limit")
    if any(isinstance(x, (list, tuple)) for row in rows for x in row):
        raise AnswerError("list nested deeper than 2 levels (rows of numbers)", category="limit")
    if not any(rows):
        raise AnswerError("empty answer", category="value")
    for k, row in enumerate(rows[1:], 2):
        if len(row) != len(rows[0]):
            raise AnswerError(ragged(k, len(row), len(rows[0])), category="shape")
    return [[_from_value(x, (f"entry {j}: " if flat else f"row {i}, entry {j}: "))
             for j, x in enumerate(row, 1)] for i, row in enumerate(rows, 1)], flat


def parse_numeric(raw, *, fast: bool = True) -> NumericAnswer:
    r"""Parse a scalar, vector or matrix answer into a 2-D float64 array.

    >>> a = parse_numeric(r"\begin{bmatrix} 1 & \frac{1}{2} \end{bmatrix}^T")
    >>> a.values.tolist(), a.flat
    ([[1.0], [0.5]], False)
    >>> parse_numeric(["0.1", "1/4"]).values.shape, parse_numeric("[1 2 3]").flat
    ((2, 1), True)
    """
    hit = fast_numeric(raw) if fast else None  # None: not plain, or an error to word
    if hit is not None:
        return NumericAnswer(*hit, raw if isinstance(raw, str) else None)
    if isinstance(raw, str):
        rows, flat = _Parser(raw).answer()
    elif isinstance(raw, (list, tuple)):
        rows, flat = _from_list(raw)
    else:
        rows, flat = [[_from_value(raw)]], True
    values = np.array([[float(v) for v in row] for row in rows], dtype=np.float64)
    values.flags.writeable = False  # the answer is frozen; so is its array (and any view of it)
    if flat:
        values = values.reshape(-1, 1)
    return NumericAnswer(values, flat, raw if isinstance(raw, str) else None)


def parse_number(text: str, *, fast: bool = True) -> Fraction:
    r"""Parse one scalar in any accepted scalar notation, exactly.

    >>> parse_number(r"-\frac{1}{3}"), parse_number("1.5 \\times 10^{-3}")
    (Fraction(-1, 3), Fraction(3, 2000))
    """
    if not isinstance(text, str):
        raise AnswerError(f"expected a number as text, got {type(text).__name__}", category="value")
    hit = fast_fraction(text) if fast else None
    return _Parser(text).number() if hit is None else hit


def parse_integer(raw) -> int:
    """Parse a whole number such as a predicted class: digits with an optional sign.

    >>> parse_integer(" +3 ")
    3
    """
    if isinstance(raw, numbers.Integral) and not isinstance(raw, bool):
        return int(raw)
    if not isinstance(raw, str):
        got = (JSON_NAMES[raw] if isinstance(raw, bool) or raw is None else
               "a list" if isinstance(raw, (list, tuple)) else repr(raw))
        raise AnswerError(f"expected a single whole number, got {got}", category="value")
    parse_number(raw)  # garbage, nan, 'no', bad digits: the same errors as everywhere
    if INT.fullmatch(raw.replace("\u2212", "-")):
        return int(raw.replace("\u2212", "-").strip())
    raise AnswerError(f"expected a whole number such as 2, got {quote(raw.strip())}",
                      column=len(raw) - len(raw.lstrip()) + 1, text=raw, category="value")
