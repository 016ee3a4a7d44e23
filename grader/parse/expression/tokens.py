r"""The pre-lexer of symbolic answers: original text → lark tokens of ``expression.lark``.

Every token keeps ``start_pos``/``end_pos`` in the ORIGINAL answer, so a parse error points at
what the student typed. Decisions taken here, because they need the question's table:

* a name is a FUNC when the table knows it as a function and it is not also a symbol, or it is
  followed by ``(`` or a prime; an unknown name followed by ``(`` is an unknown function
  (``foo(z)``, ``__import__('os')``); a known symbol followed by ``(`` is a product (``h(z)``);
* ``'`` right after a function is a derivative mark (PRIME); anywhere else a transpose, except
  that ``name'(`` is a derivative, so a symbol there is an unknown function;
* ``e^...`` is exp unless ``e`` is a declared symbol; ``1`` right before a bracketed comparison
  (``1{z>0}``, ``1(z \neq 0)``) or a subscript (``1_{z>0}``) is an indicator;
* the letter ``x`` (or ``X``) is DIMX, a dimension separator, when both neighbours are sizes or
  whole numbers (``C x d_{L-1}``, ``3 x 5``, ``3x5``); when ``x`` is not a declared symbol, a
  bracket next to it also counts (``(d+1) x C``). Otherwise it is a name (``W x``). Decided
  once all tokens are read, by :func:`~grader.parse.expression.dims.mark_dims`.

Speed: an answer is read in one pass that looks up what to do on a token's first character in
one dict (:data:`~grader.parse.expression.chars.FIRST`), skips spaces with one regex match, takes a
plain word that nothing decorates as a name without the general name reader (which reads the
common decorated names, ``z_j^{(L-1)}``, ``\hat{y}``, with one regex:
:data:`~grader.parse.expression.vocab.COMMON_NAME`), and makes tokens without ``Token.__new__``'s
keyword handling. The rare paths (commands, superscripts, sums, indicators, errors) are read
as they always were; ``tests/judge/test_symbolic_speed.py`` checks the tokens and errors against the
tokenizer this one replaced.
"""
from __future__ import annotations

import re
from fractions import Fraction

from lark import Token

from grader.errors import AnswerError
from grader.parse.expression.chars import (CMPS, COMMANDS, DECORATED, FIRST, HAS_CMP, IND, REALS,
                                     SET_PREFIXES, SKIP, SUPERSCRIPTS,
                                     TOKEN_TYPES, WORDCHAR)
from grader.parse.expression.dims import mark_dims
from grader.parse.expression.normalize import (CMD, DUNDER, WORD, NameUnit, bad_char, match_close,
                                         quote, scan_name, superscript)
from grader.parse.expression.table import SymbolTable, function_of, known_names, symbol_of
from grader.parse.expression.lexer import range_error
from grader.parse.expression import notation, slices
from grader.parse.expression.sums import local_indices, read_sum

MAX_DIGITS = 30
MAX_E = 300  # |exponent| of a literal such as 1e-5
MAX_TOKENS = 800  # real answers use < 100; keeps lexing + parsing of any answer near 15 ms

NUM = re.compile(r"([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?")
UNRESOLVED = object()  # NameToken.resolved before the name is looked up
_new_str = str.__new__


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
    lexer = _Lexer(text, local_indices(text, start, table))
    lexer.run(start)
    if dims:
        mark_dims(lexer.toks, text, table)
    return lexer.toks


