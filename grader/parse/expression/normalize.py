r"""Character-level rules of symbolic answers: brackets, and how a *name* is read and spelled.

A name is a base (``W``, ``y_hat``'s ``y``, ``\hat{y}``, ``ŷ``, ``\delta``, ``δ``, ``delta2``,
``\mathcal{L}``, ``\operatorname{ReLU}``) with decorations: a subscript (``_i``, ``_{L-1}``,
``_{kk'}``) and a layer tag (``^{(l)}``, ``^{[l]}``, ``^(l)``, ``^l``, ``^{L-1}``). Its
*spelling* is one canonical string, so notations of different courses meet:

* ``\delta``, ``δ`` and ``delta`` spell ``delta``; ``\varphi``, ``φ``, ``ϕ`` spell ``phi``;
  ``\ell`` and ``ℓ`` spell ``l``;
* ``\hat{y}``, ``\hat y``, ``\widehat{y}``, ``ŷ`` spell ``\hat{y}`` (``\bar``, ``\tilde``, ``\vec``
  alike); ``\mathbf{W}`` spells ``W`` (bold is typography, not a new quantity);
* ``_{2}`` and ``_2`` spell ``_{2}``; ``y_hat`` is ``y`` with subscript ``hat``;
* ``^{(L-1)}``, ``^{[L - 1]}``, ``^(L-1)``, ``^{L-1}`` all spell ``^{(L-1)}``: a layer tag is part
  of a name, never a power. A superscript is a power only when it holds no letter (``^2``,
  ``^{-1}``), a transpose when it is ``T``/``\top``/``\intercal``, a prime when ``'``/``\prime``.

Spellings are looked up in a :class:`~grader.parse.expression.table.SymbolTable` whose entries were
spelled by :func:`spelling_of`, the same reader.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from grader.errors import AnswerError
from grader.parse.expression.vocab import (ACCENTS, COMBINING, COMMON_NAME, CYRILLIC, FONTS,
                                    GREEK, GREEK_LATIN, LATEX_WORDS, PRIME_WORDS, SCRIPTS,
                                    SPACING, STAR_WORDS, T_WORDS, UNI_GREEK, VARIANTS, WORDS)

CMD = re.compile(r"\\[A-Za-z]+")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
DUNDER = re.compile(r"__[A-Za-z0-9_]*")
_BLANKS = re.compile(r"\s+")
_LETTERISH = re.compile(r"[A-Za-z\\]|[^\x00-\x7f]")  # a letter, a command or non-ASCII
_ALNUM = re.compile(r"[A-Za-z0-9]+")
#: after a layer tag, a second bracketed superscript of one index or number: an example, (i), \{i\}, (1)
EXAMPLE_TAG = re.compile(r"(?:\(([A-Za-z]'*|[1-9][0-9]{0,3})\)|\\?\{([A-Za-z]'*|[1-9][0-9]{0,3})\\?\})(.*)")
#: a subscript that is a slice (``_{:,i}``, ``_{i,:}``), read after the name, not as part of it
SLICE_AHEAD = re.compile(r"_\s*\{\s*(?::|[A-Za-z]'*\s*,\s*:)")


def quote(s: str) -> str:
    """Quote for a student: '\\frac' rather than repr's '\\\\frac'; repr only for invisibles."""
    return f"'{s}'" if s.isprintable() else repr(s)


def bad_char(text: str, i: int) -> AnswerError:
    """An error for a character we do not read, naming its code point and any look-alike."""
    ch = text[i]
    msg = f"unexpected character {quote(ch)}"
    if not ch.isascii():
        msg += f" (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})"
        like = CYRILLIC.get(ch) or GREEK_LATIN.get(ch) or unicodedata.normalize("NFKC", ch)
        if unicodedata.category(ch) == "Nd":
            like = str(unicodedata.digit(ch))
        if like != ch and like.isascii() and like.isprintable():
            msg += f"; it looks like {quote(like)}: retype it on a plain keyboard"
    return AnswerError(msg, column=i + 1, text=text, category="syntax")


_BRACKET_OR_ESCAPE = re.compile(r"[\\()\[\]{}]")


