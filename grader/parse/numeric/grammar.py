r"""The grammar of a numeric answer typed as text: a regex tokenizer
(:mod:`grader.parse.expression.lexer`) and a small recursive descent over its tokens.

It accepts a fixed set of notations (decimals, ``1/3``, ``\frac{1}{3}``, ``1.5 \times 10^{-3}``,
Python/numpy/MATLAB brackets, LaTeX matrices, a ``^T`` suffix) and rejects the rest with an
:class:`~grader.errors.AnswerError` whose ``column`` points at the problem. Literals are read
exactly as :class:`~fractions.Fraction`. The entry points are :mod:`grader.parse.numeric.reader`'s.
"""
from __future__ import annotations

from fractions import Fraction

from grader.errors import AnswerError
from grader.parse.expression.lexer import (ENV, ENVS, FRACS, MAX_DIGITS, MAX_ENTRIES, MAX_EXPONENT, TIMES, Tok,
                                           precheck, quote, ragged, range_error, show, tokenize, why_not_a_number)
from grader.parse.numeric.decimal_comma import DECIMAL_COMMA, ambiguous_comma
from grader.parse.numeric.printed_forms import unwrap


class TextParser:
    """Recursive descent over one answer string; brackets nest at most twice, \\frac once."""

    def __init__(self, raw: str, entry=None):
        """``entry``: reads a LaTeX matrix's entry that is not a plain number (``\\frac{1}{1+e^{-1}}``),
        text → Fraction or None (the judge's constant expressions; the grammar itself reads numbers only)."""
        precheck(raw)
        self.entry = entry
        self.raw, self.i = raw, 0
        # same length: columns hold (a Unicode minus, and what libraries print around numbers)
        self.toks = tokenize(unwrap(raw.replace("\u2212", "-")), raw)
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
            return self.bare()
        if self.transpose():  # rows are rectangular by now, so zip loses nothing
            rows, flat = [list(c) for c in zip(*rows)], False
        if self.sig().kind != "end":
            raise self.fail(f"unexpected {show(self.peek())} after the matrix", self.peek())
        return rows, flat

    def bare(self) -> tuple[list[list[Fraction]], bool]:
        """One number, or entries without brackets as a TA reads them: ``0.5, -0.25`` and
        ``1 2; 3 4`` (MATLAB's rows). A glued ``0,5`` stays one malformed number (a decimal
        comma, not two entries); where the bracketed reading fails too, the error is the
        number's."""
        start = self.i
        try:
            return [[self.number()]], True
        except AnswerError as as_number:
            if "," in self.raw and ";" not in self.raw and not self.spaced_comma():
                raise  # only glued commas, as in 0,5: a decimal comma, not a list
            opener, closer = Tok("p", "[", self.toks[start].pos), Tok("p", "]", len(self.raw))
            self.toks = self.toks[:start] + [opener] + self.toks[start:] + [closer]
            self.i = start
            try:
                rows, flat = self.brackets(self.next())
                if self.sig().kind != "end" or len(rows) * len(rows[0]) < 2:
                    raise as_number
                return rows, flat
            except AnswerError:
                raise as_number from None

    def spaced_comma(self) -> bool:
        """Whether some ',' is followed by a space (``0.5, -0.25``): a comma between entries."""
        return any(t.text == "," and k + 1 < len(self.toks) and self.toks[k + 1].kind == "ws"
                   for k, t in enumerate(self.toks))

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
        if kind != "begin" or name not in ENVS | {"array"}:  # array's column spec: printed_forms
            raise self.fail(f"unsupported {quote(begin.text)}; use bmatrix, pmatrix, Bmatrix, "
                            "matrix or array", begin)
        rows, starts = [], []
        while self.sig().kind != "env":  # stops at \end, also after a trailing '\\'
            starts.append(self.peek())
            row = [self.cell()]
            while self.accept({"&"}):
                self.skip_ws()
                row.append(self.cell())
            rows.append(row)
            if self.sig().kind != "env" and not self.accept({"\\\\"}):
                raise self.fail(f"expected '&', '\\\\' or \\end{{{name}}}, got "
                                f"{show(self.peek())}", self.peek())
        end = self.next()
        if ENV.fullmatch(end.text).groups() != ("end", name):
            raise self.fail(f"expected \\end{{{name}}}, got {quote(end.text)}", end)
        return self.rect(rows, starts, begin), False

    def cell(self) -> Fraction:
        """One entry of a LaTeX matrix: a number, else (given ``entry``) what ``entry`` makes of the
        text up to the next '&', '\\\\' or \\end at the same depth of braces and parentheses."""
        start, error = self.i, None
        try:
            value = self.scalar(loose=True)
            follows = self.sig()
            if self.entry is None or follows.kind in ("env", "rowsep") or follows.text == "&":
                return value
        except AnswerError as e:
            if self.entry is None or start >= len(self.toks):
                raise
            error, value = e, None
        end, depth = start, 0
        while end < len(self.toks):
            t = self.toks[end]
            if depth == 0 and (t.kind in ("env", "rowsep") or t.text == "&"):
                break
            depth += (t.text in "{(") - (t.text in "})") if t.kind == "p" else 0
            end += 1
        stop = self.toks[end].pos if end < len(self.toks) else len(self.raw)
        read = self.entry(self.raw[self.toks[start].pos:stop])
        if read is None:
            if error is not None:
                raise error
            return value  # the number; the caller words what follows it
        self.i = end
        return read

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
