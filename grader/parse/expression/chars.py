r"""What single characters and LaTeX commands mean to the pre-lexer
(:mod:`grader.parse.expression.tokens`).

Kept apart from the lexer's decisions so that its loop reads one table: :data:`FIRST` maps
the first character of a token to what reads it (a token type for a one-character operator,
the name of a lexer method otherwise; a letter, or any character not listed, starts a name).
:data:`SKIP` passes over spaces and LaTeX spacing (``\,``, ``\quad``, ``\left``, ...) in one
regex match.
"""
from __future__ import annotations

import re

from grader.parse.expression.vocab import COMBINING, SPACING

CMPS = {">": ">", "<": "<", ">=": ">=", "<=": "<=", "!=": "!=", "≥": ">=", "≤": "<=", "≠": "!=",
        "geq": ">=", "ge": ">=", "geqslant": ">=", "gt": ">", "leq": "<=", "le": "<=",
        "leqslant": "<=", "lt": "<", "neq": "!=", "ne": "!="}
HAS_CMP = re.compile(r"[<>≥≤≠]|!=|\\(?:geq?|leq?|neq?|gt|lt|geqslant|leqslant)(?![A-Za-z])")
COMMANDS = {"cdot": "STAR", "cdotp": "STAR", "ast": "STAR", "times": "TIMES", "odot": "HAD",
            "circ": "HAD", "otimes": "OTIMES", "div": "SLASH", "lbrace": "_LBRACE", "rbrace": "_RBRACE",
            "lbrack": "_LSQB", "rbrack": "_RSQB"}
CHARS = {"+": "PLUS", "-": "MINUS", "−": "MINUS", "@": "AT", "/": "SLASH", "÷": "SLASH",
         ",": "_COMMA", "(": "_LPAR", ")": "_RPAR", "[": "_LSQB", "]": "_RSQB", "{": "_LBRACE",
         "}": "_RBRACE", "×": "TIMES", "·": "STAR", "⋅": "STAR", "⊙": "HAD", "∘": "HAD", "⊗": "OTIMES",
         "ᵀ": "TRANSPOSE"}
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789", strict=True))
SPACES = " \t\n\r\f\v$~\u00a0\u2009\u200a\u202f\u2002\u2003"
IND = re.compile(r"\\(mathbb|mathbbm|mathds|mathbf|bm|boldsymbol)\s*"
                 r"(?:\{\s*([1I])\s*\}|([1I])(?![A-Za-z0-9]))")
REALS = re.compile(r"\\mathbb\s*(?:\{\s*R\s*\}|R(?![A-Za-z]))|\\(?:R|Reals|reals)(?![A-Za-z])")
#: every command IND or REALS can match starts with one of these (``\mathbbR`` is one command)
SET_PREFIXES = ("mathbb", "mathds", "mathbf", "bm", "boldsymbol", "R", "reals")
WORDCHAR = re.compile(r"[A-Za-z0-9_]")
SUM_INDEX = re.compile(r"\\[A-Za-z]+|[A-Za-z]'*|.")
SUM_BOUND = re.compile(r"\\[A-Za-z]+|[0-9]+|.")

#: spaces, ``\,`` ``\;`` ``\:`` ``\!`` ``\ `` and the sizing commands of SPACING (a whole
#: command: ``\leftarrow`` is not ``\left``), each with the ``.`` of ``\right.``
SKIP = re.compile("(?:[" + re.escape(SPACES) + r"]+|\\[,;:! ]|\\(?:"
                  + "|".join(sorted(SPACING, key=len, reverse=True)) + r")(?![A-Za-z])\.?)*")
#: after a plain word, what may make it more than the word (scan_name reads those names)
DECORATED = re.compile(r"[ \t\n\r]*[_^]|[" + "".join(COMBINING) + "]")

FIRST: dict[str, str] = {**CHARS, "\\": "command", ".": "dot", "*": "star", "^": "caret",
                         "'": "prime", "′": "prime", "⁻": "superscript_digits",
                         "<": "compare", ">": "compare", "!": "compare", "≥": "compare",
                         "≤": "compare", "≠": "compare", "=": "equals", "|": "bar", "&": "amp",
                         "∑": "big_sum", "ℝ": "reals", "𝟙": "one", "_": "underscore"}
FIRST.update({d: "number" for d in "0123456789"})
FIRST.update({s: "superscript_digits" for s in SUPERSCRIPTS})
TOKEN_TYPES = frozenset(CHARS.values())  # a FIRST value that is a token type, not a method
