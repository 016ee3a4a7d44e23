r"""Symbolic answers: plain text and LaTeX read into one typed tree (grader.parse.expression.parser).

Tables of cases, compared through ``show``, a compact printer, so a case reads as one line.
"""
from __future__ import annotations

import builtins
import random
from pathlib import Path

import pytest

from grader.errors import AnswerError, ConfigError
from grader.parse.expression.parser import (DEFAULT_FUNCTIONS, Add, Call, Derivative, Div, Hadamard,
                                     Indicator, Kronecker, MatMul, Neg, Num, Pow, Product,
                                     Shape, Size, Sub, Sum, Sym, SymbolTable, Transpose,
                                     parse_expression)

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

MAIN = SymbolTable.build(
    symbols={"yhat": [r"\hat{y}", "ŷ", "y_hat", "yhat"], "y": ["y"], "t": ["t"],
             "deltaL": [r"\delta^{(L)}", "delta^{(L)}", r"\delta^{[L]}", "delta2", "d", r"\delta"],
             "a_prev": [r"z^{(L-1)}", r"A^{[l-1]}", "a1", "z_2"],
             "W": ["W", r"W^{[l+1]}", r"W^{(2)}"],
             "z": ["z", "Z^{[l]}", "z_1"], "x": ["x"], "zbar1": [r"\bar{z}_1"], "h": ["h"]},
    indices={"i", "j", "k", "k'"},
    sizes={"C": ["C"], "d": ["d"], "d_prev": ["d_{L-1}"]})
# the generic-layer notation of seeds 002/004: \delta^{[l]}, W^{[l+1]}, Z^{[l]}; Nielsen's \delta^l
LAYER = SymbolTable.build(
    symbols={"W_next": [r"W^{[l+1]}", r"w^{[l+1]}"], "delta_next": [r"\delta^{[l+1]}"],
             "delta": [r"\delta^{[l]}"], "z": [r"Z^{[l]}", r"z^{[l]}"],
             "a_prev": [r"A^{[l-1]}", r"a^{[l-1]}"]},
    indices={"i"}, sizes={"m": ["m"]})
M, L = MAIN, LAYER

NAMES = {Add: "add", Sub: "sub", Product: "mul", MatMul: "matmul", Hadamard: "had", Div: "div"}


def show(n) -> str:
    """``sub(sym(yhat), sym(y))``: the tree in one line."""
    match n:
        case Num(value=v):
            return f"num({v})"
        case Sym(name=s, index=()):
            return f"sym({s})"
        case Sym(name=s, index=ix):
            return f"sym({s}; {','.join(ix)})"
        case Size(name=s):
            return f"size({s})"
        case Neg(arg=a):
            return f"neg({show(a)})"
        case Add() | Sub() | Product() | MatMul() | Hadamard() | Div():
            return f"{NAMES[type(n)]}({show(n.left)}, {show(n.right)})"
        case Pow(base=b, exponent=e):
            return f"pow({show(b)}, {e})"
        case Transpose(arg=a):
            return f"T({show(a)})"
        case Call(fn=f, args=a):
            return f"{f}({', '.join(map(show, a))})"
        case Derivative(fn=f, arg=a):
            return f"{f}'({show(a)})"
        case Indicator(op=o, left=lft, right=r):
            return f"ind({show(lft)} {o} {show(r)})"
        case Sum(index=i, body=b):
            return f"sum_{i}({show(b)})"
        case Kronecker(i=i, j=j):
            return f"kron({i}, {j})"
        case Shape(dims=d):
            return f"shape({', '.join(map(show, d))})"
    raise TypeError(n)