def brackets(text: str, start: int = 0, end: int | None = None):
    """Yield (position, char) of each bracket; ``\\{`` counts as ``{``; ``\\(``, ``\\[`` (math
    delimiters), ``\\\\`` and other escapes are skipped."""
    i, n = start, len(text) if end is None else end
    search = _BRACKET_OR_ESCAPE.search
    while i < n:
        m = search(text, i, n)  # other characters are passed over, in C
        if m is None:
            return
        i = m.start()
        ch = text[i]
        if ch == "\\":
            nxt = text[i + 1:i + 2]
            if nxt in ("{", "}"):
                yield i, nxt
                i += 2
            else:
                i += 2 if nxt and not nxt.isalpha() else 1
            continue
        if ch in "([{)]}":
            yield i, ch
        i += 1


_PAIR = {"(": ")", "[": "]", "{": "}"}


def match_close(text: str, i: int, end: int | None = None) -> int:
    """Index of the bracket closing the one at ``i`` (``\\{`` at i is fine), or -1."""
    depth = 0
    for j, ch in brackets(text, i, end):
        depth += 1 if ch in _PAIR else -1
        if depth == 0:
            return j + (1 if text[j] == "\\" else 0)
    return -1


def norm_script(s: str) -> str:
    """Canonical content of a subscript or layer tag: no spaces, ``[``→``(``, Greek as words."""
    out, i = [], 0
    while i < len(s):
        ch = s[i]
        if ch == "\\":
            m = CMD.match(s, i)
            if not m:
                nxt = s[i + 1:i + 2]
                out.append(nxt if nxt in "{}" else "")
                i += 2
                continue
            cmd, i = m.group()[1:], m.end()
            if cmd in SPACING:
                continue
            if cmd in GREEK or cmd in VARIANTS:
                out.append(VARIANTS.get(cmd, cmd))
            elif cmd == "prime":
                out.append("'")
            elif cmd in WORDS or cmd in FONTS:
                continue  # the braced content follows and is kept
            else:
                out.append("\\" + cmd)
        elif ch.isspace() or ch in "{}~$":
            i += 1
        else:
            out.append({"[": "(", "]": ")", "−": "-", "′": "'"}.get(ch, UNI_GREEK.get(ch, ch)))
            i += 1
    return "".join(out)


@dataclass(frozen=True, init=False)
class NameUnit:
    start: int
    end: int
    base: str
    sub: str = ""
    tag: str = ""
    trail: tuple[tuple[str, int], ...] = ()  # ("TRANSPOSE" | "PRIME", pos) inside tag braces
    # the (i) of \delta^{[L](i)}: example i of a batch quantity (read with the name, kept apart)
    example: str = field(default="", compare=False, repr=False)
    # derived, worked out once: each is read several times while an answer is parsed
    spelling: str = field(init=False, compare=False, repr=False)  # base_{sub}^{(tag)}
    tag_part: str = field(init=False, compare=False, repr=False)  # ^{(tag)} or ""

    def __init__(self, start: int, end: int, base: str, sub: str = "", tag: str = "",
                 trail: tuple[tuple[str, int], ...] = (), example: str = ""):
        # one dict update rather than a frozen dataclass's object.__setattr__ per field
        tag_part = f"^{{({tag})}}" if tag else ""
        self.__dict__.update(start=start, end=end, base=base, sub=sub, tag=tag, trail=trail,
                             example=example,
                             tag_part=tag_part,
                             spelling=base + (f"_{{{sub}}}" if sub else "") + tag_part)

    def raw(self, text: str) -> str:
        return text[self.start:self.end]


def _spaces(text: str, i: int, end: int) -> int:
    while i < end and text[i] in " \t\n\r":
        i += 1
    return i


def _group(text: str, i: int, end: int) -> tuple[int, int, int] | None:
    """For ``{...}`` at i (after spaces): (content start, content end, after)."""
    i = _spaces(text, i, end)
    if i >= end or text[i] != "{":
        return None
    close = match_close(text, i, end)
    return None if close < 0 else (i + 1, close, close + 1)


def _single_base(text: str, i: int, end: int) -> tuple[str, int] | None:
    """One undecorated base: a letter, a Greek letter (command or character), an accent."""
    got = _scan_base(text, _spaces(text, i, end), end, single=True)
    return None if got is None or got[2] or got[3] else (got[0], got[1])


