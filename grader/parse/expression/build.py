r"""From lark's parse tree to the typed tree of :mod:`grader.parse.expression.tree`.

Decisions made here, with the whole answer in view:

* **Shape or product.** A top-level chain of ``\times``/DIMX (``C x d_{L-1}``, ``d \times 1``)
  whose operands are all sizes or whole numbers is a :class:`Shape`, and so is
  ``\mathbb{R}^{...}``; any other ``\times`` is a :class:`Product`. ``expect="expression"``
  never makes a Shape, ``expect="shape"`` always does (a lone ``d`` is the shape ``(d,)``).
* **Size or symbol.** A name may be declared both ways (``d`` for δ and for a dimension). It
  is a size when the whole answer is a size polynomial: only numbers, size names, ``+ - * / ^``
  and brackets (``d^2 + d``). Otherwise the symbol wins (``W.T @ d * relu'(z)``); a name that
  is only a size stays a :class:`Size` (``\frac{1}{m} \delta x^T``).
* **Exponents** are whole numbers, evaluated exactly, at most 10^6 in absolute value, and powers
  of powers may not multiply past 10^6 (``((x^{1000})^{1000})^2`` is refused): each is one
  float pow, or one mpmath pow when a near tie is decided in high precision
  (:mod:`grader.judge.symbolic.precise`), so ``z^{1000000} - z^{1000000}`` is graded, not refused.
  A constant exponent's own powers stay under MAX_BITS before they are computed.
"""
from __future__ import annotations

from fractions import Fraction

from lark import Token, Tree

from grader.errors import AnswerError
from grader.parse.expression.tree import (Add, Call, Cases, Derivative, Div, Hadamard, Indicator,
                                   MatMul, Neg, Node, Num, Ones, Pow, Product, Shape, Size, Sub,
                                   Sum, Transpose, children)
from grader.parse.expression import division, slices
from grader.parse.expression.calls import call_node
from grader.parse.expression.normalize import quote
from grader.parse.expression.table import ARITY, SymbolTable, symbol_of, unknown_name
from grader.parse.expression.tokens import UNRESOLVED

MAX_NODES = 400
MAX_TREE_DEPTH = 100  # left-deep chains such as a+b+c+...; brackets are limited to 40 earlier
MAX_POWER = 1_000_000  # one float pow or one mpmath pow each: the size of the work does not grow with it
MAX_NESTED_SUMS = 4  # \sum inside \sum: the work is the product of their ranges (2^20 evaluations for 20)
MAX_BITS = 4096  # of a constant met while evaluating an exponent

BINARY = {"add": Add, "sub": Sub, "mul": Product, "times": Product, "matmul": MatMul,
          "hadamard": Hadamard, "div": Div}
SIZE_TOKENS = {"NAME", "NUMBER", "PLUS", "MINUS", "STAR", "CARET", "SLASH", "_LPAR", "_RPAR",
               "_LSQB", "_RSQB", "_LBRACE", "_RBRACE"}


def span(node) -> tuple[int, int]:
    """First and last offsets of the text a parse-tree node was read from."""
    if isinstance(node, Token):
        return node.start_pos, node.end_pos
    toks = list(node.scan_values(lambda v: isinstance(v, Token)))
    return min(t.start_pos for t in toks), max(t.end_pos for t in toks)


def first_pos(node) -> int:
    """Offset of the first token under a parse-tree node (iterative: trees may be deep)."""
    while isinstance(node, Tree) and node.children:
        node = node.children[0]
    return node.start_pos if isinstance(node, Token) else 0


def check_size(tree: Tree, text: str) -> None:
    """Refuse trees too big or too deep before any recursive walk over them."""
    stack, count = [(tree, 1)] if isinstance(tree, Tree) else [], 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES or depth > MAX_TREE_DEPTH:
            what = f"more than {MAX_NODES} parts" if count > MAX_NODES else \
                f"nested more than {MAX_TREE_DEPTH} levels deep"
            raise AnswerError(f"answer is too large ({what})", column=first_pos(node) + 1,
                              text=text, category="limit")
        depth += 1
        for c in node.children:  # tokens are not counted: only trees go on the stack
            if isinstance(c, Tree):
                stack.append((c, depth))


