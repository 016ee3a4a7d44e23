r"""The vocabulary of names in symbolic answers: which commands and characters are Greek
letters, accents, fonts, scripts and words (read by :mod:`grader.parse.expression.normalize`), and
:data:`COMMON_NAME`, one regex for the names most answers are made of.

:data:`COMMON_NAME` matches a name only where the general reader
(:func:`~grader.parse.expression.normalize.scan_name`) would read exactly the same name: a base (a
word, ``\delta``, ``δ``, ``\hat{y}``, ``\mathbf{W}``, ``\mathcal{L}``, ``\operatorname{ReLU}``),
then at most a plain subscript (``_j``, ``_{L-1}``), then at most a plain layer tag
(``^{(L-1)}``, ``^{[l]T}``, ``^(l)``, ``^{L-1}``, ``^l``), and then nothing that would carry the
name on (another ``_``, a ``^`` other than a transpose, prime or numeric power). Anything else
(spaces inside braces, ``z^{(L)}_j``, ``\hat y``, primed subscripts, combining marks) it does
not match, and the general reader reads it. Possessive quantifiers (``*+``, ``++``) keep a
failed lookahead from backtracking into a shorter word.
"""
from __future__ import annotations

import re
import unicodedata

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi",
    "Omega"}
VARIANTS = {"varphi": "phi", "varepsilon": "epsilon", "vartheta": "theta", "varsigma": "sigma",
            "varrho": "rho", "varpi": "pi", "varkappa": "kappa", "ell": "l"}
LATEX_WORDS = {"tanh", "exp", "log", "ln", "max", "min", "sin", "cos", "sinh", "cosh", "sgn", "sqrt",
               "argmax"}
ACCENTS = {"hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar", "tilde": "tilde",
           "widetilde": "tilde", "vec": "vec", "overrightarrow": "vec", "dot": "dot",
           "ddot": "ddot", "check": "check"}
COMBINING = {"\u0302": "hat", "\u0304": "bar", "\u0305": "bar", "\u0303": "tilde",
             "\u20d7": "vec", "\u0307": "dot", "\u0308": "ddot", "\u030c": "check"}
FONTS = {"mathbf", "boldsymbol", "bm", "mathit", "mathnormal", "pmb"}  # dropped: W = \mathbf{W}
SCRIPTS = {"mathcal", "mathscr", "mathfrak"}  # kept: \mathcal{L} is not L
WORDS = {"text", "textrm", "textit", "textbf", "textnormal", "mathrm", "mathsf", "operatorname"}
SPACING = {"quad", "qquad", "displaystyle", "textstyle", "limits", "nolimits", "left", "right",
           "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
           "Biggl", "Biggr", "bigm", "Bigm", "middle", "underline", "boxed"}  # skipped
T_WORDS = {"T", r"\top", r"\intercal", "⊤", "ᵀ", r"\mathsf{T}", r"\mathrm{T}", r"\text{T}",
           r"\mathbf{T}", r"\mathit{T}"}
PRIME_WORDS = {"'", r"\prime", "′"}
STAR_WORDS = {"*", r"\ast", r"\star"}

_LOOKALIKE_GREEK = set("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧο")
UNI_GREEK: dict[str, str] = {"ϕ": "phi", "ϑ": "theta", "ϵ": "epsilon", "ϱ": "rho", "ϖ": "pi",
                             "ς": "sigma", "ℓ": "l"}
for _cp in list(range(0x391, 0x3AA)) + list(range(0x3B1, 0x3CA)):
    _ch = chr(_cp)
    _nm = unicodedata.name(_ch, "")
    if _nm and _ch not in _LOOKALIKE_GREEK and _ch not in UNI_GREEK:
        _word = _nm.split()[-1].lower().replace("lamda", "lambda")
        UNI_GREEK[_ch] = _word.capitalize() if "CAPITAL" in _nm else _word
CYRILLIC = dict(zip("аеорсухіјѕАВЕКМНОРСТХ", "aeopcyxijsABEKMHOPCTX", strict=True))
GREEK_LATIN = dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧο", "ABEZHIKMNOPTYXo", strict=True))


def _alternatives(words) -> str:
    return "|".join(sorted(words, key=lambda w: (-len(w), w)))


_SP = r"[ \t\n\r]*+"  # the spaces scan_name passes over (_spaces)
_TAG = r"[A-Za-z0-9+\-]++"  # content that norm_script keeps as it is
#: a name's end: no subscript and no superscript follow, except a transpose, prime or power
_END = (rf"(?!{_SP}(?:_|\^(?!{_SP}(?:[T0-9']|\{{{_SP}(?:T|-?[0-9]++){_SP}\}}"
        r"|\\(?:top|intercal|prime)(?![A-Za-z])))))")
COMBINING_CLASS = "[" + "".join(COMBINING) + "]"  # no character in it needs escaping
#: groups, in order: word cmd uni acc inner scr sword bsub sub btag trail ptag ltag ctag
COMMON_NAME = re.compile(
    rf"(?:(?P<word>[A-Za-z][A-Za-z0-9]*+)(?!{COMBINING_CLASS})"
    rf"|\\(?P<cmd>{_alternatives(GREEK | set(VARIANTS) | LATEX_WORDS)})(?![A-Za-z])"
    rf"|(?P<uni>[{''.join(map(re.escape, UNI_GREEK))}])"
    rf"|\\(?P<acc>{_alternatives(set(ACCENTS) | FONTS)})\{{(?P<inner>[A-Za-z][A-Za-z0-9]*+)\}}"
    rf"|\\(?P<scr>{_alternatives(SCRIPTS | WORDS)})\{{(?P<sword>[A-Za-z][A-Za-z0-9]*+)\}})"
    rf"(?:{_SP}_{_SP}(?:\{{(?P<bsub>[A-Za-z0-9+\-,']++)\}}|(?P<sub>[A-Za-z0-9]++)(?!['′])))?"
    rf"(?:{_SP}\^{_SP}(?:\{{[(\[](?P<btag>{_TAG})[)\]](?P<trail>[T'])?\}}"
    rf"|[(\[](?P<ptag>{_TAG})[)\]]"
    rf"|\{{(?!T\}})(?=[A-Za-z0-9+\-]*[A-Za-z])(?P<ltag>{_TAG})\}}"
    rf"|(?P<ctag>[A-SU-Za-z])))?"
    rf"(?(trail)|{_END})")
