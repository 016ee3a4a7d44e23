r"""Parse a shape answer (``3x5``, ``3 \times 5``, ``\mathbb{R}^{3 \times 5}``, ``(3, 5)``) into
(rows, cols). A single size is a column vector: ``\mathbb{R}^3`` and ``3`` mean 3×1, as
students write δ ∈ ℝ^C. Sizes written as symbols (``C \times d_{L-1}``) are expressions
and arrive with the symbolic-answer grammar; here they are a clear error.
"""
from __future__ import annotations

import re

from grader.errors import AnswerError
from grader.parse.expression.lexer import precheck

MAX_SIZE = 10**6
_SPACE = re.compile(r"\\[,;:! ]|\\q?quad|\$")
_REALS = re.compile(r"^(\\mathbb\s*\{\s*R\s*\}|\\R|ℝ|R)\s*\^\s*")
_TIMES = re.compile(r"\s*(?:\\times|×|x|X|\*|,)\s*")
_SIZE = re.compile(r"[0-9]+")


def parse_shape(raw) -> tuple[int, int]:
    r"""Rows and columns of a shape answer.

    >>> parse_shape(r"\mathbb{R}^{2 \times 3}"), parse_shape("3"), parse_shape(["4", "1"])
    ((2, 3), (3, 1), (4, 1))
    """
    if isinstance(raw, list):
        if not 1 <= len(raw) <= 2 or not all(isinstance(p, str) for p in raw):
            raise AnswerError("expected a shape such as 3x5 or [3, 5]", category="value")
        text = " x ".join(raw)
    elif isinstance(raw, str):
        text = raw
    else:
        raise AnswerError("expected a shape such as 3x5", category="value")
    precheck(text)
    body = _SPACE.sub(" ", text).strip()
    body = _REALS.sub("", body)
    body = body.strip().removeprefix("{").removesuffix("}").strip() if body.startswith("{") else body
    body = body.removeprefix("(").removesuffix(")").removeprefix("[").removesuffix("]").strip()
    parts = _TIMES.split(body)
    if not 1 <= len(parts) <= 2 or not all(_SIZE.fullmatch(p) for p in parts):
        bad = next((p for p in parts if not _SIZE.fullmatch(p)), body)
        column = text.find(bad) + 1 if bad and bad in text else None
        raise AnswerError(f"expected a shape such as 3x5, got {bad!r}" if bad else "expected a shape such as 3x5",
                          column=column, text=raw if isinstance(raw, str) else None, category="syntax")
    sizes = [int(p) for p in parts]
    if any(s == 0 or s > MAX_SIZE for s in sizes):
        raise AnswerError(f"sizes must be between 1 and {MAX_SIZE}", category="value")
    return (sizes[0], sizes[1] if len(sizes) == 2 else 1)
