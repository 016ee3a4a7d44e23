r"""Decimal commas: ``[-0,113937; 0,13437]`` is a 2×1 vector written with decimal commas, and
would read as the 2×2 matrix ``[[0, 113937], [0, 13437]]``.

A comma between two digits with no space (``1,2``) is a separator in ``[1,2;3,4]`` and in a
one-hot ``[0,1,0]``, and a decimal comma in ``0,25``. The rule, for a *glued* comma: a whole
integer literal ``A`` (no point, no exponent), a comma, and digits ``B`` (no point, exponent
or fraction after them). It is refused as ambiguous when

- ``B`` has 3 or more digits (``0,113937``, ``1,500``: a list of such integers is written
  with a space after each comma, ``[100, 200]``);
- ``B`` starts with a 0 and has 2 or more digits (``1,05``: no integer is written ``05``);
- ``A`` is ``0`` or ``-0`` and ``B`` has 2 or more digits (``0,25``, ``-0,13``);
- ``A`` is ``-0`` (``-0,5``: nobody lists a negative zero).

Everything else is a separator: ``[1,2;3,4]``, ``[0,1,0]``, ``[10,20,30]``, ``[1, 2]``,
``[1.5,2.5]``. ``[0,5; 0,3]`` stays the integer matrix ``[[0, 5], [0, 3]]``: one digit after
the comma is too common in lists to refuse (the answer's shape is checked anyway). The check
is one bounded regex over the answer (at most 20,000 characters, linear).
"""
from __future__ import annotations

import re

GLUED = re.compile(r"(?<![\w.+-])(?P<a>-?\d+),(?P<b>\d+)(?![\w./^])", re.ASCII)


def ambiguous_comma(text: str) -> int | None:
    """The 0-based position of the first comma that reads as a decimal comma, or None.

    >>> ambiguous_comma("[-0,113937; 0,13437]"), ambiguous_comma("[1,2;3,4]"), ambiguous_comma("[0,1,0]")
    (3, None, None)
    """
    if "," not in text:
        return None
    for m in GLUED.finditer(text):
        a, b = m.group("a"), m.group("b")
        zero = a.lstrip("-") == "0"
        if len(b) >= 3 or (b[0] == "0" and len(b) >= 2) or (zero and len(b) >= 2) or a == "-0":
            return m.start("b") - 1
    return None


DECIMAL_COMMA = ("a comma between digits here looks like a decimal comma, which is ambiguous in a list: write "
                 "the decimal point as '.' (0.25), and put a space after a comma that separates entries ([1, 2])")