# (table, answer, tree[, left-hand side])
ACCEPTED = [
    (M, 'y_hat - y', 'sub(sym(yhat), sym(y))'),
    (M, r'\hat{y} - y', 'sub(sym(yhat), sym(y))'),
    (M, 'ŷ − y', 'sub(sym(yhat), sym(y))'),
    (M, r'\hat y - y', 'sub(sym(yhat), sym(y))'),
    (M, 'yhat - y', 'sub(sym(yhat), sym(y))'),
    (M, r'\widehat{y} - y', 'sub(sym(yhat), sym(y))'),
    (M, 'delta2 @ a1.T', 'matmul(sym(deltaL), T(sym(a_prev)))'),
    (M, 'delta^{(L)} (z^{(L-1)})^T', 'mul(sym(deltaL), T(sym(a_prev)))'),
    (M, r'\delta^{(L)} (z^{(L-1)})^{T}', 'mul(sym(deltaL), T(sym(a_prev)))'),
    (M, r'\delta^{[L]} A^{[l-1]\top}', 'mul(sym(deltaL), T(sym(a_prev)))'),
    (M, r'\delta^{[ L ]} (A^{[l - 1]})^\top', 'mul(sym(deltaL), T(sym(a_prev)))'),
    (M, '(y - t) z_2^T', 'mul(sub(sym(y), sym(t)), T(sym(a_prev)))'),
    (M, '(y - t) * z_2^T', 'mul(sub(sym(y), sym(t)), T(sym(a_prev)))'),
    (M, "W.T @ d * relu'(z)", "mul(matmul(T(sym(W)), sym(deltaL)), relu'(sym(z)))"),
    (M, r'\sigma(z)(1-\sigma(z))', 'mul(sigmoid(sym(z)), sub(num(1), sigmoid(sym(z))))'),
    (M, 'σ(z) ⊙ (1 − σ(z))', 'had(sigmoid(sym(z)), sub(num(1), sigmoid(sym(z))))'),
    (M, r'1 - \tanh^2(z)', 'sub(num(1), pow(tanh(sym(z)), 2))'),
    (M, '1 - tanh(z)**2', 'sub(num(1), pow(tanh(sym(z)), 2))'),
    (M, r'1 - \tanh(z)^2', 'sub(num(1), pow(tanh(sym(z)), 2))'),
    (M, r'\mathbb{1}\{z > 0\}', 'ind(sym(z) > num(0))'),
    (M, '1{z>0}', 'ind(sym(z) > num(0))'),
    (M, r'\mathbb{1}_{z > 0}', 'ind(sym(z) > num(0))'),
    (M, r'1_{\{z \neq 0\}}', 'ind(sym(z) != num(0))'),
    (M, r'\mathbb{I}(z>0)', 'ind(sym(z) > num(0))'),
    (M, '1[z >= 0]', 'ind(sym(z) >= num(0))'),
    (M, r'\mathbb{1}\{z \geq 0\}', 'ind(sym(z) >= num(0))'),
    (M, r'1(z \le 0)', 'ind(sym(z) <= num(0))'),
    (M, '𝟙{z ≠ 0}', 'ind(sym(z) != num(0))'),
    (M, r'\mathbf{1}\{x < 0\}', 'ind(sym(x) < num(0))'),
    (M, 'max(0, z)', 'max(num(0), sym(z))'),
    (M, r'\max(0, z)', 'max(num(0), sym(z))'),
    (M, r'\max\{0, z\}', 'max(num(0), sym(z))'),
    (M, r'\exp(z)', 'exp(sym(z))'),
    (M, 'exp(z)', 'exp(sym(z))'),
    (M, 'e^{z}', 'exp(sym(z))'),
    (M, 'e^z', 'exp(sym(z))'),
    (M, 'e^{-z}', 'exp(neg(sym(z)))'),
    (M, r'\frac{1}{1 + e^{-z}}', 'div(num(1), add(num(1), exp(neg(sym(z)))))'),
    (M, r'\log(yhat)', 'log(sym(yhat))'),
    (M, r'\ln \hat{y}', 'log(sym(yhat))'),
    (M, r'\log \sigma(z)', 'log(sigmoid(sym(z)))'),
    (M, 'softmax(z)', 'softmax(sym(z))'),
    (M, r'\operatorname{softmax}(z)', 'softmax(sym(z))'),
    (M, r'\text{ReLU}(z)', 'relu(sym(z))'),
    (M, 'ReLU(z) + relu(x)', 'add(relu(sym(z)), relu(sym(x)))'),
    (M, r'\tanh z', 'tanh(sym(z))'),
    (M, r'\delta_i^{(L)} z_j^{(L-1)}', 'mul(sym(deltaL; i), sym(a_prev; j))'),
    (M, r'\delta^{(L)}_i z^{(L-1)}_j', 'mul(sym(deltaL; i), sym(a_prev; j))'),
    (M, r"y_k (\delta_{kk'} - y_{k'})", "mul(sym(y; k), sub(kron(k, k'), sym(y; k')))"),
    (M, 'δ_{ij}', 'kron(i, j)'),
    (M, "t_{k'}", "sym(t; k')"),
    (M, "y_k'", "sym(y; k')"),
    (M, r'\sum_k t_k', 'sum_k(sym(t; k))'),
    (M, r'\sum_{k=1}^{C} t_k', 'sum_k(sym(t; k))'),
    (M, r'\sum_{j} y_j x', 'sum_j(mul(sym(y; j), sym(x)))'),
    (M, r"y_k \sum_{k'} t_{k'} - t_k", "sub(mul(sym(y; k), sum_k'(sym(t; k'))), sym(t; k))"),
    (M, r'-\sum_{k=1}^{C} t_k \log(\hat{y}_k)', 'neg(sum_k(mul(sym(t; k), log(sym(yhat; k)))))'),
    (M, r'\sum\limits_{i} y_i + t', 'add(sum_i(sym(y; i)), sym(t))'),
    (M, 'C x d_{L-1}', 'shape(size(C), size(d_prev))'),
    (M, r'C \times d_{L-1}', 'shape(size(C), size(d_prev))'),
    (M, r'\mathbb{R}^{C \times d_{L-1}}', 'shape(size(C), size(d_prev))'),
    (M, r'\mathbb{R}^{d}', 'shape(size(d))'),
    (M, r'\mathbb{R}^d', 'shape(size(d))'),
    (M, 'ℝ^{d×d}', 'shape(size(d), size(d))'),
    (M, r'd \times 1', 'shape(size(d), num(1))'),
    (M, '3x5', 'shape(num(3), num(5))'),
    (M, r'2 \times 3', 'shape(num(2), num(3))'),
    (M, r'(d+1) \times C', 'shape(add(size(d), num(1)), size(C))'),
    (M, 'd^2 + d', 'add(pow(size(d), 2), size(d))'),
    (M, 'd^{2}+d', 'add(pow(size(d), 2), size(d))'),
    (M, '2d', 'mul(num(2), size(d))'),
    (M, r'\frac{\partial L}{\partial W} = \delta z^T', 'mul(sym(deltaL), T(sym(z)))',
     r'\frac{\partial L}{\partial W}'),
    (M, '∂L/∂z_k = y_k - t_k', 'sub(sym(y; k), sym(t; k))', '∂L/∂z_k'),
    (M, 'dL/dW = (y - t) x^T', 'mul(sub(sym(y), sym(t)), T(sym(x)))', 'dL/dW'),
    (M, r'\delta^{(L)} = \hat{y} - y', 'sub(sym(yhat), sym(y))', r'\delta^{(L)}'),
    (M, 'a = b = y - t', 'sub(sym(y), sym(t))', 'a = b'),
    (M, 'W^{(2)T}', 'T(sym(W))'),
    (M, 'W^{(2)T} (y - t)', 'mul(T(sym(W)), sub(sym(y), sym(t)))'),
    (M, 'x.T', 'T(sym(x))'),
    (M, "W'", 'T(sym(W))'),
    (M, "h'", 'T(sym(h))'),
    (M, "W'x", 'mul(T(sym(W)), sym(x))'),
    (M, "(W x)'", 'T(mul(sym(W), sym(x)))'),
    (M, "g'(z)", "act'(sym(z))"),
    (M, "f'(z)", "act'(sym(z))"),
    (M, r"\phi'(z)", "act'(sym(z))"),
    (M, r"\varphi'(z)", "act'(sym(z))"),
    (M, "φ'(z)", "act'(sym(z))"),
    (M, r"\sigma'(z)", "sigmoid'(sym(z))"),
    (M, r'\sigma^{\prime}(z)', "sigmoid'(sym(z))"),
    (M, "relu'(z)", "relu'(sym(z))"),
    (M, r"\operatorname{ReLU}'(z)", "relu'(sym(z))"),
    (M, 'W x', 'mul(sym(W), sym(x))'),
    (M, '2 x', 'mul(num(2), sym(x))'),
    (M, 'd x', 'mul(sym(deltaL), sym(x))'),
    (M, r'x \cdot W', 'mul(sym(x), sym(W))'),
    (M, r'\bar{z}_1', 'sym(zbar1)'),
    (M, 'z_1', 'sym(z)'),
    (M, 'z_{1}', 'sym(z)'),
    (M, 'z_2', 'sym(a_prev)'),
    (M, 'x^2', 'pow(sym(x), 2)'),
    (M, 'x**2', 'pow(sym(x), 2)'),
    (M, 'x²', 'pow(sym(x), 2)'),
    (M, 'x^{-1}', 'pow(sym(x), -1)'),
    (M, 'x⁻¹', 'pow(sym(x), -1)'),
    (M, '-x^2', 'neg(pow(sym(x), 2))'),
    (M, 'x^2 y', 'mul(pow(sym(x), 2), sym(y))'),
    (M, 'Wᵀ x', 'mul(T(sym(W)), sym(x))'),
    (M, r'W^\intercal x', 'mul(T(sym(W)), sym(x))'),
    (M, r'\mathbf{W} x', 'mul(sym(W), sym(x))'),
    (M, r'\left( y - t \right) \cdot x', 'mul(sub(sym(y), sym(t)), sym(x))'),
    (M, r'\Big( y - t \Big)^{2}', 'pow(sub(sym(y), sym(t)), 2)'),
    (M, r'$\hat{y} - y$', 'sub(sym(yhat), sym(y))'),
    (M, r'y\,-\;t', 'sub(sym(y), sym(t))'),
    (M, r'y \quad - \! t', 'sub(sym(y), sym(t))'),
    (M, r'\frac{1}{2}(y-t)^2', 'mul(div(num(1), num(2)), pow(sub(sym(y), sym(t)), 2))'),
    (M, r'\frac12 (y - t)^2', 'mul(div(num(1), num(2)), pow(sub(sym(y), sym(t)), 2))'),
    (M, r'-\frac{y_k}{\hat{y}_k}', 'neg(div(sym(y; k), sym(yhat; k)))'),
    (M, r'W \odot z', 'had(sym(W), sym(z))'),
    (M, r'W \circ z', 'had(sym(W), sym(z))'),
    (M, 'W .* z', 'had(sym(W), sym(z))'),
    (M, 'W ∘ z', 'had(sym(W), sym(z))'),
    (M, r'h \cdot x', 'mul(sym(h), sym(x))'),
    (M, 'h · x', 'mul(sym(h), sym(x))'),
    (M, r'y \times t', 'mul(sym(y), sym(t))'),
    (M, '-2 y', 'neg(mul(num(2), sym(y)))'),
    (M, r'-y_k + \hat{y}_k', 'add(neg(sym(y; k)), sym(yhat; k))'),
    (M, r"W^T (y - t) \odot \sigma'(z)",
     "had(mul(T(sym(W)), sub(sym(y), sym(t))), sigmoid'(sym(z)))"),
    (M, r'y \odot W x', 'had(sym(y), mul(sym(W), sym(x)))'),
    # a denominator ends at the first space (issue 17; grader/parse/expression/division.py)
    (M, '1/2x', 'div(num(1), mul(num(2), sym(x)))'),
    (M, '1/2 x', 'mul(div(num(1), num(2)), sym(x))'),
    (M, '2/y (y - t)', 'mul(div(num(2), sym(y)), sub(sym(y), sym(t)))'),
    (M, '2/y(y - t)', 'div(num(2), mul(sym(y), sub(sym(y), sym(t))))'),
    (M, '1/2y t', 'mul(div(num(1), mul(num(2), sym(y))), sym(t))'),
    (M, r'2/y \, t', 'mul(div(num(2), sym(y)), sym(t))'),
    (M, 'y / 2 * t', 'mul(div(sym(y), num(2)), sym(t))'),
    (M, 'W @ x + y', 'add(matmul(sym(W), sym(x)), sym(y))'),
    (M, r'\sigma(W x)', 'sigmoid(mul(sym(W), sym(x)))'),
    (M, 'y_hat*(1-y_hat)', 'mul(sym(yhat), sub(num(1), sym(yhat)))'),
    (M, '(y-t)@x.T', 'matmul(sub(sym(y), sym(t)), T(sym(x)))'),
    (M, '[y - t] x', 'mul(sub(sym(y), sym(t)), sym(x))'),
    (M, '{y - t}^T', 'T(sub(sym(y), sym(t)))'),
    (L, r"(W^{[l+1]})^T \delta^{[l+1]} \odot g'(Z^{[l]})",
     "had(mul(T(sym(W_next)), sym(delta_next)), act'(sym(z)))"),
    (L, r"g^{[l]'}(Z^{[l]}) \odot \left(W^{[l+1]T} * \delta^{[l+1]} \right)",
     "had(act'(sym(z)), mul(T(sym(W_next)), sym(delta_next)))"),
    (L, r'(W^{(l+1)})^T \delta^{[l+1]} \circ (1 - \tanh^2(z^{[l]}))',
     'had(mul(T(sym(W_next)), sym(delta_next)), sub(num(1), pow(tanh(sym(z)), 2)))'),
    (L, r'\delta^{[l]} (A^{[l-1]})^T', 'mul(sym(delta), T(sym(a_prev)))'),
    (L, r'\delta^{l} (a^{l-1})^T', 'mul(sym(delta), T(sym(a_prev)))'),
    (L, r'\frac{1}{m} \delta^{[l]} (A^{[l-1]})^T',
     'mul(mul(div(num(1), size(m)), sym(delta)), T(sym(a_prev)))'),
    (L, r'\frac{1}{m} \sum_i \delta^{[l]}_i', 'mul(div(num(1), size(m)), sum_i(sym(delta; i)))'),
    (M, "y\u0302 - y", 'sub(sym(yhat), sym(y))'),  # y + combining circumflex
]


