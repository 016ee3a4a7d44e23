r"""The pre-lexer's readings of whole notations, each a TA's reading of what students write:

* a **gradient**: ``\frac{\partial L}{\partial W^{(L-1)}}``, ``\partial J / \partial Z^{[L]}``,
  ``\nabla_{A^{[L]}} J``: the loss (any of :data:`~grader.parse.expression.table.LOSS_WORDS`)
  differentiated by a declared symbol is one name, the symbol of that quantity's gradient
  (``SymbolTable.gradients``, which the judge fills from the assignment's graph);
* a **ones vector**: ``\mathbf{1}``, ``\mathbf{1}_m``, ``\vec{1}``, ``\mathbb{1}`` with no
  condition after it (with one it stays an indicator); its length is the size named in its
  subscript, or what the product it stands in needs;
* **cases**: ``\begin{cases} 1 & z > 0 \\ 0 & \text{otherwise} \end{cases}``;
* **absolute values** ``|z|``, ``\lvert z \rvert``: a bar opens unless one is open and an
  operand has just ended;
* **numpy**: ``np.outer``, ``np.sum(.., axis=1, keepdims=True)``, ``np.dot``, ``A.dot(B)``,
  ``np.maximum(0, z)``, ``np.tanh``..., read into the same tokens as their mathematical
  spellings (one grammar: ``np.tanh`` is the function tanh, ``A.dot(B)`` a matrix product).

Each reader returns the index after what it read, or None when the text there is not its
notation (the caller then reads it as before).
"""
from __future__ import annotations

import re

from grader.parse.expression.normalize import match_close, quote, scan_name
from grader.parse.expression.table import LOSS_WORDS, function_of, symbol_of
from grader.parse.expression.tree import Kronecker, Product, Sym

DIAGONAL = "derivative "  # a Jacobian symbol whose value is its diagonal (grader.judge.symbolic.jacobians)


def is_diagonal(name: str) -> bool:
    """Whether a symbol's value is a diagonal Jacobian written as its diagonal (g'(z))."""
    return name.startswith(DIAGONAL)

#: numpy's spellings → the function (or operator) they are
NUMPY = {"tanh": "tanh", "exp": "exp", "log": "log", "sqrt": "sqrt", "abs": "abs",
         "absolute": "abs", "sign": "sign", "maximum": "max", "minimum": "min", "cosh": "cosh",
         "sinh": "sinh", "dot": "matmul", "matmul": "matmul", "outer": "outer", "diag": "diag",
         "sum": "sum", "multiply": "hadamard", "transpose": "transpose", "diagflat": "diag"}
NUMPY_NAME = re.compile(r"(?:np|numpy)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?=\()")
KWARG = re.compile(r"(axis|keepdims)\s*=\s*(-?[0-9]|True|False|None)(?![A-Za-z0-9_])")
METHOD = re.compile(r"\.\s*dot\s*(?=\()")
ONES = re.compile(r"\\(?:mathbf|boldsymbol|bm|vec|mathbb|mathbbm|mathds)\s*\{\s*1\s*\}"
                  r"|\\(?:mathbf|bm|mathbbm)\s*1(?![0-9])|𝟙")
CASES = re.compile(r"\\(begin|end)\s*\{\s*(cases|dcases)\s*\}")
CASE_WORDS = {"otherwise": "OTHERWISE", "else": "OTHERWISE", "sonst": "OTHERWISE",
              "if": None, "for": None, "when": None, "where": None}
OPERAND_END = {"NAME", "NUMBER", "_RPAR", "_RSQB", "_RBRACE", "TRANSPOSE", "_RBAR", "ONES", "SLICE", "SUBSCRIPT"}
_SP = re.compile(r"\s*")
_NABLA = re.compile(r"\\nabla\s*_\s*")
_PARTIAL_SUB = re.compile(r"\\partial\s*_\s*")  # \partial_z L, ∂_z a


def _sp(text: str, i: int) -> int:
    return _SP.match(text, i).end()


