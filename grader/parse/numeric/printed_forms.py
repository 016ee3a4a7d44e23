r"""What libraries and typesetting print around numbers, masked to what the numeric grammar reads.

Students paste what their code printed and what their editor typeset:

- PyTorch, JAX and numpy wrappers: ``tensor([[0.5000, -0.2500]], dtype=torch.float64)``,
  ``tensor(0.5000, grad_fn=<AddBackward0>)``, ``Array([1., 2.], dtype=float32)``,
  ``matrix([[1, 2]])``, numpy 2's scalars ``np.float64(0.25)`` (also inside a list);
- a tuple ``(0.5, 0.25)`` or ``((1, 2), (3, 4))`` for a vector or a matrix;
- a leading ``≈``, ``=`` or ``\approx`` (the end of a line of working);
- ``\left[ \begin{array}{c|c} ... \end{array} \right]`` (the delimiters around an environment).

:func:`unwrap` rewrites each form, character for character, into one the grammar already reads
(``array(...)``, brackets, spaces), so every column an error points at is still the student's.
Everything here is a regex or a bracket match over at most 20,000 characters.
"""
from __future__ import annotations

import re

# a wrapper call that holds a list or one number: → "array(" (lists) or blanks (one number)
WRAPPER = re.compile(r"(?<![\w.])(?:(?:torch|np|numpy|jnp|jax\.numpy)\.)?"
                     r"(?:tensor|Tensor|Array|matrix|asarray|float(?:16|32|64)|int(?:8|16|32|64)|double)\(")
# a keyword argument a library prints after the values: ", dtype=torch.float64", ", grad_fn=<...>"
KEYWORD = re.compile(r",\s*[A-Za-z_]+\s*=\s*(?:<[^<>]*>|'[^']*'|\"[^\"]*\"|[\w.:]+)\s*")
FIRST = re.compile(r"\s*")
LEADING = re.compile(r"\s*(?:≈|=|\\approx(?![A-Za-z])|~)\s*")
ARRAY_SPEC = re.compile(r"\\begin\s*\{\s*array\s*\}\s*(\{[^{}]{0,40}\})")  # {cc}, {c|c}: says nothing here
LEFT_RIGHT = re.compile(r"\\left\s*[(\[]|\\right\s*[)\]]")


def unwrap(text: str) -> str:
    """``text`` with the printed forms above rewritten, keeping its length (columns hold).

    >>> unwrap("tensor([[0.5, -0.25]], dtype=torch.float64)")
    ' array([[0.5, -0.25]]                     )'
    >>> unwrap("[np.float64(0.25), np.float64(0.5)]")
    '[           0.25 ,            0.5 ]'
    >>> unwrap("(0.5, 0.25)"), unwrap("≈ 0.33")
    ('[0.5, 0.25]', '  0.33')
    """
    chars = list(text)
    lead = LEADING.match(text)
    if lead and lead.end() < len(text):
        chars[:lead.end()] = " " * lead.end()
    for m in ARRAY_SPEC.finditer(text):
        chars[m.start(1):m.end(1)] = " " * (m.end(1) - m.start(1))
    if "\\begin" in text:  # \left[ \begin{array}...\end{array} \right]: the environment is the matrix
        for m in LEFT_RIGHT.finditer(text):
            chars[m.start():m.end()] = " " * (m.end() - m.start())
    pairs, inner = _brackets(text)
    wrappers = {}  # the wrapper's '(' → (its match, its ')')
    for m in WRAPPER.finditer(text):
        close = pairs.get(m.end() - 1)
        if close is not None and text[close] == ")":  # else unbalanced: the grammar words the error
            wrappers[m.end() - 1] = (m, close)
    for k in KEYWORD.finditer(text):
        if inner[k.start()] in wrappers:  # the wrapper's own arguments, not a list's
            chars[k.start():k.end()] = " " * (k.end() - k.start())
    for m, close in wrappers.values():
        if text[FIRST.match(text, m.end()).end():][:1] == "[":
            chars[m.start():m.end()] = " " * (m.end() - m.start() - 6) + "array("
        else:  # one number: the call's name and parentheses are blanks around it
            chars[m.start():m.end()] = " " * (m.end() - m.start())
            chars[close] = " "
    masked = "".join(chars)
    if masked.lstrip().startswith("(") and "," in masked:
        masked = _tuple_as_list(masked)
    return masked


def _brackets(text: str) -> tuple[dict[int, int], list[int]]:
    """In one pass: each opening bracket's matching closer of the same kind, and for each index
    the innermost bracket open there (-1: none). Linear, whatever the nesting."""
    pairs, stack, inner = {}, [], [-1] * len(text)
    for i, c in enumerate(text):
        inner[i] = stack[-1] if stack else -1
        if c in "([{":
            stack.append(i)
        elif c in ")]}" and stack:
            opened = stack.pop()
            if "([{".index(text[opened]) == ")]}".index(c):
                pairs[opened] = i
    return pairs, inner


def _depth(text: str, start: int, end: int) -> int:
    return sum((c in "([{") - (c in ")]}") for c in text[start:end])


def _tuple_as_list(text: str) -> str:
    """``(0.5, 0.25)`` and ``((1, 2), (3, 4))`` as brackets, when the parentheses hold only
    numbers, separators and parentheses (so nothing that reads as arithmetic changes)."""
    if re.search(r"[^\s\d.eE+\-,;()]", text) or _depth(text, 0, len(text)) != 0:
        return text
    return text.replace("(", "[").replace(")", "]")
