r"""FROZEN REFERENCE, do not edit: ``grader/parse/expression/tokens.py`` as it was before it was sped
up (Nov 2026), over the frozen :mod:`tests.frozen_oracles.expr_normalize`; the differential tests of
``tests/judge/test_symbolic_speed.py`` check the fast tokenizer gives the same tokens and errors.
"""
from __future__ import annotations

import re
from fractions import Fraction

from lark import Token

from grader.errors import AnswerError
from tests.frozen_oracles.expr_normalize import (CMD, DUNDER, SPACING, WORD, NameUnit, bad_char,
                                         match_close, norm_script, quote, scan_name,
                                         superscript)
from grader.parse.expression.table import SymbolTable, function_of, known_names, symbol_of
from grader.parse.expression.lexer import range_error

MAX_DIGITS = 30
MAX_E = 300  # |exponent| of a literal such as 1e-5
MAX_TOKENS = 800  # real answers use < 100; keeps lexing + parsing of any answer near 15 ms

NUM = re.compile(r"([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?")
CMPS = {">": ">", "<": "<", ">=": ">=", "<=": "<=", "!=": "!=", "≥": ">=", "≤": "<=", "≠": "!=",
        "geq": ">=", "ge": ">=", "geqslant": ">=", "gt": ">", "leq": "<=", "le": "<=",
        "leqslant": "<=", "lt": "<", "neq": "!=", "ne": "!="}
HAS_CMP = re.compile(r"[<>≥≤≠]|!=|\\(?:geq?|leq?|neq?|gt|lt|geqslant|leqslant)(?![A-Za-z])")
COMMANDS = {"cdot": "STAR", "cdotp": "STAR", "ast": "STAR", "times": "TIMES", "odot": "HAD",
            "circ": "HAD", "div": "SLASH", "lbrace": "_LBRACE", "rbrace": "_RBRACE",
            "lbrack": "_LSQB", "rbrack": "_RSQB"}
CHARS = {"+": "PLUS", "-": "MINUS", "−": "MINUS", "@": "AT", "/": "SLASH", "÷": "SLASH",
         ",": "_COMMA", "(": "_LPAR", ")": "_RPAR", "[": "_LSQB", "]": "_RSQB", "{": "_LBRACE",
         "}": "_RBRACE", "×": "TIMES", "·": "STAR", "⋅": "STAR", "⊙": "HAD", "∘": "HAD",
         "ᵀ": "TRANSPOSE"}
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789", strict=True))
SPACES = " \t\n\r\f\v$~\u00a0\u2009\u200a\u202f\u2002\u2003"
IND = re.compile(r"\\(mathbb|mathbbm|mathds|mathbf|bm|boldsymbol)\s*"
                 r"(?:\{\s*([1I])\s*\}|([1I])(?![A-Za-z0-9]))")
REALS = re.compile(r"\\mathbb\s*(?:\{\s*R\s*\}|R(?![A-Za-z]))|\\(?:R|Reals|reals)(?![A-Za-z])")
WORDCHAR = re.compile(r"[A-Za-z0-9_]")
ENDS = {"NUMBER", "NAME", "_RPAR", "_RSQB", "_RBRACE"}
STARTS = {"NUMBER", "NAME", "_LPAR", "_LSQB", "_LBRACE"}
SUM_INDEX = re.compile(r"\\[A-Za-z]+|[A-Za-z]'*|.")
SUM_BOUND = re.compile(r"\\[A-Za-z]+|[0-9]+|.")
UNRESOLVED = object()  # NameToken.resolved before the name is looked up


def _digit(ch: str) -> bool:
    """An ASCII digit: str.isdigit() is also true of '²' and '٣'."""
    return len(ch) == 1 and "0" <= ch <= "9"


class NameToken(Token):
    """A NAME or FUNC token that remembers the name it was read from, and what the table
    resolves it to (a Sym, a Kronecker or None; UNRESOLVED if not looked up), so the builder
    does not look it up again."""

    __slots__ = ("unit", "resolved")


def tokenize(text: str, start: int, table: SymbolTable, *, dims: bool = True) -> list[Token]:
    """Tokens of ``text[start:]`` (the right-hand side), positions into the whole ``text``.
    ``dims=False`` never reads the letter x as a dimension separator."""
    lexer = _Lexer(text, table)
    lexer.run(start)
    if dims:
        lexer.mark_dims()
    return lexer.toks


