r"""Evaluate an answer's typed tree on one numeric instance.

Values are 2-D float64 arrays, as in the engine. Operators follow what students mean:

* ``Product`` (juxtaposition, ``*``, ``\cdot``) scales when either side is 1×1, is a matrix
  product when the inner sizes match, and element-wise when both shapes are equal column or row
  vectors (``\sigma(z)(1-\sigma(z))``); anything else is a shape error naming both shapes.
* ``MatMul`` (``@``) is only a matrix product; ``Hadamard`` only element-wise.
* Free indices (``\delta_i z_j``) pick entries; ``\sum_k`` runs an index over the length of the
  first symbol it indexes; ``\delta_{kk'}`` is 1 when the two indices are equal.

Never transposes silently: a shape mismatch is reported (:class:`ShapeError`) so that
"your ∂L/∂W is 3×1, expected 2×3" can be said.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np

from grader.engine.backends import FLOAT
from grader.engine.ops import OPS, Ctx, Rules
from grader.parse.expression import tree as A
from grader.parse.expression.sums import bound_value
from grader.judge.symbolic import functions, jacobians, slices
from grader.judge.symbolic.instance import DomainError, Env, ShapeError, UnboundIndex  # noqa: F401 (also imported from here)

# The functions an answer may apply (besides ``max``) are the engine's own ops, run on the float
# backend: one implementation of each, so an answer is judged by the very sigmoid (split by sign,
# it cannot overflow), softmax and ReLU'(0) convention its key was computed with.
FUNCTIONS = frozenset({"sigmoid", "tanh", "relu", "exp", "log", "softplus", "identity", "softmax"})
DIFFERENTIABLE = FUNCTIONS - {"softmax"}  # f' of an element-wise function; softmax's is a Jacobian


@lru_cache(maxsize=None)
def _ctx(relu_grad_at_zero: float, backend=FLOAT) -> Ctx:
    """The engine under an instance's ReLU'(0) convention, on the instance's number system
    (float64, or 100 digits for a near tie: :mod:`grader.judge.symbolic.precise`)."""
    return Ctx(backend, Rules(relu_grad_at_zero=relu_grad_at_zero))


def _function(fn: str, x: np.ndarray, env: Env) -> np.ndarray:
    """``fn(x)`` by the engine's op (``act`` is the instance's activation)."""
    fn = env.act if fn == "act" else fn
    if fn not in FUNCTIONS:
        raise KeyError(fn)
    return OPS[fn].forward(_ctx(env.relu_grad_at_zero, env.backend), x)


def _shape(a) -> str:
    return f"{a.shape[0]}×{a.shape[1]}"


def _derivative(fn: str, x: np.ndarray, env: Env) -> np.ndarray:
    """``fn'(x)`` entry by entry: the engine op's backward rule seeded with ones."""
    if fn == "act":
        fn = env.act
    if fn not in DIFFERENTIABLE:
        raise ShapeError(f"the derivative of {fn} is not defined here")
    op, ctx = OPS[fn], _ctx(env.relu_grad_at_zero, env.backend)
    (grad,) = op.backward(ctx, np.ones_like(x), op.forward(ctx, x), x)
    return grad


def _elementwise(left, right, op, pos, what, batch: int = 1):
    if left.shape == right.shape or left.shape == (1, 1) or right.shape == (1, 1):
        return op(left, right)
    if batch > 1 and {left.shape, right.shape} == {(left.shape[0], 1), (left.shape[0], batch)}:
        return op(left, right)  # Z = W A + b: a bias column added to every example of the batch
    raise ShapeError(f"cannot {what} a {_shape(left)} and a {_shape(right)} matrix", pos)


class ProductModes:
    """Which juxtapositions are element-wise, decided over all the instances of a key, so that
    a product never depends on the sizes one instance happens to draw: two n×m matrices
    (n ≠ m on some instance) are multiplied element-wise, also on an instance where n = m.
    :func:`grader.judge.symbolic.equivalence.compare_expression` clears ``seen`` before an
    answer, and evaluates again with ``forced`` when a product was element-wise somewhere."""

    seen: set = set()  # positions of products read element-wise (equal shapes, not square)
    forced: frozenset = frozenset()  # positions to read element-wise on every instance


def _product(left, right, pos):
    if left.shape == (1, 1) or right.shape == (1, 1):
        return left * right
    if left.shape == right.shape and pos in ProductModes.forced:
        return left * right
    if left.shape[1] == right.shape[0]:
        return left @ right
    if left.shape == right.shape:
        ProductModes.seen.add(pos)
        return left * right  # g'(Z) (W^T δ): the same shape on both sides, element-wise
    if left.shape == right.shape and 1 in left.shape:
        return left * right  # σ(z)(1 − σ(z)): students juxtapose vectors for the element-wise product
    raise ShapeError(f"cannot multiply a {_shape(left)} by a {_shape(right)} matrix", pos)


def _index(value: np.ndarray, index: tuple[str, ...], env: Env, node) -> np.ndarray:
    at = [env.indices[i] for i in index]
    if len(at) == 2:
        return value[at[0]:at[0] + 1, at[1]:at[1] + 1]
    (k,) = at
    if value.shape[1] == 1:
        return value[k:k + 1, :]
    if value.shape[0] == 1:
        return value[:, k:k + 1]
    return value[k:k + 1, :].T  # w_k: row k of a matrix, as the column vector students mean


def _range_of(index: str, body, env: Env) -> int:
    if (count := slices.slice_range(index, body, env, evaluate)) is not None:  # \sum_i \delta^{(i)}
        return count
    for node in A.walk(body):
        if type(node) is A.Entry and index in node.indices:  # \sum_i [W^T \delta]_i, \sum_j [A]_{ij}
            value = evaluate(node.arg, env)
            if node.col:
                return value.shape[node.indices.index(index)]
            return value.shape[0] if value.shape[1] == 1 or value.shape[0] != 1 else value.shape[1]
        if isinstance(node, A.Sym) and index in node.index:
            value = env.symbols[node.name]
            where = node.index.index(index)
            if len(node.index) == 2:
                return value.shape[where]
            return value.shape[0] if value.shape[1] == 1 else value.shape[1] if value.shape[0] == 1 else value.shape[0]
    raise UnboundIndex(f"the sum over {index} has nothing indexed by {index}", getattr(body, "pos", 0))


MAX_WORK = 20_000  # node evaluations of one answer on one instance (a sum's body counts once per term)


def evaluation_work(node, env: Env) -> tuple[int, int]:
    """(node evaluations :func:`evaluate` would make, offset of the outermost sum whose terms
    make it exceed :data:`MAX_WORK` or -1), counted without evaluating: a sum's body counts
    once per value of its index. Nesting depth is capped when the answer is parsed
    (:data:`grader.parse.expression.build.MAX_NESTED_SUMS`); this bounds the product of the ranges
    too, which depend on the instance's sizes. A sum whose range cannot be found counts once
    (evaluating it raises its own error)."""
    total, stack = 0, [(node, 1, -1)]
    while stack:
        n, times, outer = stack.pop()
        total += times
        if isinstance(n, A.Sum):
            try:
                times *= max(1, _range_of(n.index, n.body, env))
            except (ShapeError, KeyError):
                pass
            outer = n.pos if outer < 0 else outer
        if total > MAX_WORK:
            return total, max(outer, 0)
        stack.extend((c, times, outer) for c in A.children(n))
    return total, -1


def evaluate(node, env: Env) -> np.ndarray:
    """The value of an answer tree in one instance (raises ShapeError, KeyError for a free
    index without a value). One handler per node type, looked up by the node's exact type:
    a chain of isinstance tests costs more than the numpy work on these small matrices."""
    handler = _HANDLERS.get(type(node))
    if handler is None:
        return _other(node, env)
    return handler(node, env)


def with_indices(env: Env, indices: dict) -> Env:
    """``env`` with other index values (what ``dataclasses.replace`` does, at a third of its cost)."""
    return replace(env, indices=indices)


def _num(node, env):
    if env.backend is FLOAT:
        return np.array([[float(node.value)]])
    return np.array([[env.backend.const(node.value)]], dtype=object)


def _sym(node, env):
    value = env.symbols.get(node.name)
    if value is None:  # a gradient the graph does not compute here, a Jacobian by a matrix
        raise DomainError(getattr(env.symbols, "why", {}).get(node.name) or f"{node.name} has no value here", node.pos)
    return _index(value, node.index, env, node) if node.index else value


def _size(node, env):
    return np.array([[float(env.sizes[node.name])]])


def _neg(node, env):
    return -evaluate(node.arg, env)


def _binary(op, what):
    def handler(node, env):
        return _elementwise(*_operands(node, env, False), op, node.pos, what, env.batch)
    return handler


_ONES_LIKE = (A.Ones, A.Transpose)


def _unsized_ones(node) -> str:
    """'col' for a ones vector of no stated length, 'row' for its transpose, '' otherwise."""
    if type(node) is A.Ones and not node.size:
        return "col"
    if type(node) is A.Transpose and type(node.arg) is A.Ones and not node.arg.size:
        return "row"
    return ""


def _operands(node, env, matrix: bool):
    """Both operands' values; a ones vector of no stated length takes the length the other
    operand needs (``\\delta \\mathbf{1}``: its columns; ``\\mathbf{1}^T \\delta``: its rows;
    ``\\mathbf{1} - y``: y's shape)."""
    left, right = node.left, node.right
    if type(left) not in _ONES_LIKE and type(right) not in _ONES_LIKE:  # most products: no ones
        return evaluate(left, env), evaluate(right, env)
    lo, ro = _unsized_ones(left), _unsized_ones(right)
    if not (lo or ro):
        return evaluate(left, env), evaluate(right, env)
    if lo and ro:
        raise ShapeError("the length of the vector of ones cannot be told here: write \\mathbf{1}_m", node.pos)
    other = evaluate(node.right if lo else node.left, env)
    if not matrix:
        ones = np.ones_like(other)
    elif ro == "col":
        ones = np.ones((other.shape[1], 1))
    elif lo == "row":
        ones = np.ones((1, other.shape[0]))
    else:
        raise ShapeError("the length of the vector of ones cannot be told here: write \\mathbf{1}_m", node.pos)
    return (ones, other) if lo else (other, ones)


def _ones(node, env):
    if not node.size:
        raise ShapeError("the length of the vector of ones cannot be told here: write \\mathbf{1}_m", node.pos)
    return np.ones((int(env.sizes[node.size]), 1))


def _cases(node, env):
    """Entry by entry, the value of the first condition that holds (NaN where none does and
    there is no 'otherwise': such an answer is not the key anywhere that happens)."""
    result = evaluate(node.default, env) if node.default is not None else np.array([[np.nan]])
    for cond, value in reversed(list(zip(node.conds, node.values))):
        c, v = evaluate(cond, env), evaluate(value, env)
        try:
            c, v, result = np.broadcast_arrays(c, v, result)
        except ValueError:
            raise ShapeError(f"the cases' values and conditions have different shapes ({_shape(c)}, "
                             f"{_shape(v)})", node.pos) from None
        result = np.where(c != 0, v, result)
    return result


def _diagonal(node, left, right):
    """``diag(v) M`` with a diagonal Jacobian held as v (:mod:`grader.judge.symbolic.jacobians`):
    its value, or None when neither operand is one."""
    ld, rd = jacobians.diagonal_side(node.left), jacobians.diagonal_side(node.right)
    if not (ld or rd):
        return None
    out = jacobians.diagonal_product(left, right, ld, rd)
    if out is None:
        raise ShapeError(f"cannot multiply a {_shape(left)} by a {_shape(right)} matrix (a diagonal "
                         "Jacobian, held as its diagonal)", node.pos)
    return out


def _matmul(node, env):
    left, right = _operands(node, env, True)
    if (diagonal := _diagonal(node, left, right)) is not None:
        return diagonal
    if left.shape[1] != right.shape[0]:
        raise ShapeError(f"cannot matrix-multiply a {_shape(left)} by a {_shape(right)} matrix", node.pos)
    return left @ right


def _prod(node, env):
    left, right = _operands(node, env, True)
    if (diagonal := _diagonal(node, left, right)) is not None:
        return diagonal
    return _product(left, right, node.pos)


def _pow(node, env):
    return evaluate(node.base, env) ** node.exponent


def _transpose(node, env):
    if jacobians.diagonal_side(node.arg):
        return evaluate(node.arg, env)  # a diagonal matrix is its own transpose
    return evaluate(node.arg, env).T


def _call(node, env):
    args = [evaluate(a, env) for a in node.args]
    if node.fn in ("max", "min"):
        return _elementwise(args[0], args[1], np.maximum if node.fn == "max" else np.minimum, node.pos,
                            f"take the {node.fn}imum of")
    if node.fn == "step":  # Heaviside: ReLU's derivative, with the assignment's ReLU'(0)
        return _derivative("relu", args[0], env)
    if node.fn in functions.TABLE:
        try:
            if env.backend is not FLOAT and node.fn in functions.PRECISE:
                return functions.PRECISE[node.fn](*args)
            return functions.TABLE[node.fn][1](*args)
        except ValueError as e:
            raise ShapeError(str(e), node.pos) from None
    return _function(node.fn, args[0], env)


def _deriv(node, env):
    if node.fn == "cost":
        at = evaluate(node.arg, env)
        if env.cost_grad is None or at.shape != env.cost_at.shape or not np.allclose(at, env.cost_at):
            raise DomainError("J' is the cost's derivative at the network's output A^{[L]}", node.pos)
        return env.cost_grad
    return _derivative(node.fn, evaluate(node.arg, env), env)


_COMPARE = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal,
            "!=": np.not_equal}


