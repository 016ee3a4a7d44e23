r"""Conditions on indices that a write-up's prose sets: "Case 1: if $k = k'$", "\text{ when } k = k'".

Seed 003 derives the softmax Jacobian case by case: ``\frac{\partial y_k}{\partial z_{k'}} = y_k (1 - y_k)``
holds when ``k = k'`` only, and says so (on its line, or in the sentence that opens the case). A
step under such a condition is checked at the index values that meet it. The condition is the
chain's own line's (after the math: ``\text{ when } k = k'``), else the nearest one stated on a
line before it in the same section (up to a heading); it applies to a step only when every index
it names is free in the step.
"""
from __future__ import annotations

import re

from grader.io.writeups.model import Chain

EQ, NE = "=", "≠"
_INDEX = r"([A-Za-z](?:'|\\prime)*)"
_REL = r"(=|\\neq|\\ne(?![a-z])|≠|!=)"
CONDITION = re.compile(r"(?i)(?:\bif|\bwhen|\bfor|\bcase)\b[^$=]{0,40}?\$?\s*" + _INDEX + r"\s*" + _REL + r"\s*" + _INDEX
                       + r"\s*(?:\$|[.,;:)]|\\text|\}|$)")
HEADING = re.compile(r"^\s{0,3}#")


def prose_conditions(lines: tuple[str, ...], indices) -> list:
    """For each line number n (1-based), the condition the lines before it set in its section
    (the nearest one, none past a heading): worked out once per write-up."""
    out, current = [None, None], None
    for line in lines:
        current = None if HEADING.match(line) else (_condition(line, indices) or current)
        out.append(current)
    return out  # out[n]: set by lines 1 .. n-1


def index_condition(lines: tuple[str, ...], chain: Chain, indices, before=None) -> tuple[str, str, str] | None:
    """(index, ``=`` or ``≠``, index) that holds for ``chain``'s steps, or None (``before``:
    :func:`prose_conditions` of the write-up, when already worked out)."""
    own = lines[chain.line - 1] if 0 < chain.line <= len(lines) else ""
    found = _condition(own[chain.terms[-1].column:] if chain.terms else own, indices)
    if found:
        return found
    before = prose_conditions(lines, indices) if before is None else before
    return before[chain.line] if 0 < chain.line < len(before) else None


def _condition(text: str, indices) -> tuple[str, str, str] | None:
    for m in CONDITION.finditer(text):
        a, rel, b = (_index(m.group(1)), m.group(2), _index(m.group(3)))
        if a in indices and b in indices and a != b:
            return a, EQ if rel == "=" else NE, b
    return None


def _index(text: str) -> str:
    return text.replace("\\prime", "'")


def meets(condition, at: dict) -> bool:
    """Whether index values ``at`` meet ``condition`` (a condition on indices not in ``at``: yes)."""
    if condition is None:
        return True
    a, rel, b = condition
    if a not in at or b not in at:
        return True
    return (at[a] == at[b]) == (rel == EQ)
