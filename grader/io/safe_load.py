"""Load a student's answer file (YAML or JSON) without trusting it.

Every scalar comes back as the exact text typed (``no`` stays ``"no"``, ``0.5`` stays
``"0.5"``): the answer parser, not YAML 1.1 type resolution, decides what an answer means.
Anything that could run code, blow up memory or silently change an answer is refused with a
:class:`~grader.errors.SubmissionError` that names the line.

YAML is read as a stream of parser events (C parser, fallback to the pure-Python one) and the
tree is built here, iteratively. We deliberately do not call ``yaml.compose``: its C composer
recurses once per nesting level and segfaults on ~100k nested ``[`` (well inside a 1 MB
file). With events, aliases, tags and excess depth are rejected the moment they appear,
before any further parsing, so an alias bomb or a deep-nesting file costs almost nothing.

Text itself is checked too: a control character (other than tab, newline, carriage return) or
a lone UTF-16 surrogate can reach a string only through an escape (``"\\e[2J"``,
``"\\ud800"``; typed raw, YAML and JSON already refuse them, so in YAML only double-quoted
scalars are looked at), never belongs in an answer file,
and would garble a terminal or crash the writer of a UTF-8 gradebook: the whole file is
refused (category ``encoding``), as it is for raw control characters.
"""
from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml

from grader.errors import SubmissionError

MAX_FILE_BYTES = 1_000_000  # an answer file is a few kB; 1 MB leaves room for long matrices
MAX_DEPTH = 64  # nested collections; answer files need about 4
MAX_NODES = 50_000  # scalars (keys included) and collections; a full answer file has ~2,000
# C0/C1 controls except \t \n \r, and lone surrogates (only JSON's \ud800 escapes make those)
_YAML11_BREAKS = re.compile("[\x85\u2028\u2029]")  # NEL, LS, PS: line breaks in YAML 1.1 only
_SURROGATE = re.compile("[\ud800-\udfff]")
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LOADER = yaml.CBaseLoader if yaml.__with_libyaml__ else yaml.BaseLoader
_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
_BOM = b"\xef\xbb\xbf"
_TAG = "tag:yaml.org,2002:"
# "!" is the non-specific tag: it just means the node's own kind.
_ALLOWED_TAGS = {
    yaml.ScalarEvent: (None, "!", _TAG + "str"),
    yaml.SequenceStartEvent: (None, "!", _TAG + "seq"),
    yaml.MappingStartEvent: (None, "!", _TAG + "map"),
}
_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
_NO_KEY = object()  # a mapping frame that waits for its next key


@dataclass(frozen=True)
class Document:
    """A loaded answer file: the data, where each value starts, and the name for messages."""

    data: Any  # dict / list / str; JSON may also give bool / None
    lines: Mapping[tuple, int]  # path (keys and list indices) -> 1-based line; () -> 1
    source: str


def load_text(text: str, *, source: str, fmt: str) -> Document:
    """Parse ``text`` as ``fmt`` ("yaml" or "json"); raise SubmissionError on any problem."""
    if fmt not in ("yaml", "json"):
        raise ValueError(f"unknown format {fmt!r}")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SubmissionError("the file is empty", file=source, line=1, category="empty")
    surrogate = _SURROGATE.search(text)  # only a caller's str can hold one; a file is decoded
    if surrogate:
        _check_text(surrogate.group(), source, text.count("\n", 0, surrogate.start()) + 1)
    data, lines = (_load_yaml if fmt == "yaml" else _load_json)(text, source)
    return Document(data, MappingProxyType(lines), source)


