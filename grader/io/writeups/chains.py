r"""A math segment split into chains: rows (``\\`` of an aligned block), statements
(``\Rightarrow``, ``\therefore``, ``\quad``), and terms joined by relations (``=``, ``:=``,
``\coloneqq``, ``&=``; ``\in``).

Splits happen only at the top level: an ``=`` inside braces (``\underbrace{…}_{=1}``),
brackets, ``\left…\right`` or an environment (``cases``, ``bmatrix``) stays in its term. A row
that begins with a relation (``&= …``, a block that starts ``= …``) continues the chain
before it. Each term keeps its own line and column in the file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from grader.io.writeups.model import DEFINITION, EQUALS, MEMBER, Chain, NotRead, Term

MAX_DEPTH = 40  # brackets and environments, as for a typed answer

# the wrappers of a display block, whose rows and ``&`` columns are the chain's layout
_LAYOUT = re.compile(r"\\(?:begin|end)\{(?:aligned|align\*?|split|gathered|gather\*?|eqnarray\*?|"
                     r"alignedat|equation\*?|multline\*?)\}(?:\{\d+\})?|\\(?:nonumber|notag)\b|\\label\{[^{}]*\}")
_TAG = re.compile(r"\\tag\*?\{([^{}]*)\}")
_TOKEN = re.compile(r"\\begin\{[^{}]*\}|\\end\{[^{}]*\}|\\left(?![A-Za-z])\s*(?:\\[{|]|\\[a-z]+|.)"
                    r"|\\right(?![A-Za-z])\s*(?:\\[}|]|\\[a-z]+|.)"
                    r"|\\\\|\\[{}]|\\[A-Za-z]+|\\.|:=|[{}()\[\]=&<>;]|≤|≥|≠|∈|⇒|→|∴")
_OPEN, _CLOSE = set("{([") | {"\\{"}, set("})]") | {"\\}"}

# top-level tokens → what they do: a relation between terms, a statement break, a row break,
# or a relation this reader does not check (the statement is then "not read", with the reason)
RELATIONS = {"=": EQUALS, ":=": EQUALS, "\\coloneqq": EQUALS, "\\eqqcolon": EQUALS, "\\triangleq": EQUALS,
             "\\in": MEMBER, "∈": MEMBER}
STATEMENT_BREAKS = {"\\Rightarrow", "\\implies", "\\Longrightarrow", "\\therefore", "\\rightarrow",
                    "\\longrightarrow", "\\iff", "\\Leftrightarrow", "\\quad", "\\qquad", "\\text", ";",
                    "⇒", "→", "∴", "\\forall"}
UNCHECKED = {"<": "an inequality", ">": "an inequality", "\\neq": "an inequality", "\\ne": "an inequality",
             "≠": "an inequality", "\\le": "an inequality", "\\leq": "an inequality", "\\ge": "an inequality",
             "\\geq": "an inequality", "≤": "an inequality", "≥": "an inequality",
             "\\approx": "an approximation", "\\sim": "a proportionality", "\\propto": "a proportionality",
             "\\subset": "a set relation", "\\subseteq": "a set relation", "\\mapsto": "a map", "\\to": "a map"}
# a statement's own label, in front of it: "a)", "(ii)", "(2a)", "Q1)"
_LEADING_LABEL = re.compile(r"^\s*(?:(?:\((?:[ivx]{1,4}|[a-h]|\d{1,2}[a-h]?)\)|(?:Q\d{1,2}\)\s*)?[a-h]\)|Q\d{1,2}\)|\d\.)\s*)+")
_PROSE = re.compile(r"^\s*\\(?:text|mathrm|textbf|mbox)\{[^{}]*\}\s*(?![\s(])|\s*\\(?:text|mbox)\{[^{}]*\}\s*$"
                    r"|^\s*\(\s*\\text\{[^{}]*\}\s*\)\s*$|^\s*\(\d+(?:\.\d+)?[a-z]?\)\s*$")
_EDGE_PUNCT = ",.;:"
_LET = re.compile(r"\\text\{\s*(?:let|define|denote)\b", re.I)
_UNBALANCED = f"brackets that do not pair up (or nest more than {MAX_DEPTH} deep)"


@dataclass
class Splitter:
    """Turns segments into chains, carrying a chain on across segments (``$$…$$`` then ``$$= …$$``)."""

    where: object  # offset → (line, column)
    chains: list[Chain] = field(default_factory=list)
    not_read: list[NotRead] = field(default_factory=list)
    pending: Term | None = None  # a lone term a following ``= …`` may continue
    label: str | None = None
    heading: str = ""
    exercise: str = ""  # the exercise number of the section being read (see math_blocks.marks)
    kind: str = ""  # what the chains being read are (model.GOAL inside a "show that")
    _row_kind: str = ""

    def segment(self, text: str, start: int, end: int, *, display: bool, defines: bool = False) -> None:
        """Add the chains of ``text[start:end]``; ``defines``: the prose before says "Let"."""
        work = _masked(text, start, end)
        tag = _TAG.search(work, start, end)
        if tag:
            self.label = tag.group(1).strip() or self.label
            work = work[:tag.start()] + " " * (tag.end() - tag.start()) + work[tag.end():]
        rows = _split(work, start, end, row_breaks=True)
        if rows is None:
            self._skip(text, start, end, _UNBALANCED)
            return
        for row_start, row_end in rows:
            if _top_level(work, row_start, row_end) is None:
                self._skip(work, row_start, row_end, _UNBALANCED)
                continue
            self._row(work, row_start, row_end, defines and row_start == start)
        if not display:
            self.pending = None  # an inline term is prose's, not the start of a display chain

    def _row(self, work: str, start: int, end: int, defines: bool = False) -> None:
        self._row_kind = DEFINITION if defines or _LET.search(work, start, end) else self.kind
        pieces = _statements(work, start, end)
        for n, (s, e) in enumerate(pieces):
            self._statement(work, s, e, continues=n == 0)

    def _statement(self, work: str, start: int, end: int, *, continues: bool) -> None:
        parts = _relations(work, start, end)
        unchecked = [t for _, _, t in parts if t in UNCHECKED]
        if unchecked:
            self._skip(work, start, end, f"{UNCHECKED[unchecked[0]]} ({unchecked[0]}), not an equation: not checked")
            return
        terms = [self._term(work, s, e) for s, e, _ in parts]
        relations = [RELATIONS[t] for _, _, t in parts[1:]]
        if not relations:
            if terms[0] is not None:
                self.pending = terms[0]
            return
        if terms[0] is None and continues and self.pending is not None:  # "= …" continues
            terms[0] = self.pending
            if self.chains and self.chains[-1].terms[-1] is self.pending:
                prior = self.chains.pop()
                terms, relations = list(prior.terms) + terms[1:], list(prior.relations) + relations
        if terms[0] is None and continues and self.pending is None:  # "= …" after a line not read
            terms, relations = terms[1:], relations[1:]
            if len(terms) == 1 and terms[0] is not None:
                self.pending = terms[0]
                return
        if any(t is None for t in terms):
            self._skip(work, start, end, "a relation with nothing on one side")
            return
        chain = Chain(tuple(terms), tuple(relations), self.label, self.heading, self._row_kind,
                      self.exercise)
        self.label = None
        self.chains.append(chain)
        self.pending = chain.terms[-1]

    def _skip(self, work: str, start: int, end: int, reason: str) -> None:
        """Record ``work[start:end]`` as not read, at the line its text starts on."""
        text = work[start:end]
        line, _ = self.where(start + len(text) - len(text.lstrip()))
        self.not_read.append(NotRead(line, text.strip()[:200], reason))
        self.pending = None

    def _term(self, work: str, start: int, end: int) -> Term | None:
        text = work[start:end]
        trimmed = _trim(text)
        if not trimmed:
            return None
        offset = start + text.index(trimmed)
        line, column = self.where(offset)
        return Term(trimmed, line, column)


def _masked(text: str, start: int, end: int) -> str:
    """``text`` with the layout (aligned's wrappers, ``\\nonumber``, ``\\label``) blanked out in
    ``[start, end)``, offsets unchanged."""
    return text[:start] + _LAYOUT.sub(lambda m: " " * len(m.group()), text[start:end]) + text[end:]


def _opens(tok: str) -> bool:
    return tok in _OPEN or tok.startswith("\\begin") or tok.startswith("\\left") and not tok[5:6].isalpha()


def _closes(tok: str) -> bool:
    return tok in _CLOSE or tok.startswith("\\end") or tok.startswith("\\right") and not tok[6:7].isalpha()


def _top_level(work: str, start: int, end: int, *, environments_only: bool = False):
    """(offset, token) of each top-level token; None when nesting is too deep or unbalanced.
    ``environments_only`` counts only ``\\begin``/``\\end`` (to find the rows of a block
    whose brackets are OCR noise)."""
    depth, out = 0, []
    for m in _TOKEN.finditer(work, start, end):
        tok = m.group()
        if environments_only and not tok.startswith(("\\begin", "\\end")):
            if tok == "\\\\" and depth == 0:
                out.append((m.start(), tok))
            continue
        if _opens(tok):
            depth += 1
            if depth > MAX_DEPTH:
                return None
        elif _closes(tok):
            if depth == 0 and tok in (")", "]"):  # a label's "a)", an interval's "[0, 1)": not nesting
                continue
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0:
            out.append((m.start(), tok))
    return out if depth == 0 else None


def _split(work: str, start: int, end: int, *, row_breaks: bool):
    """Rows of a block: spans between top-level ``\\\\``."""
    tops = _top_level(work, start, end)
    if tops is None:  # brackets are noise somewhere: rows by the environments alone, each on its own
        tops = _top_level(work, start, end, environments_only=True)
        if tops is None:
            return None
    cuts = [(at, at + 2) for at, tok in tops if tok == "\\\\"] if row_breaks else []
    return _spans(start, end, cuts)


def _spans(start: int, end: int, cuts) -> list[tuple[int, int]]:
    spans, at = [], start
    for s, e in cuts:
        spans.append((at, s))
        at = e
    spans.append((at, end))
    return spans


def _statements(work: str, start: int, end: int) -> list[tuple[int, int]]:
    """A row's statements: spans between top-level statement breaks (``\\Rightarrow``, ``\\quad``,
    ``\\text{…}`` between two equations)."""
    cuts = []
    for at, tok in _top_level(work, start, end) or ():
        if tok in STATEMENT_BREAKS:
            stop = at + len(tok)
            if tok == "\\text":  # \text{...}: prose between statements, cut with its argument
                close = work.find("}", stop, end)
                if close < 0 or "=" in work[stop:close]:
                    continue
                if re.fullmatch(r"\{[A-Za-z]+", work[stop:close]) and work[close + 1:end].lstrip().startswith("("):
                    continue  # a function's name, \text{softmax}(z), not prose
                stop = close + 1
            cuts.append((at, stop))
    return _spans(start, end, cuts)


def _relations(work: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """A statement's terms: (start, end, the relation token before it; "" for the first)."""
    parts, at, before = [], start, ""
    for pos, tok in _top_level(work, start, end) or ():
        if tok == "&":
            continue
        if tok in RELATIONS or tok in UNCHECKED:
            if tok == "=" and work[pos - 1:pos] == ":":
                continue
            parts.append((at, pos, before))
            at, before = pos + len(tok), tok
    parts.append((at, end, before))
    return parts


def _trim(text: str) -> str:
    """A term without layout: ``&``, edge punctuation, a statement label (``a)``, ``(ii)``),
    prose at either end (``\\text{Because}``)."""
    text = text.strip()
    while True:
        before = text
        text = _LEADING_LABEL.sub("", text)
        text = _PROSE.sub("", text).strip().strip(_EDGE_PUNCT).strip("& \n\t")  # & : aligned's column
        if text.startswith(":"):
            text = text[1:].strip()
        if text == before:
            return text
