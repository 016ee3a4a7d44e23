"""Comparators: pure functions from (parsed answer, key entry, tolerance) to a :class:`Verdict`.

They decide *what* is right or wrong and say so in words a student can act on; how many
points that is worth is the rubric's business (:mod:`grader.judge.scoring`).
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np

from grader.keys.answer_key import KeyEntry
from grader.parse.numeric.reader import NumericAnswer
from grader.results import CORRECT, SHAPE, WRONG, Verdict
from grader.tolerance import Tolerance

def shape_text(shape: tuple[int, int]) -> str:
    return f"{shape[0]}×{shape[1]}"


def _oriented(answer: NumericAnswer, expected: tuple[int, int]) -> np.ndarray | None:
    """The answer in the key's shape, or None. A flat list has no orientation, so it may
    stand for a column or a row vector of the same length."""
    got = answer.values
    if got.shape == expected:
        return got
    if answer.flat and got.size == expected[0] * expected[1] and 1 in expected:
        return got.reshape(expected)
    return None


def compare_matrix(answer: NumericAnswer, entry: KeyEntry, *, tol: Tolerance) -> Verdict:
    """Shape first, then every entry within tolerance.

    >>> import numpy as np
    >>> from grader.keys.answer_key import KeyEntry
    >>> key = KeyEntry(None, np.array([[0.5], [0.25]]))
    >>> compare_matrix(NumericAnswer(np.array([[0.5], [0.3]]), True, None), key, tol=Tolerance()).feedback
    '1 of 2 entries is off: entry 2 (within relative tolerance 0.001, absolute 1e-06)'
    """
    expected = entry.shape
    got = _oriented(answer, expected)
    if got is None:
        given = (f"a list of {answer.values.size} number{'s' if answer.values.size != 1 else ''}"
                 if answer.flat else shape_text(answer.values.shape))
        return Verdict(SHAPE, f"expected a {shape_text(expected)} matrix, got {given}")
    ok = tol.close(got, entry.value)
    if ok.all():
        return Verdict(CORRECT)
    wrong = tuple((int(i), int(j)) for i, j in zip(*np.nonzero(~ok)))
    vector = 1 in expected
    names = [f"entry {max(i, j) + 1}" if vector else f"({i + 1},{j + 1})" for i, j in wrong]
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    if len(wrong) == ok.size:
        text = f"no entry matches ({tol.describe()})" if ok.size > 1 else f"not within {tol.describe()}"
    else:
        verb = "is" if len(wrong) == 1 else "are"
        text = f"{len(wrong)} of {ok.size} entries {verb} off: {shown} (within {tol.describe()})"
    return Verdict(WRONG, text, wrong)


def compare_class(answer: int | list[int], entry: KeyEntry) -> Verdict:
    """A predicted class (one per example); any class tied for the maximum is accepted."""
    got = [answer] if isinstance(answer, int) else list(answer)
    if len(got) != len(entry.tied):
        return Verdict(SHAPE, f"expected {len(entry.tied)} class{'es' if len(entry.tied) != 1 else ''}, got {len(got)}")
    wrong = tuple((0, j) for j, (g, ok) in enumerate(zip(got, entry.tied)) if g not in ok)
    if not wrong:
        return Verdict(CORRECT)
    return Verdict(WRONG, "not the class the network predicts" if len(got) == 1
                   else f"wrong class for example(s) {', '.join(str(j + 1) for _, j in wrong)}", wrong)


def compare_shape(answer: tuple[int, int], entry: KeyEntry) -> Verdict:
    """Rows × columns; a swap is named (the layout convention students most often flip)."""
    expected = tuple(int(x) for x in entry.value.ravel())
    if tuple(answer) == expected:
        return Verdict(CORRECT)
    if tuple(reversed(answer)) == expected:
        return Verdict(WRONG, f"rows and columns swapped: got {shape_text(answer)}")
    return Verdict(WRONG, f"got {shape_text(answer)}, which is not the shape asked for")


def rounding(values: np.ndarray) -> np.ndarray:
    """Half a unit in the last digit each entry is written with (0 for 0 and non-finite
    entries, which say nothing of their precision): what the answer's rounding allows.

    >>> rounding(np.array([[0.11, 0.1139, 2.0]])).round(8).tolist()
    [[0.005, 5e-05, 0.5]]
    """
    out = np.zeros(values.shape)
    for at, x in np.ndenumerate(values):
        if x != 0 and np.isfinite(x):
            out[at] = 0.5 * 10.0 ** Decimal(repr(float(x))).normalize().as_tuple().exponent
    return out


def misconception_flags(answer: NumericAnswer, entry: KeyEntry, variants: dict, *, tol: Tolerance) -> tuple[str, ...]:
    """The variants a wrong numeric answer matches: each variant's value for this question
    (``variants``: variant name → value, only where it differs from the key), plus
    ``transposed-answer`` when the answer is the key in the other layout. Neither an answer
    that is the key correctly rounded (0.099 for 0.0994943) nor a variant within the answer's
    own rounding of the key (0.11 for a key of 0.1139 and a variant at 0.1142) is matched:
    the answer cannot tell them apart."""
    matched = []
    as_key = _oriented(answer, entry.shape)
    if as_key is not None and (np.abs(as_key - entry.value) <= rounding(as_key)).all():
        variants = {}  # the key itself, correctly rounded: no error to name
    for mid, value in variants.items():
        got = _oriented(answer, value.shape)
        if got is not None and tol.close(got, value).all():
            if value.shape == entry.shape and (np.abs(value - entry.value) <= rounding(got)).all():
                continue
            matched.append(mid)
    expected = entry.shape
    if not answer.flat and answer.values.shape == expected[::-1] and expected[0] != expected[1] \
            and tol.close(answer.values.T, entry.value).all():
        matched.append("transposed-answer")
    return tuple(matched)


def flagged(verdict: Verdict, flags: tuple[str, ...], words: dict | None = None) -> Verdict:
    """The verdict with its flags (misconception ids) and the feedback a student can act on,
    in the assignment's ``words`` (``grader.course.misconceptions.words_of``). ``flags`` are
    variant names: an ``id@place`` names the place the error was made at."""
    if not flags:
        return verdict
    from grader.course.misconceptions import advice
    ids, text = advice(flags, words)
    return replace(verdict, flags=ids, feedback=f"{verdict.feedback}. {text}" if verdict.feedback else text)