@pytest.mark.parametrize("table, text, tree, lhs", [(*c, None)[:4] for c in ACCEPTED],
                         ids=[c[1] for c in ACCEPTED])
def test_accepted(table, text, tree, lhs):
    parsed = parse_expression(text, table)
    assert show(parsed.expr) == tree
    assert parsed.lhs == lhs
    assert parsed.text == text


# (answer, category, 1-based column or None)
REJECTED = [
    # code, never run: every name is looked up, nothing is evaluated
    ("__import__('os').system('ls')", "unknown-function", 1),
    ('eval("1")', "unknown-function", 1),
    ("exec('import os')", "unknown-function", 1),
    ("open('/etc/passwd').read()", "unknown-function", 1),
    ("lambda: 0", "syntax", 7),
    ("().__class__", "syntax", 3),
    ("os.system('ls')", "syntax", 3),
    ("W.T.dot(d, y)", "syntax", 10),  # A.dot(B) is read (tests/parse/test_notation.py); not with two
    ("import os", "unknown-symbol", 1),
    (r"\input{/etc/passwd}", "syntax", 1),
    (r"\def\x{1}", "syntax", 1),
    ("\x00", "syntax", 1),
    # huge powers and literals
    ("9**9**9", "limit", 4),
    ("x^{1000001}", "limit", 4),
    ("2^{1000001}", "limit", 4),
    ("x**-1000001", "limit", 4),
    ("((x^{1000})^{1000})^2", "limit", 4),
    ("1e999999", "limit", 1),
    ("1e-999999", "limit", 1),
    ("1" + "0" * 30, "limit", 1),
    # deep nesting, long answers
    ("(" * 300 + "x" + ")" * 300, "limit", 41),
    ("{" * 41 + "x" + "}" * 41, "limit", 41),
    ("x" * 100_000, "limit", None),
    ("y+" * 1000 + "y", "limit", None),
    ("-" * 1999 + "x", "limit", 801),
    (" + ".join(["y"] * 150), "limit", 205),
    # unknown names, look-alikes
    ("foo(z)", "unknown-function", 1),
    ("sin(z)", "unknown-function", 1),
    ("h'(z)", "unknown-function", 1),
    ("y'(z)", "unknown-function", 1),
    (r"\sigma^{\prtime}(z)", "unknown-function", 1),
    ("q", "unknown-symbol", 1),
    (r"\gamma", "unknown-symbol", 1),
    (r"y + w_{ij}^{(L-1)}", "unknown-symbol", 5),
    ("z_q", "unknown-symbol", 1),
    (r"\sum_{q=0}^{2} t_q + t_r", "unknown-symbol", 22),  # q is local to its sum; r is unknown
    ("Wx", "unknown-symbol", 1),
    ("x^{(2)}", "unknown-symbol", 1),
    (r"\mathbb{R}^{C \times q}", "unknown-symbol", 22),
    ("у - t", "syntax", 1),  # Cyrillic у
    ("ｙ - t", "syntax", 1),  # full-width y
    ("y ＋ t", "syntax", 3),  # full-width plus
    ("Α + y", "syntax", 1),  # Greek capital alpha
    ("y – t", "syntax", 3),  # en dash
    ("٣ y", "syntax", 1),  # Arabic-Indic three
    # structure
    ("(y - t", "syntax", 1),
    ("y - t)", "syntax", 6),
    ("(y - t]", "syntax", 7),
    ("y -", "syntax", 4),
    ("y - t *", "syntax", 8),
    ("x @", "syntax", 4),
    ("@ x", "syntax", 1),
    ("()", "syntax", 2),
    ("{}", "syntax", 2),
    ("", "syntax", None),
    ("   ", "syntax", None),
    ("$ $", "syntax", None),
    ("dL/dW =", "syntax", 7),
    ("y = t = ", "syntax", 7),
    (r"\frac{1}", "syntax", 9),
    ("2 3", "syntax", 3),
    (r"\sigma", "syntax", 7),
    (r"\tanh^{-1}(z)", "syntax", 6),
    ("max(z)", "syntax", 1),
    ("max(0, z, y, 1, 2, 3, 4, 5, 6)", "syntax", 1),  # \max of 2 to 8 arguments
    (r"\mathbb{1}\{z\}", "syntax", 14),
    ("x^{1/2}", "syntax", 4),
    ("|y", "syntax", 3),  # |y| is read (tests/parse/test_notation.py); not unclosed
    (r"\otimes", "syntax", 1),
    ("W^{(2)}^{(3)}", "syntax", 8),
    (r"y \\ t", "syntax", 3),
    ("x; y", "syntax", 2),
    ("(W)_{ijk}", "syntax", 4),  # (W)_i, (W)_{ij} are entries (issue 17); three indices are not read
    ("+_i", "syntax", 2),
    (r"\sum t_k", "syntax", 1),
]