def _indicator(node, env):
    left, right = evaluate(node.left, env), evaluate(node.right, env)
    op = _COMPARE[node.op]
    return _elementwise(left, right, lambda a, b: op(a, b).astype(float), node.pos, "compare")


def _bounds(node, env) -> range:
    """The 0-based values a sum's index runs over: its whole range, or the bounds written."""
    whole = _range_of(node.index, node.body, env)
    if node.lo is None and node.hi is None:
        return range(whole)
    lo = 1 if node.lo is None else node.lo
    hi = whole if node.hi is None else bound_value(node.hi, env.sizes)
    if lo < 1 and hi >= lo or hi > whole:
        raise ShapeError(f"the sum over {node.index} runs from {lo} to {hi}, outside 1 to {whole} "
                         f"(the entries of what it indexes)", node.pos)
    return range(lo - 1, hi)


def _sum(node, env):
    total = None
    for k in _bounds(node, env):
        term = evaluate(node.body, with_indices(env, {**env.indices, node.index: k}))
        total = term if total is None else _elementwise(total, term, np.add, node.pos, "add")
    return np.zeros((1, 1)) if total is None else total  # an empty sum is 0


def _entry(node, env):
    value = evaluate(node.arg, env)
    slices.check_entry(value, node, env, ShapeError)
    return _index(value, node.indices, env, node)


