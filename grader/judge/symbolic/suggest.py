r""""Did you mean ...?" for a name an answer uses and the question does not declare, worded in the
assignment's own notation: the known names are listed as the assignment spells them
(backprop-general's ``\delta^{[L]}``, not the reader's canonical ``delta^{(L)}``), and the nearest
one is suggested (``\delta^{[K]}`` → ``\delta^{[L]}``)."""
from __future__ import annotations

import difflib
import re
from dataclasses import replace

from grader.errors import AnswerError

UNKNOWN = re.compile(r"unknown symbol '(?P<name>[^']*)'")
MAX_LISTED = 12


def _plain(spelling: str) -> str:
    """A spelling without spaces and with ``(``/``[`` alike, for the nearness measure only."""
    return re.sub(r"\s+", "", spelling).replace("[", "(").replace("]", ")")


def with_suggestion(error: AnswerError, spellings: tuple[str, ...]) -> AnswerError:
    """``error`` (an unknown symbol) with the names listed in the assignment's spelling and the
    nearest one suggested; any other error as it is."""
    m = UNKNOWN.match(error.message)
    if error.category != "unknown-symbol" or m is None or not spellings:
        return error
    head = error.message.split(" (known:")[0]
    plain = {_plain(s): s for s in reversed(spellings)}  # the first spelling of a look-alike wins
    near = difflib.get_close_matches(_plain(m.group("name")), list(plain), n=1, cutoff=0.6)
    listed = ", ".join(spellings[:MAX_LISTED]) + (", ..." if len(spellings) > MAX_LISTED else "")
    hint = f"; did you mean '{plain[near[0]]}'?" if near else ""
    return replace(error, message=f"{head} (known: {listed}){hint}")
