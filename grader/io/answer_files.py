"""The read stage: find answer files under a folder and read each into a :class:`Submission`.

An answer file (YAML or JSON, schema ``answer_file.schema.json``)::

    assignment: mlp-numeric
    student: {id: s1024, name: Ada Lovelace}     # id required; name, email optional
    answers:
      ex1a.W2_new: [[0.1626, 0.1626, 0.1626], [0.0261, 0.0261, 0.0261]]
      ex1b.class: 1
"""
from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import SubmissionError
from grader.io.folder_walk import MAX_DEPTH, walk
from grader.io.identity_recovery import RecoveredStudent, recover_student
from grader.io.safe_load import MAX_FILE_BYTES, load_file
from grader.io.validate import validate

ANSWER_SUFFIXES = (".yaml", ".yml", ".json")
SETTINGS_FILE = "grader.yaml"  # a class folder's settings (grader.course.class_settings), at its top only
LTI_FILE = "lti.yaml"  # the service's LMS platforms (grader.service.lti_config), at the course's top
CONFIG_FILES = frozenset({SETTINGS_FILE, LTI_FILE})  # configuration beside the answers, never an answer


@dataclass(frozen=True)
class Submission:
    file: str  # as shown to users: relative to the folder graded
    assignment: str
    student_id: str
    name: str = ""
    email: str = ""
    answers: Mapping = field(default_factory=dict)  # question id -> raw answer as typed
    lines: Mapping = field(default_factory=dict)  # path inside the file -> line

    def line_of(self, qid: str) -> int | None:
        return self.lines.get(("answers", qid))


@dataclass(frozen=True)
class Skipped:
    """An entry of the folder that is not read, and why. ``file`` is safe to print (see
    :func:`shown_name`); ``category`` is ``file`` (a link, FIFO, device, unreadable folder),
    ``name`` (a name that is not UTF-8, has control characters or ``..``) or ``limit`` (a
    folder nested too deep)."""

    file: str
    reason: str
    category: str = "file"


def read_submission(path: Path, *, shown_as: str | None = None) -> Submission:
    """Load and schema-check one answer file (raises SubmissionError naming the file, by
    ``shown_as`` or else its path made safe to print by :func:`shown_name`)."""
    shown = shown_as or shown_name(str(path))
    try:
        doc = load_file(Path(path))
    except SubmissionError as e:
        raise e.at(file=shown) if e.file is None else _renamed(e, str(path), shown) from None
    doc = type(doc)(doc.data, doc.lines, shown) if doc.source != shown else doc
    validate(doc, "answer_file", error=SubmissionError)
    student = doc.data["student"]
    return Submission(shown, doc.data["assignment"], student["id"], student.get("name", ""),
                      student.get("email", ""), doc.data["answers"], doc.lines)


UNPARSED = ("yaml", "json", "alias", "tag", "duplicate-key")  # read, but could not be parsed


def recovered_student(path: Path, error: SubmissionError) -> RecoveredStudent | None:
    """The student a file that could not be parsed names on its lines
    (:mod:`grader.io.identity_recovery`), or None (also for files too big, not text, not regular)."""
    if error.category not in UNPARSED:
        return None
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        with os.fdopen(os.open(path, flags), "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return None
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    if len(raw) > MAX_FILE_BYTES:
        return None
    found = recover_student(raw.decode("utf-8", "replace"))
    if found is None or not all(v.isprintable() for v in (found.student_id, found.name, found.email)):
        return None
    return found


def _renamed(e: SubmissionError, path: str, shown: str) -> SubmissionError:
    e.file = shown if e.file == path else e.file
    return e


def shown_name(name: str) -> str:
    r"""A file name as it is safe to print, log and put in a CSV: bytes that are not UTF-8 as
    ``\xNN``, control, format and line-breaking characters as ``\xNN``/``\uNNNN``.

    >>> shown_name(os.fsdecode(b"s1\xff.yaml")), shown_name("a\nb\u202e.yaml")
    ('s1\\xff.yaml', 'a\\x0ab\\u202e.yaml')
    """
    try:
        text = os.fsencode(name).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no file system decoding made
        text = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" if ord(ch) < 0x100
                   else f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}" for ch in text)