class _Lexer:
    def __init__(self, text: str, table: SymbolTable):
        self.text, self.table, self.n = text, table, len(text)
        self.toks: list[Token] = []
        self.bars = self.cases = 0  # absolute values and cases open

    # -- helpers -------------------------------------------------------------------------
    def emit(self, kind: str, value: str, pos: int, end: int, unit: NameUnit | None = None,
             resolved=UNRESOLVED):
        toks = self.toks
        if len(toks) >= MAX_TOKENS:
            raise self.error(f"answer is too large (more than {MAX_TOKENS} names, numbers and "
                             "operators)", pos, "limit")
        # Token(kind, value, start_pos=pos, end_pos=end), every slot set as lark sets it, but
        # without Token.__new__'s keyword handling (about a quarter of reading a short answer)
        if unit is None:
            tok = _new_str(Token, value)
        else:
            tok = _new_str(NameToken, value)
            tok.unit, tok.resolved = unit, resolved
        tok.type, tok.start_pos, tok.value, tok.end_pos = kind, pos, value, end
        tok.line = tok.column = tok.end_line = tok.end_column = None
        toks.append(tok)

    def error(self, msg: str, pos: int, category: str = "syntax") -> AnswerError:
        return AnswerError(msg, column=pos + 1, text=self.text, category=category)

    def prev(self) -> str | None:
        return self.toks[-1].type if self.toks else None

    def skip(self, i: int) -> int:
        """Index of the next significant character: spaces and sizing commands skipped."""
        return SKIP.match(self.text, i).end()

    # -- the main loop ---------------------------------------------------------------------
    def run(self, i: int) -> None:
        t, n, toks, skip, act_of = self.text, self.n, self.toks, SKIP.match, _ACTIONS.get
        while (i := skip(t, i).end()) < n:
            ch = t[i]
            act = act_of(ch)
            if act is None:  # a letter, or a character only the name reader may know
                i = self.name(i)
            elif act.__class__ is not str:
                j = act(self, i)
                if j <= i:  # bounded work: every reader moves on (a bug of ours otherwise)
                    raise self.error(f"cannot read {quote(ch)} here", i)
                i = j
            elif len(toks) >= MAX_TOKENS:
                self.emit(act, ch, i, i + 1)  # raises: too many tokens
            else:  # a one-character operator: self.emit(act, ch, i, i + 1), inlined
                tok = _new_str(Token, ch)
                tok.type, tok.start_pos, tok.value, tok.end_pos = act, i, ch, i + 1
                tok.line = tok.column = tok.end_line = tok.end_column = None
                toks.append(tok)
                i += 1

    # -- what a first character starts (expr_chars.FIRST): each returns the next index ----
    def dot(self, i: int) -> int:
        t = self.text
        nxt = t[i + 1:i + 2]
        if _digit(nxt):
            return self.number(i)
        if nxt == "d" and (j := notation.read_method(self, i)) is not None:
            return j
        if nxt == "T" and not WORDCHAR.match(t[i + 2:i + 3]):
            self.emit("TRANSPOSE", ".T", i, i + 2)
            return i + 2
        if nxt == "*":
            self.emit("HAD", ".*", i, i + 2)
            return i + 2
        return self.name(i)

    def star(self, i: int) -> int:
        if self.text[i + 1:i + 2] == "*":
            self.emit("CARET", "**", i, i + 2)
            return i + 2
        self.emit("STAR", "*", i, i + 1)
        return i + 1

    def prime(self, i: int) -> int:
        self.emit("PRIME" if self.prev() == "FUNC" else "TRANSPOSE", self.text[i], i, i + 1)
        return i + 1

    def compare(self, i: int) -> int:
        t = self.text
        if t[i] in "<>!" and t[i + 1:i + 2] == "=":
            self.emit("CMP", CMPS[t[i:i + 2]], i, i + 2)
            return i + 2
        if t[i] == "!":
            return self.name(i)
        self.emit("CMP", CMPS[t[i]], i, i + 1)
        return i + 1

    def equals(self, i: int) -> int:
        raise self.error("unexpected '=': only one '=' may separate a left-hand side "
                         "from the answer, outside brackets", i)

    def bar(self, i: int) -> int:
        return notation.read_bar(self, i)

    def amp(self, i: int) -> int:
        if not self.cases:
            raise self.error("'&' separates a value from its condition only inside cases", i)
        if self.prev() == "_COMMA":  # 1, & z > 0
            self.toks.pop()
        self.emit("_AMP", "&", i, i + 1)
        return i + 1

    def big_sum(self, i: int) -> int:
        return read_sum(self, i, i + 1)

    def reals(self, i: int) -> int:
        self.emit("REALS", self.text[i], i, i + 1)
        return i + 1

    def one(self, i: int) -> int:
        j = notation.read_ones(self, i)
        return self.indicator(i, i + 1) if j is None else j

    def underscore(self, i: int) -> int:
        if (j := slices.read_subscript(self, i)) is not None or \
                (j := notation.read_entry_subscript(self, i)) is not None:
            return j
        if not DUNDER.match(self.text, i):
            raise self.error("a subscript must follow a name, as in z_j", i)
        return self.name(i)

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
            if nxt == "\\" and self.cases:
                self.emit("_ROWSEP", "\\\\", i, i + 2)
                return i + 2
            if nxt == "\\":
                raise self.error("a line break '\\\\' cannot be part of an answer", i)
            raise self.error(f"unexpected {quote(t[i:i + 2])}", i)
        end = m.end()
        cmd = t[i + 1:end]
        if (j := notation.read_command(self, i, end, cmd)) is not None:
            return j
        if cmd.startswith(SET_PREFIXES):
            ind = IND.match(t, i)  # \mathbf{I} is the identity matrix, \mathbb{I} an indicator
            if ind and ((ind.group(2) or ind.group(3)) == "1"
                        or ind.group(1) in ("mathbb", "mathbbm", "mathds")):
                return self.indicator(i, ind.end())
            if r := REALS.match(t, i):
                self.emit("REALS", r.group(), i, r.end())
                return r.end()
        if cmd in ("frac", "dfrac", "tfrac"):
            return self.frac(i, end)
        if cmd == "sum":
            return read_sum(self, i, end)
        if cmd in CMPS:
            self.emit("CMP", CMPS[cmd], i, end)
            return end
        if cmd in COMMANDS:
            self.emit(COMMANDS[cmd], t[i:end], i, end)
            return end
        if cmd == "prime":
            self.emit("PRIME" if self.prev() == "FUNC" else "TRANSPOSE", t[i:end], i, end)
            return end
        if (unit := scan_name(t, i)) is not None:
            return self.name(i, unit)
        raise self.error(f"unknown or unsupported command {quote(t[i:end])}", i)

    def number(self, i: int) -> int:
        t = self.text
        m = NUM.match(t, i)
        lit, mantissa, exp = m.group(), m.group(1), m.group(2)
        if len(mantissa) > MAX_DIGITS:  # digits, and at most one '.'
            digits = len(mantissa) - mantissa.count(".")
            if digits > MAX_DIGITS:
                raise self.error(f"number has {digits} digits (limit {MAX_DIGITS})", i, "limit")
        if exp is not None:  # 30 digits without an exponent: never too large, never 0 < x ≈ 0
            if len(exp.lstrip("+-")) > 4 or abs(int(exp)) > MAX_E:
                raise self.error(f"number {lit} is out of range (exponent limit {MAX_E})", i,
                                 "limit")
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
        if unit is None and (word := WORD.match(t, i)):
            w, j = word.group(), word.end()
            if w in ("e", "R", "sum"):
                after = self.skip(j)
                nxt = t[after:after + 1]
                if w == "e" and nxt == "^" and "e" not in table.symbols:
                    self.emit("EXPE", "e", i, i + 1)
                    return i + 1
                if w == "R" and nxt == "^" and "R" not in table.symbols \
                        and "R" not in table.sizes:
                    self.emit("REALS", "R", i, i + 1)
                    return i + 1
                if w == "sum" and nxt == "_":
                    return read_sum(self, i, j)
            if w in notation.WORD_READERS and (k := notation.WORD_READERS[w](self, i)) is not None:
                return k
            if not DECORATED.match(t, j):  # what scan_name would read: the word alone
                unit = NameUnit(i, j, w)
        if unit is None:
            unit = scan_name(t, i)
            if unit is None:
                raise bad_char(t, i)
        if self.cases and notation.case_word(self, unit):
            return unit.end
        k = SKIP.match(t, unit.end).end()
        nxt = t[k:k + 1]
        call = nxt == "("
        if unit.trail or nxt in ("'", "′", "^"):  # else neither primed nor a prime call
            primed = any(kind == "PRIME" for kind, _ in unit.trail) or nxt in ("'", "′") \
                or (nxt == "^" and superscript(t, k, self.n)[0] == "prime")
            if primed and not unit.trail:
                p = k + 1 if nxt != "^" else superscript(t, k, self.n)[2]
                p = self.skip(p)
                prime_call = t[p:p + 1] == "("
            else:
                prime_call = primed and call
        else:
            primed = prime_call = False
        fn = function_of(unit, table)
        unit, resolved, example = slices.split_example(unit, symbol_of(unit, table), table)
        known = resolved is not None or unit.spelling in table.sizes  # is_known(unit, table)
        if fn and (not known or call or primed):
            self.emit("FUNC", fn, unit.start, unit.end, unit)
        elif prime_call:
            raw = unit.raw(t)
            what = f"{quote(raw)} is not a function" if known else f"unknown function {quote(raw)}"
            raise self.error(f"{what}, so {raw}'(...) cannot be a derivative "
                             f"(functions: {known_names(table.functions)})", i, "unknown-function")
        elif call and not known:
            raise self.error(f"unknown function {quote(unit.raw(t))} (functions: "
                             f"{known_names(table.functions)})", i, "unknown-function")
        else:
            self.emit("NAME", unit.spelling, unit.start, unit.end, unit, resolved)
            if example:
                slices.emit_example(self, unit, example, resolved)
        for kind, pos in unit.trail:
            kind = "PRIME" if kind == "PRIME" and self.prev() == "FUNC" else "TRANSPOSE"
            self.emit(kind, "'" if kind == "PRIME" else "T", pos, pos + 1)
        return unit.end


#: first character → a token type (a one-character operator) or the method that reads it
_ACTIONS = {ch: act if act in TOKEN_TYPES else getattr(_Lexer, act) for ch, act in FIRST.items()}
_ACTIONS["["] = slices.read_bracket  # numpy's A[:, i] after an operand, else a bracket