@pytest.mark.parametrize("text, category, column", REJECTED,
                         ids=[repr(c[0])[:40] for c in REJECTED])
def test_rejected(text, category, column):
    with pytest.raises(AnswerError) as info:
        parse_expression(text, MAIN)
    err = info.value
    assert (err.category, err.column) == (category, column), err.describe()
    assert err.message and err.text == text


def test_messages_name_what_the_student_wrote():
    cases = {
        "q + y": "unknown symbol 'q'",
        r"y + w_{ij}^{(L-1)}": "unknown symbol 'w_{ij}^{(L-1)}'",
        "z_q": "unknown index 'q' in 'z_q'",
        "foo(z)": "unknown function 'foo'",
        "y -": "expected an operand or '('",
        "y - t)": "unbalanced ')'",
        "x^{1000001}": "exponent 1000001 is too large (limit 1000000)",
        "у": "U+0443 CYRILLIC SMALL LETTER U); it looks like 'y'",
    }
    for text, words in cases.items():
        with pytest.raises(AnswerError) as info:
            parse_expression(text, MAIN)
        assert words in info.value.message, info.value.message


def test_column_points_into_the_original_text():
    text = r"\frac{\partial L}{\partial W} = \delta^{(L)} (q^{(L-1)})^T"
    with pytest.raises(AnswerError) as info:
        parse_expression(text, MAIN)
    assert info.value.column == text.index("q") + 1
    assert info.value.describe().splitlines()[-1] == " " * (4 + text.index("q")) + "^"
    parsed = parse_expression("dL/dW = y  -  t", MAIN)
    assert parsed.expr.pos == parsed.text.index("-")
    assert parsed.expr.left.pos == parsed.text.index("y")


