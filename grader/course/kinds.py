"""Question kinds: one row per kind, saying how its answers are read, judged, keyed, printed,
shown on the public sheet and diagnosed. Adding a kind is adding a row here (plus, where the row
names a strategy no other kind uses yet, that strategy in the layer's own table).

The layers stay apart: this module is part of ``course`` (what the instructor writes), below the
stages that act on a kind. A row therefore *names* each strategy by a short word, and the stage
that carries it out looks the word up in its own small table:

==============  ================================================  ===================
attribute       table                                             where
==============  ================================================  ===================
``reads``       ``PARSERS`` (raw answer → parsed answer)          grader.judge.answers
``judged``      ``COMPARATORS`` (parsed answer → verdict)         grader.judge.answers
``key``         ``KEY_ENTRIES`` (engine value → key entry)        grader.keys.answer_key
``printed``     ``PRINTERS`` (key entry → a pasteable value)      grader.keys.key_text
``sheet_shape`` the cases of ``_question_shape``                  grader.judge.sheet_shapes
==============  ================================================  ===================

The booleans are policies read where they apply (misconception runs, follow-through, the
copied-answers check, the draw screen, a worked solution). ``tests/course/test_kinds.py`` checks
that every named strategy exists in its table and that the assignment and sheet schemas list
exactly these kinds.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """How questions of one kind are handled, stage by stage."""

    name: str
    reads: str  # the parser: "numbers", "classes", "shape", "expression" or "text" (kept as typed)
    judged: str  # the comparator: "numbers", "classes", "shape", "expression" or "by hand"
    key: str | None  # the engine's value made a key entry: "numbers", "classes", "shape"; None: no engine value
    printed: str | None  # the key's value as an answer: "numbers", "classes", "shape"; None: never a value
    #                      (a key entry without a value prints its reference text, whatever the kind)
    sheet_shape: str | None  # the expected shape on the public sheet: "value" (the engine's value's),
    #                          "one per example" (1 x m), "symbolic" (size symbols, random scenarios), None
    reference_text: bool = False  # the assignment gives the reference answer as text (any scenario, even random)
    symbolic: bool = False  # answers are expressions in declared symbols: parsed with the key's symbol table
    classes: bool = False  # answers are class numbers from class_base; a tie in the key spoils a draw
    asks_shape: bool = False  # the answer is a shape: the sheet then shows no shapes at all (they give it away)
    misconception_runs: bool = False  # wrong answers are checked against the misconception runs' values
    follow_through: bool = False  # an answer right from the student's own earlier answers gets credit
    copy_check: bool = False  # its key values are compared with other students' wrong answers

    @property
    def by_hand(self) -> bool:
        """Graded by a TA: the verdict is always "review", never points from the grader."""
        return self.judged == "by hand"

    @property
    def a(self) -> str:
        """The kind's name with its article, for messages.

        >>> KINDS["matrix"].a, KINDS["expression"].a
        ('a matrix', 'an expression')
        """
        return f"{'an' if self.name[0] in 'aeiou' else 'a'} {self.name}"


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("matrix", reads="numbers", judged="numbers", key="numbers", printed="numbers", sheet_shape="value",
         misconception_runs=True, follow_through=True, copy_check=True),
    Kind("class", reads="classes", judged="classes", key="classes", printed="classes",
         sheet_shape="one per example", classes=True),
    Kind("shape", reads="shape", judged="shape", key="shape", printed="shape", sheet_shape=None, asks_shape=True),
    # on a fixed scenario an expression's key also holds the engine's value (printed as numbers)
    Kind("expression", reads="expression", judged="expression", key="numbers", printed="numbers",
         sheet_shape="symbolic", reference_text=True, symbolic=True),
    Kind("manual", reads="text", judged="by hand", key=None, printed=None, sheet_shape=None,
         reference_text=True),
)}

