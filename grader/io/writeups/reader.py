"""Read one write-up file: its text (a format per suffix), who wrote it for which assignment,
and its chains of equations with their lines.

Formats, a row each in :data:`FORMATS`: ``.md``, ``.txt`` and ``.tex`` are text; ``.ipynb`` is a
notebook whose Markdown cells are read (by ``nbformat``), joined by blank lines. The assignment
and student come, in this order, from a front-matter block (``---`` lines around
``assignment: ID`` and ``student: ID``), the first non-blank line (``assignment: ID,
student: ID``, also as a ``%`` or ``<!-- -->`` comment), or the path: a folder named as a known
assignment holding ``STUDENT.md``, or a file ``STUDENT_ASSIGNMENT.md``.
"""
from __future__ import annotations

import bisect
import re
from pathlib import Path

from grader.errors import SubmissionError
from grader.io.safe_load import read_utf8
from grader.io.writeups.chains import Splitter
from grader.io.writeups.math_blocks import exercise_number, line_starts, marks, math_segments
from grader.io.writeups.model import GOAL, WriteUp

MAX_WRITEUP_BYTES = 1_000_000  # a 10-page write-up is ~40 kB; seed 004 (numbers included) 21 kB
_ID = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
_FIELD = {key: re.compile(rf"\b{key}\s*:\s*[\"']?({_ID})", re.I) for key in ("assignment", "student")}
_FRONT_MATTER = re.compile(r"\A\s*---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)
_TEX_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_SHOW_THAT = re.compile(r"\b(?:show|prove|verify)\s+that\b", re.I)
_SENTENCE_END = re.compile(r"[.:](?:\s|$)")
_LET = re.compile(r"\b(?:let|define|denote)\s*$", re.I)


def _text(raw: str) -> str:
    return raw


def _notebook(raw: str) -> str:
    """The Markdown cells of a notebook, joined by blank lines (code cells are not write-up)."""
    import nbformat  # on first use: most runs read no notebook

    try:
        nb = nbformat.reads(raw, as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises JSON, validation and version errors
        raise SubmissionError(f"not a readable notebook: {type(exc).__name__}", category="json") from None
    return "\n\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


#: suffix → how its text is had
FORMATS = {".md": _text, ".markdown": _text, ".txt": _text, ".tex": _text, ".ipynb": _notebook}


def is_writeup(path: Path) -> bool:
    """Whether ``path`` is a write-up by its suffix."""
    return Path(path).suffix.lower() in FORMATS


def read_writeup(path: Path, *, known_assignments=()) -> WriteUp:
    """Read the write-up at ``path`` (raises SubmissionError naming the file)."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SubmissionError(f"not a write-up: {path.suffix or '(no suffix)'}; use one of "
                              f"{', '.join(FORMATS)}", file=str(path), category="file")
    try:
        text = fmt(read_utf8(path, max_bytes=MAX_WRITEUP_BYTES))
    except SubmissionError as e:
        raise e.at(file=str(path)) from None
    return writeup_from_text(text, file=str(path), known_assignments=known_assignments)


def writeup_from_text(text: str, *, file: str, known_assignments=()) -> WriteUp:
    r"""A write-up from its text; ``file`` names it (and may name the student and assignment).

    >>> w = writeup_from_text("assignment: softmax-ce, student: s1\n$$a = b = c$$", file="w.md")
    >>> (w.assignment, w.student, [[t.text for t in c.terms] for c in w.chains], w.chains[0].line)
    ('softmax-ce', 's1', [['a', 'b', 'c']], 2)
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    assignment, student = identity(text, Path(file), known_assignments)
    starts = line_starts(text)

    def where(offset: int) -> tuple[int, int]:
        n = bisect.bisect_right(starts, offset) - 1
        return n + 1, offset - starts[n] + 1

    labels = marks(text)
    scan = _TEX_COMMENT.sub(lambda m: " " * len(m.group()), text)  # comments are no math
    segments, not_read = math_segments(scan, where)
    splitter = Splitter(where, not_read=not_read)
    pending_marks = iter(labels)
    mark = next(pending_marks, None)
    prose_from, headed = 0, False
    for seg in segments:
        while mark is not None and mark.offset < seg.start:
            if mark.kind == "heading":
                splitter.heading, splitter.label, splitter.pending, splitter.kind = mark.text, None, None, ""
                splitter.exercise, headed = exercise_number(mark.text), True
            elif mark.kind == "item":  # "3. …" at the margin: an exercise, unless under a heading
                splitter.exercise = splitter.exercise if headed else mark.text
            else:
                splitter.label = mark.text
            mark = next(pending_marks, None)
        prose = scan[prose_from:seg.start].rstrip("$\\[ \n\t")
        if _SHOW_THAT.search(prose):  # the task's own statement of the result: a goal, not a claim
            splitter.kind = GOAL
        elif splitter.kind == GOAL and _SENTENCE_END.search(prose):  # the task's statement has ended
            splitter.kind = ""
        splitter.segment(scan, seg.start, seg.end, display=seg.display, defines=bool(_LET.search(prose)))
        prose_from = seg.end
    return WriteUp(file, assignment, student, tuple(splitter.chains),
                   tuple(sorted(splitter.not_read, key=lambda n: n.line)), tuple(text.split("\n")))


def identity(text: str, path: Path, known_assignments=()) -> tuple[str, str]:
    """(assignment, student) from the front matter, the first line, or the path (see the module
    doc); a SubmissionError names what is missing."""
    front = _FRONT_MATTER.match(text)
    first = next((line for line in text.split("\n") if line.strip()), "")
    found = {}
    for source in ((front.group(1),) if front else ()) + (first,):
        for key, pattern in _FIELD.items():
            m = pattern.search(source)
            if m and key not in found:
                found[key] = m.group(1)
    if "assignment" not in found or "student" not in found:
        for assignment, student in _from_path(path, known_assignments):
            found.setdefault("assignment", assignment)
            found.setdefault("student", student)
    missing = [key for key in ("assignment", "student") if key not in found]
    if missing:
        raise SubmissionError(
            f"the write-up names no {' and no '.join(missing)}: start it with a line "
            f"'assignment: ID, student: ID' (or a front-matter block), or name the file STUDENT_ASSIGNMENT{path.suffix}",
            file=str(path), line=1, category="assignment" if "assignment" in missing else "student")
    return found["assignment"], found["student"]


def _from_path(path: Path, known_assignments):
    """(assignment, student) pairs the path can mean: a known assignment's folder, or a
    ``STUDENT_ASSIGNMENT`` stem."""
    if path.parent.name in known_assignments:
        yield path.parent.name, path.stem
    for assignment in known_assignments:
        if path.stem.endswith("_" + assignment) and len(path.stem) > len(assignment) + 1:
            yield assignment, path.stem[:-len(assignment) - 1]
