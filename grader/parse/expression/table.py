r"""What names an answer may use: the :class:`SymbolTable` of a question, and how a name read
from an answer (a :class:`~grader.parse.expression.normalize.NameUnit`) is resolved against it.

Resolution of a name such as ``\delta_i^{(L)}``:

1. the whole spelling (``delta_{i}^{(L)}``) as a declared symbol, so ``z_1``, ``\bar{z}_1`` can be
   names of their own;
2. ``\delta_{ij}`` (base ``delta``, no layer tag, subscript of two declared indices) is a
   Kronecker delta;
3. the spelling without its subscript (``delta^{(L)}``) as a symbol, the subscript split into
   free indices, each declared (``kk'`` → ``k``, ``k'``; ``ij`` → ``i``, ``j``; ``i,j``);
4. the whole spelling as a size;
5. failing all that, a vector arrow (``\vec{\hat{y}}``, ``\overrightarrow{y}``, ``y⃗``) on a name
   the table knows without it is that name, as bold is (``\mathbf``, ``\boldsymbol`` and
   ``\underline`` are dropped by the reader): unless the assignment spells some name with that
   arrow on the same base, where the arrow tells two of its names apart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterable, Mapping

from grader.errors import AnswerError, ConfigError
from grader.parse.expression.tree import Kronecker, Sym
from grader.parse.expression.normalize import NameUnit, norm_script, quote, spelling_of

DEFAULT_FUNCTIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "sigmoid": (r"\sigma", "sigma", "σ", "sigmoid"),
    "tanh": (r"\tanh", "tanh"),
    "relu": ("relu", "ReLU", "Relu", r"\operatorname{ReLU}", r"\text{ReLU}", r"\mathrm{ReLU}",
             r"\operatorname{relu}"),
    "exp": (r"\exp", "exp"),
    "log": (r"\log", r"\ln", "log", "ln"),
    "softmax": ("softmax", r"\operatorname{softmax}", r"\text{softmax}", r"\mathrm{softmax}"),
    "max": ("max", r"\max"),
    "min": ("min", r"\min"),
    "cosh": (r"\cosh", "cosh"),
    "sinh": (r"\sinh", "sinh"),
    "sech": (r"\operatorname{sech}", r"\mathrm{sech}", r"\text{sech}", "sech"),
    "sign": (r"\operatorname{sign}", r"\mathrm{sign}", r"\text{sign}", "sign", r"\sgn",
             r"\operatorname{sgn}", "sgn"),
    "abs": ("abs", r"\operatorname{abs}"),
    "sqrt": (r"\sqrt", "sqrt"),
    "diag": ("diag", r"\operatorname{diag}", r"\mathrm{diag}", r"\text{diag}"),
    "act": ("g", "f", r"\phi", r"\varphi", "φ"),  # the question's activation; g^{[l]} is g
    # the Heaviside step, ReLU's derivative (step(0) is the assignment's ReLU'(0)); these
    # spellings are WEAK: a symbol or size an assignment declares so (H hidden units) wins
    "step": ("H", r"\Theta", "u", "step", r"\operatorname{step}", r"\text{step}", r"\mathrm{step}",
             r"\operatorname{H}", "heaviside", r"\operatorname{heaviside}", "Heaviside"),
})
#: functions whose spellings give way to a declared symbol or size of the same spelling
WEAK = frozenset({"step"})
ARITY = {"max": 2}  # every other function takes one argument (as ARITY says to older readers)
#: functions of several arguments: (fewest, most); \max(a, b, c) is max(max(a, b), c)
ARGUMENTS = {"max": (2, 8), "min": (2, 8), "outer": (2, 2), "matmul": (2, 2), "hadamard": (2, 2)}
#: what a numerator of a derivative may be to make it a gradient: the loss, however named
LOSS_WORDS = frozenset({"L", "J", "E", "C", "l", "\\mathcal{L}", "\\mathcal{J}", "\\mathcal{E}",
                        "\\mathcal{C}", "Loss", "loss", "cost", "\\ell"})
LOG_BASE = re.compile(r"[1-9][0-9]{0,2}|e")  # \log_2, \log_{10}, \log_e
LAYER_TAG = re.compile(r"[A-Za-z0-9+-]+")  # l, L-1, l+1, 2: a layer, not \\prime or a typo
_EMPTY: Mapping[str, str] = MappingProxyType({})


def _spell(table: Mapping[str, Iterable[str]], kind: str) -> Mapping[str, str]:
    out: dict[str, str] = {}
    for canonical, spellings in table.items():
        for s in [spellings] if isinstance(spellings, str) else spellings:
            try:
                key = spelling_of(s)
            except ValueError as e:
                raise ConfigError(f"{kind} {canonical!r}: spelling {quote(s)}: {e}") from None
            if out.get(key, canonical) != canonical:
                raise ConfigError(f"{kind} spelling {quote(s)} names both {out[key]!r} and "
                                  f"{canonical!r}")
            out[key] = canonical
    return MappingProxyType(out)


@dataclass(frozen=True)
class SymbolTable:
    """Normalized spelling → canonical name, for symbols, functions and sizes of one question."""

    symbols: Mapping[str, str]
    functions: Mapping[str, str]
    indices: frozenset[str] = frozenset()
    sizes: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    #: canonical symbol -> the canonical symbol of its gradient (``\\frac{\\partial L}{\\partial W}``)
    gradients: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    #: (canonical symbol, canonical symbol) -> the symbol of the Jacobian ∂first/∂second
    #: (``\\frac{\\partial z^{[l+1]}}{\\partial a^{[l]}}``: grader.judge.symbolic.jacobians)
    jacobians: Mapping[tuple[str, str], str] = field(default_factory=lambda: _EMPTY)
    #: the indices among ``indices`` that only the answer's own sums bind (sums.local_indices)
    bound: frozenset[str] = frozenset()

    @classmethod
    def build(cls, *, symbols: Mapping[str, Iterable[str]],
              functions: Mapping[str, Iterable[str]] = DEFAULT_FUNCTIONS,
              indices: Iterable[str] = (), sizes: Mapping[str, Iterable[str]] = _EMPTY,
              gradients: Mapping[str, str] = _EMPTY,
              jacobians: Mapping[tuple[str, str], str] = _EMPTY) -> "SymbolTable":
        """Canonical name → spellings (LaTeX or plain), each normalized by the parser's reader.

        >>> t = SymbolTable.build(symbols={"yhat": [r"\\hat{y}", "y_hat"]})
        >>> dict(t.symbols)
        {'\\\\hat{y}': 'yhat', 'y_{hat}': 'yhat'}
        """
        symbols, sizes = _spell(symbols, "symbol"), _spell(sizes, "size")
        functions = MappingProxyType({k: fn for k, fn in _spell(functions, "function").items()
                                      if fn not in WEAK or (k not in symbols and k not in sizes)})
        return cls(symbols=symbols, functions=functions,
                   indices=frozenset(norm_script(i) for i in indices),
                   sizes=sizes, gradients=MappingProxyType(dict(gradients)),
                   jacobians=MappingProxyType(dict(jacobians)))


def function_of(unit: NameUnit, table: SymbolTable) -> str | None:
    """The canonical function a name spells; ``g^{[l]}``, ``g^{(L-1)}`` fall back to ``g``."""
    fn = table.functions.get(unit.spelling)
    if fn is None and not unit.sub and LAYER_TAG.fullmatch(unit.tag):
        fn = table.functions.get(unit.base)
    if fn is None and not unit.tag and LOG_BASE.fullmatch(unit.sub) \
            and table.functions.get(unit.base) == "log":
        fn = "log"  # \log_2 x: the builder divides by log 2
    return fn


def split_indices(sub: str, indices: frozenset[str]) -> tuple[str, ...] | None:
    """``kk'`` → ("k", "k'"), ``i,j`` → ("i", "j"), when every part is a declared index."""
    if sub in indices:
        return (sub,)
    parts = sub.split(",") if "," in sub else re.findall(r"[A-Za-z]'*|.", sub)
    return tuple(parts) if parts and all(p in indices for p in parts) else None


