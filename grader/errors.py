"""One hierarchy for every error the grader raises.

Errors carry data (file, question, line, column, the offending text); they are turned into
text in exactly one place, :meth:`GraderError.describe`. Two families are kept apart:

* :class:`AnswerError` / :class:`SubmissionError` — the student's input is malformed. The
  batch goes on; that answer (or file) scores zero and its row says why.
* :class:`ConfigError` — our own configuration (assignment, rubric) is wrong. The run stops.
* :class:`OutputError` — an output cannot be written (checked before the work; a failure
  while writing leaves every previous output as it was). The run stops.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass
class GraderError(Exception):
    """Base class. ``message`` says what is wrong; the other fields say where."""

    message: str
    file: str | None = None
    question: str | None = None
    line: int | None = None  # 1-based line in ``file``
    column: int | None = None  # 1-based column in ``text``
    text: str | None = None  # the answer text the column points into
    category: str = field(default="error", kw_only=True)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.describe()

    def at(self, **where) -> "GraderError":
        """A copy with more location filled in (keeps what is already known)."""
        known = {k: v for k, v in where.items() if getattr(self, k) is None}
        return replace(self, **known)

    def describe(self, *, caret: bool = True) -> str:
        """The single place where an error becomes text.

        >>> AnswerError("expected a number", file="a.yaml", question="q1", column=3,
        ...             text="1 x 2", category="syntax").describe()
        'a.yaml: question q1: column 3: expected a number\\n    1 x 2\\n      ^'
        """
        from grader.shown_text import shown  # every part a student could have typed, made visible

        head = []
        if self.file:
            head.append(f"{shown(self.file)}:{self.line}" if self.line else shown(self.file))
        if self.question:
            head.append(f"question {shown(self.question)}")
        if self.column is not None:
            head.append(f"column {self.column}")
        out = ": ".join(head + [shown(self.message)])
        if caret and self.text is not None and self.column is not None and len(self.text) <= 200:
            out += f"\n    {shown(self.text)}\n    {' ' * len(shown(self.text[:self.column - 1]))}^"
        return out


@dataclass
class ConfigError(GraderError):
    """Our configuration (an assignment or rubric file) is wrong: the run cannot proceed."""

    category: str = field(default="config", kw_only=True)

    def describe(self, *, caret: bool = True) -> str:
        return "configuration error: " + super().describe(caret=caret)


@dataclass
class OutputError(GraderError):
    """An output (gradebook, report, feedback, handout) cannot be written: ``file`` is its path
    as given, ``message`` the reason. One line; ``grade`` exits with :data:`OUTPUT_EXIT`."""

    category: str = field(default="output", kw_only=True)

    def describe(self, *, caret: bool = True) -> str:
        return "output error: " + super().describe(caret=False).replace("\n", " ")


def internal_error(cause: BaseException | str, *, file: str | None,
                   advice: str = "please report it") -> GraderError:
    """A bug of ours met while grading one file, as the error its row carries (category
    ``internal``): the batch goes on. ``cause`` is the exception (named with its type) or a
    sentence saying what happened; ``advice`` is what the reader should do.

    >>> internal_error(KeyError("W3"), file="a.yaml").describe()
    "a.yaml: internal error while grading (KeyError: 'W3'); please report it"
    """
    why = cause if isinstance(cause, str) else f"{type(cause).__name__}: {cause}"
    return GraderError(f"internal error while grading ({why}); {advice}", file=file, category="internal")


#: ``grade``'s exit code for an :class:`OutputError` (1: nothing to grade, 2: configuration).
OUTPUT_EXIT = 3


@dataclass
class SubmissionError(GraderError):
    """A student's answer file as a whole cannot be used (unreadable, bad YAML, bad schema)."""

    category: str = field(default="file", kw_only=True)


@dataclass
class AnswerError(GraderError):
    """One answer cannot be read: it scores zero, the rest of the file is graded.

    ``category`` is one of :data:`ANSWER_CATEGORIES`: ``syntax`` (cannot be parsed), ``value``
    (NaN, inf, bool, null, not a number), ``shape`` (ragged rows, too many dimensions),
    ``limit`` (too long, too deep, too large a literal, too much work), ``unknown-symbol`` and
    ``unknown-function`` (a name the assignment does not declare), ``question`` (no such
    question).
    """

    category: str = field(default="syntax", kw_only=True)


#: Categories of :class:`AnswerError`: that answer scores 0, the rest of the file is graded.
ANSWER_CATEGORIES = ("syntax", "value", "shape", "limit", "unknown-symbol", "unknown-function",
                     "question")

#: Categories of :class:`SubmissionError`: the whole file (or folder entry) gets a rejected row.
#: ``file`` a link, FIFO, device or unreadable entry; ``name`` a file name that is not UTF-8,
#: holds control characters or ``..``; ``size`` over the size cap; ``encoding`` not UTF-8 text
#: (or control characters, lone surrogates); ``empty``; ``yaml``/``json`` malformed;
#: ``alias``, ``tag``, ``duplicate-key`` refused YAML/JSON features; ``limit`` too deep or too
#: many values; ``schema``; ``assignment`` unknown; ``student`` a problem with the student's id.
SUBMISSION_CATEGORIES = ("file", "name", "size", "encoding", "empty", "yaml", "json", "alias",
                         "tag", "duplicate-key", "limit", "schema", "assignment", "student")