def _group(text: str, i: int) -> tuple[int, int, int] | None:
    """``{...}`` at i: (content start, content end, after)."""
    i = _sp(text, i)
    if text[i:i + 1] != "{":
        return None
    close = match_close(text, i)
    return None if close < 0 else (i + 1, close, close + 1)


#: ``\partial`` or a Leibniz d (``\mathrm{d}``, ``\text{d}``, ``\operatorname{d}``, a plain ``d``:
#: ``\frac{dL}{dz}``, read as a derivative only when both the numerator and the denominator are one)
_D = re.compile(r"\\partial(?![A-Za-z])|\\(?:mathrm|text|textrm|operatorname|mathit)\s*\{\s*d\s*\}"
                r"|d(?=\s*\\?[A-Za-z])")


def _partial_name(text: str, i: int, end: int):
    r"""A name after ``\partial`` (spaces allowed) filling text[i:end] (or up to end if None):
    the unit, or None."""
    i = _sp(text, i)
    d = _D.match(text, i)
    if d is None:
        return None
    unit = scan_name(text, _sp(text, d.end()), end)
    return unit


def _is_loss(unit) -> bool:
    return unit is not None and not unit.tag and unit.base in LOSS_WORDS


def read_gradient(lx, i: int, cmd_end: int, cmd: str) -> int | None:
    """A gradient at ``i`` (``\\frac``, ``\\partial`` or ``\\nabla`` ending at ``cmd_end``)."""
    t = lx.text
    if cmd in ("frac", "dfrac", "tfrac"):
        top = _group(t, cmd_end)
        bottom = top and _group(t, top[2])
        if not bottom:
            return None
        num = _partial_name(t, top[0], top[1])
        den = _partial_name(t, bottom[0], bottom[1])
        if num is None or den is None or _sp(t, num.end) != top[1] or _sp(t, den.end) != bottom[1]:
            return None
        after = bottom[2]
    elif cmd == "partial" and not _PARTIAL_SUB.match(t, i):
        num = _partial_name(t, i, None)
        if num is None:
            return None
        k = _sp(t, num.end)
        if t[k:k + 1] != "/":
            return None
        den = _partial_name(t, k + 1, None)
        if den is None:
            return None
        after = den.end
    else:  # \nabla_{W} L, \partial_{W} L, \partial_z a (a Jacobian)
        m = _NABLA.match(t, i) or _PARTIAL_SUB.match(t, i)
        if not m:
            return None
        grp = _group(t, m.end())
        den = scan_name(t, _sp(t, grp[0]), grp[1]) if grp else scan_name(t, m.end())
        if den is None or grp and _sp(t, den.end) != grp[1]:
            return None
        k = _sp(t, grp[2] if grp else den.end)
        brace = t[k:k + 1] in "({"
        num = scan_name(t, _sp(t, k + 1) if brace else k)
        if num is None or not _is_loss(num) and cmd == "nabla":
            return None
        after = num.end
        if brace:
            close = match_close(t, k)
            if close < 0 or _sp(t, num.end) != close:
                return None
            after = close + 1
    if not _is_loss(num):
        return read_jacobian(lx, i, after, num, den)
    sym = _node_symbol(den, lx.table)
    grad = lx.table.gradients.get(sym.name) if sym is not None else None
    if grad is None:
        what = "not a quantity of this question" if sym is None else "a quantity without a gradient here"
        raise lx.error(f"{quote(den.raw(t))} in {quote(t[i:after])} is {what}", den.start,
                       "unknown-symbol")
    unit = type(den)(i, after, f"\\partial({grad})")
    lx.emit("NAME", unit.spelling, i, after, unit, Sym(grad, sym.index, pos=i))  # entry-wise: ∂L/∂z_k
    if den.example:  # \frac{\partial J}{\partial Z^{[L](i)}}: example i of the gradient
        lx.emit("SLICE", f"1:{den.example}", i, after)
    return after