#: decorations that only say "a vector": dropped from a name the table does not know with them
VECTOR_MARKS = ("\\vec{",)


def without_vector_mark(unit: NameUnit, table: SymbolTable) -> NameUnit | None:
    r"""``unit`` with its vector arrow taken off, or None when it has none or the assignment
    writes an arrow on that base itself (then ``\vec{x}`` and ``x`` may be two names).

    >>> t = SymbolTable.build(symbols={"yhat": [r"\hat{y}"]})
    >>> without_vector_mark(NameUnit(0, 14, r"\vec{\hat{y}}"), t).base
    '\\hat{y}'
    >>> without_vector_mark(NameUnit(0, 7, r"\vec{x}"), SymbolTable.build(symbols={"u": [r"\vec{x}_1"]}))
    """
    for mark in VECTOR_MARKS:
        if unit.base.startswith(mark) and unit.base.endswith("}"):
            if any(s.startswith(unit.base) for s in table.symbols):
                return None
            return NameUnit(unit.start, unit.end, unit.base[len(mark):-1], unit.sub, unit.tag,
                            unit.trail, unit.example)
    return None


def symbol_of(unit: NameUnit, table: SymbolTable) -> Sym | Kronecker | None:
    found = _symbol_of(unit, table)
    if found is None and unit.base.startswith("\\"):
        bare = without_vector_mark(unit, table)
        if bare is not None:
            return symbol_of(bare, table)
    return found