def _scan_base(text: str, i: int, end: int, single: bool = False):
    """(base, end, lifted subscript, lifted tag) of the name starting at i, or None."""
    if i >= end:
        return None
    ch = text[i]
    if ch == "\\":
        m = CMD.match(text, i, end)
        if not m:
            return None
        cmd, j = m.group()[1:], m.end()
        if cmd in ACCENTS or cmd in FONTS:
            grp = _group(text, j, end)
            if grp:
                inner = scan_name(text, grp[0], grp[1])
                if inner is None or inner.trail or _spaces(text, inner.end, grp[1]) != grp[1]:
                    return None
                base, sub, tag, j = inner.base, inner.sub, inner.tag, grp[2]
            else:
                got = _single_base(text, j, end)
                if got is None:
                    return None
                (base, j), sub, tag = got, "", ""
            return (f"\\{ACCENTS[cmd]}{{{base}}}" if cmd in ACCENTS else base), j, sub, tag
        if cmd in SCRIPTS or cmd in WORDS:
            grp = _group(text, j, end)
            if grp:
                word = text[grp[0]:grp[1]].strip()
                j = grp[2]
            elif cmd in SCRIPTS and j < end and text[j].isalpha():
                word, j = text[j], j + 1
            else:
                return None
            if not WORD.fullmatch(word):
                return None
            return (f"\\{cmd}{{{word}}}" if cmd in SCRIPTS else word), j, "", ""
        if cmd in GREEK or cmd in VARIANTS:
            return VARIANTS.get(cmd, cmd), j, "", ""
        if cmd in LATEX_WORDS:
            return cmd, j, "", ""
        return None
    if ch in UNI_GREEK:
        return UNI_GREEK[ch], i + 1, "", ""
    if ch.isascii():
        m = (DUNDER if ch == "_" else WORD).match(text, i, end)
        if not m:
            return None
        word, j = m.group(), m.end()
        if single:
            word, j = word[0], i + 1
        marks = []
        while j < end and text[j] in COMBINING:
            marks.append(COMBINING[text[j]])
            j += 1
        if marks and len(word) > 1:
            return None
        for accent in marks:
            word = f"\\{accent}{{{word}}}"
        return word, j, "", ""
    parts = unicodedata.normalize("NFD", ch)
    if len(parts) > 1 and parts[0].isascii() and parts[0].isalpha() \
            and all(p in COMBINING for p in parts[1:]):
        word = parts[0]
        for p in parts[1:]:
            word = f"\\{COMBINING[p]}{{{word}}}"
        return word, i + 1, "", ""
    return None


def superscript(text: str, k: int, end: int) -> tuple[str, str, int]:
    """Read the superscript whose ``^`` is at k: (kind, content, after). ``kind`` is one of
    transpose, prime, star, power, tag, bracket-tag (content then holds the whole tag)."""
    m = _spaces(text, k + 1, end)
    if m >= end:
        return "power", "", k + 1
    ch = text[m]
    if ch in "{([":
        close = match_close(text, m, end)
        if close < 0:
            return "power", "", k + 1
        content, after = (text[m + 1:close] if ch == "{" else text[m:close + 1]), close + 1
    elif ch == "\\":
        c = CMD.match(text, m, end)
        after = c.end() if c else m + 2
        content = text[m:after]
    elif "0" <= ch <= "9":
        return "power", ch, m + 1
    else:
        content, after = ch, m + 1
    c = _BLANKS.sub("", content)
    if c in T_WORDS:
        return "transpose", c, after
    if c in PRIME_WORDS:
        return "prime", c, after
    if c in STAR_WORDS:
        return "star", c, after
    if c[:1] in ("(", "["):
        return "bracket-tag", c, after
    if not _LETTERISH.search(c):
        return "power", c, after
    return "tag", c, after


