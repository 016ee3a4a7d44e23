"""Formulas of a write-up rendered as MathML (grader/reports/mathml.py): converted, rebuilt from an
allow-list, everything the student typed escaped, the source shown where conversion fails."""
import re

import pytest

from grader.reports.mathml import MAX_FORMULA, formula_html, line_html

# LaTeX → elements the MathML must hold
RENDERED = [
    (r"\hat{y}_j - y_j", ["mover", "msub", "mi"]),
    (r"\frac{\partial L}{\partial w_{ij}^{(L-1)}}", ["mfrac", "msubsup"]),
    (r"\begin{bmatrix} 0.1 & 0.2 \\ 0.3 & 0.4 \end{bmatrix}", ["mtable", "mtr", "mtd", "mn"]),
    (r"\sqrt{x} \odot \sigma'(z)", ["msqrt"]),
]


@pytest.mark.parametrize("latex, elements", RENDERED)
def test_formulas_become_mathml(latex, elements):
    out = formula_html(latex)
    assert out.startswith("<math ") and out.endswith("</math>")
    for element in elements:
        assert f"<{element}" in out


# hostile LaTeX → what must not be in the output, and what must
HOSTILE = [
    (r"\href{javascript:alert(1)}{x}", ["href", "javascript"], ["<mi>x</mi>"]),
    (r"\color{red}{x} \style{background:url(x)}{y}", ["mathcolor", "style=", "url("], []),
    (r"a <script>alert(1)</script>", ["<script", "</script"], ["&lt;"]),
    ("x\u202ey", ["\u202e"], ["\\u202e"]),
]


@pytest.mark.parametrize("latex, absent, present", HOSTILE)
def test_nothing_typed_becomes_markup(latex, absent, present):
    out = formula_html(latex)
    if out is None:  # not converted: the caller shows the escaped source
        out = line_html(f"${latex}$")
    for text in absent:
        assert text not in out
    for text in present:
        assert text in out
    assert set(re.findall(r"<([a-z]+)", out)) <= {"math", "mrow", "mi", "mn", "mo", "mtext", "mstyle", "mspace",
                                                   "code", "span", "msub", "msup"}


@pytest.mark.parametrize("latex", ["\\frac{1}{", "\\begin{bmatrix} 1 & 2", "x" * (MAX_FORMULA + 1)])
def test_what_is_not_converted_is_shown_as_escaped_source(latex):
    assert formula_html(latex) is None
    out = line_html(f"see $${latex}$$ <b>")
    assert "<math" not in out and "<code>$$" in out and out.endswith("&lt;b&gt;")


def test_a_line_keeps_its_prose_escaped_and_the_source_as_a_tooltip():
    out = line_html(r"so $a < b$ and \[x = 1\] <i>ok</i>")
    assert out.count("<math") == 2 and 'displaystyle="true"' in out
    assert 'title="$a &lt; b$"' in out and 'title="\\[x = 1\\]"' in out
    assert out.endswith(" &lt;i&gt;ok&lt;/i&gt;") and out.startswith("so ")