def _node_symbol(unit, table):
    r"""The symbol a name in a derivative stands for; an activation function's name with a layer
    tag (``\partial g^{[2]}``) stands for that layer's activation, the symbol spelled ``a^{[2]}``
    or ``A^{[2]}`` (students write the function for its value)."""
    sym = symbol_of(unit, table)
    if sym is not None:
        return sym if isinstance(sym, Sym) else None
    if unit.tag and function_of(unit, table) is not None:
        for base in ("a", "A"):
            sym = symbol_of(type(unit)(unit.start, unit.end, base, unit.sub, unit.tag), table)
            if isinstance(sym, Sym):
                return sym
    return None


def read_jacobian(lx, i: int, after: int, num, den) -> int:
    r"""``\frac{\partial z^{[l+1]}}{\partial a^{[l]}}``, ``\partial y/\partial z``,
    ``\frac{\partial y_k}{\partial z_j}``, ``\partial_z a``: the Jacobian the graph defines, one
    symbol (``SymbolTable.jacobians``); entry-wise its entry (row index: the numerator's). A
    diagonal Jacobian (an element-wise op) is the vector of derivatives, so its entry ``(k, j)`` is
    ``v_k \delta_{kj}``."""
    t, table = lx.text, lx.table
    y, z = _node_symbol(num, table), _node_symbol(den, table)
    name = table.jacobians.get((y.name, z.name)) if y is not None and z is not None else None
    if name is None:
        bad = num if y is None else den
        what = f"{quote(bad.raw(t))} is not a quantity of this question" if y is None or z is None \
            else f"{quote(num.raw(t))} and {quote(den.raw(t))} have no Jacobian here"
        raise lx.error(f"{quote(t[i:after])}: {what} (a derivative is read of the loss, or of one "
                       "quantity by another)", bad.start if y is None or z is None else i, "unknown-symbol")
    if len(y.index) > 1 or len(z.index) > 1 or bool(y.index) != bool(z.index):
        raise lx.error(f"{quote(t[i:after])}: write a Jacobian whole or by one entry, "
                       "\\partial y_k/\\partial z_j", i, "unknown-symbol")
    node = Sym(name, y.index + z.index, pos=i)
    if is_diagonal(name):
        node = Sym(name, pos=i)
        if y.index:
            node = Sym(name, y.index, pos=i)
            if y.index != z.index:
                node = Product(node, Kronecker(y.index[0], z.index[0], pos=i), pos=i)
    unit = type(den)(i, after, f"\\partial({name})")
    lx.emit("NAME", unit.spelling, i, after, unit, node)
    return after


def read_ones(lx, i: int) -> int | None:
    r"""``\mathbf{1}`` (and its other spellings) as the ones vector, with an optional size
    subscript; None if a condition follows (then it is an indicator)."""
    t = lx.text
    m = ONES.match(t, i)
    if not m:
        return None
    end = m.end()
    k = lx.skip(end)  # spaces and sizing: \mathbb{1}\left\{z > 0\right\} is an indicator too
    size = ""
    if t[k:k + 1] == "_":
        s = _sp(t, k + 1)
        grp = _group(t, s)
        raw = t[grp[0]:grp[1]] if grp else t[s:s + 1]
        after = grp[2] if grp else s + 1
        unit = scan_name(raw.strip(), 0)
        if unit is None or unit.spelling not in lx.table.sizes or unit.end != len(raw.strip()):
            return None  # \mathbb{1}_{z > 0}: an indicator
        size, end = lx.table.sizes[unit.spelling], after
    elif t[k:k + 1] == "{" or t.startswith("\\{", k):
        return None  # \mathbb{1}\{z > 0\}: an indicator (and without its condition, an error)
    elif t[k:k + 1] in ("(", "["):
        close = match_close(t, k)
        if close > 0 and re.search(r"[<>≥≤≠]|\\(?:geq?|leq?|neq?|gt|lt)(?![A-Za-z])", t[k:close]):
            return None
    lx.emit("ONES", size, i, end)
    return end


def read_cases(lx, i: int) -> int | None:
    m = CASES.match(lx.text, i)
    if not m:
        return None
    if m.group(1) == "begin":
        lx.cases += 1
        lx.emit("BEGINCASES", m.group(), i, m.end())
    else:
        lx.cases -= 1
        lx.emit("ENDCASES", m.group(), i, m.end())
    return m.end()