def scan_name(text: str, i: int, end: int | None = None) -> NameUnit | None:
    """Read one name at ``i``; None if no name starts there. Raises AnswerError for a name
    that starts well but is malformed (empty subscript, two layer tags). The names most
    answers use are read by one regex (:data:`~grader.parse.expression.vocab.COMMON_NAME`), the
    rest step by step below."""
    end = len(text) if end is None else end
    if (m := COMMON_NAME.match(text, i, end)) is not None:
        return _common_name(m, i)
    got = _scan_base(text, i, end)
    if got is None:
        return None
    base, j, sub, tag = got
    trail: list[tuple[str, int]] = []
    example = ""
    while not trail:
        k = _spaces(text, j, end)
        if k < end and text[k] == "_" and not SLICE_AHEAD.match(text, k, end):
            s, j = _subscript(text, k, end)
            sub = f"{sub}_{s}" if sub else s
            continue
        if k >= end or text[k] != "^":
            break
        kind, c, after = superscript(text, k, end)
        if kind in ("transpose", "prime", "power"):
            break
        if kind == "star":
            base, j = base + "^{*}", after
            continue
        if tag:
            raise AnswerError("a name can carry only one layer tag", column=k + 1, text=text)
        if kind == "tag":
            tag = norm_script(c)
        else:
            close = match_close(c, 0)
            if close < 0:
                break
            tag, rest = norm_script(c[1:close]), c[close + 1:]
            if ex := EXAMPLE_TAG.fullmatch(rest):  # \delta^{[L](i)}, \delta^{[l]\{i\}}: example i
                example, rest = ex.group(1) or ex.group(2), ex.group(3)
            if rest in T_WORDS or rest in PRIME_WORDS:
                trail.append(("TRANSPOSE" if rest in T_WORDS else "PRIME", after - 1))
            elif rest:
                raise AnswerError(f"unexpected {quote(rest)} after the layer tag "
                                  f"{quote(c[:close + 1])}", column=k + 1, text=text)
        j = after
    return NameUnit(i, j, base, sub, tag, tuple(trail), example)


def _common_name(m: re.Match, i: int) -> NameUnit:
    """The name :data:`~grader.parse.expression.vocab.COMMON_NAME` matched at ``i``, as the general
    reader below spells it."""
    word, cmd, uni, acc, inner, scr, sword, bsub, sub, btag, trail, ptag, ltag, ctag = m.groups()
    if word is not None:
        base = word
    elif cmd is not None:
        base = VARIANTS.get(cmd, cmd)
    elif uni is not None:
        base = UNI_GREEK[uni]
    elif acc is not None:
        base = f"\\{ACCENTS[acc]}{{{inner}}}" if acc in ACCENTS else inner
    else:
        base = f"\\{scr}{{{sword}}}" if scr in SCRIPTS else sword
    end = m.end()
    marks = (("TRANSPOSE" if trail == "T" else "PRIME", end - 1),) if trail else ()
    return NameUnit(i, end, base, bsub or sub or "", btag or ptag or ltag or ctag or "", marks)


def _subscript(text: str, k: int, end: int) -> tuple[str, int]:
    """The normalized subscript whose ``_`` is at k, and where it ends."""
    m = _spaces(text, k + 1, end)
    grp = _group(text, m, end) if m < end and text[m] == "{" else None
    if grp:
        s, after = norm_script(text[grp[0]:grp[1]]), grp[2]
    elif m < end and text[m] == "\\":
        c = CMD.match(text, m, end)
        after = c.end() if c else m
        s = norm_script(text[m:after])
    else:
        w = _ALNUM.match(text, m, end)
        after = w.end() if w else m
        s = text[m:after]
        if len(s) == 1 and s.isalpha():  # y_k' is y_{k'}: a primed index, not a transpose
            p = after
            while p < end and text[p] in "'′":
                p += 1
            if p > after and text[_spaces(text, p, end):_spaces(text, p, end) + 1] != "(":
                s, after = s + "'" * (p - after), p
    if not s:
        raise AnswerError("empty subscript", column=k + 1, text=text)
    return s, after


def spelling_of(spelling: str) -> str:
    """The canonical spelling of one name as a table author wrote it; ValueError if the text
    is not exactly one name."""
    s = spelling.strip().strip("$").strip()
    try:
        unit = scan_name(s, 0)
    except AnswerError as e:
        raise ValueError(e.message) from None
    if unit is None or unit.trail or unit.end != len(s):
        raise ValueError(f"{quote(spelling)} is not a single name")
    return unit.spelling
