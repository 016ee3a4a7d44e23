"""A student's LaTeX rendered on the server to MathML, which browsers show natively (no script
or font is fetched from the internet): ``$...$``, ``$$...$$``, ``\\(...\\)`` and ``\\[...\\]``
become ``<math>`` (each formula converted by the HTML report's :func:`grader.reports.mathml.formula_html`,
which rebuilds the converter's output from an allow-list); everything else is text, escaped. A formula
that cannot be converted stays as its escaped source."""
from __future__ import annotations

import html
import re

from grader.reports.mathml import formula_html
from grader.shown_text import shown

MAX_CHARS = 20_000
MATH = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\$(.+?)\$|\\\((.+?)\\\)", re.S)


def escaped(text: str) -> str:
    """Student text for an HTML page: each line made visible by ``shown``, then HTML-escaped.

    >>> escaped("<b>x</b>\\n\\u202e")
    '&lt;b&gt;x&lt;/b&gt;\\n\\\\u202e'
    """
    return "\n".join(html.escape(shown(line)) for line in text.split("\n"))


def formula(latex: str, *, display: bool) -> str:
    """One formula as MathML (or its escaped source when it cannot be converted)."""
    return formula_html(latex, display=display, in_line=False) or f'<code class="unread">{escaped(latex)}</code>'


def render(text: str) -> str:
    """``text`` as HTML: its formulas as MathML, the rest escaped (at most MAX_CHARS read).

    >>> render("<i>$x^2$</i>").startswith('&lt;i&gt;<math')
    True
    """
    text = text[:MAX_CHARS]
    out, at = [], 0
    for m in MATH.finditer(text):
        out.append(escaped(text[at:m.start()]))
        display = m.group(1) is not None or m.group(2) is not None
        out.append(formula(next(g for g in m.groups() if g is not None), display=display))
        at = m.end()
    out.append(escaped(text[at:]))
    return "".join(out)
