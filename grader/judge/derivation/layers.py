r"""General formulas in layer letters: ``z^{[\ell]} = w^{[\ell]} x^{[\ell-1]} + b^{[\ell]}``,
``\delta^{[L]} = …``, ``\delta_{l \neq L}^{[l]} = (w^{[l+1]})^T \delta^{[l+1]} \circ f'(z^{[l]})``.

An assignment with numbered layers only (mlp-numeric declares ``z^{[1]}`` … ``z^{[3]}``) cannot
read ``\ell``. A step that is not read and writes its layers as ``\ell`` or ``l`` (``\ell \pm k``),
or ``L`` (the last layer), is checked at each layer ``l = 1 … L`` of each scenario's network,
the letters replaced by numbers; a layer where a term does not exist (``\delta^{[L+1]}``, or
``l = L`` under ``l \neq L``) is skipped. It holds when, in some scenario, it holds at every
layer it reads at (the formula is the network's: seed 004's sigmoid notes hold in Exercise 1,
its tanh ones in Exercise 2), and its reason says at which layers of which scenario. One that
holds in no scenario stays "not read", the reason naming the first layer it fails at: its
letters may mean another network than the exercise's (seed 004's ``\delta^{[L]}`` for a loss
of its own), so it is never marked wrong on this reading.
"""
from __future__ import annotations

import re
from dataclasses import replace

from grader.io.writeups.model import Term
from grader.judge.derivation.context import Scenario

_LETTER = re.compile(r"(?P<open>\^\s*\{\s*[\[(]\s*)(?P<l>\\ell|l|L)\s*(?:(?P<sign>[+-])\s*(?P<k>\d+))?\s*"
                     r"(?P<close>[\])])")
_NOT_LAST = re.compile(r"_\s*\{\s*(?:\\ell|l)\s*(?:\\neq|\\ne|≠)\s*L\s*\}")
_NUMBERED = re.compile(r"\^\{[\[(](\d+)[\])]\}")


def has_layer_letters(text: str) -> bool:
    """Whether ``text`` writes a layer as ``\\ell``, ``l`` or ``L``.

    >>> has_layer_letters(r"z^{[\\ell]} = w^{[\\ell]} x^{[\\ell-1]}"), has_layer_letters(r"z^{[2]}")
    (True, False)
    """
    return bool(_LETTER.search(text))


def layers(scenario: Scenario) -> int:
    """The scenario's last layer, when it declares numbered layers only (else 0: it reads
    letters itself)."""
    names = [name for name, canonical in scenario.table.symbols.items() if not canonical.startswith("__")]
    if any(_LETTER.search(name) for name in names):  # (``__``: the grader's own, a written matrix's symbol)
        return 0
    return max((int(n) for name in names for n in _NUMBERED.findall(name)), default=0)


def at_layer(text: str, layer: int, last: int) -> str | None:
    """``text`` with its layer letters at ``layer`` (``L`` at ``last``); None where a term has no
    layer there.

    >>> at_layer(r"\\delta_{l \\neq L}^{[l]} = (w^{[l+1]})^T \\delta^{[l+1]}", 1, 3)
    '\\\\delta^{[1]} = (w^{[2]})^T \\\\delta^{[2]}'
    >>> at_layer(r"\\delta_{l \\neq L}^{[l]} = (w^{[l+1]})^T \\delta^{[l+1]}", 3, 3) is None
    True
    """
    if _NOT_LAST.search(text):
        if layer == last:
            return None
        text = _NOT_LAST.sub("", text)
    bad = []

    def number(m):
        base = last if m.group("l") == "L" else layer
        n = base + (int(m.group("k")) * (1 if m.group("sign") == "+" else -1) if m.group("k") else 0)
        if n < 0 or n > last:
            bad.append(n)
        return f"{m.group('open')}{n}{m.group('close')}"
    out = _LETTER.sub(number, text)
    return None if bad else out


def check_per_layer(left: Term, relation: str, right: Term, candidates):
    """(StepResult, reading) of the step checked at each layer: holds, or not read with the
    failing layer named; None when no layer reads it. ``candidates``: (scenario, check) pairs,
    ``check(left, relation, right)`` the step check with that scenario's values."""
    holds, failed = None, None
    letters = {m.group("l") for m in _LETTER.finditer(left.text + right.text)}
    for scenario, check in candidates:
        last = layers(scenario)
        if not last:
            continue
        results = []
        for layer in ([last] if letters == {"L"} else range(1, last + 1)):
            a, b = at_layer(left.text, layer, last), at_layer(right.text, layer, last)
            if a is None or b is None:
                continue
            step, reading = check(replace(left, text=a), relation, replace(right, text=b))
            if step.status in ("holds", "does not hold"):
                results.append((layer, step, reading))
        if not results:
            continue
        wrong = next((r for r in results if r[1].status == "does not hold"), None)
        if wrong is None and holds is None:
            holds = (scenario, [r[0] for r in results], results[0][1], results[0][2])
        elif wrong is not None and failed is None:
            failed = (scenario, wrong)
    if holds is not None:
        scenario, at, step, reading = holds
        where = f"layer {at[0]}" if len(at) == 1 else f"layers {', '.join(map(str, at))}"
        reason = f"a general formula: holds at {where} of {scenario.name}"
        return replace(step, left=left, right=right, reason=reason), reading
    if failed is not None:
        scenario, (layer, step, reading) = failed
        return replace(step, left=left, right=right, status="not read", flags=(),
                       reason=f"a general formula that holds in no exercise's network (at layer {layer} of "
                              f"{scenario.name}: {step.reason})"), reading
    return None

