r"""The derivative operator on an affine map (grader/judge/derivation/operators.py): seed 002's
``\delta^{[2+1]} \frac{\partial}{\partial g^{[2]}} [W^{[2+1]} g^{[2]}(z^{[2]}) + b]``, the map's
Jacobian W with an undeclared ``b`` read as the layer's bias; anything else is not read."""
from pathlib import Path

import pytest

from grader.judge.derivation.context import scenarios
from grader.judge.derivation.operators import operator_tree
from grader.keys.catalog import Catalog
from grader.parse.expression import tree as A

ROOT = Path(__file__).resolve().parents[2]
W, DELTA = A.Sym("W_next"), A.Sym("delta_next")

CASES = [  # (the side as written, its tree; None: not read)
    (r"\frac{\partial}{\partial g^{[2]}} [W^{[2+1]} g^{[2]}(z^{[2]}) + b]", W),  # b undeclared: the bias
    (r"\delta^{[2+1]} \frac{\partial}{\partial g^{[2]}} [W^{[2+1]} g^{[2]}(z^{[2]}) + b]", A.Product(DELTA, W)),
    (r"\frac{\partial}{\partial a^{[l]}} \left[W^{[l+1]} a^{[l]} + b\right]", W),
    (r"\frac{\partial}{\partial a^{[l]}} [W^{[l+1]} a^{[l]}]", W),
    (r"\frac{\partial}{\partial a^{[l]}} [W^{[l+1]} a^{[l]} + c]", None),  # only b is a bias
    (r"\frac{\partial}{\partial a^{[l]}} [a^{[l]} W^{[l+1]} + b]", None),  # the variable not on the right
    (r"\frac{\partial}{\partial a^{[l]}} [W^{[l+1]} a^{[l]} + a^{[l]}]", None),  # not affine as read
    (r"\frac{\partial}{\partial a^{[l]}} [W^{[l+1]} a^{[l]} + b + b]", None),
]


@pytest.fixture(scope="module")
def task1():
    return scenarios(Catalog(root=ROOT).assignment("backprop-general"))[0]


@pytest.mark.parametrize("text, expected", CASES)
def test_the_operator_on_an_affine_map_is_its_jacobian(task1, text, expected):
    tree = operator_tree(text, task1)
    plain = None if tree is None else _plain(tree)
    assert plain == expected


def _plain(node):
    if isinstance(node, A.Sym):
        return A.Sym(node.name, node.index)
    if isinstance(node, A.Product):
        return A.Product(_plain(node.left), _plain(node.right))
    return node