def _symbol_of(unit: NameUnit, table: SymbolTable) -> Sym | Kronecker | None:
    if unit.spelling in table.symbols:
        return Sym(table.symbols[unit.spelling], pos=unit.start)
    if not unit.sub:
        return None
    idx = split_indices(unit.sub, table.indices)
    if idx and len(idx) == 2 and unit.base == "delta" and not unit.tag:
        return Kronecker(idx[0], idx[1], pos=unit.start)
    bare = unit.base + unit.tag_part
    if idx and bare in table.symbols:
        return Sym(table.symbols[bare], idx, pos=unit.start)
    return None


def is_known(unit: NameUnit, table: SymbolTable) -> bool:
    return symbol_of(unit, table) is not None or unit.spelling in table.sizes


def known_names(mapping: Mapping[str, str], limit: int = 12) -> str:
    firsts: dict[str, str] = {}
    for spelling, canon in mapping.items():
        firsts.setdefault(canon, spelling)
    first = list(firsts.values())
    shown = ", ".join(first[:limit]) + (", ..." if len(first) > limit else "")
    return shown or "none"


def unknown_name(unit: NameUnit, text: str, table: SymbolTable, *, size: bool = False
                 ) -> AnswerError:
    """The error for a name the table cannot resolve, worded with what the student typed."""
    raw = unit.raw(text)
    raw = raw if len(raw) <= 40 else raw[:37] + "..."
    bare = unit.base + unit.tag_part
    if unit.sub and bare in table.symbols and not size:
        known = ", ".join(sorted(table.indices)) or "none"
        msg = f"unknown index {quote(unit.sub)} in {quote(raw)} (indices: {known})"
    elif size:
        msg = f"unknown size {quote(raw)} (sizes: {known_names(table.sizes)})"
    else:
        msg = f"unknown symbol {quote(raw)}"
        if re.fullmatch(r"-?[0-9]+", unit.tag):
            msg += " (a superscript in brackets is a layer tag; write x^2 for a power)"
        msg += f" (known: {known_names(table.symbols)})"
    return AnswerError(msg, column=unit.start + 1, text=text, category="unknown-symbol")
