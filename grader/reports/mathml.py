r"""A write-up's line with its formulas rendered, for the HTML report: the LaTeX between ``$…$``,
``$$…$$`` or ``\[…\]`` on the line converted to MathML on our side (latex2mathml; browsers render
MathML Core without a script), the prose between escaped.

Nothing the student typed becomes markup of its own: the converter's output is rebuilt from an
allow-list of MathML elements and attributes (``href``, colours and styles are dropped), every
text node passed through :func:`grader.shown_text.shown` and escaped by the serializer. A formula
the converter cannot read, longer than :data:`MAX_FORMULA`, or holding an element outside the list
is shown as its escaped source. A formula's source stays on it as a tooltip (``title``).
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from functools import lru_cache

from latex2mathml.converter import convert

from grader.io.writeups.math_blocks import math_segments
from grader.shown_text import shown

MAX_FORMULA = 4000  # characters of LaTeX converted (a 3-page write-up's longest is ~1,500)
ELEMENTS = frozenset("""math mrow mi mn mo ms mtext mspace msub msup msubsup mfrac msqrt mroot mover munder
    munderover mtable mtr mtd mstyle mpadded mphantom menclose mfenced merror semantics""".split())
ATTRIBUTES = frozenset("""display mathvariant stretchy fence separator lspace rspace columnalign rowalign
    columnspacing rowspacing columnlines rowlines displaystyle scriptlevel accent accentunder linethickness
    form movablelimits minsize maxsize symmetric largeop notation width height depth frame align""".split())
_SAFE_VALUE = re.compile(r"^[\w .%+-]{0,64}$")


@lru_cache(maxsize=4096)  # a class writes the same formulas many times
def formula_html(latex: str, *, display: bool = False, in_line: bool = True) -> str:
    r"""One formula as MathML, or None when it is not converted (the caller shows its source).
    A display formula stays in its line unless ``in_line`` is false (a block of its own).

    >>> formula_html(r"\hat{y}_j - y_j")[:40]  # HTML puts <math> in MathML's namespace: no xmlns, no URL
    '<math display="inline"><mrow><msub><move'
    >>> "href" in formula_html(r"\href{javascript:alert(1)}{x}"), formula_html("\\frac{1}{") is None
    (False, True)
    """
    if len(latex) > MAX_FORMULA:
        return None
    try:
        root = ET.fromstring(convert(latex, display="block" if display else "inline"))
        clean = _rebuilt(root)
    except Exception:  # the converter's own errors are many and unlisted: any of them means "show the source"
        return None
    if clean is None:
        return None
    if display and in_line:  # set as display maths, but left in its line (not centred on a row of its own)
        clean.set("display", "inline")
        clean.set("displaystyle", "true")
    return ET.tostring(clean, encoding="unicode")


def _rebuilt(node: ET.Element) -> ET.Element | None:
    """``node`` and its children with only allowed elements and attributes (None: a disallowed element)."""
    tag = node.tag.rsplit("}", 1)[-1]
    if tag not in ELEMENTS:
        return None
    out = ET.Element(tag, {k: v for k, v in node.attrib.items() if k in ATTRIBUTES and _SAFE_VALUE.match(v)})
    out.text = _text(node.text)
    for child in node:
        kept = _rebuilt(child)
        if kept is None:
            return None
        kept.tail = _text(child.tail)
        out.append(kept)
    return out


def _text(text: str | None) -> str | None:
    """A text node, its hidden characters made visible (the converter's own no-break spaces kept)."""
    return shown(text.replace("\xa0", " ")).replace(" ", "\xa0") if text else None


def line_html(text: str) -> str:
    r"""A write-up's line as HTML: prose escaped, each formula on it rendered (its source escaped
    where it is not).

    >>> line_html("so $a < b$ <b>x</b>").count("<math"), "&lt;b&gt;x&lt;/b&gt;" in line_html("so $a$ <b>x</b>")
    (1, True)
    """
    segments, _ = math_segments(text, lambda offset: (1, offset + 1))
    out, at = [], 0
    for seg in segments:
        opener = _opener(text, seg.start)
        if not opener:  # \begin{align} on one line: shown as typed, with the prose
            continue
        out.append(_escaped(text[at:seg.start - len(opener)]))
        source = text[seg.start:seg.end]
        rendered = formula_html(source, display=seg.display)
        whole = text[seg.start - len(opener):seg.end + len(_CLOSERS.get(opener, opener))]
        out.append(f'<span class="math" title="{_escaped(whole)}">{rendered}</span>' if rendered is not None
                   else f"<code>{_escaped(whole)}</code>")
        at = seg.end + len(_CLOSERS.get(opener, opener))
    out.append(_escaped(text[at:]))
    return "".join(out)


_CLOSERS = {"\\[": "\\]"}


def _opener(text: str, start: int) -> str:
    for opener in ("$$", "\\[", "$"):
        if text[max(0, start - len(opener)):start] == opener:
            return opener
    return ""


def _escaped(text: str) -> str:
    return html.escape(shown(text), quote=True)
