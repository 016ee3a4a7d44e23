r"""Where the math is in a write-up: ``$$…$$``, ``\[…\]``, ``\begin{align}…\end{align}`` (and
``align*``, ``equation``, ``gather``, ``eqnarray``), ``$…$`` inline; headings and ``answer:``
comments between them, which label the chains that follow.

A hand-written scanner rather than a Markdown parser: OCR output is rarely valid Markdown
(``$$`` opened inside a paragraph, ``$…$`` holding whole aligned blocks), and every finding
needs the line and column it came from, which markdown-it's tokens give only per block.
Unclosed delimiters do not swallow the rest of the file: they end at the next blank line and
what they held is "not read", with the reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from grader.io.writeups.model import NotRead

MAX_SEGMENT = 20_000  # characters of one math block (a 3-page write-up has ~500 per block)

_DISPLAY_ENVS = r"align\*?|equation\*?|gather\*?|eqnarray\*?|multline\*?"
_OPENER = re.compile(r"(?<!\\)\$\$|\\\[|\\begin\{(" + _DISPLAY_ENVS + r")\}|(?<!\\)\$|^```|^~~~", re.M)
_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")
_HEADING = re.compile(r"^(?:#{1,6}[ \t]+(?P<md>.+?)[ \t#]*|\\(?:sub)*section\*?\{(?P<tex>[^{}\n]*)\}.*|"
                      r"(?:-[ \t]+)?\*\*(?P<bold>[^*\n]+)\*\*.*)$", re.M)
# the number a heading gives its exercise ("Exercise 3", "Ex. 2", "Problem 1 (b)", "Task 2")
_EXERCISE = re.compile(r"\b(?:exercise|ex|problem|question|task|q)\.?[ \t]*(?P<n>\d{1,2})", re.I)
# a top-level numbered item ("3. Repeat the exact same exercise"): an exercise while no heading has come
_ITEM = re.compile(r"^(?P<n>\d{1,2})\.[ \t]+\S", re.M)
_ANSWER_COMMENT = re.compile(r"(?:^|(?<=[^\\]))(?:%|<!--)[ \t]*answer[ \t]*:[ \t]*(?P<id>[A-Za-z0-9_.\-]+)", re.M | re.I)


@dataclass(frozen=True)
class Segment:
    """Math between ``start`` and ``end`` (offsets into the text, delimiters excluded)."""

    start: int
    end: int
    display: bool


@dataclass(frozen=True)
class Mark:
    """A heading (``kind`` "heading") or an ``answer: id`` comment ("label") at ``offset``."""

    offset: int
    kind: str
    text: str


def line_starts(text: str) -> list[int]:
    """Offsets at which each line begins (for offset → line, column)."""
    return [0] + [m.end() for m in re.finditer("\n", text)]


def math_segments(text: str, where) -> tuple[list[Segment], list[NotRead]]:
    r"""The math segments of ``text`` in order, and the unclosed or oversized ones as not read.
    ``where(offset)`` gives (line, column).

    >>> segs, bad = math_segments("a $x = 1$ and\n$$y = 2$$\n$$z =", lambda o: (1, o + 1))
    >>> [("x = 1" if s.start == 3 else "...", s.display) for s in segs][:1], len(segs), [b.reason for b in bad]
    ([('x = 1', False)], 2, ['$$ is never closed'])
    """
    segments, not_read, pos = [], [], 0
    while True:
        m = _OPENER.search(text, pos)
        if m is None:
            return segments, not_read
        opener = m.group()
        if opener in ("```", "~~~"):  # a code fence: not math, skipped to its end
            close = text.find("\n" + opener, m.end())
            pos = len(text) if close < 0 else close + 1 + len(opener)
            continue
        closer = {"$$": "$$", "\\[": "\\]", "$": "$"}.get(opener) or f"\\end{{{m.group(1)}}}"
        limit = len(text)
        if opener == "$":  # inline math never spans a paragraph break
            blank = _BLANK_LINE.search(text, m.end())
            limit = blank.start() if blank else len(text)
        close = _find_closer(text, closer, m.end(), limit)
        if close < 0:
            blank = _BLANK_LINE.search(text, m.end())
            stop = blank.start() if blank else len(text)
            line, _ = where(m.start())
            not_read.append(NotRead(line, text[m.start():stop][:200], f"{opener} is never closed"))
            pos = max(stop, m.end())
            continue
        if close - m.end() > MAX_SEGMENT:
            line, _ = where(m.start())
            not_read.append(NotRead(line, text[m.start():m.start() + 200],
                                    f"a math block of {close - m.end()} characters (limit {MAX_SEGMENT})"))
        elif close > m.end():
            segments.append(Segment(m.end(), close, opener != "$"))
        pos = close + len(closer)


def _find_closer(text: str, closer: str, start: int, limit: int) -> int:
    """Offset of ``closer`` (not escaped) in ``text[start:limit]``, or -1."""
    at = start
    while True:
        at = text.find(closer, at, limit)
        if at < 0 or text[at - 1:at] != "\\" or closer.startswith("\\"):
            return at if at < 0 or at + len(closer) <= limit else -1
        at += 1


def marks(text: str) -> list[Mark]:
    r"""Headings (Markdown ``#``, ``**bold**`` lines, ``\section``), top-level numbered items
    (``item``: their number) and ``answer: id`` comments (``% answer: id``,
    ``<!-- answer: id -->``), in order.

    >>> [(m.kind, m.text) for m in marks("# Task 1\n% answer: task1.delta_L\n$$x=1$$\n2. Next")]
    [('heading', 'Task 1'), ('label', 'task1.delta_L'), ('item', '2')]
    """
    found = [Mark(m.start(), "heading", (m.group("md") or m.group("tex") or m.group("bold")).strip())
             for m in _HEADING.finditer(text)]
    found += [Mark(m.start(), "item", m.group("n")) for m in _ITEM.finditer(text)]
    found += [Mark(m.start(), "label", m.group("id")) for m in _ANSWER_COMMENT.finditer(text)]
    return sorted(found, key=lambda k: k.offset)


def exercise_number(heading: str) -> str:
    """The exercise a heading names, or "".

    >>> exercise_number("Exercise 3 (b)"), exercise_number("Ex. 2"), exercise_number("Additional derivatives")
    ('3', '2', '')
    """
    m = _EXERCISE.search(heading)
    return m.group("n") if m else ""
