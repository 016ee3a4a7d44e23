"""A student's LaTeX rendered on the server to MathML, which browsers show natively (no script
or font is fetched from the internet): ``$...$``, ``$$...$$``, ``\\(...\\)`` and ``\\[...\\]``
become ``<math>``; everything else is text, escaped. A formula latex2mathml cannot read stays as
its escaped source."""
from __future__ import annotations

import html
import re

from latex2mathml.converter import convert

from grader.shown_text import shown

MAX_CHARS = 20_000
MATH = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\$(.+?)\$|\\\((.+?)\\\)", re.S)
SAFE_MATHML = re.compile(r"</?(script|style|iframe|object|embed|a|img|svg|foreignObject)\b|\son\w+\s*=|javascript:", re.I)


def escaped(text: str) -> str:
    """Student text for an HTML page: each line made visible by ``shown``, then HTML-escaped.

    >>> escaped("<b>x</b>\\n\\u202e")
    '&lt;b&gt;x&lt;/b&gt;\\n\\\\u202e'
    """
    return "\n".join(html.escape(shown(line)) for line in text.split("\n"))


def formula(latex: str, *, display: bool) -> str:
    """One formula as MathML (or its escaped source when it cannot be read)."""
    try:
        out = convert(latex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - any LaTeX the converter refuses is shown as typed
        return f'<code class="unread">{escaped(latex)}</code>'
    if SAFE_MATHML.search(out):  # (latex2mathml escapes text; this is the belt to its braces)
        return f'<code class="unread">{escaped(latex)}</code>'
    return out


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
