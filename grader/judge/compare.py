"""Comparators: pure functions from (parsed answer, key entry, tolerance) to a :class:`Verdict`.

They decide *what* is right or wrong and say so in words a student can act on; how many
points that is worth is the rubric's business (:mod:`grader.judge.scoring`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from grader.errors import GraderError
from grader.keys.answer_key import KeyEntry
from grader.parse.numeric.reader import NumericAnswer

CORRECT = "correct"
WRONG = "wrong"
SHAPE = "wrong shape"
UNREADABLE = "unreadable"
MISSING = "missing"
REVIEW = "needs review"  # graded by a TA: free text
TRANSPOSED = "transposed"  # right values, other layout
FOLLOW = "follow-through"  # wrong, but right given the student's own earlier answers


_ALLOWED: dict = {}  # (tolerance, dtype, shape, key bytes) → allowed deviations, oldest forgotten first
_ALLOWED_MAX = 4096
_ALLOWED_SIZE = 64  # entries of a key worth remembering (a class's rows, in grader.batch.copied_answers, are not)


@dataclass(frozen=True)
class Tolerance:
    """Entry ``g`` matches key ``k`` when ``|g − k| ≤ atol + rtol·|k|``; with ``sigfigs`` = n,
    when ``|g − k|`` is at most half a unit in the n-th significant digit of ``k``."""

    rtol: float = 1e-3
    atol: float = 1e-6
    sigfigs: int | None = None

    def close(self, got: np.ndarray, key: np.ndarray) -> np.ndarray:
        """Entry-wise: is ``got`` within tolerance of ``key`` (arrays that broadcast)?"""
        return np.abs(got - key) <= self.allowed(key)

    def allowed(self, key: np.ndarray) -> np.ndarray:
        """The largest deviation accepted from each entry of ``key``. Remembered for small keys
        (an answer key, a misconception variant, a follow-through value): the same few hundred
        are compared with every file's answers."""
        small = key.size <= _ALLOWED_SIZE and key.dtype.kind == "f"  # (bytes of an object array are pointers)
        if small:
            memo = (self, key.dtype.str, key.shape, key.tobytes())
            found = _ALLOWED.get(memo)
            if found is not None:
                return found
        if self.sigfigs is not None:
            scale = np.where(key == 0, 0.0, np.floor(np.log10(np.abs(np.where(key == 0, 1.0, key)))))
            allowed = np.where(key == 0, self.atol, 0.5 * 10.0 ** (scale - self.sigfigs + 1)) * (1 + 1e-9)
        else:
            allowed = self.atol + self.rtol * np.abs(key)
        if small:
            allowed = np.asarray(allowed)  # (a 0-d key gives a numpy scalar)
            if len(_ALLOWED) >= _ALLOWED_MAX:
                del _ALLOWED[next(iter(_ALLOWED))]
            allowed.flags.writeable = False  # shared by every later call
            _ALLOWED[memo] = allowed
        return allowed

    def describe(self) -> str:
        if self.sigfigs is not None:
            return f"{self.sigfigs} significant figures"
        return f"relative tolerance {self.rtol:g}" + (f", absolute {self.atol:g}" if self.atol else "")


@dataclass(frozen=True)
class Verdict:
    outcome: str  # CORRECT, WRONG, SHAPE, UNREADABLE, MISSING, REVIEW, or "transposed"
    feedback: str = ""
    wrong_entries: tuple[tuple[int, int], ...] = ()
    error: GraderError | None = None
    flags: tuple[str, ...] = ()  # misconception ids this answer matches (see grader.course.misconceptions)

    @property
    def correct(self) -> bool:
        return self.outcome == CORRECT


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


def misconception_flags(answer: NumericAnswer, entry: KeyEntry, variants: dict, *, tol: Tolerance) -> tuple[str, ...]:
    """The catalogue misconceptions a wrong numeric answer matches: each variant's value for
    this question (``variants``: misconception id → value, only where it differs from the key),
    plus ``transposed-answer`` when the answer is the key in the other layout."""
    matched = []
    for mid, value in variants.items():
        got = _oriented(answer, value.shape)
        if got is not None and tol.close(got, value).all():
            matched.append(mid)
    expected = entry.shape
    if not answer.flat and answer.values.shape == expected[::-1] and expected[0] != expected[1] \
            and tol.close(answer.values.T, entry.value).all():
        matched.append("transposed-answer")
    return tuple(matched)


def flagged(verdict: Verdict, flags: tuple[str, ...]) -> Verdict:
    """The verdict with its flags and the feedback a student can act on."""
    if not flags:
        return verdict
    from grader.course.misconceptions import BY_ID
    if len(flags) == 1:
        advice = f"[{flags[0]}] {BY_ID[flags[0]].feedback}"
    else:  # variants that coincide for this question: say so rather than pick one at random
        advice = ("your answer matches several common errors, which give the same value here: "
                  + "; ".join(f"[{f}] {BY_ID[f].description}" for f in flags))
    return replace(verdict, flags=flags, feedback=f"{verdict.feedback}. {advice}" if verdict.feedback else advice)
