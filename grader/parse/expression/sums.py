r"""Sums in answers: ``\sum_k``, ``\sum_{k=1}^{C}``, ``∑_j``, ``sum_j``.

A sum's index is local to it: ``\sum_{k=1}^{C} \delta_k \delta_{ik}`` may bind ``k`` although
the assignment declares only ``i`` and ``j`` (:func:`local_indices` lets the names of the answer
use it). Explicit bounds are honoured: the lower bound is a whole number (1-based, as written
on paper), the upper one a whole number or a declared size; ``\sum_{k=2}^{C}`` leaves out the
first term and an empty range sums to 0; ``\sum_{j=1}^{m-1}`` stops one short of m. An upper bound the assignment does not declare
(``\sum_{i=1}^N``) is read as the index's whole range, as before.
"""
from __future__ import annotations

import dataclasses
import re

from lark import Token

from grader.parse.expression.normalize import match_close, norm_script, quote, spelling_of
from grader.parse.expression.table import SymbolTable

SUM_START = re.compile(r"(?:\\sum|∑|(?<![A-Za-z\\])sum)(?:\\limits|\\nolimits|\s)*_\s*\{?\s*"
                       r"([A-Za-z]'*)(?![A-Za-z])")
INDEX = re.compile(r"[A-Za-z]'*")
SUM_INDEX = re.compile(r"\\[A-Za-z]+|[A-Za-z]'*|.")
SUM_BOUND = re.compile(r"\\[A-Za-z]+|[0-9]+|.")
SIZE_OFFSET = re.compile(r"(.+?)\s*([+-])\s*([0-9]{1,3})")
MAX_BOUND = 10_000  # a bound past any size an assignment draws: refused, not looped over


class SumToken(Token):
    """The SUM token: its value is the index; ``lo`` (int or None) and ``hi`` (an int, a size's
    canonical name, or None for the index's whole range) are its bounds."""

    __slots__ = ("lo", "hi")


def local_indices(text: str, start: int, table: SymbolTable) -> SymbolTable:
    """``table`` with the indices the answer's sums bind added (the table itself if none)."""
    if "sum" not in text and "∑" not in text:
        return table
    new = {m.group(1) for m in SUM_START.finditer(text, start)} - table.indices
    return dataclasses.replace(table, indices=table.indices | new, bound=table.bound | new) if new else table


def _bound(raw: str, lx, pos: int, lower: bool):
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}"):
        raw = raw[1:-1].strip()
    if re.fullmatch(r"[0-9]{1,5}", raw):
        value = int(raw)
        if value > MAX_BOUND:
            raise lx.error(f"the sum's bound {value} is too large (limit {MAX_BOUND})", pos, "limit")
        return value
    if re.fullmatch(r"[0-9{}^ ]+", raw):  # 10^{10}, 99999999: past any size
        raise lx.error(f"the sum's bound {quote(raw)} is too large (limit {MAX_BOUND})", pos, "limit")
    if lower:
        raise lx.error(f"the sum's lower bound must be a whole number, not {quote(raw)}", pos)
    if m := SIZE_OFFSET.fullmatch(raw):  # m-1, C + 1: a declared size and a whole offset
        size = _size(m.group(1), lx.table)
        if size is not None:
            return f"{size}{m.group(2)}{m.group(3)}"
        return None
    return _size(raw, lx.table)  # a declared size; any other name (N) is the whole range


def _size(raw: str, table: SymbolTable) -> str | None:
    try:
        return table.sizes.get(spelling_of(raw))
    except ValueError:
        return None


def bound_value(hi: int | str, sizes: dict) -> int:
    """The value of an upper bound on an instance: a whole number, a size's canonical name, or
    one with an offset (``m-1``).

    >>> bound_value("m-1", {"m": 4}), bound_value("m", {"m": 4}), bound_value(3, {})
    (3, 4, 3)
    """
    if isinstance(hi, int):
        return hi
    m = re.fullmatch(r"(.*?)([+-])([0-9]+)", hi)
    if m and m.group(1) in sizes:
        offset = int(m.group(3))
        return int(sizes[m.group(1)]) + (offset if m.group(2) == "+" else -offset)
    return int(sizes[hi])


def read_sum(lx, i: int, j: int) -> int:
    """``\\sum`` (ending at ``j``) with its index and bounds: one SUM token."""
    t = lx.text
    k = lx.skip(j)
    if t[k:k + 1] != "_":
        raise lx.error("a sum needs its index below it, as in \\sum_k", i)
    k = lx.skip(k + 1)
    if t[k:k + 1] == "{":
        close = match_close(t, k)
        if close < 0:  # only where the prescan was skipped: never loop back to the start
            raise lx.error("'{' is never closed", k)
        raw, after = t[k + 1:close], close + 1
    else:
        m = SUM_INDEX.match(t, k)
        raw, after = m.group() if m else "", m.end() if m else k
    index, eq, low = norm_script(raw).partition("=")
    if not INDEX.fullmatch(index) or index not in lx.table.indices:
        known = ", ".join(sorted(lx.table.indices)) or "none"
        raise lx.error(f"unknown index {quote(index or raw)} in the sum (indices: {known})",
                       k, "unknown-symbol")
    lo = _bound(low, lx, k, True) if eq else None
    hi = None
    k = lx.skip(after)
    if t[k:k + 1] == "^":  # the upper bound
        k = lx.skip(k + 1)
        if t[k:k + 1] == "{":
            after = match_close(t, k) + 1
            if after <= 0:
                raise lx.error("'{' is never closed", k)
        else:
            m = SUM_BOUND.match(t, k)
            after = m.end() if m else k
        hi = _bound(t[k:after], lx, k, False)
    tok = str.__new__(SumToken, index)
    tok.type, tok.start_pos, tok.value, tok.end_pos = "SUM", i, index, after
    tok.line = tok.column = tok.end_line = tok.end_column = None
    tok.lo, tok.hi = lo, hi
    lx.toks.append(tok)
    return after
