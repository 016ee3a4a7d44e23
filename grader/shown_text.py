r"""Student text made safe to show: one rule for every place a person reads it.

Whatever a student typed (a name, an id, an e-mail, a file name, an answer quoted in a
message, a question id) may hold characters that change what a reader sees rather than show
themselves: a line feed or carriage return forges a row of a table, a tab shifts its columns,
an ESC sequence recolours or clears a terminal, a bidi override (U+202E) or isolate
(U+2066-U+2069) shows ``s1001`` as another string, a zero-width character hides a difference.
:func:`shown` turns each of them into a visible escape (``\n``, ``\t``, ``\x1b``, ``\u202e``)
and leaves everything else as it was, so ``shown`` of ordinary text is that text, and ``shown``
of shown text is the same text (it never escapes a backslash: LaTeX answers are full of them).

Every view calls it: the terminal table and details, ``grade check`` lines, GitHub
annotations (before their own ``%``-escaping), the HTML report (before HTML-escaping),
Markdown feedback and handouts, CSV cells (before formula neutralising). The JSON report keeps
the raw value (JSON is data), its invisible characters written as JSON ``\uXXXX`` escapes
(:func:`json_safe`), which decode to the same string.

What is escaped: every character :meth:`str.isprintable` rejects except the space (C0 and C1
controls, DEL, format characters such as bidi controls and zero-width characters, line and
paragraph separators, other spaces, surrogates, private-use and unassigned code points), and
U+061C, U+200E/U+200F, U+202A-U+202E, U+2066-U+2069 by name in case a Python treats any of
them as printable.
"""
from __future__ import annotations

import re

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    n = ord(ch)
    return _NAMED.get(ch) or (f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}")


def _hidden(ch: str) -> bool:
    return ch in BIDI or not (ch.isprintable() or ch == " ")


def shown(text, *, keep_newlines: bool = False) -> str:
    r"""``text`` (made a string) with every control, bidi and invisible character as a visible
    escape. ``keep_newlines`` keeps ``\n`` (for a multi-line view that a line feed cannot
    forge: an HTML ``<pre>``, a quoted CSV cell); ``\r`` is escaped even then.

    >>> shown("Eve\nfake row\r\u202eevil\t\x1b[2J\u200b")
    'Eve\\nfake row\\r\\u202eevil\\t\\x1b[2J\\u200b'
    >>> shown(r"\delta^{(2)} \odot a"), shown("José Ñúñez")
    ('\\delta^{(2)} \\odot a', 'José Ñúñez')
    """
    text = text if isinstance(text, str) else str(text)
    if text.isprintable() and not any(ch in BIDI for ch in text):  # the common case: nothing to do
        return text
    return "".join(ch if (keep_newlines and ch == "\n") or not _hidden(ch) else _escape(ch) for ch in text)


def shown_lines(text) -> list[str]:
    """A multi-line text of ours (an error with a caret line) as lines, each :func:`shown`:
    the line breaks are the text's layout, anything else a student slipped in is escaped."""
    return [shown(line) for line in str(text).split("\n")]


_JSON_HIDDEN = re.compile("[" + BIDI + "\u007f-\u009f\u00ad\u200b-\u200d\u2028\u2029\u2060-\u2064\ufeff\ufff9-\ufffb]")


def json_safe(json_text: str) -> str:
    r"""JSON text (from ``json.dumps(..., ensure_ascii=False)``, which escapes C0 controls) with
    bidi, C1 and invisible format characters written as ``\uXXXX`` too: the same data when
    decoded, and nothing in the file that reorders or hides what an editor or pager shows."""
    return _JSON_HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)