def test_trees_compare_without_positions():
    assert parse_expression("y_hat - y", MAIN).expr == parse_expression(r"\hat{y}-y", MAIN).expr
    assert parse_expression("z^{(L-1)}", MAIN).expr == parse_expression("z^{[L - 1]}", MAIN).expr


# x is a dimension only between two sizes or whole numbers; d is both δ and a size in MAIN
@pytest.mark.parametrize("text, expect, tree", [
    ("d x d", "auto", "shape(size(d), size(d))"),
    ("d x d", "expression", "mul(mul(sym(deltaL), sym(x)), sym(deltaL))"),
    ("W x", "auto", "mul(sym(W), sym(x))"),
    ("C x", "auto", "mul(size(C), sym(x))"),
    ("2 x 3", "auto", "shape(num(2), num(3))"),
    (r"2 \times 3", "expression", "mul(num(2), num(3))"),
    ("d", "auto", "size(d)"),
    ("d", "expression", "sym(deltaL)"),
    ("d", "shape", "shape(size(d))"),
    ("C", "shape", "shape(size(C))"),
    ("d - y", "auto", "sub(sym(deltaL), sym(y))"),
    (r"\frac{1}{C} y", "auto", "mul(div(num(1), size(C)), sym(y))"),
])
def test_shape_or_product(text, expect, tree):
    assert show(parse_expression(text, MAIN, expect=expect).expr) == tree


