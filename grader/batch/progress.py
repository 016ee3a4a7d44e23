"""A plain-text progress bar on stderr: ``grading 120/400 files (30%) 3.2 s``.

Shown only when asked for *and* the stream is a terminal (a log file or a pipe never gets
carriage returns), and only once the run has lasted ``delay`` seconds: a quick run prints
nothing. It is redrawn in place with a carriage return at most every ``every`` seconds, and
left on its own line at the end so the table printed next on stdout starts cleanly.
"""
from __future__ import annotations

import sys
import time
from typing import Self


class Progress:
    def __init__(self, total: int, *, enabled: bool = True, stream=None, label: str = "grading",
                 unit: str = "files", delay: float = 1.0, every: float = 0.1, clock=time.monotonic):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and _is_terminal(self.stream)
        self.total, self.label, self.unit = total, label, unit
        self.delay, self.every, self.clock = delay, every, clock
        self.done = 0
        self.started = clock()
        self._drawn_at: float | None = None  # when the bar was last drawn; None: never shown
        self._width = 0

    def advance(self, n: int = 1) -> None:
        """``n`` more items finished."""
        self.done += n
        self.tick()

    def tick(self) -> None:
        """Redraw if it is time to (cheap to call often: the grading loop calls it while waiting)."""
        if not self.enabled:
            return
        now = self.clock()
        if now - self.started < self.delay:
            return
        if self._drawn_at is not None and now - self._drawn_at < self.every and self.done < self.total:
            return
        self._draw(now)

    def text(self, now: float | None = None) -> str:
        elapsed = (now if now is not None else self.clock()) - self.started
        percent = 100 * self.done // self.total if self.total else 100
        return f"{self.label} {self.done}/{self.total} {self.unit} ({percent}%) {elapsed:.1f} s"

    def _draw(self, now: float) -> None:
        line = self.text(now)
        # pad with spaces over a longer previous line (no terminal escape codes: plain text)
        self.stream.write("\r" + line + " " * max(0, self._width - len(line)))
        self.stream.flush()
        self._width, self._drawn_at = len(line), now

    def close(self) -> None:
        """Final state on its own line, if the bar was ever shown."""
        if self.enabled and self._drawn_at is not None:
            self._draw(self.clock())
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