def case_word(lx, unit) -> bool:
    """Inside cases, ``otherwise``/``\\text{if }``: a token (or nothing); True if it was one."""
    if not lx.cases or unit.spelling not in CASE_WORDS:
        return False
    kind = CASE_WORDS[unit.spelling]
    if kind is not None:
        lx.emit(kind, unit.spelling, unit.start, unit.end)
    return True


def read_bar(lx, i: int, width: int = 1, side: str = "") -> int:
    """``|`` (or ``\\lvert``/``\\rvert``): closes the innermost open bar after an operand."""
    closes = side == "close" or side != "open" and lx.bars > 0 and lx.prev() in OPERAND_END
    if closes and lx.bars == 0:
        raise lx.error("'|' closes an absolute value that was never opened", i)
    lx.bars += -1 if closes else 1
    lx.emit("_RBAR" if closes else "_LBAR", lx.text[i:i + width], i, i + width)
    return i + width


def read_numpy(lx, i: int) -> int | None:
    """``np.tanh(`` and the rest of :data:`NUMPY`: a function token."""
    m = NUMPY_NAME.match(lx.text, i)
    if not m or m.group(1) not in NUMPY:
        if m:
            raise lx.error(f"unknown numpy function {quote(m.group())} (read: "
                           f"{', '.join(sorted(NUMPY))})", i, "unknown-function")
        return None
    lx.emit("FUNC", NUMPY[m.group(1)], i, m.end(1))
    return m.end(1)


def read_kwarg(lx, i: int) -> int | None:
    """``axis=1``, ``keepdims=True`` inside a numpy call."""
    m = KWARG.match(lx.text, i)
    if not m:
        return None
    lx.emit("KWARG", f"{m.group(1)}={m.group(2)}", i, m.end())
    return m.end()


def read_method(lx, i: int) -> int | None:
    """``A.dot(B)``: a matrix product written as a method."""
    m = METHOD.match(lx.text, i)
    if not m:
        return None
    lx.emit("METHOD", "dot", i, m.end())
    return m.end()


GRADIENT_COMMANDS = ("frac", "dfrac", "tfrac", "partial", "nabla")
ONES_COMMANDS = ("mathbf", "boldsymbol", "bm", "vec", "mathbb", "mathbbm", "mathds")
BARS = {"lvert": "open", "rvert": "close", "vert": "", "mid": ""}


def read_command(lx, i: int, end: int, cmd: str) -> int | None:
    """The notations above that start with a LaTeX command (``cmd`` ends at ``end``)."""
    if cmd in GRADIENT_COMMANDS:
        return read_gradient(lx, i, end, cmd)
    if cmd in ONES_COMMANDS:
        return read_ones(lx, i)
    if cmd in ("begin", "end"):
        return read_cases(lx, i)
    if cmd in BARS:
        return read_bar(lx, i, end - i, BARS[cmd])
    return None


#: plain words that may start a notation of their own
WORD_READERS = {"np": read_numpy, "numpy": read_numpy, "axis": read_kwarg, "keepdims": read_kwarg}


_INDEX = re.compile(r"[A-Za-z]'?")


def read_entry_subscript(lx, i: int) -> int | None:
    r"""``_i`` or ``_{i}`` right after a closing bracket: entry ``i`` of the bracketed value
    (``[(W^{(L-1)})^T \delta^{(L)}]_i``, seed 001); None when no single index follows."""
    if lx.prev() not in ("_RSQB", "_RPAR"):
        return None
    t = lx.text
    grp = _group(t, i + 1)
    start, stop, after = grp if grp else (_sp(t, i + 1), None, None)
    m = _INDEX.match(t, start)
    if not m or (grp and t[m.end():stop].strip()) or (not grp and t[m.end():m.end() + 1].isalnum()):
        return None
    lx.emit("SUBSCRIPT", m.group(), i, after if grp else m.end())
    return after if grp else m.end()