def test_x_undeclared_is_a_dimension_next_to_brackets():
    table = SymbolTable.build(symbols={"y": ["y"]}, sizes={"n": ["n"]})
    assert show(parse_expression("(n+1) x n", table).expr) == "shape(add(size(n), num(1)), size(n))"
    with pytest.raises(AnswerError) as info:
        parse_expression("y x", table)
    assert info.value.category == "unknown-symbol"


def test_shape_expected_but_symbol_given():
    with pytest.raises(AnswerError) as info:
        parse_expression("y", MAIN, expect="shape")
    assert info.value.category == "unknown-symbol" and "unknown size 'y'" in info.value.message


def test_table_spellings_are_normalized_like_answers():
    table = SymbolTable.build(symbols={"yhat": [r"\hat y", "ŷ"], "z": ["z^{[L-1]}"]})
    assert dict(table.symbols) == {r"\hat{y}": "yhat", "z^{(L-1)}": "z"}
    assert table.functions[r"sigma"] == "sigmoid" and table.functions["phi"] == "act"
    assert set(DEFAULT_FUNCTIONS) == {"sigmoid", "tanh", "relu", "exp", "log", "softmax", "max",
                                      "act", "min", "cosh", "sinh", "sech", "sign", "abs", "sqrt",
                                      "diag", "step"}


@pytest.mark.parametrize("symbols", [{"W": ["W x"]}, {"a": ["y"], "b": ["y"]},
                                     {"a": [r"\frac{1}{2}"]}])
def test_bad_table_is_a_config_error(symbols):
    with pytest.raises(ConfigError):
        SymbolTable.build(symbols=symbols)


def test_function_that_is_also_a_symbol():
    table = SymbolTable.build(symbols={"g": ["g"], "z": ["z"]})
    assert show(parse_expression("g z", table).expr) == "mul(sym(g), sym(z))"
    assert show(parse_expression("g(z)", table).expr) == "act(sym(z))"
    assert show(parse_expression("g'(z)", table).expr) == "act'(sym(z))"


