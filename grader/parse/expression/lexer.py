r"""Tokens of a numeric answer: the lexer behind :mod:`grader.parse.numeric.reader`.

A regex tokenizer over the answer text, the limits it enforces before any parsing (length,
look-alike digits, YAML non-numbers), and the small helpers that word errors for students.
"""
from __future__ import annotations

import math
import re
import unicodedata
from fractions import Fraction
from typing import NamedTuple

from grader.errors import AnswerError

MAX_CHARS = 20_000
MAX_DIGITS = 30  # per literal: more is a typo or a paste of noise, not a hand-computed value
MAX_EXPONENT = 300  # keeps every exact Fraction small and every float finite
MAX_ENTRIES = 10_000

NOT_NUMBERS = {"true", "false", "yes", "no", "on", "off", "null", "none", "~"}
NON_FINITE = {"nan", "inf", "infinity", "infty", "∞"}
FRACS = {r"\frac", r"\dfrac", r"\tfrac"}
TIMES = {r"\times", r"\cdot", "*", "×", "·", "⋅"}
ENVS = {"bmatrix", "pmatrix", "Bmatrix", "matrix"}
CLOSE = {"$": "$", "$$": "$$", r"\(": r"\)", r"\[": r"\]"}
JSON_NAMES = {True: "true", False: "false", None: "null"}
ENV = re.compile(r"\\(begin|end)\s*\{\s*([A-Za-z]*)\s*\}")
INT = re.compile(r"\s*[+-]?[0-9]+\s*")
TOKEN = re.compile(r"""
    (?P<ws>(?:\s|\\[,;:!\ ]|\\q?quad(?![A-Za-z])|\\(?:left|right)(?=\s*[\[\]]))+)
  | (?P<env>\\(?:begin|end)\s*\{\s*[A-Za-z]*\s*\})
  | (?P<delim>\$\$?|\\[()\[\]])
  | (?P<rowsep>\\\\)
  | (?P<cmd>\\[A-Za-z]+|[×·⋅∞])
  | (?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<array>(?:(?:np|numpy)\.)?array(?![A-Za-z_0-9]))
  | (?P<word>\.?[A-Za-z_][A-Za-z_0-9]*)
  | (?P<sign>[+-])
  | (?P<p>[\[\](){},;&/*^'~])
""", re.VERBOSE)


class Tok(NamedTuple):
    kind: str
    text: str
    pos: int  # 0-based index into the answer text


def quote(s: str) -> str:
    """Quote for a student: '\\frac' rather than repr's '\\\\frac'; repr only for invisibles."""
    return f"'{s}'" if s.isprintable() else repr(s)


def show(t: Tok) -> str:
    return "the end of the answer" if t.kind == "end" else quote(t.text)


def ragged(k: int, n: int, m: int) -> str:
    return f"row {k} has {n} {'entry' if n == 1 else 'entries'}, row 1 has {m}"


def why_not_a_number(t: Tok) -> tuple[str, str]:
    """(message, category) for a token found where a number was due."""
    low = t.text.lower().lstrip(".\\")
    if low in NON_FINITE:
        return f"not a finite number: {quote(t.text)}", "value"
    if t.text == "~" or (t.kind == "word" and low in NOT_NUMBERS):
        return f"expected a number, got {quote(t.text)}", "value"
    if t.text == "[":
        return "too many dimensions: at most rows and columns", "shape"
    return f"expected a number, got {show(t)}", "syntax"


def range_error(value: Fraction) -> str | None:
    """Why ``value`` has no faithful float (too large, or a nonzero that underflows to 0)."""
    try:
        f = float(value)
    except OverflowError:
        return "number is too large"
    if math.isinf(f):
        return "number is too large"
    return "number is too small (it rounds to 0)" if f == 0 and value != 0 else None


def tokenize(text: str, raw: str) -> list[Tok]:
    """Split ``text`` into tokens; drop one pair of math delimiters around the whole answer."""
    toks, i = [], 0
    while i < len(text):
        m = TOKEN.match(text, i)
        if not m:
            if text.startswith("...", i):  # numpy summarises big arrays; we need every entry
                msg = "the array was abbreviated with '...'; print it in full"
            else:  # name the code point: a stray U+00A0 or U+2013 is invisible on screen
                ch = text[i]
                msg = f"unexpected character {quote(ch)}" + ("" if ch.isascii() else
                                                        f" (U+{ord(ch):04X})")
            raise AnswerError(msg, column=i + 1, text=raw, category="syntax")
        toks.append(Tok(m.lastgroup, m.group(), i))
        i = m.end()
    body = [k for k, t in enumerate(toks) if t.kind != "ws"]
    if body and toks[body[0]].kind == "delim":
        first, last = toks[body[0]], toks[body[-1]]
        if len(body) < 2 or last.text != CLOSE.get(first.text):
            raise AnswerError(f"unmatched {quote(first.text)}", column=first.pos + 1, text=raw)
        toks[body[0]], toks[body[-1]] = first._replace(kind="ws"), last._replace(kind="ws")
    return toks


def precheck(raw: str) -> None:
    """Problems best reported before tokenizing: size, look-alike digits, YAML non-numbers."""
    if len(raw) > MAX_CHARS:
        raise AnswerError(f"answer is too long ({len(raw)} characters, limit {MAX_CHARS})",
                          text=raw, category="limit")
    if not raw.isascii():  # the only ASCII "Nd" characters are 0-9: nothing to look for
        for i, ch in enumerate(raw):  # '１' or '٣' look like digits; silently converting hides typos
            if unicodedata.category(ch) == "Nd" and not "0" <= ch <= "9":
                raise AnswerError(f"non-ASCII digit {quote(ch)} ({unicodedata.name(ch, '?')}); "
                                  "retype it as an ASCII digit 0-9", column=i + 1, text=raw,
                                  category="value")
    word, column = raw.strip(), len(raw) - len(raw.lstrip()) + 1
    if not word:
        raise AnswerError("empty answer", text=raw, category="value")
    if word.lower() in NOT_NUMBERS:  # YAML/JSON booleans and nulls, as the student typed them
        raise AnswerError(f"expected a number, got {quote(word)}", column=column, text=raw,
                          category="value")
