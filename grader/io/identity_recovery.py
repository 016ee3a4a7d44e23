"""The student of a file that could not be parsed, read from its lines.

One YAML typo (an unclosed bracket in an answer) makes the whole file unreadable, and the
student would vanish from the Canvas and Moodle files (no id, no row: a blank, not a 0). When
parsing fails, the file's lines are read for the student's block, in the forms the answer
file's schema allows::

    student: {id: s1024, name: Ada Lovelace, email: ada@example.edu}
    student:
      id: s1024
      name: "Ada Lovelace"
    "student": {"id": "s1024", "name": "Ada Lovelace"}

The id must look like an id the schema accepts (1-64 characters, no spaces, slashes or
quotes); a name or e-mail is taken only when simple (one line, at most 200 characters, no
brackets or quotes inside). A file with two different ``student`` ids, or none, gets nothing.
Every pattern is anchored and bounded, and the lines are those of a file already checked for
size, so the work is linear in a file of at most 1 MB. The result says on which line the id
was read; the row's notes say so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LINES = 20_000  # lines looked at (a student block is near the top)
BLOCK_LINES = 20  # lines after "student:" that may hold its fields
_Q = r"""["']?"""
STUDENT = re.compile(rf"(?:^|[{{,])\s*{_Q}student{_Q}\s*:\s*(?P<rest>.*)")
ID_VALUE = r"""(?P<q>["']?)(?P<v>[^\s/\\"'{}\[\],#]{1,64})(?P=q)"""
TEXT_VALUE = r"""(?P<q>["']?)(?P<v>[^\n"'{}\[\],#:]{1,200}?)(?P=q)"""
FIELDS = {key: re.compile(rf"{_Q}{key}{_Q}\s*:\s*{ID_VALUE if key == 'id' else TEXT_VALUE}")
          for key in ("id", "name", "email")}


@dataclass(frozen=True)
class RecoveredStudent:
    student_id: str
    line: int  # 1-based line the id was read from
    name: str = ""
    email: str = ""

    @property
    def note(self) -> str:
        return f"student id read from line {self.line} of a file that could not be parsed"


def recover_student(text: str) -> RecoveredStudent | None:
    """The student named by the ``student`` block of an unparsable file's ``text``, or None."""
    lines = text.splitlines()[:MAX_LINES]
    found: list[RecoveredStudent] = []
    for i, line in enumerate(lines):
        m = STUDENT.search(line)
        if not m:
            continue
        rest = m.group("rest").strip()
        if rest.startswith("{"):  # flow mapping, maybe over a few lines, up to its '}'
            block = [(i, rest)]
            j = i + 1
            while "}" not in block[-1][1] and j < min(len(lines), i + 1 + BLOCK_LINES):
                block.append((j, lines[j].strip()))
                j += 1
            parts = [(n, piece) for n, text_ in block for piece in text_.lstrip("{").partition("}")[0].split(",")]
        else:  # block mapping: the more indented lines below
            indent = len(line) - len(line.lstrip())
            parts = []
            for j in range(i + 1, min(len(lines), i + 1 + BLOCK_LINES)):
                below = lines[j]
                if below.strip() and len(below) - len(below.lstrip()) <= indent:
                    break
                parts.append((j, below.strip()))
        student = _fields(parts)
        if student is not None:
            found.append(student)
    if len({s.student_id for s in found}) != 1:
        return None  # none, or two different claims: no guess
    return found[0]


def _fields(parts: list[tuple[int, str]]) -> RecoveredStudent | None:
    values: dict[str, tuple[int, str]] = {}
    for n, piece in parts:
        piece = piece.partition(" #")[0].strip().rstrip("}").strip()
        for key, pattern in FIELDS.items():
            m = pattern.fullmatch(piece) if key not in values else None
            if m:
                values[key] = (n, m.group("v").strip())
    if "id" not in values:
        return None
    line, ident = values["id"]
    return RecoveredStudent(ident, line + 1, values.get("name", (0, ""))[1], values.get("email", (0, ""))[1])