def name_problem(name: str) -> str | None:
    """Why a file or folder name is refused, or None. The name is one path component as
    ``os`` gives it (bytes that are not UTF-8 arrive as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "its name is not valid UTF-8: rename it"
    if ".." in name:
        return "its name contains '..': rename it"
    if not all(ch.isprintable() or ch == " " for ch in name):
        return "its name contains control or invisible characters: rename it"
    return None


def _kind(mode: int) -> str | None:
    """What a non-regular entry is, for a skip reason."""
    if stat.S_ISLNK(mode):
        return "a symbolic link: not followed"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe): not read"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file: not read"
    if stat.S_ISSOCK(mode):
        return "a socket: not read"
    return None if stat.S_ISREG(mode) else "not a regular file: not read"


def discover(folder: Path, *, suffixes: tuple[str, ...] = ANSWER_SUFFIXES) -> tuple[list[Path], list[Skipped]]:
    """Answer files under ``folder`` in a stable order, and the entries skipped with a reason.

    Hidden files and folders are ignored. Symbolic links, FIFOs, devices and sockets are
    skipped (never followed, never opened), so nothing outside ``folder`` is read; so are
    folders that cannot be listed and names that are not UTF-8, hold control or invisible
    characters, or contain ``..`` (an answer-like name, or any folder, is reported with its
    name escaped by :func:`shown_name`), and folders nested more than ``MAX_DEPTH`` deep
    (:mod:`grader.io.folder_walk`: no recursion, so no depth crashes the run). Sizes and
    contents are checked when a file is read (:func:`grader.io.safe_load.load_file`).
    ``suffixes``: which files are answers (``grade FOLDER`` adds the write-ups').
    """
    folder = Path(folder)
    files, skipped = [], []

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else folder
        rel = str(where.relative_to(folder)) if where != folder else "."
        skipped.append(Skipped(shown_name(rel), f"cannot read folder: {exc.strerror}"))

    def too_deep(path: str) -> None:
        skipped.append(Skipped(shown_name(str(Path(path).relative_to(folder))),
                               f"folder skipped: nested more than {MAX_DEPTH} folders deep", "limit"))

    for dirpath, dirnames, filenames in walk(folder, onerror=unreadable, too_deep=too_deep):
        here = Path(dirpath)
        for d in sorted(dirnames):
            path = here / d
            if d.startswith("."):
                dirnames.remove(d)
                continue
            rel = shown_name(str(path.relative_to(folder)))
            problem = name_problem(d)
            if problem or path.is_symlink():
                dirnames.remove(d)
                skipped.append(Skipped(rel, f"folder skipped: {problem}", "name") if problem else
                               Skipped(rel, "symbolic link to a folder: not followed"))
        dirnames.sort()
        for name in sorted(filenames):
            path = here / name
            if name.startswith(".") or not _answer_like(name, suffixes) or (here == folder and name in CONFIG_FILES):
                continue  # (the class folder's own settings, grader.course.class_settings, are not an answer file)
            rel = str(path.relative_to(folder))
            problem = name_problem(name)
            if problem:
                skipped.append(Skipped(shown_name(rel), f"file skipped: {problem}", "name"))
                continue
            try:
                kind = _kind(os.lstat(path).st_mode)
            except OSError as exc:  # vanished since listing
                kind = f"cannot read file: {exc.strerror}"
            if kind:
                skipped.append(Skipped(rel, kind))
            else:
                files.append(path)
    return files, skipped


def answer_name(name: str) -> bool:
    """Whether :func:`discover` takes a file of this name for an answer file (or reports it)."""
    return not name.startswith(".") and _answer_like(name)


def _answer_like(name: str, suffixes: tuple[str, ...] = ANSWER_SUFFIXES) -> bool:
    r"""An answer file's suffix, or one hidden behind a trailing control or invisible
    character (``a.yaml\n``), which is then reported rather than silently ignored."""
    suffix = Path(name).suffix.lower()
    hidden = any(s in name.lower() for s in suffixes) and name_problem(name) is not None
    return suffix in suffixes or hidden
