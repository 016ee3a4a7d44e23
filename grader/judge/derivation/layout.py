r"""What a term says once the write-up's layout is taken off: emphasis (``\underline{…}``,
``\boxed{…}``), a size written under a factor (``W^{(2)T}_{d \times 1}``, seed 003's habit),
spacing commands. The student's text is kept as typed for showing; this is what is parsed."""
from __future__ import annotations

import re
from functools import lru_cache

_WRAPPERS = re.compile(r"\\(?:underline|boxed|mathbf|bm|displaystyle|textstyle)\s*(?=\{)")
# after a group, a transpose or a digit only: on a bare letter (``z_{d \times 1}``) it may be an
# index the transcription lost, and the term is better not read than read as another symbol
_SIZE_NOTE = re.compile(r"(?<=[})T0-9])_\{\s*[A-Za-z0-9]+\s*\\times\s*[A-Za-z0-9]+(?:_\{[^{}]*\}|_[A-Za-z0-9])?\s*\}")
# not the second backslash of a row break (``\\\\ 0.5`` in a bmatrix)
_SPACING = re.compile(r"(?<!\\)\\[,;!: ]|\\(?:quad|qquad)\b")


@lru_cache(maxsize=8192)  # a class writes the same terms many times
def readable(text: str) -> str:
    r"""``text`` without layout: emphasis unwrapped, sizes under factors dropped.

    >>> readable(r"\underline{\underline{(y - t) z_2^T}}_{1 \times 1}")
    '(y - t) z_2^T'
    >>> readable(r"W^{(2)T}_{d \times 1} \underline{(y - t)_{1 \times 1}}")
    'W^{(2)T} (y - t)'
    >>> readable(r"\begin{bmatrix} 1 \\ 2 \end{bmatrix} \, x")
    '\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}   x'
    """
    text = _SIZE_NOTE.sub("", text)
    while True:
        m = _WRAPPERS.search(text)
        if m is None:
            break
        close = _matching_brace(text, m.end())
        if close < 0:
            break
        text = text[:m.start()] + text[m.end() + 1:close] + text[close + 1:]
    return _SPACING.sub(" ", text).strip()


def _matching_brace(text: str, at: int) -> int:
    depth = 0
    for i in range(at, len(text)):
        if text[i] == "{" and text[i - 1:i] != "\\":
            depth += 1
        elif text[i] == "}" and text[i - 1:i] != "\\":
            depth -= 1
            if depth == 0:
                return i
    return -1