def test_no_eval_or_exec(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("student text reached eval/exec")
    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    for table, text, *_ in ACCEPTED:
        parse_expression(text, table)
    for text, *_ in REJECTED:
        with pytest.raises(AnswerError):
            parse_expression(text, MAIN)


def test_mutated_answers_fail_cleanly():
    """Typos of every accepted answer: each parses or raises AnswerError, never anything else."""
    rng = random.Random(2024)
    alphabet = list("xyzdWt_^{}()[]'T20.*@+-/,=><! \\$&|") + [r"\frac", r"\sum_k", "ᵀ", "δ"]
    for _ in range(3000):
        table, text, *_ = rng.choice(ACCEPTED)
        k = rng.randrange(len(text) + 1)
        text = text[:k] + rng.choice(alphabet) + text[k + rng.randint(0, 1):]
        try:
            parse_expression(text, table)
        except AnswerError as e:
            assert e.category in ("syntax", "unknown-symbol", "unknown-function", "limit")
            assert e.column is None or 1 <= e.column <= len(text) + 1


# Notations of the real write-ups in ../shared/seeds: each snippet is copied verbatim.
SEED_TABLE = SymbolTable.build(
    symbols={"yhat": [r"\hat{y}"], "y": ["y"], "t": ["t"], "x": ["x"], "h": ["h"],
             "b": ["b^{(L-1)}", "b^{[L]}", "b^{[1]}"],
             "delta": [r"\delta^{(L)}", r"\delta^{[L]}", r"\delta^{[2+1]}", r"\delta^{[l+1]}",
                       r"\delta^{[3]}", r"\delta^{[L+1]}"],
             "z_prev": ["z^{(L-1)}"], "w_prev": ["w^{(L-1)}"], "ystar": [r"\vec{y}^*"],
             "yvec": [r"\vec{y}"], "ztilde": [r"\tilde{z}^{(L-1)}", r"\tilde{z}^{(l-v)}"],
             "Z": ["Z^{[l]}", "Z^{[L]}", "Z^{[L-1]}"], "A": ["A^{[L]}", "A^{[L-1]}"],
             "W": ["W^{[l+1]}", "W^{[L]}", "W^{[2+1]}", "W^{(2)}", "W^{(1)}", "W^{[L+1]}"],
             "w": ["w", "w^{[l+1]}", "w^{[1]}"],
             "z": ["z", "z^{[L]}", "z^{[l]}", "z^{[0]}", "z^{[1]}", "z^{[3]}", "z_1", "z_2"],
             "zhat": [r"\hat{z}", r"\hat{z}^{[L]}"],
             "xL": ["x^{[L]}", "x^{[2]}", "x^{[3]}", "x_{new}"],
             "zbar1": [r"\bar{z}_1"]},
    functions={**DEFAULT_FUNCTIONS, "cost": ["J"]},
    indices=["i", "j", "k", "k'", "j'", "p"],
    sizes={"C": ["C", "c"], "d": ["d"], "d_prev": ["d_{L-1}"], "m": ["m"]})
SEED_SNIPPETS = [
    ("000", r'\hat{y}_j - y_j'),
    ("000", r'\hat{y}_i (\delta_{ij} - \hat{y}_j)'),
    ("000", r'-y_i \cdot \frac{1}{\hat{y}_i}'),
    ("000",
     r'\sum_{i=1}^C \left( -\frac{y_i}{\hat{y}_i} \right) \cdot \hat{y}_i (\delta_{ij} - \hat{y}_j)'),
    ("000", r'\sum_{i=1}^C -y_i (\delta_{ij} - \hat{y}_j)'),
    ("000", r'-y_j + \hat{y}_j \sum_{i=1}^C y_i'),
    ("000", r'- \sum_{i=1}^C y_i \log(\hat{y}_i)'),
    ("000", r'\delta_i^{(L)} \cdot z_j^{(L-1)}'),
    ("000", r'\delta_i^{(L)} \cdot z_j^{(L-1)} + b_i^{(L-1)}'),
    ("000", r'\vec{y}^* - \vec{y}'),
    ("000", r'\sum_{j=1}^{d_{L-1}} w_{ij}^{(L-1)} z_j^{(L-1)} + b_i^{(L-1)}'),
    ("000", r'\mathbb{R}^{c \times d_{L-1}}'),
    ("000", r'\mathbb{R}^{d_{L-1}}'),
    ("000", r'\max(0, x)'),
    ("000", r"\phi'(\tilde{z}^{(L-1)})"),
    ("000", r'\frac{\partial L}{\partial \hat{y}_i} = -y_i \cdot \frac{1}{\hat{y}_i}'),
    ("000", r'\nabla_{w^{(L-1)}} L = \frac{\partial L}{\partial \hat{z}^{(L)}} = \hat{y} - y'),
    ("001", r'1 \{ x \neq 0 \}'),
    ("001", r'1_{\{\tilde{z}_i^{(l-v)} \neq 0\}}'),
    ("002", r"g^{[l]'}(Z^{[l]}) \odot \left(W^{[l+1]T} * \delta^{[l+1]} \right)"),
    ("002", r"J'(A^{[L]}) \odot g^{[L]'}(Z^{[L]})"),
    ("002", r'\delta^{[L]} \cdot g^{[L-1]}(Z^{[L-1]})'),
    ("002", r'W^{[L]} A^{[L-1]} + b^{[L]}'),
    ("002", r'\delta^{[2+1]} W^{[2+1]}'),
    ("002", r'-\frac{2}{m} \sum_{p=1}^D (y_i - z_i^{[L]})'),
    ("002", r'\max(0, z^{[0]})'),
    ("002", r"f'(y) f'(x) f'(w)"),
    ("002", r"f'(f(f(w))) f'(f(w)) f'(w)"),
    ("002", r'\left(W^{[L+1]T} \delta^{[L+1]} \right)'),
    ("003", r'(y - t) z_2^T'),
    ("003", r'\bar{z}_1 x^T'),
    ("003", r'W^{(1)} x'),
    ("003", r'h + x'),
    ("003", r'W^{(2)} z_2'),
    ("003", r'\frac{1}{2} (y - t)^2'),
    ("003", r'd^2 + d'),
    ("003", r'd \times d'),
    ("003", r'1 \times d'),
    ("003", r'd \times 1'),
    ("003", r'\mathbb{R}^{d \times d}'),
    ("003", r'\mathbb{R}^{1 \times d}'),
    ("003", r'\frac{e^{z_k}}{\sum_{j=1}^N e^{z_j}}'),
    ("003", r"y_k (1 - y_{k'})"),
    ("003", r"\sum_{j'} t_{j'} y_k - t_k + t_k y_k"),
    ("003", r"y_k \left(\sum_{j'} t_{j'} + t_k \right) - t_k"),
    ("003", r'\frac{\partial L}{\partial z_k} = y_k - t_k'),
    ("003", r'\left(\underline{y_k - t_k} \right) x'),
    ("003",
     r"\frac{e^{z_k} \left(\sum_j e^{z_j} - e^{z_{k'}} \right)}{\left(\sum_j e^{z_j} \right)^2}"),
    ("003", r"\frac{e^{z_k}}{\sum_j e^{z_j}} \left(1 - \frac{e^{z_{k'}}}{\sum_j e^{z_j}} \right)"),
    ("003", r"- \frac{e^{z_{k'}}}{\sum_j e^{z_j}} \frac{e^{z_k}}{\sum_j e^{z_j}}"),
    ("003", r"y_{k'} y_k"),
    ("003", r'\underline{\underline{(y - t) z_2^T}}'),
    ("004", r'(x^{[L]} - z) \circ (1 - \tanh^2(z^{[L]}))'),
    ("004", r'(w^{[l+1]})^T \delta^{[l+1]} \circ (1 - \tanh^2(z^{[l]}))'),
    ("004", r'\delta^{[3]} x^{[2]T}'),
    ("004", r'\delta^{[3]} (x^{[2]})^T'),
    ("004", r'w^{[1]}x_{new} + b^{[1]}'),
    ("004", r'\sigma(z^{[1]})'),
    ("004", r'\tanh(z^{[1]})'),
    ("004", r'\text{softmax}(z^{[3]})'),
    ("004", r'1 - \tanh^2(z)'),
    ("004", r'\frac{\exp(z_i)}{\sum_{j=1}^n \exp(z_j)}'),
    ("004", r'- \sum_{i=1}^n z_i \log \hat{z}_i'),
    ("004",
     r'\left( \sigma(z_k^{[L]}) - z_k \right) \cdot \sigma(z_k^{[L]}) \cdot (1 - \sigma(z_k^{[L]}))'),
    ("004",
     r'\left( \sigma(z^{[L]}) - z \right) \circ \sigma(z^{[L]}) \circ (1 - \sigma(z^{[L]}))'),
    ("004", r'\exp \left( \sum_{j=0}^D (w_j z_j^{[L]})^2 + 1 \right)'),
    ("004", r'-z_k \cdot 2(w_k z_k^{[L]}) w_k'),
    ("004", r'2\sigma(2z_k^{[L]})(1 - \sigma(2z_k^{[L]}))'),
    ("004", r'-2z \circ (1 - \sigma(2z^{[L]}))'),
    ("004", r'\frac{1}{2} \sum_{i=1}^N (z_i - \hat{z}_i)^2'),
    ("004", r'- \frac{z_k}{\hat{z}_k^{[L]}}'),
    ("004", r'\frac{\partial E}{\partial z^{[3]}} = \dots = x^{[3]} - z'),
]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed write-ups not present")
@pytest.mark.parametrize("seed, snippet", SEED_SNIPPETS, ids=[s for _, s in SEED_SNIPPETS])
def test_seed_notation_parses(seed, snippet):
    (path,) = SEEDS.glob(f"{seed}_*.txt")
    assert snippet in path.read_text(encoding="utf-8")
    parse_expression(snippet, SEED_TABLE)
