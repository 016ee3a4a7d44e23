r"""The other reading of a plain-text ``a/b c`` (:mod:`grader.parse.expression.division`), said
in the feedback where it changes the verdict: ``2/m(\hat{Y} - Y)`` is read 2/(m(Ŷ − Y)) (no
space: one denominator); read (2/m)(Ŷ − Y) it is right, so the student is told so, and how to
write it unambiguously, rather than graded by a silent guess. The verdict is the reading the
README states; a TA may regrade.
"""
from __future__ import annotations

from dataclasses import replace

from grader.results import CORRECT, TRANSPOSED, Verdict

#: verdicts from best to worst, for "the other reading does better"
_RANK = {CORRECT: 0, TRANSPOSED: 1}


def with_other_reading(parsed, key, verdict: Verdict, compare) -> Verdict:
    """``verdict``, with a note when the answer read the other way around a ``/`` gets a better
    one (``compare(parsed, key)`` grades a parsed answer)."""
    if parsed.alternative is None or verdict.outcome == CORRECT:
        return verdict
    other = compare(replace(parsed, expr=parsed.alternative, alternative=None), key)
    if _RANK.get(other.outcome, 2) >= _RANK.get(verdict.outcome, 2):
        return verdict
    slash = parsed.text.find("/") + 1
    note = (f"the '/' at column {slash} is read with the factors written right after it, up to the "
            f"first space, as its denominator (so 1/2m is 1/(2m) and 2/m (Y-Z) is (2/m)(Y-Z)); "
            f"read the other way your answer would be {other.outcome}: write \\frac{{..}}{{..}} "
            f"or brackets to say which you mean")
    return replace(verdict, feedback=f"{verdict.feedback}; {note}" if verdict.feedback else note)