class Builder:
    def __init__(self, text: str, table: SymbolTable, tokens: list[Token], expect: str):
        self.text, self.table, self.expect = text, table, expect
        self.size_mode = expect == "auto" and self._sizes_only(tokens)
        self.other_division = False  # read a/b c the other way (division.py)
        self.alternative: Node | None = None  # the answer so read, where it has an a/b c
        self._divisions = 0

    def _sizes_only(self, tokens: list[Token]) -> bool:
        """A size polynomial: some names, all sizes, and only arithmetic around them."""
        names = [t for t in tokens if t.type == "NAME"]
        return bool(names) and all(t.type in SIZE_TOKENS for t in tokens) \
            and all(t in self.table.sizes for t in names)

    def error(self, msg: str, pos: int, category: str = "syntax") -> AnswerError:
        return AnswerError(msg, column=pos + 1, text=self.text, category=category)

    def raw(self, node) -> str:
        a, b = span(node)
        return self.text[a:b]

    # -- the whole answer --------------------------------------------------------------
    def build(self, tree: Tree) -> Node:
        top = tree.children[0]
        if isinstance(top, Tree) and top.data == "reals":
            return self.shape(self.chain(top.children[2]), span(top)[0])
        if isinstance(top, Tree) and top.data == "pair":  # numpy's shape tuple (C, d_{L-1})
            if self.expect == "expression" or not all(map(self.sizeable, top.children)):
                raise self.error("a pair (a, b) is read only as a shape, such as (C, d)", span(top)[0])
            return self.shape(list(top.children), span(top)[0])
        chain = self.chain(top)
        has_dimx = any(link.data == "dimx" for link in self.links(top))
        if self.expect == "shape" or has_dimx or len(chain) > 1 and self.expect == "auto" \
                and all(map(self.sizeable, chain)):
            return self.shape(chain, span(top)[0])
        node = slices.bind_free(self.conv(top), self.error)
        if self._divisions and not self.other_division:
            self.other_division = True
            self.alternative = slices.bind_free(self.conv(top), self.error)
        stack, count = [(node, 1, 0)], 0
        while stack:  # powers of powers, sums in sums; and the nodes counted on the way
            n, m, sums = stack.pop()
            count += 1
            if isinstance(n, Pow):
                m *= max(1, abs(n.exponent))
                if m > MAX_POWER:
                    raise self.error(f"powers of powers reach exponent {m} (limit {MAX_POWER})",
                                     n.pos, "limit")
            elif isinstance(n, Sum):
                sums += 1
                if sums > MAX_NESTED_SUMS:
                    raise self.error(f"sums are nested {sums} deep (limit {MAX_NESTED_SUMS}): each one "
                                     f"multiplies the work of those inside it", n.pos, "limit")
            for c in children(n):
                stack.append((c, m, sums))
        if count > MAX_NODES:
            raise self.error(f"answer is too large ({count} parts, limit {MAX_NODES})", node.pos,
                             "limit")
        return node

    @staticmethod
    def links(node) -> list:
        out = []
        while isinstance(node, Tree) and node.data in ("times", "dimx"):
            out.append(node)
            node = node.children[0]
        return out

    def chain(self, node) -> list:
        """Operands of a left-nested chain of \\times / x, left to right."""
        out = []
        while isinstance(node, Tree) and node.data in ("times", "dimx"):
            out.append(node.children[2])
            node = node.children[0]
        return [node] + out[::-1]

    # -- shapes ------------------------------------------------------------------------
    def sizeable(self, node) -> bool:
        if isinstance(node, Tree) and node.data in ("num", "name"):
            node = node.children[0]
        if isinstance(node, Token):
            return node.type == "NUMBER" and node.isdigit() or node.type == "NAME" \
                and node in self.table.sizes
        if node.data in ("add", "sub", "mul", "juxt"):
            return all(self.sizeable(c) for c in node.children if not isinstance(c, Token))
        return node.data == "pow" and self.sizeable(node.children[0])

    def shape(self, dims: list, pos: int) -> Shape:
        return Shape(tuple(self.dim(d) for d in dims), pos=pos)

    def dim(self, node) -> Node:
        if isinstance(node, Tree) and node.data in ("num", "name"):
            node = node.children[0]
        if isinstance(node, Token) and node.type == "NAME":
            if node not in self.table.sizes:
                raise unknown_name(node.unit, self.text, self.table, size=True)
            return Size(self.table.sizes[node], pos=node.start_pos)
        if isinstance(node, Token) and node.type == "NUMBER":
            if not node.isdigit() or int(node) == 0:
                raise self.error(f"a dimension must be a positive whole number, not {quote(node)}",
                                 node.start_pos)
            return Num(Fraction(int(node)), pos=node.start_pos)
        if isinstance(node, Tree) and node.data in ("add", "sub", "mul"):
            left, op, right = node.children
            return BINARY[node.data](self.dim(left), self.dim(right), pos=op.start_pos)
        if isinstance(node, Tree) and node.data == "juxt":
            left, right = node.children
            a, b = self.dim(left), self.dim(right)
            return Product(a, b, pos=b.pos)
        if isinstance(node, Tree) and node.data == "pow":
            base, caret, e = node.children
            return Pow(self.dim(base), self.exponent(e), pos=caret.start_pos)
        raise self.error("expected a size such as C, d or 3 in a shape, got "
                         f"{quote(self.raw(node))}", span(node)[0])

    # -- expressions -------------------------------------------------------------------
    def name(self, tok: Token) -> Node:
        sizes = self.table.sizes
        if self.size_mode and tok in sizes:
            return Size(sizes[tok], pos=tok.start_pos)
        node = tok.resolved if getattr(tok, "resolved", UNRESOLVED) is not UNRESOLVED \
            else symbol_of(tok.unit, self.table)  # looked up once, by the tokenizer
        if node is not None:
            return node
        if tok in sizes:
            return Size(sizes[tok], pos=tok.start_pos)
        raise unknown_name(tok.unit, self.text, self.table)

    def conv(self, node) -> Node:
        if isinstance(node, Token):
            if node.type == "NAME":
                return self.name(node)
            return Num(Fraction(str(node)), pos=node.start_pos)
        data, ch = node.data, node.children
        if data in ("num", "name"):
            return self.conv(ch[0])
        if data == "pair":
            raise self.error("a pair (a, b) is read only as a whole shape answer, such as (C, d)", span(node)[0])
        if data == "div" and division.is_juxtaposition(ch[2]):
            self._divisions += 1
            return division.read_division(self, ch, other=self.other_division)
        if data in BINARY:
            return BINARY[data](self.conv(ch[0]), self.conv(ch[2]), pos=ch[1].start_pos)
        if data == "otimes":  # of two vectors only: functions.otimes refuses a Kronecker product
            return Call("otimes", (self.conv(ch[0]), self.conv(ch[2])), pos=ch[1].start_pos)
        if data == "juxt":
            left, right = self.conv(ch[0]), self.conv(ch[1])  # left first: errors read in order
            return Product(left, right, pos=right.pos)
        if data == "neg":
            return Neg(self.conv(ch[1]), pos=ch[0].start_pos)
        if data == "pos":
            return self.conv(ch[1])
        if data == "pow":
            return Pow(self.conv(ch[0]), self.exponent(ch[2]), pos=ch[1].start_pos)
        if data == "transpose":
            return Transpose(self.conv(ch[0]), pos=ch[1].start_pos)
        if data == "entry":
            return slices.entry_node(self.conv(ch[0]), ch[1])
        if data == "slice":
            return slices.slice_node(self.conv(ch[0]), ch[1])
        if data == "sigma":
            return Sum(str(ch[0]), self.conv(ch[1]), getattr(ch[0], "lo", None),
                       getattr(ch[0], "hi", None), pos=ch[0].start_pos)
        if data == "frac":
            return Div(self.conv(ch[1]), self.conv(ch[2]), pos=ch[0].start_pos)
        if data in ("indicator", "mask"):
            cond = ch[-1]
            while cond.data == "mask":  # 1\{(z > 0)\}, [z > 0], (z > 0): a condition as a mask
                cond = cond.children[0]
            left, op, right = cond.children
            return Indicator(str(op), self.conv(left), self.conv(right),
                             pos=ch[0].start_pos if data == "indicator" else op.start_pos)
        if data == "abs":
            return Call("abs", (self.conv(ch[0]),), pos=span(node)[0])
        if data == "ones":
            return Ones(str(ch[0]), pos=ch[0].start_pos)
        if data == "method":
            return MatMul(self.conv(ch[0]), self.conv(ch[2]), pos=ch[1].start_pos)
        if data == "cases":
            return self.cases(ch)
        if data in ("call", "powcall"):
            fn = ch[0]
            args = ch[-1].children if isinstance(ch[-1], Tree) and ch[-1].data == "args" \
                else [ch[-1]]
            call = call_node(self, fn, args)
            if data == "call":
                return call
            n = self.exponent(ch[2])
            if n < 1:
                raise self.error(f"{quote(self.raw(fn) + '^{' + str(n) + '}')} is not supported "
                                 "(no inverse functions or negative powers of a function)",
                                 ch[1].start_pos)
            return Pow(call, n, pos=ch[1].start_pos)
        if data == "deriv":
            fn = ch[0]
            if ARITY.get(str(fn), 1) != 1:
                raise self.error(f"{quote(self.raw(fn))}' is not defined: write an indicator "
                                 "such as 1{z > 0}", fn.start_pos)
            return Derivative(str(fn), self.conv(ch[2]), pos=fn.start_pos)
        if data == "expe":
            if "exp" not in self.table.functions.values():
                raise self.error("e^{...} (exp) is not allowed in this answer", ch[0].start_pos,
                                 "unknown-function")
            return Call("exp", (self.conv(ch[2]),), pos=ch[0].start_pos)
        if data == "dimx":
            raise self.error("the letter x separates dimensions only in a whole shape such as "
                             "C x d", ch[1].start_pos)
        if data == "reals":
            raise self.error("a set such as \\mathbb{R}^{d} can only be a whole answer (a shape)",
                             ch[0].start_pos)
        raise self.error(f"cannot read {quote(self.raw(node))}", span(node)[0])  # pragma: no cover

    def cases(self, ch) -> Cases:
        """``\\begin{cases} ... \\end{cases}``: its rows, the ``otherwise`` one last."""
        conds, values, default = [], [], None
        for row in ch[1:-1]:
            if default is not None:
                raise self.error("an 'otherwise' row must be the last of the cases",
                                 span(row)[0])
            value = self.conv(row.children[0])
            if row.data == "otherwise":
                default = value
                continue
            left, op, right = row.children[1].children
            conds.append(Indicator(str(op), self.conv(left), self.conv(right), pos=op.start_pos))
            values.append(value)
        if not conds:
            raise self.error("cases need at least one row with a condition", ch[0].start_pos)
        return Cases(tuple(conds), tuple(values), default, pos=ch[0].start_pos)

    # -- exponents -----------------------------------------------------------------------
    def exponent(self, node) -> int:
        value = self.const(node)
        if value.denominator != 1:
            raise self.error(f"the exponent must be a whole number, not {value}", span(node)[0])
        if abs(value) > MAX_POWER:
            raise self.error(f"exponent {value} is too large (limit {MAX_POWER})", span(node)[0],
                             "limit")
        return int(value)

    def const(self, node) -> Fraction:
        """Exact value of a constant exponent such as 2, {-1}, 2^3; refuses names."""
        if isinstance(node, Tree) and node.data in ("num", "name"):
            node = node.children[0]
        if isinstance(node, Token) and node.type == "NUMBER":
            return Fraction(str(node))
        if isinstance(node, Tree) and node.data == "neg":
            return -self.const(node.children[1])
        if isinstance(node, Tree) and node.data == "pos":
            return self.const(node.children[1])
        if isinstance(node, Tree) and node.data in ("add", "sub", "mul", "div", "juxt", "pow"):
            left, right = node.children[0], node.children[-1]
            a = self.const(left)
            if node.data == "pow":
                n = self.exponent(right)
                if a == 0 and n < 0:
                    raise self.error("division by zero in an exponent", span(node)[0])
                if (max(abs(a.numerator).bit_length(), a.denominator.bit_length()) - 1) * abs(n) > MAX_BITS:
                    raise self.error("exponent is too large", span(node)[0], "limit")
                value = a ** n
            else:
                b = self.const(right)
                if node.data == "div" and b == 0:
                    raise self.error("division by zero in an exponent", span(node)[0])
                value = {"add": a + b, "sub": a - b, "mul": a * b, "juxt": a * b}.get(
                    node.data) if node.data != "div" else a / b
            if max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_BITS:
                raise self.error("exponent is too large", span(node)[0], "limit")
            return value
        raise self.error(f"the exponent must be a whole number, not {quote(self.raw(node))}",
                         span(node)[0])