def _kronecker(node, env):
    return np.array([[1.0 if env.indices[node.i] == env.indices[node.j] else 0.0]])


def _other(node, env):
    for cls, handler in _HANDLERS.items():  # a subclass of a node type
        if isinstance(node, cls):
            return handler(node, env)
    if isinstance(node, A.Shape):
        raise ShapeError("a shape is not a value", node.pos)
    raise ShapeError(f"cannot evaluate {type(node).__name__}", getattr(node, "pos", 0))


_HANDLERS = {
    A.Num: _num, A.Sym: _sym, A.Size: _size, A.Neg: _neg,
    A.Add: _binary(np.add, "add"), A.Sub: _binary(np.subtract, "subtract"),
    A.Hadamard: _binary(np.multiply, "multiply element-wise"), A.Div: _binary(np.divide, "divide"),
    A.MatMul: _matmul, A.Product: _prod, A.Pow: _pow, A.Transpose: _transpose, A.Call: _call,
    A.Derivative: _deriv, A.Indicator: _indicator, A.Sum: _sum, A.Kronecker: _kronecker,
    A.Ones: _ones, A.Cases: _cases, A.Entry: _entry,
    A.Slice: lambda node, env: slices.evaluate_slice(node, env, evaluate, ShapeError),
    A.Stack: lambda node, env: slices.evaluate_stack(node, env, evaluate, ShapeError, with_indices),
}