class _Lexer:
    def __init__(self, text: str, table: SymbolTable):
        self.text, self.table, self.n = text, table, len(text)
        self.toks: list[Token] = []

    # -- helpers -------------------------------------------------------------------------
    def emit(self, kind: str, value: str, pos: int, end: int, unit: NameUnit | None = None,
             resolved=UNRESOLVED):
        if len(self.toks) >= MAX_TOKENS:
            raise self.error(f"answer is too large (more than {MAX_TOKENS} names, numbers and "
                             "operators)", pos, "limit")
        tok = (NameToken if unit else Token)(kind, value, start_pos=pos, end_pos=end)
        if unit:
            tok.unit = unit
            tok.resolved = resolved
        self.toks.append(tok)

    def error(self, msg: str, pos: int, category: str = "syntax") -> AnswerError:
        return AnswerError(msg, column=pos + 1, text=self.text, category=category)

    def prev(self) -> str | None:
        return self.toks[-1].type if self.toks else None

    def skip(self, i: int) -> int:
        """Index of the next significant character: spaces and sizing commands skipped."""
        t = self.text
        while i < self.n:
            if t[i] in SPACES:
                i += 1
            elif t[i] == "\\" and t[i + 1:i + 2] in (",", ";", ":", "!", " "):
                i += 2
            elif t[i] == "\\" and (m := CMD.match(t, i)) and m.group()[1:] in SPACING:
                i = m.end() + (1 if t[m.end():m.end() + 1] == "." else 0)
            else:
                break
        return i

    # -- the main loop ---------------------------------------------------------------------
    def run(self, i: int) -> None:
        t = self.text
        while (i := self.skip(i)) < self.n:
            ch = t[i]
            if ch == "\\":
                i = self.command(i)
            elif _digit(ch) or (ch == "." and _digit(t[i + 1:i + 2])):
                i = self.number(i)
            elif ch == "." and t[i + 1:i + 2] == "T" and not WORDCHAR.match(t[i + 2:i + 3]):
                self.emit("TRANSPOSE", ".T", i, i + 2)
                i += 2
            elif ch == "." and t[i + 1:i + 2] == "*":
                self.emit("HAD", ".*", i, i + 2)
                i += 2
            elif ch == "*":
                double = t[i + 1:i + 2] == "*"
                self.emit("CARET" if double else "STAR", t[i:i + 1 + double], i, i + 1 + double)
                i += 1 + double
            elif ch == "^":
                i = self.caret(i)
            elif ch in "'′":
                self.emit("PRIME" if self.prev() == "FUNC" else "TRANSPOSE", ch, i, i + 1)
                i += 1
            elif ch in SUPERSCRIPTS or ch == "⁻":
                i = self.superscript_digits(i)
            elif ch in "<>!" and t[i + 1:i + 2] == "=":
                self.emit("CMP", CMPS[t[i:i + 2]], i, i + 2)
                i += 2
            elif ch in "<>≥≤≠":
                self.emit("CMP", CMPS[ch], i, i + 1)
                i += 1
            elif ch == "=":
                raise self.error("unexpected '=': only one '=' may separate a left-hand side "
                                 "from the answer, outside brackets", i)
            elif ch == "|":
                raise self.error("'|' (absolute value or norm) is not supported", i)
            elif ch in CHARS:
                self.emit(CHARS[ch], ch, i, i + 1)
                i += 1
            elif ch == "∑":
                i = self.sum(i, i + 1)
            elif ch == "ℝ":
                self.emit("REALS", ch, i, i + 1)
                i += 1
            elif ch == "𝟙":
                i = self.indicator(i, i + 1)
            elif ch == "_" and not DUNDER.match(t, i):
                raise self.error("a subscript must follow a name, as in z_j", i)
            else:
                i = self.name(i)

    def command(self, i: int) -> int:
        t = self.text
        m = CMD.match(t, i)
        if not m:
            nxt = t[i + 1:i + 2]
            if nxt in ("{", "}"):
                self.emit("_LBRACE" if nxt == "{" else "_RBRACE", t[i:i + 2], i, i + 2)
                return i + 2
            if nxt in ("(", ")", "[", "]"):  # \( \) \[ \]: math delimiters
                return i + 2
            if nxt == "\\":
                raise self.error("a line break '\\\\' cannot be part of an answer", i)
            raise self.error(f"unexpected {quote(t[i:i + 2])}", i)
        cmd = m.group()[1:]
        ind = IND.match(t, i)  # \mathbf{I} is the identity matrix, \mathbb{I} an indicator
        if ind and ((ind.group(2) or ind.group(3)) == "1"
                    or ind.group(1) in ("mathbb", "mathbbm", "mathds")):
            return self.indicator(i, ind.end())
        if r := REALS.match(t, i):
            self.emit("REALS", r.group(), i, r.end())
            return r.end()
        if cmd in ("frac", "dfrac", "tfrac"):
            return self.frac(i, m.end())
        if cmd == "sum":
            return self.sum(i, m.end())
        if cmd in CMPS:
            self.emit("CMP", CMPS[cmd], i, m.end())
            return m.end()
        if cmd in COMMANDS:
            self.emit(COMMANDS[cmd], m.group(), i, m.end())
            return m.end()
        if cmd == "prime":
            self.emit("PRIME" if self.prev() == "FUNC" else "TRANSPOSE", m.group(), i, m.end())
            return m.end()
        if (unit := scan_name(t, i)) is not None:
            return self.name(i, unit)
        raise self.error(f"unknown or unsupported command {quote(m.group())}", i)

    def number(self, i: int) -> int:
        t = self.text
        m = NUM.match(t, i)
        lit, mantissa, exp = m.group(), m.group(1), m.group(2)
        digits = sum(c.isdigit() for c in mantissa)
        if digits > MAX_DIGITS:
            raise self.error(f"number has {digits} digits (limit {MAX_DIGITS})", i, "limit")
        if exp is not None and (len(exp.lstrip("+-")) > 4 or abs(int(exp)) > MAX_E):
            raise self.error(f"number {lit} is out of range (exponent limit {MAX_E})", i, "limit")
        if why := range_error(Fraction(lit)):
            raise self.error(why, i, "limit")
        end = m.end()
        if lit == "1":
            k = self.skip(end)
            if t[k:k + 1] == "_":
                return self.indicator(i, end)
            opener = k + (1 if t[k:k + 2] == "\\{" else 0)
            if t[opener:opener + 1] in "({[" and opener < self.n:
                close = match_close(t, k)
                if close > 0 and HAS_CMP.search(t, k, close):
                    return self.indicator(i, end)
        self.emit("NUMBER", lit, i, end)
        if t[end:end + 1] in ("x", "X") and _digit(t[end + 1:end + 2]):  # 3x5
            self.emit("DIMX", t[end], end, end + 1)
            end += 1
        return end

    def indicator(self, i: int, j: int) -> int:
        self.emit("IND", self.text[i:j], i, j)
        k = self.skip(j)
        return k + 1 if self.text[k:k + 1] == "_" else j

    def frac(self, i: int, j: int) -> int:
        """``\\frac``; ``\\frac12`` is read as ``\\frac{1}{2}``, as LaTeX does."""
        self.emit("FRAC", self.text[i:j], i, j)
        for _ in range(2):
            k = self.skip(j)
            if not _digit(self.text[k:k + 1]):
                break
            for kind in ("_LBRACE", "NUMBER", "_RBRACE"):
                self.emit(kind, self.text[k], k, k + 1)
            j = k + 1
        return j

    def sum(self, i: int, j: int) -> int:
        """``\\sum_k``, ``\\sum_{k=1}^{C}``, ``∑_j``: one SUM token whose value is the index."""
        t = self.text
        k = self.skip(j)
        if t[k:k + 1] != "_":
            raise self.error("a sum needs its index below it, as in \\sum_k", i)
        k = self.skip(k + 1)
        if t[k:k + 1] == "{":
            close = match_close(t, k)
            raw, after = t[k + 1:close], close + 1
        else:
            m = SUM_INDEX.match(t, k)
            raw, after = m.group() if m else "", m.end() if m else k
        index = norm_script(raw).split("=")[0]
        if index not in self.table.indices:
            known = ", ".join(sorted(self.table.indices)) or "none"
            raise self.error(f"unknown index {quote(index or raw)} in the sum (indices: {known})",
                             k, "unknown-symbol")
        k = self.skip(after)
        if t[k:k + 1] == "^":  # the upper bound is the index's range: read past it
            k = self.skip(k + 1)
            if t[k:k + 1] == "{":
                after = match_close(t, k) + 1
            else:
                m = SUM_BOUND.match(t, k)
                after = m.end() if m else k
        self.emit("SUM", index, i, after)
        return after

    def caret(self, i: int) -> int:
        kind, _, after = superscript(self.text, i, self.n)
        if kind == "transpose":
            self.emit("TRANSPOSE", self.text[i:after], i, after)
            return after
        if kind == "prime":
            self.emit("PRIME" if self.prev() == "FUNC" else "TRANSPOSE", self.text[i:after], i,
                      after)
            return after
        self.emit("CARET", "^", i, i + 1)
        k = self.skip(i + 1)
        ch = self.text[k:k + 1]
        if ch.isascii() and ch.isalpha():  # e^z, (a)^n: one letter, as LaTeX reads it
            unit = NameUnit(k, k + 1, ch)
            self.emit("NAME", unit.spelling, k, k + 1, unit)
            return k + 1
        return i + 1

    def superscript_digits(self, i: int) -> int:
        t, j = self.text, i
        self.emit("CARET", t[i], i, i + 1)
        if t[j] == "⁻":
            self.emit("MINUS", t[j], j, j + 1)
            j += 1
        k = j
        while k < self.n and t[k] in SUPERSCRIPTS:
            k += 1
        if k == j:
            raise self.error("expected a superscript digit after '⁻'", j)
        self.emit("NUMBER", "".join(SUPERSCRIPTS[c] for c in t[j:k]), j, k)
        return k

    # -- names -----------------------------------------------------------------------------
    def name(self, i: int, unit: NameUnit | None = None) -> int:
        """The name at ``i`` (``unit``: already read there by :meth:`command`)."""
        t, table = self.text, self.table
        word = WORD.match(t, i) if unit is None else None
        if word and word.group() in ("e", "R", "sum"):
            after = self.skip(word.end())
            nxt = t[after:after + 1]
            if word.group() == "e" and nxt == "^" and "e" not in table.symbols:
                self.emit("EXPE", "e", i, i + 1)
                return i + 1
            if word.group() == "R" and nxt == "^" and "R" not in table.symbols \
                    and "R" not in table.sizes:
                self.emit("REALS", "R", i, i + 1)
                return i + 1
            if word.group() == "sum" and nxt == "_":
                return self.sum(i, word.end())
        if unit is None:
            unit = scan_name(t, i)
        if unit is None:
            raise bad_char(t, i)
        raw = unit.raw(t)
        k = self.skip(unit.end)
        call = t[k:k + 1] == "("
        primed = any(kind == "PRIME" for kind, _ in unit.trail) or t[k:k + 1] in ("'", "′") \
            or (t[k:k + 1] == "^" and superscript(t, k, self.n)[0] == "prime")
        if primed and not unit.trail:
            p = k + 1 if t[k:k + 1] != "^" else superscript(t, k, self.n)[2]
            p = self.skip(p)
            prime_call = t[p:p + 1] == "("
        else:
            prime_call = primed and t[k:k + 1] == "("
        fn = function_of(unit, table)
        resolved = symbol_of(unit, table)
        known = resolved is not None or unit.spelling in table.sizes  # is_known(unit, table)
        if fn and (not known or call or primed):
            self.emit("FUNC", fn, unit.start, unit.end, unit)
        elif prime_call:
            what = f"{quote(raw)} is not a function" if known else f"unknown function {quote(raw)}"
            raise self.error(f"{what}, so {raw}'(...) cannot be a derivative "
                             f"(functions: {known_names(table.functions)})", i, "unknown-function")
        elif call and not known:
            raise self.error(f"unknown function {quote(raw)} (functions: "
                             f"{known_names(table.functions)})", i, "unknown-function")
        else:
            self.emit("NAME", unit.spelling, unit.start, unit.end, unit, resolved)
        for kind, pos in unit.trail:
            kind = "PRIME" if kind == "PRIME" and self.prev() == "FUNC" else "TRANSPOSE"
            self.emit(kind, "'" if kind == "PRIME" else "T", pos, pos + 1)
        return unit.end

    def mark_dims(self) -> None:
        """Turn the letter x between two sizes (or whole numbers) into DIMX."""
        toks, sizes = self.toks, self.table.sizes

        def sizeish(tok: Token | None) -> bool:
            return tok is not None and (tok.type == "NUMBER" and tok.isdigit()
                                        or tok.type == "NAME" and tok in sizes)

        for k, tok in enumerate(toks):
            if tok.type != "NAME" or self.text[tok.start_pos:tok.end_pos] not in ("x", "X"):
                continue
            before = toks[k - 1] if k else None
            after = toks[k + 1] if k + 1 < len(toks) else None
            loose = (tok not in self.table.symbols and before is not None and after is not None
                     and before.type in ENDS and after.type in STARTS)
            if sizeish(before) and sizeish(after) or loose:
                toks[k] = Token("DIMX", str(tok), start_pos=tok.start_pos, end_pos=tok.end_pos)