def load_file(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read and parse one answer file; its suffix (.yaml, .yml, .json) picks the format.

    Refuses anything but a regular file (symlinks are not followed), files larger than
    ``max_bytes`` (checked before reading, and again by a bounded read), non-UTF-8 bytes, and
    UTF-16/UTF-32 text (a UTF-16 byte-order mark, or NUL bytes: valid UTF-8, never text).
    A UTF-8 byte-order mark is accepted and dropped.
    """
    path = Path(path)
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise SubmissionError(f"unsupported file type {path.suffix or '(none)'!r}; "
                              "use .yaml, .yml or .json", file=str(path), category="file")
    return load_text(read_utf8(path, max_bytes=max_bytes), source=str(path), fmt=fmt)


def read_utf8(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of a regular file (links not followed) of at most ``max_bytes``, as UTF-8 (a
    UTF-8 byte-order mark dropped; UTF-16/32 and bytes that are not UTF-8 refused, their line
    named). Answer files and write-ups are read by it."""
    path = Path(path)
    source = str(path)
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            raise SubmissionError("not a regular file", file=source, category="file")
        if st.st_size > max_bytes:
            raise _too_big(source, max_bytes)
        # O_NOFOLLOW/O_NONBLOCK: the path may have been swapped for a link or FIFO since lstat.
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        with os.fdopen(os.open(path, flags), "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise SubmissionError("not a regular file", file=source, category="file")
            raw = fh.read(max_bytes + 1)  # bounded: the file may grow after fstat
    except OSError as exc:
        raise SubmissionError(f"cannot read file: {exc.strerror}", file=source,
                              category="file") from None
    if len(raw) > max_bytes:
        raise _too_big(source, max_bytes)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw:  # valid UTF-8, but not text
        offset = 0 if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.index(b"\x00")
        raise SubmissionError("the file is UTF-16 or UTF-32 (or not text at all): it has a "
                              "UTF-16 byte-order mark or NUL bytes; save it as UTF-8", file=source,
                              line=raw.count(b"\n", 0, offset) + 1, category="encoding")
    skip = len(_BOM) if raw.startswith(_BOM) else 0
    try:
        text = raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        raise SubmissionError(f"not valid UTF-8: byte 0x{raw[offset]:02x} at byte offset "
                              f"{offset}; save the file as UTF-8", file=source,
                              line=raw.count(b"\n", 0, offset) + 1, category="encoding") from None
    return text


def _too_big(source: str, max_bytes: int) -> SubmissionError:
    return SubmissionError(f"file is larger than {max_bytes} bytes", file=source, category="size")


def _fail(source: str, message: str, line: int | None, category: str) -> SubmissionError:
    return SubmissionError(message, file=source, line=line, category=category)


def _check_text(text: str, source: str, line: int | None) -> None:
    """Refuse a string holding a control character or a lone surrogate (see the module doc)."""
    m = _BAD_TEXT.search(text)
    if m:
        ch = m.group()
        what = "a lone surrogate" if "\ud800" <= ch <= "\udfff" else "a control character"
        raise _fail(source, f"{what} (U+{ord(ch):04X}) is not allowed in an answer file; "
                    "remove it", line, "encoding")


def _load_yaml(text: str, source: str) -> tuple[Any, dict]:
    odd_break = _YAML11_BREAKS.search(text)
    if odd_break:  # YAML 1.1 folds these into spaces: the answer would silently change
        raise _fail(source, f"character U+{ord(odd_break.group()):04X} is a line break to YAML; "
                    "use an ordinary newline or remove it", text.count("\n", 0, odd_break.start()) + 1,
                    "yaml")
    try:
        return _walk_events(_LOADER(text), source)
    except yaml.YAMLError as exc:
        if _LOADER is not yaml.BaseLoader:
            _our_rules_first(text, exc, source)
        raise _library_error(exc, text, source) from None


def _our_rules_first(text: str, exc: yaml.YAMLError, source: str) -> None:
    """The verdict on a file must not depend on which libyaml is installed: a newer one refuses
    deep nesting itself (at its own depth, in its own words), an older one does not. So when the
    C parser stops, the pure-Python parser walks the text up to that point under our rules;
    if one of them (depth, size, aliases, tags, duplicates) is broken there first, that is
    the error. Only on a file the C parser already refused, and only up to where it stopped."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return
    end = text.find("\n", _offset_of_line(text, mark.line))
    try:
        _walk_events(yaml.BaseLoader(text if end < 0 else text[:end + 1]), source)
    except yaml.YAMLError:
        pass  # the prefix is broken too (cut short): the library's error stands


def _offset_of_line(text: str, line: int) -> int:
    offset = 0
    for _ in range(line):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return len(text)
    return offset


def _library_error(exc: yaml.YAMLError, text: str, source: str) -> SubmissionError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        # line and column are fields of the error: describe() shows them once
        return SubmissionError(f"invalid YAML: {exc.problem or exc.context}",
                               file=source, line=line, column=col, category="yaml")
    pos = getattr(exc, "position", None)  # ReaderError: a forbidden character, no mark
    line = text.count("\n", 0, pos) + 1 if isinstance(pos, int) else None
    return SubmissionError(f"invalid YAML: {getattr(exc, 'reason', exc)}", file=source, line=line, category="yaml")


def _walk_events(parser, source: str) -> tuple[Any, dict]:
    """Build the tree from ``parser``'s events, enforcing our rules as each event arrives."""
    lines: dict[tuple, int] = {(): 1}
    stack: list[list] = []  # frames: [container, path, pending key or _NO_KEY, is a list]
    root: Any = None
    docs = nodes = 0
    empty_root = False
    try:
        while parser.check_event():
            ev = parser.get_event()
            kind = type(ev)
            if kind in _ENDS:
                stack.pop()
                continue
            if kind is yaml.DocumentStartEvent:
                docs += 1
                if docs > 1:  # stop here: the rest of the stream is never parsed
                    raise _fail(source, "more than one YAML document ('---'); submit one",
                                ev.start_mark.line + 1, "yaml")
                continue
            if kind not in _ALLOWED_TAGS and kind is not yaml.AliasEvent:
                continue  # stream and document boundaries
            line = ev.start_mark.line + 1
            if kind is yaml.AliasEvent or ev.anchor is not None:
                raise _fail(source, "anchors and aliases (& and *) are not allowed", line, "alias")
            if ev.tag not in _ALLOWED_TAGS[kind]:
                raise _fail(source, f"YAML tag {ev.tag!r} is not allowed", line, "tag")
            nodes += 1
            if nodes > MAX_NODES:
                raise _fail(source, f"more than {MAX_NODES} values", line, "limit")
            is_scalar = kind is yaml.ScalarEvent
            if is_scalar:
                value = ev.value
                if ev.style == '"':  # only a double-quoted escape can make a control character
                    _check_text(value, source, line)
            else:
                value = [] if kind is yaml.SequenceStartEvent else {}
            if not stack:
                root, path = value, ()
                empty_root = is_scalar and value == "" and ev.tag is None and ev.implicit[0]
            else:
                frame = stack[-1]
                container = frame[0]
                if frame[3]:
                    path = frame[1] + (len(container),)
                    container.append(value)
                elif frame[2] is _NO_KEY:  # this node is a key
                    if not is_scalar:
                        raise _fail(source, "a mapping key must be text, not a list or mapping",
                                    line, "yaml")
                    if value in container:
                        raise _fail(source, f"duplicate key {value!r}", line, "duplicate-key")
                    frame[2] = value
                    continue
                else:
                    path = frame[1] + (frame[2],)
                    container[frame[2]] = value
                    frame[2] = _NO_KEY
                lines[path] = line
            if not is_scalar:
                stack.append([value, path, _NO_KEY, kind is yaml.SequenceStartEvent])
                if len(stack) > MAX_DEPTH:
                    raise _fail(source, f"nesting deeper than {MAX_DEPTH} levels", line, "limit")
    finally:
        parser.dispose()
    if docs == 0 or empty_root:
        raise _fail(source, "the file has no content", 1, "empty")
    return root, lines


class _Rejected(Exception):
    """Raised from json hooks with (message, category); the scan then finds the line."""


def _reject_constant(name: str) -> None:
    raise _Rejected(f"{name} is not allowed in JSON; write a number", "json")


def _unique_pairs(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Rejected("duplicate key", "duplicate-key")
    return result


def _load_json(text: str, source: str) -> tuple[Any, dict]:
    try:
        data = json.loads(text, parse_float=str, parse_int=str, parse_constant=_reject_constant,
                          object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as exc:
        raise SubmissionError(f"invalid JSON: {exc.msg}",
                              file=source, line=exc.lineno, column=exc.colno,
                              category="json") from None
    except (_Rejected, RecursionError) as exc:
        # The text up to the failure is valid JSON, so the scan reaches the cause and raises
        # with its line; the fallback below only guards against a disagreement.
        _scan_json(text, source)
        message, category = (exc.args if isinstance(exc, _Rejected)
                             else (f"nesting deeper than {MAX_DEPTH} levels", "limit"))
        raise _fail(source, message, None, category) from None
    lines = _scan_json(text, source)
    _check_json_text(data, lines, source)
    return data, lines


def _check_json_text(data: Any, lines: Mapping[tuple, int], source: str) -> None:
    """:func:`_check_text` on every key and string of loaded JSON (iteratively: depth is
    already bounded, but no recursion is needed)."""
    todo = [((), data)]
    while todo:
        path, value = todo.pop()
        if isinstance(value, str):
            _check_text(value, source, lines.get(path))
        elif isinstance(value, list):
            todo.extend((path + (i,), v) for i, v in enumerate(value))
        elif isinstance(value, dict):
            for k, v in value.items():
                _check_text(k, source, lines.get(path + (k,)))
                todo.append((path + (k,), v))


# Enough of JSON's grammar to follow the structure of text that json.loads accepted.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],:]|[^\s{}\[\],:"]+')


def _scan_json(text: str, source: str) -> dict[tuple, int]:
    """Map each value's path to its line; enforce depth, size, key and constant rules."""
    lines: dict[tuple, int] = {(): 1}
    stack: list[list] = []  # frames: [is_object, path, next index or current key, keys seen]
    line, pos, nodes = 1, 0, 0
    for m in _JSON_TOKEN.finditer(text):
        line += text.count("\n", pos, m.start())
        pos, tok = m.start(), m.group()
        top = stack[-1] if stack else None
        if tok in ",:":
            if top and top[0] and tok == ",":
                top[2] = _NO_KEY
            continue
        if tok in "}]":
            stack.pop()
            continue
        nodes += 1
        if nodes > MAX_NODES:
            raise _fail(source, f"more than {MAX_NODES} values", line, "limit")
        if top and top[0] and top[2] is _NO_KEY:  # an object key
            key = json.loads(tok)
            if key in top[3]:
                raise _fail(source, f"duplicate key {key!r}", line, "duplicate-key")
            top[3].add(key)
            top[2] = key
            continue
        if top is None:
            path = ()
        elif top[0]:
            path = top[1] + (top[2],)
        else:
            path, top[2] = top[1] + (top[2],), top[2] + 1
        if path:
            lines[path] = line
        if tok in ("NaN", "Infinity", "-Infinity"):
            raise _fail(source, f"{tok} is not allowed in JSON; write a number", line, "json")
        if tok in "{[":
            stack.append([tok == "{", path, _NO_KEY if tok == "{" else 0, set()])
            if len(stack) > MAX_DEPTH:
                raise _fail(source, f"nesting deeper than {MAX_DEPTH} levels", line, "limit")
    return lines
